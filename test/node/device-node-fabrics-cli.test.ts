// `opcreds fabrics list|remove|reset` on a stopped node's data directory: lists committed fabrics, removes one with its
// ACL entries and group keys in one transaction, resets the database, and refuses while a live process holds the lock.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli } from "../../src/cli/run-cli.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { AccessControlStore, AUTH_MODE, PRIVILEGE } from "../../src/fabric/access-control.ts";
import { FabricTable } from "../../src/fabric/fabric-table.ts";
import { GroupKeyStore } from "../../src/fabric/group-keys.ts";
import { LOCK_FILE } from "../../src/node/data-dir-lock.ts";
import { DATABASE_FILE } from "../../src/node/device-node.ts";
import { SqliteStorage } from "../../src/storage/sqlite-storage.ts";
import { addFabric } from "../fabric/fixtures.ts";

const root = mkdtempSync(join(tmpdir(), "opcreds-fabrics-cli-"));
after(() => rmSync(root, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const status = await runCli(
    argv,
    {
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

async function seed(dir: string): Promise<void> {
  const storage = await SqliteStorage.open(join(dir, DATABASE_FILE));
  const table = await FabricTable.open(storage, nodeCrypto);
  const acl = await AccessControlStore.open(storage);
  const keys = await GroupKeyStore.open(storage);
  for (const nodeId of [0x11n, 0x22n]) {
    const i = await addFabric(table, { nodeId, fabricId: nodeId << 8n });
    await acl.addEntry({
      fabricIndex: i,
      privilege: PRIVILEGE.administer,
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

  const reset = await cli("fabrics", "reset", "--data", "a");
  assert.equal(reset.status, 0);
  assert.equal(existsSync(join(dir, DATABASE_FILE)), false);
  assert.equal((await cli("fabrics", "list", "--data", "a")).status, 1, "no database: invalid input");
});

test("refuses while a live process holds the data directory's lock; a stale lock is taken over", async () => {
  const dir = join(root, "b");
  await seed(dir);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  // The parent of this test process is alive and is not us: the directory is in use.
  writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`);
  for (const argv of [["list"], ["remove", "1"], ["reset"]]) {
    const r = await cli("fabrics", ...argv, "--data", "b");
    assert.equal(r.status, 1, argv.join(" "));
    assert.match(r.err, new RegExp(`in use by process ${process.ppid}`));
  }
  assert.equal(existsSync(join(dir, DATABASE_FILE)), true);
  // A pid that cannot be alive: stale, taken over.
  writeFileSync(join(dir, LOCK_FILE), "2147483646\n");
  const r = await cli("fabrics", "list", "--data", "b", "--json");
  assert.equal(r.status, 0, r.err);
  assert.equal((JSON.parse(r.out) as unknown[]).length, 2);
});
