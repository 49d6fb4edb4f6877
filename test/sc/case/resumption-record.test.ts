// ResumptionStore: persistence through storage, one record per peer, cap, fabric removal, strict decoding of stored records.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesEqual } from "../../../src/bytes/bytes.ts";
import { MalformedError } from "../../../src/bytes/errors.ts";
import { fabricIndex } from "../../../src/fabric/fabric-index.ts";
import {
  RESUMPTION_RECORD_PREFIX,
  type ResumptionRecord,
  ResumptionStore,
} from "../../../src/sc/case/resumption-record.ts";
import { MemoryStorage } from "../../../src/storage/memory-storage.ts";

function record(id: number, over: Partial<ResumptionRecord> = {}): ResumptionRecord {
  return {
    resumptionId: new Uint8Array(16).fill(id),
    sharedSecret: new Uint8Array(32).fill(id + 1),
    peerNodeId: 0x1000n + BigInt(id),
    fabricIndex: fabricIndex(1),
    cats: [0x0001_0001],
    ...over,
  };
}

test("records persist and load back; lookups by id and by peer", async () => {
  const storage = new MemoryStorage();
  const a = await ResumptionStore.open(storage);
  await a.save(record(1));
  await a.save(record(2, { fabricIndex: fabricIndex(2), peerNodeId: 0xffff_ffff_ffff_fff0n }));
  const b = await ResumptionStore.open(storage);
  assert.equal(b.size, 2);
  const got = b.findById(new Uint8Array(16).fill(1));
  assert.ok(got !== undefined);
  assert.ok(bytesEqual(got.sharedSecret, new Uint8Array(32).fill(2)));
  assert.deepEqual(got.cats, [0x0001_0001]);
  assert.equal(b.findByPeer(fabricIndex(2), 0xffff_ffff_ffff_fff0n)?.resumptionId[0], 2);
  assert.equal(b.findByPeer(fabricIndex(1), 0xffff_ffff_ffff_fff0n), undefined);
});

test("saving a new record for the same peer replaces the old one (resumption ids are single-use)", async () => {
  const storage = new MemoryStorage();
  const s = await ResumptionStore.open(storage);
  await s.save(record(1));
  await s.save(record(3, { peerNodeId: record(1).peerNodeId }));
  assert.equal(s.size, 1);
  assert.equal(s.findById(new Uint8Array(16).fill(1)), undefined);
  assert.deepEqual(await storage.keys(RESUMPTION_RECORD_PREFIX), [`${RESUMPTION_RECORD_PREFIX}${"03".repeat(16)}`]);
});

test("beyond maxRecords the oldest record goes, also across a reload", async () => {
  const storage = new MemoryStorage();
  const s = await ResumptionStore.open(storage, { maxRecords: 2 });
  await s.save(record(1));
  await s.save(record(2));
  const t = await ResumptionStore.open(storage, { maxRecords: 2 });
  await t.save(record(3));
  assert.equal(t.size, 2);
  assert.equal(t.findById(new Uint8Array(16).fill(1)), undefined);
  assert.ok(t.findById(new Uint8Array(16).fill(2)) !== undefined);
  assert.equal((await storage.keys(RESUMPTION_RECORD_PREFIX)).length, 2);
});

test("removing a fabric deletes its records (RemoveFabric, committed UpdateNOC); remove() deletes one", async () => {
  const storage = new MemoryStorage();
  const s = await ResumptionStore.open(storage);
  await s.save(record(1));
  await s.save(record(2));
  await s.save(record(3, { fabricIndex: fabricIndex(2) }));
  assert.deepEqual(s.fabricIndices(), [1, 2]);
  assert.equal(await s.removeFabric(fabricIndex(1)), 2);
  assert.deepEqual(s.fabricIndices(), [2]);
  // Start-up reconciliation: records of fabric indices the table does not hold go, the kept ones stay.
  await s.save(record(4, { fabricIndex: fabricIndex(3) }));
  assert.deepEqual(await s.pruneFabrics(new Set([2])), [3]);
  assert.deepEqual(s.fabricIndices(), [2]);
  assert.equal(s.size, 1);
  assert.equal((await ResumptionStore.open(storage)).size, 1);
  assert.equal(await s.remove(new Uint8Array(16).fill(3)), true);
  assert.equal(await s.remove(new Uint8Array(16).fill(3)), false);
  assert.deepEqual(await storage.keys(RESUMPTION_RECORD_PREFIX), []);
});

test("returned records are copies", async () => {
  const s = await ResumptionStore.open(new MemoryStorage());
  await s.save(record(1));
  s.findById(new Uint8Array(16).fill(1))!.sharedSecret.fill(0);
  assert.equal(s.findById(new Uint8Array(16).fill(1))!.sharedSecret[0], 2);
});

test("invalid records are a RangeError on save; damaged stored records are MalformedError on open", async () => {
  const s = await ResumptionStore.open(new MemoryStorage());
  await assert.rejects(s.save(record(1, { resumptionId: new Uint8Array(15) })), RangeError);
  await assert.rejects(s.save(record(1, { sharedSecret: new Uint8Array(31) })), RangeError);
  const key = `${RESUMPTION_RECORD_PREFIX}${"01".repeat(16)}`;
  const good = { sharedSecret: "02".repeat(32), peerNodeId: "1001", fabricIndex: 1, cats: [], seq: 0 };
  for (const bad of [
    { ...good, fabricIndex: 0 },
    { ...good, sharedSecret: "02" },
    { ...good, peerNodeId: "x" },
    { ...good, cats: [-1] },
    { ...good, extra: 1 },
    [1, 2],
    new Uint8Array(3),
  ]) {
    const storage = new MemoryStorage();
    await storage.set(key, bad);
    await assert.rejects(ResumptionStore.open(storage), MalformedError);
  }
  const storage = new MemoryStorage();
  await storage.set(`${RESUMPTION_RECORD_PREFIX}zz`, good);
  await assert.rejects(ResumptionStore.open(storage), MalformedError);
});
