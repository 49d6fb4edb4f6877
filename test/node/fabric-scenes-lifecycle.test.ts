// The scenes of a removed fabric are deleted inside the removal's storage transaction (the scenes are a fabric
// lifecycle participant): the transaction that deletes the fabric record writes the scene table without the fabric,
// the in-memory table follows once the removal is final, and a failed removal keeps both the fabric and its scenes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createOnOffSceneable } from "../../src/clusters/scenes-management/on-off-scenes.ts";
import { createScenesManagement } from "../../src/clusters/scenes-management/scenes-management.ts";
import { fabricRecordKey } from "../../src/fabric/fabric-record.ts";
import { FabricTable } from "../../src/fabric/fabric-table.ts";
import { ImStatus } from "../../src/fabric/status-codes.ts";
import { fabricScenesLifecycle } from "../../src/node/fabric-scenes-lifecycle.ts";
import { MemoryStorage } from "../../src/storage/memory-storage.ts";
import type { Storage, StorageTransaction, StorageValue } from "../../src/storage/storage.ts";
import { addFabric, crypto } from "../fabric/fixtures.ts";

const SCENES_KEY = "scenes-management/1";

/** A memory storage that records the keys each committed transaction wrote, and can fail its transactions. */
class RecordingStorage implements Storage {
  readonly inner = new MemoryStorage();
  readonly committed: { readonly set: string[]; readonly deleted: string[] }[] = [];
  failTransactions = false;
  get(key: string): Promise<StorageValue | undefined> {
    return this.inner.get(key);
  }
  keys(prefix: string): Promise<string[]> {
    return this.inner.keys(prefix);
  }
  set(key: string, value: StorageValue): Promise<void> {
    return this.inner.set(key, value);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  async transaction<T>(fn: (tx: StorageTransaction) => Promise<T>): Promise<T> {
    const seen = { set: [] as string[], deleted: [] as string[] };
    const result = await this.inner.transaction(async (tx) => {
      const spy: StorageTransaction = {
        get: (k) => tx.get(k),
        keys: (p) => tx.keys(p),
        set: async (k, v) => {
          seen.set.push(k);
          await tx.set(k, v);
        },
        delete: async (k) => {
          seen.deleted.push(k);
          await tx.delete(k);
        },
      };
      const out = await fn(spy);
      if (this.failTransactions) throw new TypeError("storage is failing (test)");
      return out;
    });
    this.committed.push(seen);
    return result;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

test("a removed fabric's scenes are deleted in the storage transaction that deletes its record; a failed removal keeps them", async () => {
  const storage = new RecordingStorage();
  const fabrics = await FabricTable.open(storage, crypto);
  const a = await addFabric(fabrics, { fabricId: 0xa1n });
  const b = await addFabric(fabrics, { fabricId: 0xb2n });
  const errors: unknown[] = [];
  const scenes = await createScenesManagement({
    endpoint: 1,
    storage,
    groupExists: () => false,
    fabricIndices: () => fabrics.committedIndices(),
    sceneableClusters: [createOnOffSceneable({ onOff: () => true, setOnOff: () => {} })],
    onError: (e) => errors.push(e),
  });
  fabrics.participate(fabricScenesLifecycle([scenes], (e) => errors.push(e)));
  assert.equal(await scenes.storeGlobalScene(a), ImStatus.SUCCESS);
  assert.equal(await scenes.storeGlobalScene(b), ImStatus.SUCCESS);
  const storedFabrics = async () =>
    (
      await createScenesManagement({
        endpoint: 1,
        storage: storage.inner,
        groupExists: () => false,
        fabricIndices: () => [],
        sceneableClusters: [],
      })
    ).table.fabricIndices();
  assert.deepEqual(await storedFabrics(), [a, b]);

  // A removal whose transaction fails: the fabric, its scenes in storage and in memory all stay.
  storage.failTransactions = true;
  await assert.rejects(fabrics.remove(a), TypeError);
  storage.failTransactions = false;
  assert.notEqual(fabrics.committedFabric(a), undefined);
  assert.deepEqual(await storedFabrics(), [a, b]);
  assert.equal(scenes.table.sceneCount(a), 1);

  storage.committed.length = 0;
  await fabrics.remove(a);
  const removal = storage.committed.find((t) => t.deleted.includes(fabricRecordKey(a)));
  assert.ok(removal !== undefined, "the removal ran in a storage transaction");
  assert.ok(removal.set.includes(SCENES_KEY), "the scene table was written in the removal's transaction");
  assert.deepEqual(await storedFabrics(), [b]);
  assert.equal(scenes.table.sceneCount(a), 0);
  assert.equal(scenes.table.sceneCount(b), 1);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(errors, []);
});
