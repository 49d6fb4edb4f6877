/**
 * CommandStatusIB (Core spec 10.6.14). CommandRef echoes the request's when it carried one (Core 8.8.2, batch invoke).
 *
 * CommandStatusIB => STRUCTURE [ tag-order ] { Path [0] : CommandPathIB, Status [1] : StatusIB, Ref [2, optional] : uint16 }
 */
import { type TlvType, tlvField, tlvOptionalField, tlvStruct, tlvUInt16 } from "../../tlv/tlv-schema.ts";
import { CommandPathIB } from "./command-path-ib.ts";
import { StatusIB } from "./status-ib.ts";

/** CommandStatusIB codec. */
export const CommandStatusIB = tlvStruct({
  path: tlvField(0, CommandPathIB),
  status: tlvField(1, StatusIB),
  ref: tlvOptionalField(2, tlvUInt16),
});
/** A decoded CommandStatusIB. */
export type CommandStatusIB = TlvType<typeof CommandStatusIB>;
