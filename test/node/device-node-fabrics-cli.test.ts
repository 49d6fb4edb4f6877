// `opcreds fabrics list|remove|reset` on a node's data directory: lists committed fabrics (also while another process
// holds the lock: read-only), removes one with its ACL entries and group keys in one transaction, resets the database
// after confirmation (or --yes), and refuses remove/reset while a live process holds the lock.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { runCli } from "../../src/cli/run-cli.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { AccessControlStore, AUTH_MODE, Privilege } from "../../src/fabric/access-control.ts";
import { FabricTable } from "../../src/fabric/fabric-table.ts";
import { GroupKeyStore } from "../../src/fabric/group-keys.ts";
import { LOCK_FILE } from "../../src/node/data-dir-lock.ts";
import { DATABASE_FILE } from "../../src/node/device-node.ts";
import { SqliteStorage } from "../../src/storage/sqlite-storage.ts";
import { addFabric } from "../fabric/fixtures.ts";

const root = mkdtempSync(join(tmpdir(), "opcreds-fabrics-cli-"));
after(() => rmSync(root, { recursive: true, force: true }));

type Answer = ((prompt: string) => string | undefined) | undefined;

async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  return cliAnswering(undefined, ...argv);
}

/** Runs the CLI with `readAnswer` standing for the terminal (undefined: stdin is not a terminal). */
async function cliAnswering(
  readAnswer: Answer,
  ...argv: string[]
): Promise<{ status: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const status = await runCli(
    argv,
    {
      ...(readAnswer === undefined ? {} : { readAnswer }),
      stdout: (c) => {
        out += typeof c === "string" ? c : Buffer.from(c).toString();
      },
      stderr: (t) => {
        err += t;
      },
      readStdin: () => new Uint8Array(0),
      now: () => new Date(),
      crypto: nodeCrypto,
      cwd: root,
    },
    "0.0.0-test",
  );
  return { status, out, err };
}

/** [fabricIndex, nodeId] of each fabric `fabrics list --json` prints. */
function listed(out: string): [number, string][] {
  return (JSON.parse(out) as { fabricIndex: number; nodeId: string }[]).map((r) => [r.fabricIndex, r.nodeId]);
}
/** What a freshly seeded directory lists. */
const SEEDED = [
  [1, "0000000000000011"],
  [2, "0000000000000022"],
];

async function seed(dir: string): Promise<void> {
  const storage = await SqliteStorage.open(join(dir, DATABASE_FILE));
  const table = await FabricTable.open(storage, nodeCrypto);
  const acl = await AccessControlStore.open(storage);
  const keys = await GroupKeyStore.open(storage);
  for (const nodeId of [0x11n, 0x22n]) {
    const i = await addFabric(table, { nodeId, fabricId: nodeId << 8n });
    await acl.addEntry({
      fabricIndex: i,
      privilege: Privilege.Administer,
      authMode: AUTH_MODE.case,
      subjects: [7n],
      targets: null,
    });
    await keys.setIpk(i, new Uint8Array(16).fill(Number(nodeId)));
  }
  await storage.close();
}

test("list shows the committed fabrics; remove drops one with its ACL and IPK; reset deletes the database", async () => {
  const dir = join(root, "a");
  await seed(dir);
  const listed = await cli("fabrics", "list", "--data", "a", "--json");
  assert.equal(listed.status, 0, listed.err);
  const rows = JSON.parse(listed.out) as { fabricIndex: number; nodeId: string }[];
  assert.deepEqual(
    rows.map((r) => [r.fabricIndex, r.nodeId]),
    [
      [1, "0000000000000011"],
      [2, "0000000000000022"],
    ],
  );
  const text = await cli("fabrics", "list", "--data", "a");
  assert.match(text.out, /^1\tfabric 0000000000001100\tnode 0000000000000011\tvendor 0xFFF1/m);

  const removed = await cli("fabrics", "remove", "1", "--data", "a");
  assert.equal(removed.status, 0, removed.err);
  const storage = await SqliteStorage.open(join(dir, DATABASE_FILE));
  const table = await FabricTable.open(storage, nodeCrypto);
  const acl = await AccessControlStore.open(storage);
  const keys = await GroupKeyStore.open(storage);
  assert.deepEqual(
    table.fabrics().map((f) => f.fabricIndex),
    [2],
  );
  assert.deepEqual(
    acl.entries().map((e) => e.fabricIndex),
    [2],
  );
  assert.equal(keys.ipkEpochKey(1 as never), undefined);
  assert.notEqual(keys.ipkEpochKey(2 as never), undefined);
  await storage.close();
  assert.equal(existsSync(join(dir, LOCK_FILE)), false, "the lock is released");

  const missing = await cli("fabrics", "remove", "9", "--data", "a");
  assert.equal(missing.status, 1, "an unknown index is invalid input, not a usage error");
  assert.match(missing.err, /no fabric 9/);
  const bad = await cli("fabrics", "remove", "0", "--data", "a");
  assert.equal(bad.status, 2);

  const reset = await cli("fabrics", "reset", "--data", "a", "--yes");
  assert.equal(reset.status, 0, reset.err);
  assert.equal(existsSync(join(dir, DATABASE_FILE)), false);
  assert.equal((await cli("fabrics", "list", "--data", "a")).status, 1, "no database: invalid input");
});

test("reset asks first: refused without --yes when stdin is not a terminal, cancelled unless the answer is yes", async () => {
  const dir = join(root, "c");
  await seed(dir);
  const unconfirmed = await cli("fabrics", "reset", "--data", "c");
  assert.equal(unconfirmed.status, 1);
  assert.match(unconfirmed.err, /needs --yes when standard input is not a terminal/);
  const prompts: string[] = [];
  const no = await cliAnswering(
    (p) => {
      prompts.push(p);
      return "n";
    },
    "fabrics",
    "reset",
    "--data",
    "c",
  );
  assert.equal(no.status, 1);
  assert.match(no.err, /cancelled: nothing deleted/);
  assert.match(prompts[0] ?? "", new RegExp(`delete every fabric and all node state in ${dir}\\? \\[y/N\\] `));
  assert.equal(existsSync(join(dir, DATABASE_FILE)), true, "nothing deleted");
  assert.deepEqual(listed((await cli("fabrics", "list", "--data", "c", "--json")).out), SEEDED);
  const yes = await cliAnswering(() => "yes", "fabrics", "reset", "--data", "c");
  assert.equal(yes.status, 0, yes.err);
  assert.equal(existsSync(join(dir, DATABASE_FILE)), false);
});

test("a database with no fabrics says so", async () => {
  const dir = join(root, "e");
  await (await SqliteStorage.open(join(dir, DATABASE_FILE))).close();
  const text = await cli("fabrics", "list", "--data", "e");
  assert.equal(text.status, 0, text.err);
  assert.equal(text.out, "no fabrics\n");
  assert.equal((await cli("fabrics", "list", "--data", "e", "--json")).out, "[]\n");
});

test("OPCREDS_DATA names the data directory when --data is absent, and --data wins over it", async () => {
  const seeded = join(root, "env-seeded");
  await seed(seeded);
  const saved = process.env.OPCREDS_DATA;
  process.env.OPCREDS_DATA = seeded;
  try {
    assert.deepEqual(listed((await cli("fabrics", "list", "--json")).out), SEEDED);
    const other = await cli("fabrics", "list", "--data", "missing-dir");
    assert.equal(other.status, 1, "--data wins: its directory has no database");
    assert.match(other.err, /no device database/);
  } finally {
    if (saved === undefined) delete process.env.OPCREDS_DATA;
    else process.env.OPCREDS_DATA = saved;
  }
});

/** A child process holding DIR's lock until its stdin ends; resolves with it once it holds (60 s bound). */
async function holdLock(dir: string): Promise<{ child: ChildProcess; pid: number }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "data-dir-lock-holder.ts"), dir],
    {
      cwd: resolve(import.meta.dirname, "..", ".."),
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const pid = await new Promise<number>((ready, fail) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error("holder not ready within 60 s")), 60_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /ready (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ready(Number(m[1]));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`holder exited early (${code})`));
    });
  });
  return { child, pid };
}

test("while a live process holds the lock: list works, remove and reset refuse naming the directory and pid", async () => {
  const dir = join(root, "b");
  await seed(dir);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const { child, pid } = await holdLock(dir);
  const gone = new Promise((r) => child.on("exit", r));
  try {
    const live = await cli("fabrics", "list", "--data", "b", "--json");
    assert.equal(live.status, 0, live.err);
    assert.deepEqual(listed(live.out), SEEDED);
    for (const argv of [["remove", "1"], ["reset", "--yes"], ["reset"]]) {
      const r = await cli("fabrics", ...argv, "--data", "b");
      assert.equal(r.status, 1, argv.join(" "));
      assert.match(r.err, new RegExp(`data directory ${dir} is in use by process ${pid}`), argv.join(" "));
    }
    assert.equal(existsSync(join(dir, DATABASE_FILE)), true);
  } finally {
    child.stdin?.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await gone;
    clearTimeout(timer);
  }
  // A pid file naming a live process that holds no lock (a reused pid) does not block.
  writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`);
  const r = await cli("fabrics", "remove", "2", "--data", "b");
  assert.equal(r.status, 0, r.err);
  assert.equal(JSON.parse((await cli("fabrics", "list", "--data", "b", "--json")).out).length, 1);
});
