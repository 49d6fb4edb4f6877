/**
 * The InteractionModelRevision member every IM message carries (Core spec 10.2.2 "Common Action Information":
 * context tag 0xFF, uint8) and the helper that builds message schemas with it.
 * Revision 12 is Matter 1.4.x (connectedhomeip kInteractionModelRevision; matter.js Specification.INTERACTION_MODEL_REVISION).
 */
import {
  type TlvFields,
  type TlvSchema,
  type TlvStructType,
  tlvOptionalField,
  tlvStruct,
  tlvUInt8,
} from "../../tlv/tlv-schema.ts";

/** Context tag of InteractionModelRevision. */
const INTERACTION_MODEL_REVISION_TAG = 0xff;
/** The revision this implementation speaks (Matter 1.4.x). */
export const INTERACTION_MODEL_REVISION = 12;

const revisionField = { interactionModelRevision: tlvOptionalField(INTERACTION_MODEL_REVISION_TAG, tlvUInt8) };

/** The fields of an IM message plus InteractionModelRevision. */
export type WithRevision<F extends TlvFields> = F & typeof revisionField;

/**
 * A message codec: `encode` always writes InteractionModelRevision (INTERACTION_MODEL_REVISION unless the value sets
 * it); `decode` accepts a message without it (the SDK's parsers treat it as optional on receipt).
 */
export interface ImMessageCodec<T> {
  readonly name: string;
  readonly schema: TlvSchema<T>;
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

/** Builds the codec of an IM message from its fields; `check` enforces cross-field rules after decoding. */
export function imMessage<F extends TlvFields>(
  name: string,
  fields: F,
  check?: (value: TlvStructType<WithRevision<F>>) => void,
): ImMessageCodec<TlvStructType<WithRevision<F>>> {
  const schema = tlvStruct({ ...fields, ...revisionField }) as TlvSchema<TlvStructType<WithRevision<F>>>;
  return {
    name,
    schema,
    encode: (value) => {
      const revision = (value as { interactionModelRevision?: number }).interactionModelRevision;
      return schema.encode({ ...value, interactionModelRevision: revision ?? INTERACTION_MODEL_REVISION });
    },
    decode: (bytes) => {
      const value = schema.decode(bytes, name);
      check?.(value);
      return value;
    },
  };
}
