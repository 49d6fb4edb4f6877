/**
 * CommandPathIB (Core spec 10.6.11). Endpoint is absent only in group invokes.
 *
 * CommandPathIB => LIST [ tag-order ] { Endpoint [0, optional] : endpoint-no, Cluster [1] : cluster-id, Command [2] : command-id }
 */
import { type TlvType, tlvField, tlvList, tlvOptionalField, tlvUInt16, tlvUInt32 } from "../../tlv/tlv-schema.ts";

/** CommandPathIB codec. */
export const CommandPathIB = tlvList({
  endpoint: tlvOptionalField(0, tlvUInt16),
  cluster: tlvField(1, tlvUInt32),
  command: tlvField(2, tlvUInt32),
});
/** A decoded CommandPathIB. */
export type CommandPathIB = TlvType<typeof CommandPathIB>;
