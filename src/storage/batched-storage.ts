/**
 * The async Storage contract over a synchronous backend: a transaction buffers its writes in memory and hands them to
 * the backend as one atomic batch, so "all or nothing" is the backend's single-batch guarantee.
 */
import { InternalError } from "../bytes/errors.ts";
import {
  checkStorageKey,
  checkStorageValue,
  type Storage,
  type StorageTransaction,
  type StorageValue,
} from "./storage.ts";

/** One buffered write: a value, or `undefined` for a delete. */
export type StorageWrite = { readonly key: string; readonly value: StorageValue | undefined };

/** What a concrete store provides: synchronous reads and an atomic, durable batch write. */
export interface StorageBackend {
  read(key: string): StorageValue | undefined;
  keys(prefix: string): string[];
  /** Applies every write or none (atomic and durable when it returns). */
  writeBatch(writes: readonly StorageWrite[]): void;
  close(): void;
}

/** Storage over a StorageBackend; transactions are serialised in call order. */
export class BatchedStorage implements Storage {
  readonly #backend: StorageBackend;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(backend: StorageBackend) {
    this.#backend = backend;
  }

  #open(): StorageBackend {
    if (this.#closed) throw new TypeError("storage is closed");
    return this.#backend;
  }

  async get(key: string): Promise<StorageValue | undefined> {
    checkStorageKey(key);
    return this.#open().read(key);
  }

  async keys(prefix: string): Promise<string[]> {
    return this.#open().keys(prefix);
  }

  async set(key: string, value: StorageValue): Promise<void> {
    checkStorageKey(key);
    checkStorageValue(value);
    this.#open().writeBatch([{ key, value }]);
  }

  async delete(key: string): Promise<void> {
    checkStorageKey(key);
    this.#open().writeBatch([{ key, value: undefined }]);
  }

  transaction<T>(fn: (tx: StorageTransaction) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const backend = this.#open();
      const tx = new BufferedTransaction(backend);
      try {
        const result = await fn(tx);
        backend.writeBatch(tx.finish());
        return result;
      } finally {
        tx.close();
      }
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#queue;
    this.#closed = true;
    this.#backend.close();
  }
}

/** Reads see the transaction's own writes over the backend's committed state. */
class BufferedTransaction implements StorageTransaction {
  readonly #backend: StorageBackend;
  readonly #writes = new Map<string, StorageValue | undefined>();
  #done = false;

  constructor(backend: StorageBackend) {
    this.#backend = backend;
  }

  #live(): void {
    // A transaction object used after its callback returned would silently lose writes.
    if (this.#done) throw new InternalError("storage transaction used after it ended");
  }

  async get(key: string): Promise<StorageValue | undefined> {
    this.#live();
    checkStorageKey(key);
    return this.#writes.has(key) ? this.#writes.get(key) : this.#backend.read(key);
  }

  async keys(prefix: string): Promise<string[]> {
    this.#live();
    const all = new Set(this.#backend.keys(prefix));
    for (const [key, value] of this.#writes) {
      if (!key.startsWith(prefix)) continue;
      if (value === undefined) all.delete(key);
      else all.add(key);
    }
    return [...all].sort(compareKeys);
  }

  async set(key: string, value: StorageValue): Promise<void> {
    this.#live();
    checkStorageKey(key);
    checkStorageValue(value);
    this.#writes.set(key, value instanceof Uint8Array ? value.slice() : structuredClone(value));
  }

  async delete(key: string): Promise<void> {
    this.#live();
    checkStorageKey(key);
    this.#writes.set(key, undefined);
  }

  finish(): StorageWrite[] {
    this.#live();
    return [...this.#writes].map(([key, value]) => ({ key, value }));
  }

  close(): void {
    this.#done = true;
  }
}

/** Ascending UTF-16 code-unit order, the order `keys()` promises (and SQLite's BINARY collation for ASCII keys). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
