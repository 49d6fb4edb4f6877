/**
 * The fabric table as the crash soak compares it: every committed fabric as `fabricId/nodeId/label/noc-hash`, read
 * from the device's SQLite database once its process is dead, with the integrity checks of the OpCreds crash test
 * (each fabric has its ACL entry, its IPK, and an operational key matching its NOC).
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { AccessControlStore } from "../../src/fabric/access-control.ts";
import { FabricTable } from "../../src/fabric/fabric-table.ts";
import { GroupKeyStore } from "../../src/fabric/group-keys.ts";
import { DATABASE_FILE } from "../../src/node/device-node.ts";
import { DEVICE_DEFAULTS } from "../../src/node/node-config.ts";
import { SqliteStorage } from "../../src/storage/sqlite-storage.ts";
import { integrityProblems } from "../../test/crash/opcreds-crash-snapshot.ts";

/** One committed fabric as the soak tracks it. */
export type SoakFabric = {
  readonly fabricId: bigint;
  readonly fabricIndex: number;
  readonly nodeId: bigint;
  readonly label: string;
  readonly noc: Uint8Array;
};

/** A short, stable digest of a certificate. */
export function certDigest(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 10);
}

/** The comparable text of a fabric table (fabric index left out: the model learns it only from the device). */
export function soakSnapshot(fabrics: readonly Omit<SoakFabric, "fabricIndex">[]): string {
  const parts = [...fabrics]
    .sort((a, b) => (a.fabricId < b.fabricId ? -1 : a.fabricId > b.fabricId ? 1 : 0))
    .map((f) => `${f.fabricId.toString(16)}/${f.nodeId.toString(16)}/${f.label}/${certDigest(f.noc)}`);
  return parts.length === 0 ? "(none)" : parts.join(",");
}

/** The committed fabrics in `dataDir`'s database, plus any integrity problem of them. */
export async function readSoakFabrics(dataDir: string): Promise<{ fabrics: SoakFabric[]; problems: string[] }> {
  const storage = await SqliteStorage.open(join(dataDir, DATABASE_FILE));
  try {
    const table = await FabricTable.open(storage, nodeCrypto, { supportedFabrics: DEVICE_DEFAULTS.supportedFabrics });
    const committed = table.fabrics();
    const problems = integrityProblems(
      committed,
      await AccessControlStore.open(storage),
      await GroupKeyStore.open(storage),
    );
    return {
      fabrics: committed.map((f) => ({
        fabricId: f.fabricId,
        fabricIndex: f.fabricIndex,
        nodeId: f.nodeId,
        label: f.label,
        noc: f.noc,
      })),
      problems,
    };
  } finally {
    storage.close();
  }
}
