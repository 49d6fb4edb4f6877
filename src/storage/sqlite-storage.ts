/**
 * Storage in one SQLite file (better-sqlite3): WAL journal with synchronous=FULL, every batch in one SQL transaction, so a
 * SIGKILL or power cut at any instant leaves either the previous or the new committed state. File 0600 in a 0700 directory.
 * WAL lets readers run beside the writer: `openReadOnly` inspects a database while its owner keeps writing it.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { MalformedError, OpcredsError } from "../bytes/errors.ts";
import { BatchedStorage, type StorageBackend, type StorageWrite } from "./batched-storage.ts";
import { decodeStoredRecord, encodeStoredRecord, type StorageValue } from "./storage.ts";

/** Schema version kept in `PRAGMA user_version`; a newer file is refused rather than misread. */
const SQLITE_SCHEMA_VERSION = 1;

/** Permission bits of a database file this module creates (owner read/write only). */
const SQLITE_FILE_MODE = 0o600;
/** Permission bits of a directory this module creates for the database (owner only). */
export const SQLITE_DIRECTORY_MODE = 0o700;

type Row = { key: string; kind: unknown; value: unknown };

class SqliteBackend implements StorageBackend {
  readonly #db: Database.Database;
  readonly #read: Database.Statement<[string], Row>;
  readonly #keys: Database.Statement<[number, string], { key: string }>;
  readonly #upsert: Database.Statement<[string, number, Uint8Array]>;
  readonly #remove: Database.Statement<[string]>;
  readonly #batch: (writes: readonly StorageWrite[]) => void;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#read = db.prepare<[string], Row>("SELECT key, kind, value FROM records WHERE key = ?");
    this.#keys = db.prepare<[number, string], { key: string }>(
      "SELECT key FROM records WHERE substr(key, 1, ?) = ? ORDER BY key",
    );
    this.#upsert = db.prepare<[string, number, Uint8Array]>(
      "INSERT INTO records (key, kind, value) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET kind = excluded.kind, value = excluded.value",
    );
    this.#remove = db.prepare<[string]>("DELETE FROM records WHERE key = ?");
    this.#batch = db.transaction((writes: readonly StorageWrite[]) => {
      for (const { key, value } of writes) {
        if (value === undefined) this.#remove.run(key);
        else {
          const { kind, payload } = encodeStoredRecord(value);
          this.#upsert.run(key, kind, payload);
        }
      }
    });
  }

  read(key: string): StorageValue | undefined {
    const row = this.#read.get(key);
    if (row === undefined) return undefined;
    if (typeof row.kind !== "number" || !(row.value instanceof Uint8Array)) {
      throw new MalformedError("storage.record", "row has the wrong column types", { path: key });
    }
    return decodeStoredRecord(key, row.kind, new Uint8Array(row.value));
  }

  keys(prefix: string): string[] {
    return this.#keys.all(prefix.length, prefix).map((r) => r.key);
  }

  writeBatch(writes: readonly StorageWrite[]): void {
    if (writes.length > 0) this.#batch(writes);
  }

  close(): void {
    this.#db.close();
  }
}

/** A read-only view of one snapshot: every read inside one read transaction, opened at the first read, held to close. */
class SqliteSnapshotBackend implements StorageBackend {
  readonly #db: Database.Database;
  readonly #read: Database.Statement<[string], Row> | undefined;
  readonly #keys: Database.Statement<[number, string], { key: string }> | undefined;

  constructor(db: Database.Database, hasRecords: boolean) {
    this.#db = db;
    // A database created but never written has no records table yet: it reads as empty.
    this.#read = hasRecords
      ? db.prepare<[string], Row>("SELECT key, kind, value FROM records WHERE key = ?")
      : undefined;
    this.#keys = hasRecords
      ? db.prepare<[number, string], { key: string }>(
          "SELECT key FROM records WHERE substr(key, 1, ?) = ? ORDER BY key",
        )
      : undefined;
  }

  read(key: string): StorageValue | undefined {
    const row = this.#read?.get(key);
    if (row === undefined) return undefined;
    if (typeof row.kind !== "number" || !(row.value instanceof Uint8Array)) {
      throw new MalformedError("storage.record", "row has the wrong column types", { path: key });
    }
    return decodeStoredRecord(key, row.kind, new Uint8Array(row.value));
  }

  keys(prefix: string): string[] {
    return this.#keys?.all(prefix.length, prefix).map((r) => r.key) ?? [];
  }

  writeBatch(writes: readonly StorageWrite[]): void {
    if (writes.length > 0) throw new TypeError("storage was opened read-only");
  }

  close(): void {
    this.#db.close();
  }
}

/** SQLite's "not a database" and "corrupt" results, which name the file rather than a row. */
function isNotADatabase(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT";
}

/** Storage backed by one SQLite database file. */
export class SqliteStorage extends BatchedStorage {
  /** The database file path. */
  readonly path: string;

  private constructor(backend: StorageBackend, path: string) {
    super(backend);
    this.path = path;
  }

  /**
   * Opens (creating if needed) the database at `path`. A missing directory is created 0700 and a missing file 0600; the
   * WAL and shared-memory files inherit the database file's mode (SQLite copies it). An existing database, WAL or
   * shared-memory file that group or others may access is narrowed to 0600 first: the file holds operational keys.
   */
  static async open(path: string): Promise<SqliteStorage> {
    mkdirSync(dirname(path), { recursive: true, mode: SQLITE_DIRECTORY_MODE });
    try {
      closeSync(openSync(path, "wx", SQLITE_FILE_MODE));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      if (existsSync(file) && (statSync(file).mode & 0o077) !== 0) chmodSync(file, SQLITE_FILE_MODE);
    }
    const db = new Database(path);
    try {
      db.pragma("journal_mode = WAL");
      // FULL: a commit is on disk when it returns, so an acknowledged commit survives a crash.
      db.pragma("synchronous = FULL");
      db.pragma("foreign_keys = ON");
      const version = db.pragma("user_version", { simple: true });
      if (typeof version !== "number" || version > SQLITE_SCHEMA_VERSION) {
        throw new MalformedError("storage.schema", `unsupported schema version ${String(version)}`, { path });
      }
      db.exec(
        "CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY NOT NULL, kind INTEGER NOT NULL, value BLOB NOT NULL) WITHOUT ROWID",
      );
      if (version < SQLITE_SCHEMA_VERSION) db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
      return new SqliteStorage(new SqliteBackend(db), path);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /**
   * Opens an existing database at `path` read-only, beside a running owner (WAL: readers never block the writer nor wait
   * for it). Every read sees one snapshot, the state committed when the first read ran, until close; writes are a
   * TypeError. Nothing is created, chmod'ed or migrated. A missing file is an OpcredsError ("storage.no-database"), a file
   * that is not a database a MalformedError naming its path.
   */
  static async openReadOnly(path: string): Promise<SqliteStorage> {
    if (!existsSync(path)) throw new OpcredsError("storage.no-database", `no database at ${path}`);
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
    } catch (e) {
      throw new OpcredsError("storage.open", `cannot open ${path}: ${(e as Error).message}`, { cause: e });
    }
    try {
      // One read transaction for the connection's life: a multi-key read (keys, then each record) is consistent.
      db.exec("BEGIN");
      const version = db.pragma("user_version", { simple: true });
      if (typeof version !== "number" || version > SQLITE_SCHEMA_VERSION) {
        throw new MalformedError("storage.schema", `unsupported schema version ${String(version)}`, { path });
      }
      const hasRecords =
        db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'records'").get() !== undefined;
      return new SqliteStorage(new SqliteSnapshotBackend(db, hasRecords), path);
    } catch (e) {
      db.close();
      if (isNotADatabase(e))
        throw new MalformedError("storage.not-a-database", "not an SQLite database", { path }, { cause: e });
      throw e;
    }
  }
}
