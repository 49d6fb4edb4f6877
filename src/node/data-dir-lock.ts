/**
 * The data directory's lock: a file `opcreds.lock` holding the pid of the process that owns the database, created
 * exclusively. A lock whose pid is no longer alive is stale (the owner was killed) and is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { OpcredsError } from "../bytes/errors.ts";

/** The lock file's name inside the data directory. */
export const LOCK_FILE = "opcreds.lock";
/** Mode of the data directory (owner only). */
export const DATA_DIR_MODE = 0o700;

/** The data directory is in use by another live process. */
export class DataDirLockedError extends OpcredsError {
  readonly pid: number;
  constructor(dir: string, pid: number) {
    super("node.data-locked", `data directory ${dir} is in use by process ${pid}`);
    this.pid = pid;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Lock files held by this process (a second node in the same process must be refused too). */
const held = new Set<string>();

/** The pid holding the lock of `dir`, if a live process does. */
export function lockHolder(dir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, LOCK_FILE), "utf8");
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (pid === process.pid) return held.has(join(dir, LOCK_FILE)) ? pid : undefined;
  return alive(pid) ? pid : undefined;
}

/** A held lock; `release` removes the file (idempotent). */
export interface DataDirLock {
  readonly path: string;
  release(): void;
}

/** Creates `dir` (0700) and takes its lock for this process; throws DataDirLockedError when a live process holds it. */
export function acquireDataDirLock(dir: string): DataDirLock {
  mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      held.add(path);
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          held.delete(path);
          try {
            unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = lockHolder(dir);
      if (holder !== undefined) throw new DataDirLockedError(dir, holder);
      // Stale (its process died): take it over.
      unlinkSync(path);
    }
  }
  throw new DataDirLockedError(dir, -1);
}
