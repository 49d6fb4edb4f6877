/**
 * What CASE needs to know about the fabrics it can speak for (Core spec 4.14.2: the IPK, the trusted root, the
 * node's NOC chain and operational key). The responder matches a Sigma1 destinationId against every fabric in the
 * view, the pending one included; `caseFabricView` adapts the fabric table and the group key store.
 */
import type { Crypto } from "../../crypto/crypto.ts";
import type { P256PrivateKey } from "../../crypto/p256.ts";
import type { FabricIndex } from "../../fabric/fabric-index.ts";
import type { FabricTable } from "../../fabric/fabric-table.ts";
import type { GroupKeyStore } from "../../fabric/group-keys.ts";

/** One fabric as CASE uses it. Certificates are Matter TLV bytes as installed. */
export type CaseFabric = {
  readonly fabricIndex: FabricIndex;
  readonly fabricId: bigint;
  /** Our node id on this fabric. */
  readonly nodeId: bigint;
  /** 65 bytes, 0x04 || X || Y. */
  readonly rootPublicKey: Uint8Array;
  readonly rcac: Uint8Array;
  readonly icac: Uint8Array | null;
  readonly noc: Uint8Array;
  readonly operationalKey: P256PrivateKey;
  /** The operational IPK (16 bytes): key set 0's epoch key derived with the compressed fabric id (4.17.2). */
  readonly ipk: Uint8Array;
};

/** The fabrics a CASE responder may match, read at Sigma1 time. */
export interface CaseFabricView {
  fabrics(): readonly CaseFabric[];
}

/**
 * A view over the fabric table as reads show it (a pending AddNOC/UpdateNOC included, as CASE over the operational
 * network happens before CommissioningComplete) and the group key store; fabrics without an IPK are left out.
 */
export function caseFabricView(crypto: Crypto, table: FabricTable, groupKeys: GroupKeyStore): CaseFabricView {
  return {
    fabrics(): CaseFabric[] {
      const out: CaseFabric[] = [];
      for (const f of table.fabrics()) {
        const ipk = groupKeys.operationalIpk(crypto, f.fabricIndex, f.compressedFabricId);
        if (ipk === undefined) continue;
        out.push({
          fabricIndex: f.fabricIndex,
          fabricId: f.fabricId,
          nodeId: f.nodeId,
          rootPublicKey: f.rootPublicKey,
          rcac: f.rcac,
          icac: f.icac,
          noc: f.noc,
          operationalKey: f.operationalKey,
          ipk,
        });
      }
      return out;
    },
  };
}
