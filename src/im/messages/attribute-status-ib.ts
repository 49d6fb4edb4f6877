/**
 * AttributeStatusIB (Core spec 10.6.16).
 *
 * AttributeStatusIB => STRUCTURE [ tag-order ] { Path [0] : AttributePathIB, Status [1] : StatusIB }
 */
import { type TlvType, tlvField, tlvStruct } from "../../tlv/tlv-schema.ts";
import { AttributePathIB } from "./attribute-path-ib.ts";
import { StatusIB } from "./status-ib.ts";

/** AttributeStatusIB codec. */
export const AttributeStatusIB = tlvStruct({
  path: tlvField(0, AttributePathIB),
  status: tlvField(1, StatusIB),
});
/** A decoded AttributeStatusIB. */
export type AttributeStatusIB = TlvType<typeof AttributeStatusIB>;
