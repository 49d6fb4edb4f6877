/**
 * The persistent key/record store every stateful layer writes through (STYLE.md rule 10: storage is an argument).
 * Async by contract (rule 11); a transaction commits all of its writes or none of them.
 */
import { MalformedError } from "../bytes/errors.ts";

/** A JSON-able value; 64-bit numbers are stored by callers as strings (JSON has no bigint). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A stored record: raw bytes or a JSON-able value. */
export type StorageValue = Uint8Array | JsonValue;

/** Read access shared by the store and its transactions. */
export interface StorageReader {
  /** The record at `key`, or undefined. */
  get(key: string): Promise<StorageValue | undefined>;
  /** Every key starting with `prefix`, in ascending code-unit order. */
  keys(prefix: string): Promise<string[]>;
}

/** Writes inside `Storage.transaction`; they become visible to other readers only when the callback resolves. */
export interface StorageTransaction extends StorageReader {
  set(key: string, value: StorageValue): Promise<void>;
  delete(key: string): Promise<void>;
}

/** A small async key/record store; every single `set`/`delete` is atomic and durable when its promise resolves. */
export interface Storage extends StorageReader {
  set(key: string, value: StorageValue): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Runs `fn` and commits all of its writes atomically when it resolves; when it throws nothing is written.
   * Transactions are serialised; inside `fn` use only `tx`, never the store itself.
   */
  transaction<T>(fn: (tx: StorageTransaction) => Promise<T>): Promise<T>;
  /** Releases the backing resources; the store is unusable afterwards. */
  close(): Promise<void>;
}

/** Longest key accepted, in UTF-16 code units. */
const MAX_STORAGE_KEY_LENGTH = 256;

/** Throws TypeError unless `key` is a non-empty printable-ASCII string of at most MAX_STORAGE_KEY_LENGTH. */
export function checkStorageKey(key: string): void {
  if (
    typeof key !== "string" ||
    key.length === 0 ||
    key.length > MAX_STORAGE_KEY_LENGTH ||
    !/^[\x21-\x7e]+$/.test(key)
  ) {
    throw new TypeError(`invalid storage key ${JSON.stringify(key)}`);
  }
}

/** Throws TypeError unless `value` is bytes or a finite JSON value (no undefined, bigint, NaN, functions or cycles). */
export function checkStorageValue(value: unknown, path = "value", depth = 0): asserts value is StorageValue {
  if (depth > 64) throw new TypeError(`${path}: nested too deeply`);
  if (value instanceof Uint8Array) {
    if (depth > 0) throw new TypeError(`${path}: bytes are allowed only as a whole record`);
    return;
  }
  if (value === null || typeof value === "boolean" || typeof value === "string") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`${path}: non-finite number`);
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) checkStorageValue(v, `${path}[${i}]`, depth + 1);
    return;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) checkStorageValue(v, `${path}.${k}`, depth + 1);
    return;
  }
  throw new TypeError(`${path}: not storable (${typeof value})`);
}

/** Record kinds as stored on disk. */
const RECORD_KIND = { bytes: 0, json: 1 } as const;

/** Decodes a stored record; an unknown kind or invalid JSON is MalformedError `storage.record`. */
export function decodeStoredRecord(key: string, kind: number, payload: Uint8Array): StorageValue {
  if (kind === RECORD_KIND.bytes) return payload;
  if (kind === RECORD_KIND.json) {
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(payload);
      return JSON.parse(text) as JsonValue;
    } catch (cause) {
      throw new MalformedError("storage.record", "stored JSON is not valid", { path: key }, { cause });
    }
  }
  throw new MalformedError("storage.record", `unknown record kind ${kind}`, { path: key });
}

/** The on-disk form of `value`: its kind and payload bytes. */
export function encodeStoredRecord(value: StorageValue): { kind: number; payload: Uint8Array } {
  if (value instanceof Uint8Array) return { kind: RECORD_KIND.bytes, payload: value };
  return { kind: RECORD_KIND.json, payload: new TextEncoder().encode(JSON.stringify(value)) };
}
