/**
 * EventReportIB (Core spec 10.6.12): either a status or data for one event path.
 *
 * EventReportIB => STRUCTURE [ tag-order ] { EventStatus [0] : EventStatusIB | EventData [1] : EventDataIB }
 */
import { type TlvType, tlvOptionalField, tlvStruct } from "../../tlv/tlv-schema.ts";
import { EventDataIB } from "./event-data-ib.ts";
import { EventStatusIB } from "./event-status-ib.ts";
import { exactlyOneOf, refined } from "./im-schema.ts";

const fields = tlvStruct({
  eventStatus: tlvOptionalField(0, EventStatusIB),
  eventData: tlvOptionalField(1, EventDataIB),
});

/** EventReportIB codec: exactly one of EventStatus and EventData. */
export const EventReportIB = refined(fields, exactlyOneOf("eventStatus", "eventData"));
/** A decoded EventReportIB. */
export type EventReportIB = TlvType<typeof EventReportIB>;
