/**
 * FabricDescriptorStruct (Core spec 11.18.4.5; conformance §0.2): one entry of the Fabrics attribute, fabric-scoped,
 * with no fabric-sensitive field (every fabric's descriptor shows in an unfiltered read, TC_OPCREDS_3_1 step 48).
 *
 * ```
 * FabricDescriptorStruct ::= STRUCTURE {
 *   RootPublicKey [1] : octstr (65)
 *   VendorID      [2] : vendor-id
 *   FabricID      [3] : fabric-id
 *   NodeID        [4] : node-id
 *   Label         [5] : string (max 32)
 *   VIDVerificationStatement [6, optional] : octstr (max 85)   -- omitted when empty
 *   FabricIndex   [0xFE] : fabric-idx
 * }
 * ```
 */
import type { FabricRecord } from "../../fabric/fabric-record.ts";
import { ROOT_PUBLIC_KEY_BYTES } from "../../fabric/operational-identity.ts";
import {
  type TlvType,
  tlvBytes,
  tlvFabricIndex,
  tlvField,
  tlvOptionalField,
  tlvString,
  tlvStruct,
  tlvUInt16,
  tlvUInt64,
} from "../../tlv/tlv-schema.ts";
import { MAX_FABRIC_LABEL_BYTES, VID_VERIFICATION_STATEMENT_BYTES } from "./operational-credentials-limits.ts";

/** FabricDescriptorStruct schema. */
export const FabricDescriptorStruct = tlvStruct({
  rootPublicKey: tlvField(1, tlvBytes({ length: ROOT_PUBLIC_KEY_BYTES })),
  vendorId: tlvField(2, tlvUInt16),
  fabricId: tlvField(3, tlvUInt64),
  nodeId: tlvField(4, tlvUInt64),
  label: tlvField(5, tlvString({ maxLength: MAX_FABRIC_LABEL_BYTES })),
  vidVerificationStatement: tlvOptionalField(6, tlvBytes({ maxLength: VID_VERIFICATION_STATEMENT_BYTES })),
  fabricIndex: tlvFabricIndex,
});
/** One FabricDescriptorStruct. */
export type FabricDescriptorStruct = TlvType<typeof FabricDescriptorStruct>;

/** The descriptor of a fabric as reads show it (pending values included). */
export function fabricDescriptorOf(fabric: FabricRecord): FabricDescriptorStruct {
  return {
    rootPublicKey: fabric.rootPublicKey,
    vendorId: fabric.vendorId,
    fabricId: fabric.fabricId,
    nodeId: fabric.nodeId,
    label: fabric.label,
    // §6 item 9: the VIDVerificationStatement field is omitted when empty.
    ...(fabric.vidVerificationStatement !== undefined
      ? { vidVerificationStatement: fabric.vidVerificationStatement }
      : {}),
    fabricIndex: fabric.fabricIndex,
  };
}
