/**
 * ReadRequestMessage (Core spec 10.7.2, opcode 0x02).
 *
 * ReadRequestMessage => STRUCTURE [ tag-order ] { AttributeRequests [0, optional] : ARRAY OF AttributePathIB,
 *   EventRequests [1, optional] : ARRAY OF EventPathIB, EventFilters [2, optional] : ARRAY OF EventFilterIB,
 *   FabricFiltered [3] : BOOLEAN, DataVersionFilters [4, optional] : ARRAY OF DataVersionFilterIB, InteractionModelRevision [0xFF] }
 */
import { tlvArray, tlvBool, tlvField, tlvOptionalField } from "../../tlv/tlv-schema.ts";
import { AttributePathIB } from "./attribute-path-ib.ts";
import { DataVersionFilterIB } from "./data-version-filter-ib.ts";
import { EventFilterIB } from "./event-filter-ib.ts";
import { EventPathIB } from "./event-path-ib.ts";
import { imMessage } from "./interaction-model-revision.ts";

/** ReadRequestMessage codec. */
export const ReadRequestMessage = imMessage("ReadRequest", {
  attributeRequests: tlvOptionalField(0, tlvArray(AttributePathIB)),
  eventRequests: tlvOptionalField(1, tlvArray(EventPathIB)),
  eventFilters: tlvOptionalField(2, tlvArray(EventFilterIB)),
  isFabricFiltered: tlvField(3, tlvBool),
  dataVersionFilters: tlvOptionalField(4, tlvArray(DataVersionFilterIB)),
});
/** A decoded ReadRequestMessage. */
export type ReadRequestMessage = ReturnType<typeof ReadRequestMessage.decode>;
