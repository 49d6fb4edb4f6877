// Crash consistency: a child commits fabric-table changes in a loop and is SIGKILLed at random moments; after each kill
// the reopened table must equal a committed state (the last announced one, or the one before it when its commit had not
// finished) and the next fabric index must never go back.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { FabricTable } from "../../src/fabric/fabric-table.ts";
import { SqliteStorage } from "../../src/storage/sqlite-storage.ts";
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

/** Runs the child until `delayMs` after it is ready, SIGKILLs it, and returns its output lines. */
function runAndKill(db: string, seqBase: number, delayMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, db, String(seqBase)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (timer === undefined && out.startsWith("ready\n")) timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
    });
    child.on("error", reject);
    child.on("close", (_code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      if (signal !== "SIGKILL") reject(new Error(`child exited on its own (${String(signal)}): ${err}`));
      else resolve(out.split("\n").filter((l) => l.length > 0));
    });
  });
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
    const lines = await runAndKill(db, seqBase, Math.floor(Math.random() * 120));
    assert.equal(lines[0], "ready");
    const announced: { seq: number; snapshot: string; committed: boolean }[] = [];
    for (const line of lines.slice(1)) {
      const [tag, seqText, snapshot] = line.split(" ");
      if (tag === "A") announced.push({ seq: Number(seqText), snapshot: snapshot!, committed: false });
      else if (tag === "C") {
        const last = announced.at(-1);
        assert.equal(last?.seq, Number(seqText));
        last.committed = true;
      } else assert.fail(`unexpected child output ${line}`);
    }
    const previous = state;
    const last = announced.at(-1);
    const beforeLast = announced.length >= 2 ? announced.at(-2)!.snapshot : previous;
    const actual = await readState(db);
    if (last === undefined) assert.equal(actual, previous, `kill ${kill}: state changed with nothing announced`);
    else if (last.committed) assert.equal(actual, last.snapshot, `kill ${kill}: acknowledged commit ${last.seq} lost`);
    else {
      assert.ok(
        actual === last.snapshot || actual === beforeLast,
        `kill ${kill}: state ${actual} is neither commit ${last.seq} (${last.snapshot}) nor the one before (${beforeLast})`,
      );
      interruptedSeen++;
    }
    // The next fabric index only moves forward (modulo the 254 -> 1 wrap), by at most one per announced commit.
    const nextBefore = Number(previous.split(":")[0]);
    const nextAfter = Number(actual.split(":")[0]);
    const forward = (nextAfter - nextBefore + 254) % 254;
    assert.ok(forward <= announced.length, `kill ${kill}: next index went from ${nextBefore} to ${nextAfter}`);
    commitsSeen += announced.length;
    seqBase = (last?.seq ?? seqBase) + 1;
    state = actual;
  }
  // How many commits fit before each kill depends on the machine's load; the run is meaningful once the child committed.
  assert.ok(commitsSeen > 0, `the child should have committed at least once (saw ${commitsSeen} commits)`);
  t.diagnostic(`${commitsSeen} commits announced, ${interruptedSeen} kills landed inside a commit`);
});
