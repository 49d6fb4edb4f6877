/**
 * ReportDataMessage (Core spec 10.7.5, opcode 0x05).
 *
 * ReportDataMessage => STRUCTURE [ tag-order ] { SubscriptionId [0, optional] : subscription-id,
 *   AttributeReports [1, optional] : ARRAY OF AttributeReportIB, EventReports [2, optional] : ARRAY OF EventReportIB,
 *   MoreChunkedMessages [3, optional] : BOOLEAN, SuppressResponse [4, optional] : BOOLEAN, InteractionModelRevision [0xFF] }
 */
import { tlvArray, tlvBool, tlvOptionalField, tlvUInt32 } from "../../tlv/tlv-schema.ts";
import { AttributeReportIB } from "./attribute-report-ib.ts";
import { EventReportIB } from "./event-report-ib.ts";
import { imMessage } from "./interaction-model-revision.ts";

/** ReportDataMessage codec. */
export const ReportDataMessage = imMessage("ReportData", {
  subscriptionId: tlvOptionalField(0, tlvUInt32),
  attributeReports: tlvOptionalField(1, tlvArray(AttributeReportIB)),
  eventReports: tlvOptionalField(2, tlvArray(EventReportIB)),
  moreChunkedMessages: tlvOptionalField(3, tlvBool),
  suppressResponse: tlvOptionalField(4, tlvBool),
});
/** A decoded ReportDataMessage. */
export type ReportDataMessage = ReturnType<typeof ReportDataMessage.decode>;
