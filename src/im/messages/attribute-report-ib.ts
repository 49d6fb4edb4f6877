/**
 * AttributeReportIB (Core spec 10.6.13): either a status or data for one path.
 *
 * AttributeReportIB => STRUCTURE [ tag-order ] { AttributeStatus [0] : AttributeStatusIB | AttributeData [1] : AttributeDataIB }
 */
import { type TlvType, tlvOptionalField, tlvStruct } from "../../tlv/tlv-schema.ts";
import { AttributeDataIB } from "./attribute-data-ib.ts";
import { AttributeStatusIB } from "./attribute-status-ib.ts";
import { exactlyOneOf, refined } from "./im-schema.ts";

const fields = tlvStruct({
  attributeStatus: tlvOptionalField(0, AttributeStatusIB),
  attributeData: tlvOptionalField(1, AttributeDataIB),
});

/** AttributeReportIB codec: exactly one of AttributeStatus and AttributeData. */
export const AttributeReportIB = refined(fields, exactlyOneOf("attributeStatus", "attributeData"));
/** A decoded AttributeReportIB. */
export type AttributeReportIB = TlvType<typeof AttributeReportIB>;
