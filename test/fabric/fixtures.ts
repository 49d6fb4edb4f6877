// Helpers for fabric tests: certificates are opaque bytes to the table, so random bytes stand in for TLV certificates.
import { randomBytes } from "node:crypto";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import type { P256PrivateKey } from "../../src/crypto/p256.ts";
import { CommissioningTransaction } from "../../src/fabric/commissioning-transaction.ts";
import type { FabricIndex } from "../../src/fabric/fabric-index.ts";
import type { FabricTable, NocInstall } from "../../src/fabric/fabric-table.ts";

export const crypto = nodeCrypto;

const transactions = new WeakMap<FabricTable, CommissioningTransaction>();

/**
 * The commissioning transaction over a bare `table` (one per table, created on first use, its fail-safe armed for a
 * long time so the table's pending operations can be driven directly).
 */
export function transactionFor(table: FabricTable): CommissioningTransaction {
  let tx = transactions.get(table);
  if (tx === undefined) {
    tx = new CommissioningTransaction({ fabrics: table });
    tx.failSafe.arm(0, 900, 0);
    transactions.set(table, tx);
  }
  return tx;
}

/** A fake root: certificate bytes and a real P-256 public key. */
export function makeRoot(): { rcac: Uint8Array; rootPublicKey: Uint8Array } {
  return { rcac: new Uint8Array(randomBytes(200)), rootPublicKey: crypto.generateKeyPair().publicKey.raw };
}

/** NOC install fields for `key`. */
export function makeInstall(key: P256PrivateKey, over: Partial<NocInstall> = {}): NocInstall {
  return {
    noc: new Uint8Array(randomBytes(250)),
    icac: new Uint8Array(randomBytes(240)),
    fabricId: 0xfab0_0000_0000_001dn,
    nodeId: 0xdede_dede_0001_0001n,
    cats: [],
    nocPublicKey: key.publicKey.raw,
    ...over,
  };
}

/** Runs the whole AddNOC flow (root, CSR, AddNOC) and commits it; returns the new index. */
export async function addFabric(
  table: FabricTable,
  over: Partial<NocInstall> & { vendorId?: number; root?: { rcac: Uint8Array; rootPublicKey: Uint8Array } } = {},
): Promise<FabricIndex> {
  const root = over.root ?? makeRoot();
  const tx = transactionFor(table);
  tx.addPendingRoot(root.rcac, root.rootPublicKey);
  const key = tx.allocatePendingOperationalKey();
  const index = tx.addPendingFabric({ ...makeInstall(key, over), vendorId: over.vendorId ?? 0xfff1 });
  await tx.commit();
  return index;
}
