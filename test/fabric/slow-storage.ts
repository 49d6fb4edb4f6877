// A Storage for tests of timing and atomicity: every operation completes on a later macrotask (as a real disk's
// writes may), writes are counted, transactions can be made to fail, and the whole content can be snapshotted.
import { toHex } from "../../src/bytes/bytes.ts";
import { MemoryStorage } from "../../src/storage/memory-storage.ts";
import type { Storage, StorageTransaction, StorageValue } from "../../src/storage/storage.ts";

const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A MemoryStorage behind a macrotask delay per operation, with a write counter and a transaction failure switch. */
export class SlowStorage implements Storage {
  readonly inner = new MemoryStorage();
  /** Writes that reached the store (set, delete, and each committed transaction's writes). */
  writes = 0;
  /** When true, every transaction throws after running its callback: nothing of it is written. */
  failTransactions = false;

  async get(key: string): Promise<StorageValue | undefined> {
    await nextMacrotask();
    return this.inner.get(key);
  }

  async keys(prefix: string): Promise<string[]> {
    await nextMacrotask();
    return this.inner.keys(prefix);
  }

  async set(key: string, value: StorageValue): Promise<void> {
    await nextMacrotask();
    this.writes++;
    await this.inner.set(key, value);
  }

  async delete(key: string): Promise<void> {
    await nextMacrotask();
    this.writes++;
    await this.inner.delete(key);
  }

  async transaction<T>(fn: (tx: StorageTransaction) => Promise<T>): Promise<T> {
    await nextMacrotask();
    return this.inner.transaction(async (tx) => {
      let writes = 0;
      const slow: StorageTransaction = {
        get: async (key) => {
          await nextMacrotask();
          return tx.get(key);
        },
        keys: async (prefix) => {
          await nextMacrotask();
          return tx.keys(prefix);
        },
        set: async (key, value) => {
          await nextMacrotask();
          writes++;
          await tx.set(key, value);
        },
        delete: async (key) => {
          await nextMacrotask();
          writes++;
          await tx.delete(key);
        },
      };
      const result = await fn(slow);
      if (this.failTransactions) throw new TypeError("storage transaction failed (test)");
      this.writes += writes;
      return result;
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Every record as `key=value` text (bytes in hex), in key order: equal snapshots mean identical content. */
  async snapshot(): Promise<string> {
    const lines: string[] = [];
    for (const key of await this.inner.keys("")) {
      const v = await this.inner.get(key);
      lines.push(`${key}=${v instanceof Uint8Array ? `hex:${toHex(v)}` : JSON.stringify(v)}`);
    }
    return lines.join("\n");
  }
}
