/**
 * ClusterPathIB (Core spec 10.6.3), the path of a DataVersionFilterIB: always a concrete cluster instance.
 *
 * ClusterPathIB => LIST [ tag-order ] { Node [0, optional] : node-id, Endpoint [1] : endpoint-no, Cluster [2] : cluster-id }
 */
import {
  type TlvType,
  tlvField,
  tlvList,
  tlvOptionalField,
  tlvUInt16,
  tlvUInt32,
  tlvUInt64,
} from "../../tlv/tlv-schema.ts";

/** ClusterPathIB codec. */
export const ClusterPathIB = tlvList({
  node: tlvOptionalField(0, tlvUInt64),
  endpoint: tlvField(1, tlvUInt16),
  cluster: tlvField(2, tlvUInt32),
});
/** A decoded ClusterPathIB. */
export type ClusterPathIB = TlvType<typeof ClusterPathIB>;
