/**
 * StatusIB (Core spec 10.6.17): an IM status (Core 8.10) and an optional cluster-specific status.
 *
 * StatusIB => STRUCTURE [ tag-order ] { Status [0] : status, ClusterStatus [1, optional] : uint8 }
 */
import { type TlvType, tlvField, tlvOptionalField, tlvStruct, tlvUInt8 } from "../../tlv/tlv-schema.ts";

/** StatusIB codec (unknown status values decode: the caller maps them, e.g. with isImStatus). */
export const StatusIB = tlvStruct({
  status: tlvField(0, tlvUInt8),
  clusterStatus: tlvOptionalField(1, tlvUInt8),
});
/** A decoded StatusIB. */
export type StatusIB = TlvType<typeof StatusIB>;
