/**
 * ClusterPathIB (Core spec 10.6.3), the path of a DataVersionFilterIB: always a concrete cluster instance.
 *
 * ClusterPathIB => LIST [ tag-order ] { Node [0, optional] : node-id, Endpoint [1] : endpoint-no, Cluster [2] : cluster-id }
 */
import { type TlvType, tlvField, tlvList, tlvOptionalField } from "../../tlv/tlv-schema.ts";
import { tlvClusterId, tlvEndpointNo, tlvNodeId } from "./im-schema.ts";

/** ClusterPathIB codec. */
export const ClusterPathIB = tlvList({
  node: tlvOptionalField(0, tlvNodeId),
  endpoint: tlvField(1, tlvEndpointNo),
  cluster: tlvField(2, tlvClusterId),
});
/** A decoded ClusterPathIB. */
export type ClusterPathIB = TlvType<typeof ClusterPathIB>;
