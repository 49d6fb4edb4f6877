/**
 * NOCStruct (Core spec 11.18.4.4; conformance §0.2): one entry of the NOCs attribute, fabric-scoped.
 *
 * ```
 * NOCStruct ::= STRUCTURE {
 *   NOC     [1] : octstr (max 400)
 *   ICAC    [2] : nullable octstr (max 400)    -- null when the chain has no ICAC; never omitted
 *   VVSC    [3, optional] : octstr (max 400)   -- only when there is no ICAC and a VVSC is set
 *   FabricIndex [0xFE] : fabric-idx
 * }
 * ```
 */
import type { FabricRecord } from "../../fabric/fabric-record.ts";
import {
  type TlvType,
  tlvBytes,
  tlvFabricIndex,
  tlvField,
  tlvNullable,
  tlvOptionalField,
  tlvStruct,
} from "../../tlv/tlv-schema.ts";
import { MAX_CERT_TLV_BYTES } from "./operational-credentials-limits.ts";

/** NOCStruct schema. */
export const NocStruct = tlvStruct({
  noc: tlvField(1, tlvBytes({ maxLength: MAX_CERT_TLV_BYTES })),
  icac: tlvField(2, tlvNullable(tlvBytes({ maxLength: MAX_CERT_TLV_BYTES }))),
  vvsc: tlvOptionalField(3, tlvBytes({ maxLength: MAX_CERT_TLV_BYTES })),
  fabricIndex: tlvFabricIndex,
});
/** One NOCStruct. */
export type NocStruct = TlvType<typeof NocStruct>;

/** The NOCStruct of a fabric as reads show it (pending values included, conformance §0.2). */
export function nocStructOf(fabric: FabricRecord): NocStruct {
  // §6 item 9: ICAC is null (not omitted) when absent; the VVSC appears only on a chain without an ICAC.
  return {
    noc: fabric.noc,
    icac: fabric.icac,
    ...(fabric.icac === null && fabric.vvsc !== undefined ? { vvsc: fabric.vvsc } : {}),
    fabricIndex: fabric.fabricIndex,
  };
}
