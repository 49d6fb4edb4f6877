// SqliteStorage.openReadOnly reads beside a running writer: one snapshot for its life, writes refused, nothing created
// or chmod'ed; an empty (never written) database reads as empty; a missing file and a non-database name their path.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { MalformedError, OpcredsError } from "../../src/bytes/errors.ts";
import { SqliteStorage } from "../../src/storage/sqlite-storage.ts";

const root = mkdtempSync(join(tmpdir(), "opcreds-sqlite-ro-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("a reader beside an open writer sees the snapshot of its first read; the writer is never blocked", async () => {
  const path = join(root, "live.sqlite");
  const writer = await SqliteStorage.open(path);
  await writer.set("k/1", "one");
  const reader = await SqliteStorage.openReadOnly(path);
  try {
    assert.deepEqual(await reader.keys("k/"), ["k/1"]);
    await writer.transaction(async (tx) => {
      await tx.set("k/2", "two");
      await tx.delete("k/1");
    });
    assert.deepEqual(await reader.keys("k/"), ["k/1"], "still the snapshot");
    assert.equal(await reader.get("k/1"), "one");
    await assert.rejects(reader.set("k/3", "three"), TypeError);
  } finally {
    await reader.close();
  }
  const later = await SqliteStorage.openReadOnly(path);
  assert.deepEqual(await later.keys("k/"), ["k/2"]);
  await later.close();
  await writer.close();
});

test("an empty file reads as empty; a missing file and a non-database are refused naming the path", async () => {
  const empty = join(root, "empty.sqlite");
  writeFileSync(empty, "", { mode: 0o644 });
  const storage = await SqliteStorage.openReadOnly(empty);
  assert.deepEqual(await storage.keys(""), []);
  assert.equal(await storage.get("a"), undefined);
  await storage.close();
  assert.equal(statSync(empty).mode & 0o777, 0o644, "a reader changes no mode");
  assert.equal(statSync(empty).size, 0, "nor the file");

  const missing = join(root, "missing.sqlite");
  await assert.rejects(
    SqliteStorage.openReadOnly(missing),
    (e) => e instanceof OpcredsError && e.message.includes(missing),
  );
  assert.ok(!readdirSync(root).includes("missing.sqlite"), "nothing is created");

  const text = join(root, "notes.txt");
  writeFileSync(text, "not a database, only some text that is long enough to hold a header ".repeat(4));
  await assert.rejects(
    SqliteStorage.openReadOnly(text),
    (e) => e instanceof MalformedError && e.path === text && /not an SQLite database/.test(e.message),
  );
});
