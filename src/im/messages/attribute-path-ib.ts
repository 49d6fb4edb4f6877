/**
 * AttributePathIB (Core spec 10.6.2): a TLV *list* (not a struct) whose absent members are wildcards.
 *
 * AttributePathIB => LIST [ tag-order ] {
 *   EnableTagCompression [0, optional] : BOOLEAN, Node [1, optional] : node-id, Endpoint [2, optional] : endpoint-no,
 *   Cluster [3, optional] : cluster-id, Attribute [4, optional] : attribute-id,
 *   ListIndex [5, optional] : nullable uint16, WildcardPathFlags [6, optional] : map32 }
 */
import {
  type TlvType,
  tlvBitmap32,
  tlvBool,
  tlvList,
  tlvNullable,
  tlvOptionalField,
  tlvUInt16,
} from "../../tlv/tlv-schema.ts";
import { tlvAttributeId, tlvClusterId, tlvEndpointNo, tlvNodeId } from "./im-schema.ts";

/** WildcardPathFlags bits (Core 10.6.2.1, WildcardPathFlagsBitmap). Bit 3 is reserved. */
export const WildcardPathFlags = {
  SkipRootNode: 1 << 0,
  SkipGlobalAttributes: 1 << 1,
  SkipAttributeList: 1 << 2,
  SkipCommandLists: 1 << 4,
  SkipCustomElements: 1 << 5,
  SkipFixedAttributes: 1 << 6,
  SkipChangesOmittedAttributes: 1 << 7,
  SkipDiagnosticsClusters: 1 << 8,
} as const;

/** AttributePathIB codec. */
export const AttributePathIB = tlvList({
  enableTagCompression: tlvOptionalField(0, tlvBool),
  node: tlvOptionalField(1, tlvNodeId),
  endpoint: tlvOptionalField(2, tlvEndpointNo),
  cluster: tlvOptionalField(3, tlvClusterId),
  attribute: tlvOptionalField(4, tlvAttributeId),
  listIndex: tlvOptionalField(5, tlvNullable(tlvUInt16)),
  wildcardPathFlags: tlvOptionalField(6, tlvBitmap32),
});
/** A decoded AttributePathIB. */
export type AttributePathIB = TlvType<typeof AttributePathIB>;
