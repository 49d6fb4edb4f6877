// Crash consistency: a child commits fabric-table changes in a loop and is SIGKILLed at random moments; after each kill
// the reopened table must equal a committed state (the last announced one, or the one before it when its commit had not
// finished) and the next fabric index must never go back.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { FabricTable } from "../../src/fabric/fabric-table.ts";
import { SqliteStorage } from "../../src/storage/sqlite-storage.ts";
import { checkKillRound, runUntilKilled } from "../support/kill-rounds.ts";
import { CRASH_SUPPORTED_FABRICS, tableSnapshot } from "./crash-snapshot.ts";

const KILLS = Number(process.env.OPCREDS_CRASH_KILLS ?? 50);
const CHILD = join(import.meta.dirname, "crash-child.ts");
const dir = mkdtempSync(join(tmpdir(), "opcreds-crash-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function readState(db: string): Promise<string> {
  const storage = await SqliteStorage.open(db);
  try {
    const t = await FabricTable.open(storage, nodeCrypto, { supportedFabrics: CRASH_SUPPORTED_FABRICS });
    return tableSnapshot(t.fabrics(), t.nextFabricIndex);
  } finally {
    await storage.close();
  }
}

test(`fabric table survives ${KILLS} SIGKILLs at random moments with a committed state`, {
  timeout: 600_000,
}, async (t) => {
  const db = join(dir, "crash", "fabrics.sqlite");
  let state = await readState(db);
  let seqBase = 0;
  let commitsSeen = 0;
  let interruptedSeen = 0;
  for (let kill = 0; kill < KILLS; kill++) {
    const lines = await runUntilKilled(
      ["--import", "tsx", CHILD, db, String(seqBase)],
      Math.floor(Math.random() * 120),
    );
    const round = await checkKillRound(`kill ${kill}`, state, seqBase, lines, () => readState(db));
    commitsSeen += round.commits;
    if (round.interrupted) interruptedSeen++;
    seqBase = round.seqBase;
    state = round.state;
  }
  // How many commits fit before each kill depends on the machine's load; the run is meaningful once the child committed.
  assert.ok(commitsSeen > 0, `the child should have committed at least once (saw ${commitsSeen} commits)`);
  t.diagnostic(`${commitsSeen} commits acknowledged, ${interruptedSeen} kills landed inside a commit`);
});
