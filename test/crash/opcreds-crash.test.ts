// Crash safety of the Operational Credentials flows: children run commissioning, UpdateNOC, UpdateFabricLabel and
// RemoveFabric against SQLite and are SIGKILLed at random moments. After each kill the reopened state must be exactly a
// committed one (the last announced, or the one before when that step had not finished), every committed fabric must
// have its ACL entry, IPK and matching key, and the next fabric index must never go back. Lanes run in parallel.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
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
import { CRASH_SUPPORTED_FABRICS, integrityProblems, snapshot } from "./opcreds-crash-snapshot.ts";

const LANES = 4;
const KILLS_PER_LANE = Number(process.env.OPCREDS_OPCREDS_CRASH_KILLS ?? 40);
const CHILD_SOURCE = join(import.meta.dirname, "opcreds-crash-child.ts");
// The child is bundled once into one ES module (esbuild, which tsx already brings) so that a restart costs a plain
// `node` start instead of transpiling ~100 modules: that is what lets 160 kills fit in the suite's time budget. The
// bundle sits next to the source so that `better-sqlite3` resolves from the project's node_modules.
const CHILD = join(import.meta.dirname, `.opcreds-crash-child-${process.pid}.mjs`);
const dir = mkdtempSync(join(tmpdir(), "opcreds-crash2-"));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(CHILD, { force: true });
});

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

function runAndKill(db: string, attDir: string, seqBase: number, delayMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, db, attDir, String(seqBase)], {
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
      if (signal !== "SIGKILL") reject(new RangeError(`child exited on its own (${String(signal)}): ${err}`));
      else resolve(out.split("\n").filter((l) => l.length > 0));
    });
  });
}

async function lane(n: number, attDir: string): Promise<{ commits: number; interrupted: number }> {
  const db = join(dir, `lane-${n}`, "node.sqlite");
  let state = await readState(db);
  let seqBase = n * 1_000_000;
  let commits = 0;
  let interrupted = 0;
  for (let kill = 0; kill < KILLS_PER_LANE; kill++) {
    const lines = await runAndKill(db, attDir, seqBase, Math.floor(Math.random() * 400));
    assert.equal(lines[0], "ready");
    const announced: { seq: number; snapshot: string; committed: boolean }[] = [];
    for (const line of lines.slice(1)) {
      const [tag, seqText, snap] = line.split(" ");
      if (tag === "A") announced.push({ seq: Number(seqText), snapshot: snap ?? "", committed: false });
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
    if (last === undefined)
      assert.equal(actual, previous, `lane ${n} kill ${kill}: state changed with nothing announced`);
    else if (last.committed)
      assert.equal(actual, last.snapshot, `lane ${n} kill ${kill}: committed step ${last.seq} lost`);
    else {
      assert.ok(
        actual === last.snapshot || actual === beforeLast,
        `lane ${n} kill ${kill}: ${actual} is neither ${last.snapshot} nor ${beforeLast}`,
      );
      interrupted++;
    }
    const nextBefore = Number(previous.split(":")[0]);
    const nextAfter = Number(actual.split(":")[0]);
    assert.ok((nextAfter - nextBefore + 254) % 254 <= announced.length, `lane ${n}: next index went back`);
    commits += announced.filter((a) => a.committed).length;
    seqBase = (last?.seq ?? seqBase) + 1;
    state = actual;
  }
  return { commits, interrupted };
}

test(`OpCreds flows survive ${LANES * KILLS_PER_LANE} SIGKILLs with a committed state`, {
  timeout: 300_000,
}, async () => {
  const { buildSync } = await import("esbuild");
  buildSync({
    entryPoints: [CHILD_SOURCE],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outfile: CHILD,
    logLevel: "error",
  });
  const attDir = join(dir, "attestation");
  await openDevAttestationProvider(nodeCrypto, attDir);
  const results = await Promise.all(Array.from({ length: LANES }, (_, n) => lane(n, attDir)));
  const commits = results.reduce((a, r) => a + r.commits, 0);
  assert.ok(commits > 0, "the children should complete steps between kills");
});
