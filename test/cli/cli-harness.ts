// Test harness for the `opcreds` command: run the real bin as a child process, or runCli in-process with a captured env.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runCli } from "../../src/cli/run-cli.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";

/** The repository root (the bin's cwd in tests). */
export const REPO = resolve(import.meta.dirname, "..", "..");
/** The operational certificate vectors. */
export const OPCERTS = join(REPO, "test", "vectors", "opcerts");

/** Outcome of one command run. */
export type RunResult = { code: number; stdout: Buffer; stderr: string };

/** Runs `node bin/opcreds.js ...args` with the repository as cwd. */
export function runBin(args: readonly string[], options: { cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [join(REPO, "bin", "opcreds.js"), ...args],
      { cwd: options.cwd ?? REPO, encoding: "buffer", timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolvePromise({ code, stdout, stderr: stderr.toString("utf8") });
      },
    );
  });
}

/** Runs the same command tree in-process (everything but main.ts), for exhaustive matrices. */
export async function runInProcess(
  args: readonly string[],
  options: { cwd?: string; now?: Date; stdin?: Uint8Array } = {},
): Promise<RunResult> {
  const out: Buffer[] = [];
  let err = "";
  const code = await runCli(
    args,
    {
      stdout: (chunk) => out.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk)),
      stderr: (text) => {
        err += text;
      },
      readStdin: () => options.stdin ?? new Uint8Array(0),
      now: () => options.now ?? new Date(),
      crypto: nodeCrypto,
      cwd: options.cwd ?? REPO,
    },
    "0.0.0-test",
  );
  return { code, stdout: Buffer.concat(out), stderr: err };
}

/** A fresh temporary directory and its remover. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "opcreds-cli-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Asserts-friendly summary: the stderr must be exactly one line. */
export function isOneLine(text: string): boolean {
  // A stack frame names a file position in parentheses; "tag fff1:deed:3" or "at 0x2c" in a message is not one.
  return text.endsWith("\n") && text.indexOf("\n") === text.length - 1 && !/\(\S+:\d+:\d+\)/.test(text);
}

/** Runs `jobs` with at most `limit` in flight (spawning tsx is CPU-heavy). */
export async function pool(jobs: readonly (() => Promise<void>)[], limit = 3): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
}
