/**
 * The data directory's lock, held by the kernel: an exclusive SQLite transaction kept open on a small lock database
 * (`opcreds.lock.sqlite`) beside the main one. SQLite takes it as a POSIX record lock, which the kernel drops when the
 * process exits however it exits, without waiting for its parent to reap it; so a SIGKILLed holder never leaves a stale
 * lock and a reused pid never blocks. `opcreds.lock` holds the holder's pid for messages only: it decides nothing.
 *
 * POSIX record locks belong to the process, and closing ANY descriptor of the file drops them all: nothing but this
 * module may open the lock database (stat and chmod are fine). The main database is not locked, so read-only
 * inspection of it stays possible while the owner runs.
 */
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { OpcredsError } from "../bytes/errors.ts";

/** The informational file naming the pid of the lock's holder; present while the lock is held. */
export const LOCK_FILE = "opcreds.lock";
/** The lock database whose exclusive transaction is the lock; it stays in the directory (never delete a lock file). */
export const LOCK_DATABASE_FILE = "opcreds.lock.sqlite";
/** Mode of the data directory (owner only). */
const DATA_DIR_MODE = 0o700;
/** Mode of the lock files (owner read/write only). */
const LOCK_FILE_MODE = 0o600;
/**
 * How long acquisition waits for a holder to let go, in milliseconds: covers a killed holder whose exit is still under
 * way when a restart comes "right after" its SIGKILL (kill(2) returns before the target has exited, and its main thread
 * shows as a zombie while other threads may still hold its files). SQLite's busy handler sleeps synchronously.
 */
const DEFAULT_LOCK_WAIT_MS = 1000;

/** The data directory is in use by another live process (or by another owner in this process). */
export class DataDirLockedError extends OpcredsError {
  /** The holder's pid as it published it; undefined when it has not (yet) written one. */
  readonly pid: number | undefined;
  constructor(dir: string, pid: number | undefined) {
    super(
      "node.data-locked",
      `data directory ${dir} is in use by ${pid === undefined ? "another process" : `process ${pid}`}`,
    );
    this.pid = pid;
  }
}

/**
 * Open lock connections of this process by real directory path. A second owner in this process is refused from here
 * (SQLite would make it wait DEFAULT_LOCK_WAIT_MS first), and this strong reference keeps the connection, and with it
 * the lock, from being garbage-collected even when the caller drops its DataDirLock without releasing it.
 */
const held = new Map<string, Database.Database>();

function publishedPid(dir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, LOCK_FILE), "utf8");
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === "SQLITE_BUSY" || code === "SQLITE_LOCKED";
}

/** Creates the lock database 0600 when missing (exclusive create: never opens, so never closes, an existing one). */
function createLockDatabase(path: string): void {
  try {
    closeSync(openSync(path, "wx", LOCK_FILE_MODE));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, LOCK_FILE_MODE);
  }
}

/** Opens the lock database and begins its exclusive transaction; undefined when another connection holds it. */
function takeKernelLock(path: string, waitMs: number): Database.Database | undefined {
  const db = new Database(path, { timeout: waitMs });
  try {
    // In memory: no journal file, and nothing to roll back after a kill (the transaction never writes).
    db.pragma("journal_mode = MEMORY");
    db.exec("BEGIN EXCLUSIVE");
    return db;
  } catch (e) {
    db.close();
    if (isBusy(e)) return undefined;
    throw e;
  }
}

/**
 * The pid holding the lock of `dir` (undefined when free), probed without waiting; a holder that has not published its
 * pid yet gives 0.
 */
export function lockHolder(dir: string): number | undefined {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    return undefined;
  }
  if (held.has(real)) return process.pid;
  const path = join(real, LOCK_DATABASE_FILE);
  try {
    statSync(path);
  } catch {
    return undefined;
  }
  const probe = takeKernelLock(path, 0);
  if (probe === undefined) return publishedPid(real) ?? 0;
  probe.close();
  return undefined;
}

/** A held lock; `release` ends it (idempotent). */
export interface DataDirLock {
  /** The informational pid file (present while held). */
  readonly path: string;
  release(): void;
}

/** Options of acquireDataDirLock. */
export type DataDirLockOptions = {
  /** How long to wait for another holder to let go, in milliseconds (default DEFAULT_LOCK_WAIT_MS). */
  readonly waitMs?: number;
};

/** Creates `dir` (0700) and takes its lock for this process; throws DataDirLockedError when a live process holds it. */
export function acquireDataDirLock(dir: string, options: DataDirLockOptions = {}): DataDirLock {
  const waitMs = options.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  if (!Number.isInteger(waitMs) || waitMs < 0) throw new RangeError("waitMs must be a non-negative integer");
  mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  const real = realpathSync(dir);
  if (held.has(real)) throw new DataDirLockedError(dir, process.pid);
  const lockDatabase = join(real, LOCK_DATABASE_FILE);
  createLockDatabase(lockDatabase);
  const db = takeKernelLock(lockDatabase, waitMs);
  if (db === undefined) throw new DataDirLockedError(dir, publishedPid(real));
  held.set(real, db);
  const path = join(real, LOCK_FILE);
  try {
    // Written whole then renamed, so a reader never sees half a pid; a killed holder's file is simply overwritten.
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, `${process.pid}\n`, { mode: LOCK_FILE_MODE });
    renameSync(temp, path);
  } catch (e) {
    held.delete(real);
    db.close();
    throw e;
  }
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      // The pid file goes first: once the lock is dropped, the next holder's file must not be removed.
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
      held.delete(real);
      db.close();
    },
  };
}
