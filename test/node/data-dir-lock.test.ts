// The data directory lock is the kernel's: a second owner (in this process or another) is refused with a message naming
// the directory and the holder's pid; a holder killed by SIGKILL, left an unreaped zombie, or whose pid was reused by an
// unrelated process never blocks the next owner; the pid file names the holder only while it holds.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import {
  acquireDataDirLock,
  DataDirLockedError,
  LOCK_DATABASE_FILE,
  LOCK_FILE,
  lockHolder,
} from "../../src/node/data-dir-lock.ts";

const REPO = resolve(import.meta.dirname, "..", "..");
const HOLDER = join(import.meta.dirname, "data-dir-lock-holder.ts");
const root = mkdtempSync(join(tmpdir(), "opcreds-lock-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${n++}`);

/** Resolves with the pid the holder prints once it holds the lock (60 s bound). */
function holderReady(child: ChildProcess): Promise<number> {
  return new Promise((ready, fail) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error(`holder not ready within 60 s: ${out}`)), 60_000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /ready (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ready(Number(m[1]));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`holder exited early (${code}): ${out}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else child.on("exit", () => r());
  });
}

/** The state letter of /proc/PID/stat ("Z" for a zombie), or undefined when the process is gone. */
function procState(pid: number): string | undefined {
  try {
    return /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1];
  } catch {
    return undefined;
  }
}

test("a second owner in this process is refused naming the directory and this pid; release frees it", () => {
  const dir = freshDir();
  const lock = acquireDataDirLock(dir);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, LOCK_DATABASE_FILE)).mode & 0o777, 0o600);
  assert.equal(readFileSync(join(dir, LOCK_FILE), "utf8"), `${process.pid}\n`);
  assert.equal(lockHolder(dir), process.pid);
  assert.throws(
    () => acquireDataDirLock(dir),
    (e) => e instanceof DataDirLockedError && e.pid === process.pid && e.message.includes(dir),
  );
  lock.release();
  lock.release();
  assert.equal(existsSync(join(dir, LOCK_FILE)), false, "the pid file goes with the lock");
  assert.equal(lockHolder(dir), undefined);
  acquireDataDirLock(dir).release();
});

test("another live process's lock is refused with its pid; SIGKILL of its process group frees it at once", async () => {
  const dir = freshDir();
  const child = spawn(process.execPath, ["--import", "tsx", HOLDER, dir], {
    cwd: REPO,
    detached: true,
    stdio: ["pipe", "pipe", "inherit"],
  });
  try {
    const pid = await holderReady(child);
    assert.equal(lockHolder(dir), pid);
    assert.throws(
      () => acquireDataDirLock(dir, { waitMs: 0 }),
      (e) =>
        e instanceof DataDirLockedError &&
        e.pid === pid &&
        e.message === `data directory ${dir} is in use by process ${pid}`,
    );
    process.kill(-child.pid!, "SIGKILL");
    // Immediately: the kernel dropped the lock with the process (the default wait covers an exit still under way).
    const lock = acquireDataDirLock(dir);
    assert.equal(readFileSync(join(dir, LOCK_FILE), "utf8"), `${process.pid}\n`, "the killed holder's pid is replaced");
    lock.release();
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited(child);
  }
});

test("a holder left an unreaped zombie does not block", async () => {
  const dir = freshDir();
  // `exec sleep` replaces the shell, so the holder's parent is a sleep that never reaps it: killed, it stays a zombie.
  // Our pipe reaches the holder as stdin through fd 3 (a background job's own stdin is /dev/null: it would release).
  const parent = spawn(
    "sh",
    ["-c", `exec 3<&0; "$0" --import tsx "$1" "$2" <&3 & exec sleep 60`, process.execPath, HOLDER, dir],
    {
      cwd: REPO,
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  try {
    const pid = await holderReady(parent);
    assert.throws(() => acquireDataDirLock(dir, { waitMs: 0 }), DataDirLockedError);
    process.kill(pid, "SIGKILL");
    const end = Date.now() + 10_000;
    while (procState(pid) !== "Z" && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.equal(procState(pid), "Z", "the holder is a zombie");
    // A pid check would call it alive (kill(pid, 0) succeeds on a zombie); the kernel lock is gone all the same.
    assert.doesNotThrow(() => process.kill(pid, 0));
    assert.equal(readFileSync(join(dir, LOCK_FILE), "utf8"), `${pid}\n`);
    // The default wait covers the holder's other threads, which may still be exiting when its main thread shows "Z".
    const lock = acquireDataDirLock(dir);
    assert.equal(procState(pid), "Z", "still an unreaped zombie while the lock is taken");
    assert.equal(lockHolder(dir), process.pid);
    lock.release();
    assert.equal(lockHolder(dir), undefined);
  } finally {
    parent.kill("SIGKILL");
    await exited(parent);
  }
});

test("a pid file naming a live unrelated process (a reused pid) does not block", () => {
  const dir = freshDir();
  acquireDataDirLock(dir).release();
  // Our parent is alive and is not us: exactly what a dead holder's reused pid looks like.
  writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`);
  assert.equal(lockHolder(dir), undefined);
  const lock = acquireDataDirLock(dir, { waitMs: 0 });
  assert.equal(readFileSync(join(dir, LOCK_FILE), "utf8"), `${process.pid}\n`);
  lock.release();
});

test("waitMs is checked", () => {
  assert.throws(() => acquireDataDirLock(freshDir(), { waitMs: -1 }), RangeError);
});
