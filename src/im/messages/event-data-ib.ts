/**
 * EventDataIB (Core spec 10.6.9): one event record. Exactly one timestamp member is present.
 * Timestamps are in milliseconds on the wire, as connectedhomeip (EventManagement, Timestamp::mValue) and matter.js
 * (TlvPosixMs / TlvSysTimeMS) write and read them.
 *
 * EventDataIB => STRUCTURE [ tag-order ] { Path [0] : EventPathIB, EventNumber [1] : event-no, Priority [2] : priority,
 *   EpochTimestamp [3, optional] : epoch-ms, SystemTimestamp [4, optional] : systime-ms,
 *   DeltaEpochTimestamp [5, optional], DeltaSystemTimestamp [6, optional], Data [7, optional] : * }
 */
import {
  type TlvType,
  tlvAny,
  tlvField,
  tlvOptionalField,
  tlvStruct,
  tlvUInt64,
  tlvUIntRange,
} from "../../tlv/tlv-schema.ts";
import { EventPathIB } from "./event-path-ib.ts";
import { exactlyOneOf, refined, tlvEventNo } from "./im-schema.ts";

const fields = tlvStruct({
  path: tlvField(0, EventPathIB),
  eventNumber: tlvField(1, tlvEventNo),
  // PriorityLevel: Debug 0, Info 1, Critical 2 (Core 7.18.2.3).
  priority: tlvField(2, tlvUIntRange(0, 2)),
  epochTimestamp: tlvOptionalField(3, tlvUInt64),
  systemTimestamp: tlvOptionalField(4, tlvUInt64),
  deltaEpochTimestamp: tlvOptionalField(5, tlvUInt64),
  deltaSystemTimestamp: tlvOptionalField(6, tlvUInt64),
  data: tlvOptionalField(7, tlvAny),
});

/** EventDataIB codec: exactly one of the four timestamp members. */
export const EventDataIB = refined(
  fields,
  exactlyOneOf("epochTimestamp", "systemTimestamp", "deltaEpochTimestamp", "deltaSystemTimestamp"),
);
/** A decoded EventDataIB. */
export type EventDataIB = TlvType<typeof EventDataIB>;
