/**
 * SubscribeRequestMessage (Core spec 10.7.3, opcode 0x03). Tag 6 is reserved (removed before 1.0).
 *
 * SubscribeRequestMessage => STRUCTURE [ tag-order ] { KeepSubscriptions [0] : BOOLEAN, MinIntervalFloor [1] : uint16,
 *   MaxIntervalCeiling [2] : uint16, AttributeRequests [3, optional], EventRequests [4, optional], EventFilters [5, optional],
 *   FabricFiltered [7] : BOOLEAN, DataVersionFilters [8, optional], InteractionModelRevision [0xFF] }
 */
import { tlvArray, tlvBool, tlvField, tlvOptionalField, tlvUInt16 } from "../../tlv/tlv-schema.ts";
import { AttributePathIB } from "./attribute-path-ib.ts";
import { DataVersionFilterIB } from "./data-version-filter-ib.ts";
import { EventFilterIB } from "./event-filter-ib.ts";
import { EventPathIB } from "./event-path-ib.ts";
import { imMessage } from "./interaction-model-revision.ts";

/** SubscribeRequestMessage codec. */
export const SubscribeRequestMessage = imMessage("SubscribeRequest", {
  keepSubscriptions: tlvField(0, tlvBool),
  minIntervalFloor: tlvField(1, tlvUInt16),
  maxIntervalCeiling: tlvField(2, tlvUInt16),
  attributeRequests: tlvOptionalField(3, tlvArray(AttributePathIB)),
  eventRequests: tlvOptionalField(4, tlvArray(EventPathIB)),
  eventFilters: tlvOptionalField(5, tlvArray(EventFilterIB)),
  isFabricFiltered: tlvField(7, tlvBool),
  dataVersionFilters: tlvOptionalField(8, tlvArray(DataVersionFilterIB)),
});
/** A decoded SubscribeRequestMessage. */
export type SubscribeRequestMessage = ReturnType<typeof SubscribeRequestMessage.decode>;
