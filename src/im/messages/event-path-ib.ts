/**
 * EventPathIB (Core spec 10.6.8): a TLV list; absent Endpoint/Cluster/Event are wildcards.
 *
 * EventPathIB => LIST [ tag-order ] { Node [0, optional] : node-id, Endpoint [1, optional] : endpoint-no,
 *   Cluster [2, optional] : cluster-id, Event [3, optional] : event-id, IsUrgent [4, optional] : BOOLEAN }
 */
import { type TlvType, tlvBool, tlvList, tlvOptionalField } from "../../tlv/tlv-schema.ts";
import { tlvClusterId, tlvEndpointNo, tlvEventId, tlvNodeId } from "./im-schema.ts";

/** EventPathIB codec. */
export const EventPathIB = tlvList({
  node: tlvOptionalField(0, tlvNodeId),
  endpoint: tlvOptionalField(1, tlvEndpointNo),
  cluster: tlvOptionalField(2, tlvClusterId),
  event: tlvOptionalField(3, tlvEventId),
  isUrgent: tlvOptionalField(4, tlvBool),
});
/** A decoded EventPathIB. */
export type EventPathIB = TlvType<typeof EventPathIB>;
