/**
 * EventFilterIB (Core spec 10.6.6): only events with a number at or above EventMin are reported.
 *
 * EventFilterIB => STRUCTURE [ tag-order ] { Node [0, optional] : node-id, EventMin [1] : event-no }
 */
import { type TlvType, tlvField, tlvOptionalField, tlvStruct } from "../../tlv/tlv-schema.ts";
import { tlvEventNo, tlvNodeId } from "./im-schema.ts";

/** EventFilterIB codec. */
export const EventFilterIB = tlvStruct({
  node: tlvOptionalField(0, tlvNodeId),
  eventMin: tlvField(1, tlvEventNo),
});
/** A decoded EventFilterIB. */
export type EventFilterIB = TlvType<typeof EventFilterIB>;
