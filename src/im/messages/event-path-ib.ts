/**
 * EventPathIB (Core spec 10.6.8): a TLV list; absent Endpoint/Cluster/Event are wildcards.
 *
 * EventPathIB => LIST [ tag-order ] { Node [0, optional] : node-id, Endpoint [1, optional] : endpoint-no,
 *   Cluster [2, optional] : cluster-id, Event [3, optional] : event-id, IsUrgent [4, optional] : BOOLEAN }
 */
import {
  type TlvType,
  tlvBool,
  tlvList,
  tlvOptionalField,
  tlvUInt16,
  tlvUInt32,
  tlvUInt64,
} from "../../tlv/tlv-schema.ts";

/** EventPathIB codec. */
export const EventPathIB = tlvList({
  node: tlvOptionalField(0, tlvUInt64),
  endpoint: tlvOptionalField(1, tlvUInt16),
  cluster: tlvOptionalField(2, tlvUInt32),
  event: tlvOptionalField(3, tlvUInt32),
  isUrgent: tlvOptionalField(4, tlvBool),
});
/** A decoded EventPathIB. */
export type EventPathIB = TlvType<typeof EventPathIB>;
