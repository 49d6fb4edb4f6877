// Crash safety of the Operational Credentials flows: children run commissioning, UpdateNOC, UpdateFabricLabel and
// RemoveFabric against SQLite and are SIGKILLed at random moments. After each kill the reopened state must be exactly a
// committed one (the last announced, or the one before when that step had not finished), every committed fabric must
// have its ACL entry, IPK and matching key, and the next fabric index must never go back. Lanes run in parallel.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { openDevAttestationProvider } from "../../src/cert/attestation-provider.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { AccessControlStore } from "../../src/fabric/access-control.ts";
import { FabricTable } from "../../src/fabric/fabric-table.ts";
import { GroupKeyStore } from "../../src/fabric/group-keys.ts";
import { SqliteStorage } from "../../src/storage/sqlite-storage.ts";
import { compiledChild } from "../support/compiled-child.ts";
import { checkKillRound, runUntilKilled } from "../support/kill-rounds.ts";
import { CRASH_SUPPORTED_FABRICS, integrityProblems, snapshot } from "./opcreds-crash-snapshot.ts";

const LANES = 4;
const KILLS_PER_LANE = Number(process.env.OPCREDS_OPCREDS_CRASH_KILLS ?? 40);
const CHILD_SOURCE = join(import.meta.dirname, "opcreds-crash-child.ts");
const dir = mkdtempSync(join(tmpdir(), "opcreds-crash2-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function readState(db: string): Promise<string> {
  const storage = await SqliteStorage.open(db);
  try {
    const fabrics = await FabricTable.open(storage, nodeCrypto, { supportedFabrics: CRASH_SUPPORTED_FABRICS });
    const committed = fabrics.fabrics();
    const problems = integrityProblems(
      committed,
      await AccessControlStore.open(storage),
      await GroupKeyStore.open(storage),
    );
    assert.deepEqual(problems, [], "a committed fabric is half-written");
    return snapshot(committed, fabrics.nextFabricIndex);
  } finally {
    storage.close();
  }
}

async function lane(n: number, child: string, attDir: string): Promise<{ commits: number; interrupted: number }> {
  const db = join(dir, `lane-${n}`, "node.sqlite");
  let state = await readState(db);
  let seqBase = n * 1_000_000;
  let commits = 0;
  let interrupted = 0;
  for (let kill = 0; kill < KILLS_PER_LANE; kill++) {
    const lines = await runUntilKilled([child, db, attDir, String(seqBase)], Math.floor(Math.random() * 400));
    const round = await checkKillRound(`lane ${n} kill ${kill}`, state, seqBase, lines, () => readState(db));
    commits += round.commits;
    if (round.interrupted) interrupted++;
    seqBase = round.seqBase;
    state = round.state;
  }
  return { commits, interrupted };
}

test(`OpCreds flows survive ${LANES * KILLS_PER_LANE} SIGKILLs with a committed state`, {
  timeout: 300_000,
}, async () => {
  // The child starts from compiled output (dist/ and a bundle of its test code): a restart costs a plain `node` start
  // instead of transpiling ~100 modules, which is what lets 160 kills fit in the suite's time budget.
  const child = compiledChild(CHILD_SOURCE);
  const attDir = join(dir, "attestation");
  await openDevAttestationProvider(nodeCrypto, attDir);
  const results = await Promise.all(Array.from({ length: LANES }, (_, n) => lane(n, child, attDir)));
  const commits = results.reduce((a, r) => a + r.commits, 0);
  assert.ok(commits > 0, "the children should complete steps between kills");
});
