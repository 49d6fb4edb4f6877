/**
 * CommandDataIB (Core spec 10.6.12): one command (request or response) with its fields, kept as a raw TLV element.
 *
 * CommandDataIB => STRUCTURE [ tag-order ] { CommandPath [0] : CommandPathIB, CommandFields [1, optional] : STRUCTURE,
 *   CommandRef [2, optional] : uint16 }
 */
import { type TlvType, tlvAny, tlvField, tlvOptionalField, tlvStruct, tlvUInt16 } from "../../tlv/tlv-schema.ts";
import { CommandPathIB } from "./command-path-ib.ts";

/** CommandDataIB codec. */
export const CommandDataIB = tlvStruct({
  path: tlvField(0, CommandPathIB),
  fields: tlvOptionalField(1, tlvAny),
  ref: tlvOptionalField(2, tlvUInt16),
});
/** A decoded CommandDataIB. */
export type CommandDataIB = TlvType<typeof CommandDataIB>;
