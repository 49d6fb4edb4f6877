/**
 * CommandPathIB (Core spec 10.6.11). Endpoint is absent only in group invokes.
 *
 * CommandPathIB => LIST [ tag-order ] { Endpoint [0, optional] : endpoint-no, Cluster [1] : cluster-id, Command [2] : command-id }
 */
import { type TlvType, tlvField, tlvList, tlvOptionalField } from "../../tlv/tlv-schema.ts";
import { tlvClusterId, tlvCommandId, tlvEndpointNo } from "./im-schema.ts";

/** CommandPathIB codec. */
export const CommandPathIB = tlvList({
  endpoint: tlvOptionalField(0, tlvEndpointNo),
  cluster: tlvField(1, tlvClusterId),
  command: tlvField(2, tlvCommandId),
});
/** A decoded CommandPathIB. */
export type CommandPathIB = TlvType<typeof CommandPathIB>;
