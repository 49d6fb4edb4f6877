import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import fc from "fast-check";
import { MalformedError } from "../../src/bytes/errors.ts";
import { MemoryStorage } from "../../src/storage/memory-storage.ts";
import { SqliteStorage } from "../../src/storage/sqlite-storage.ts";
import type { JsonValue, Storage } from "../../src/storage/storage.ts";

const root = mkdtempSync(join(tmpdir(), "opcreds-storage-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDbPath = () => join(root, `d${n++}`, "store.sqlite");

const backends: [string, () => Promise<Storage>][] = [
  ["memory", async () => new MemoryStorage()],
  ["sqlite", () => SqliteStorage.open(freshDbPath())],
];

for (const [name, make] of backends) {
  describe(`${name} storage`, () => {
    test("set/get/delete bytes and JSON records", async () => {
      const s = await make();
      await s.set("a/bytes", new Uint8Array([1, 2, 3]));
      await s.set("a/json", { x: 1, y: ["z", null, true], big: "18446744073709551615" });
      assert.deepEqual(await s.get("a/bytes"), new Uint8Array([1, 2, 3]));
      assert.deepEqual(await s.get("a/json"), { x: 1, y: ["z", null, true], big: "18446744073709551615" });
      assert.equal(await s.get("missing"), undefined);
      await s.delete("a/bytes");
      assert.equal(await s.get("a/bytes"), undefined);
      await s.delete("a/bytes"); // deleting a missing key is not an error
      await s.close();
    });

    test("stored values are copies, not aliases", async () => {
      const s = await make();
      const b = new Uint8Array([9, 9]);
      await s.set("k", b);
      b[0] = 0;
      const got = (await s.get("k")) as Uint8Array;
      assert.deepEqual(got, new Uint8Array([9, 9]));
      got[1] = 0;
      assert.deepEqual(await s.get("k"), new Uint8Array([9, 9]));
      await s.close();
    });

    test("keys(prefix) filters literally (no LIKE wildcards) and sorts", async () => {
      const s = await make();
      for (const k of ["f/2", "f/10", "f/1", "g/1", "f_%x", "f%"]) await s.set(k, 1);
      assert.deepEqual(await s.keys("f/"), ["f/1", "f/10", "f/2"]);
      assert.deepEqual(await s.keys("f%"), ["f%"]);
      assert.deepEqual(await s.keys("f_"), ["f_%x"]);
      assert.deepEqual((await s.keys("")).length, 6);
      await s.close();
    });

    test("a transaction commits all writes at once; its reads see its own writes", async () => {
      const s = await make();
      await s.set("x", 1);
      await s.transaction(async (tx) => {
        await tx.set("y", 2);
        await tx.delete("x");
        assert.equal(await tx.get("y"), 2);
        assert.equal(await tx.get("x"), undefined);
        assert.deepEqual(await tx.keys(""), ["y"]);
        // Not yet visible outside.
        assert.equal(await s.get("y"), undefined);
        assert.equal(await s.get("x"), 1);
      });
      assert.equal(await s.get("y"), 2);
      assert.equal(await s.get("x"), undefined);
      await s.close();
    });

    test("a throwing transaction writes nothing and rethrows", async () => {
      const s = await make();
      await s.set("keep", "old");
      await assert.rejects(
        s.transaction(async (tx) => {
          await tx.set("keep", "new");
          await tx.set("other", 1);
          throw new RangeError("boom");
        }),
        RangeError,
      );
      assert.equal(await s.get("keep"), "old");
      assert.equal(await s.get("other"), undefined);
      await s.close();
    });

    test("transactions are serialised in call order", async () => {
      const s = await make();
      await s.set("c", 0);
      const bump = () =>
        s.transaction(async (tx) => {
          const v = (await tx.get("c")) as number;
          await new Promise((r) => setImmediate(r));
          await tx.set("c", v + 1);
        });
      await Promise.all([bump(), bump(), bump(), bump()]);
      assert.equal(await s.get("c"), 4);
      await s.close();
    });

    test("invalid keys and values are TypeErrors", async () => {
      const s = await make();
      await assert.rejects(s.set("", 1), TypeError);
      await assert.rejects(s.set("has space", 1), TypeError);
      await assert.rejects(s.set("k", Number.NaN), TypeError);
      await assert.rejects(s.set("k", { b: 1n } as unknown as JsonValue), TypeError);
      await assert.rejects(s.set("k", [new Uint8Array(1)] as unknown as JsonValue), TypeError);
      await s.close();
    });
  });
}

test("sqlite: file 0600 (and WAL) in a new 0700 directory; data survives reopen", async () => {
  const path = freshDbPath();
  const s = await SqliteStorage.open(path);
  await s.set("k", { v: "persisted" });
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(`${path}-wal`).mode & 0o777, 0o600);
  assert.equal(statSync(join(path, "..")).mode & 0o777, 0o700);
  await s.close();
  const again = await SqliteStorage.open(path);
  assert.deepEqual(await again.get("k"), { v: "persisted" });
  await again.close();
});

test("sqlite: a record with an unknown kind or bad JSON is MalformedError storage.record", async () => {
  const path = freshDbPath();
  const s = await SqliteStorage.open(path);
  await s.set("ok", 1);
  await s.close();
  const db = new Database(path);
  db.prepare("INSERT INTO records (key, kind, value) VALUES (?, ?, ?)").run("badkind", 7, Buffer.from("x"));
  db.prepare("INSERT INTO records (key, kind, value) VALUES (?, ?, ?)").run("badjson", 1, Buffer.from("{"));
  db.close();
  const again = await SqliteStorage.open(path);
  for (const k of ["badkind", "badjson"]) {
    await assert.rejects(again.get(k), (e: unknown) => e instanceof MalformedError && e.code === "storage.record");
  }
  await again.close();
});

test("sqlite: a newer schema version is refused", async () => {
  const path = freshDbPath();
  await (await SqliteStorage.open(path)).close();
  const db = new Database(path);
  db.pragma("user_version = 99");
  db.close();
  await assert.rejects(
    SqliteStorage.open(path),
    (e: unknown) => e instanceof MalformedError && e.code === "storage.schema",
  );
});

test("sqlite: any JSON value and any bytes round-trip through a reopen", async () => {
  const path = freshDbPath();
  const values = fc.sample(fc.oneof(fc.jsonValue(), fc.uint8Array({ maxLength: 64 })), 60);
  const s = await SqliteStorage.open(path);
  // -0 has no JSON form; JSON.stringify writes it as 0, so compare against the JSON round-trip.
  const expected = values.map((v) => (v instanceof Uint8Array ? v : JSON.parse(JSON.stringify(v))));
  await s.transaction(async (tx) => {
    for (const [i, v] of values.entries()) await tx.set(`v/${String(i).padStart(3, "0")}`, v as JsonValue);
  });
  await s.close();
  const again = await SqliteStorage.open(path);
  for (const [i, v] of expected.entries()) assert.deepEqual(await again.get(`v/${String(i).padStart(3, "0")}`), v);
  await again.close();
});
