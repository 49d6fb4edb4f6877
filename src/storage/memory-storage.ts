/** An in-memory Storage for tests: same contract as SQLite, nothing survives the process. */
import { BatchedStorage, compareKeys, type StorageBackend, type StorageWrite } from "./batched-storage.ts";
import type { StorageValue } from "./storage.ts";

function copy(value: StorageValue): StorageValue {
  return value instanceof Uint8Array ? value.slice() : structuredClone(value);
}

class MemoryBackend implements StorageBackend {
  readonly records = new Map<string, StorageValue>();

  read(key: string): StorageValue | undefined {
    const value = this.records.get(key);
    return value === undefined ? undefined : copy(value);
  }

  keys(prefix: string): string[] {
    return [...this.records.keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys);
  }

  writeBatch(writes: readonly StorageWrite[]): void {
    for (const { key, value } of writes) {
      if (value === undefined) this.records.delete(key);
      else this.records.set(key, copy(value));
    }
  }

  close(): void {}
}

/** A Storage held in a Map; values are copied in and out so callers never alias stored state. */
export class MemoryStorage extends BatchedStorage {
  readonly #backend: MemoryBackend;

  constructor() {
    const backend = new MemoryBackend();
    super(backend);
    this.#backend = backend;
  }

  /** Number of records currently stored (for tests). */
  get size(): number {
    return this.#backend.records.size;
  }
}
