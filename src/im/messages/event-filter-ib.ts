/**
 * EventFilterIB (Core spec 10.6.6): only events with a number at or above EventMin are reported.
 *
 * EventFilterIB => STRUCTURE [ tag-order ] { Node [0, optional] : node-id, EventMin [1] : event-no }
 */
import { type TlvType, tlvField, tlvOptionalField, tlvStruct, tlvUInt64 } from "../../tlv/tlv-schema.ts";

/** EventFilterIB codec. */
export const EventFilterIB = tlvStruct({
  node: tlvOptionalField(0, tlvUInt64),
  eventMin: tlvField(1, tlvUInt64),
});
/** A decoded EventFilterIB. */
export type EventFilterIB = TlvType<typeof EventFilterIB>;
