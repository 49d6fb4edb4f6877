/**
 * EventStatusIB (Core spec 10.6.15).
 *
 * EventStatusIB => STRUCTURE [ tag-order ] { Path [0] : EventPathIB, Status [1] : StatusIB }
 */
import { type TlvType, tlvField, tlvStruct } from "../../tlv/tlv-schema.ts";
import { EventPathIB } from "./event-path-ib.ts";
import { StatusIB } from "./status-ib.ts";

/** EventStatusIB codec. */
export const EventStatusIB = tlvStruct({
  path: tlvField(0, EventPathIB),
  status: tlvField(1, StatusIB),
});
/** A decoded EventStatusIB. */
export type EventStatusIB = TlvType<typeof EventStatusIB>;
