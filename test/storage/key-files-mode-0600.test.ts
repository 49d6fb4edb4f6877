// Audit of issue 3 deliverable 6, "a single database file created with mode 0600" that holds the operational keys:
// whatever the process umask, every file the SQLite store writes (database, WAL, shared memory) is 0600 in a 0700
// directory, the committed operational key is inside those files and nowhere else, and a database file that an
// earlier tool left readable by others is narrowed to 0600 before a key is written to it.
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { toHex } from "../../src/bytes/bytes.ts";
import { FabricTable } from "../../src/fabric/fabric-table.ts";
import { SqliteStorage } from "../../src/storage/sqlite-storage.ts";
import { addFabric, crypto } from "../fabric/fixtures.ts";

/** Runs `fn` with the process umask set to `mask`, restoring it afterwards. */
async function withUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(previous);
  }
}

/** Commits one fabric through the fabric table on `storage`; returns the hex of its operational key scalar. */
async function commitFabric(storage: SqliteStorage): Promise<string> {
  const table = await FabricTable.open(storage, crypto);
  const index = await addFabric(table);
  return toHex(table.committedFabric(index)!.operationalKey.toScalar());
}

test("under umask 000 every file of the store is 0600 in a new 0700 directory, and the operational key is only there", async () => {
  const base = mkdtempSync(join(tmpdir(), "opcreds-audit-mode-"));
  const dir = join(base, "data");
  const path = join(dir, "opcreds.sqlite");
  const keyHex = await withUmask(0o000, async () => {
    const storage = await SqliteStorage.open(path);
    const key = await commitFabric(storage);
    // Checked while the store is open: WAL and shared-memory files exist now.
    const files = readdirSync(dir).sort();
    assert.ok(files.includes("opcreds.sqlite-wal"), `files: ${files}`);
    for (const f of files) {
      assert.ok(["opcreds.sqlite", "opcreds.sqlite-wal", "opcreds.sqlite-shm"].includes(f), `unexpected file ${f}`);
      assert.equal((statSync(join(dir, f)).mode & 0o777).toString(8), "600", `${f} mode`);
    }
    assert.equal((statSync(dir).mode & 0o777).toString(8), "700");
    await storage.close();
    return key;
  });
  // The key is written to the store's files (the WAL and/or the database), nowhere else in the directory.
  const holders = readdirSync(dir).filter((f) => readFileSync(join(dir, f)).includes(Buffer.from(keyHex, "ascii")));
  assert.ok(holders.length > 0, "the committed key is persisted");
  for (const f of readdirSync(dir)) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, `${f} after close`);
});

test("an existing database file readable by group and others is narrowed to 0600 before a key is written", async () => {
  const dir = mkdtempSync(join(tmpdir(), "opcreds-audit-mode-"));
  const path = join(dir, "opcreds.sqlite");
  writeFileSync(path, new Uint8Array(0));
  chmodSync(path, 0o644);
  await withUmask(0o000, async () => {
    const storage = await SqliteStorage.open(path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    await commitFabric(storage);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(`${path}-wal`).mode & 0o777, 0o600);
    await storage.close();
  });
});
