// Runs a child test script inside a private network namespace (`unshare -n`, root needed, as CI has) and returns the
// JSON of the last line it printed. Every node-level test that opens sockets goes through here, so no device, ciao or
// matter.js process ever runs in the host namespace. The child starts from compiled output (compiled-child.ts).
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { compiledArgs } from "./compiled-child.ts";

/** The repository root (children run from it, so their relative imports and node_modules resolve). */
const REPO = resolve(import.meta.dirname, "..", "..");

/** Options of `runInPrivateNetns`. */
export type NetnsChildOptions = {
  /** Arguments after the script. */
  readonly args?: readonly string[];
  /** Kill the child after this long (default 120 s). */
  readonly timeoutMs?: number;
  /** Extra environment variables. */
  readonly env?: Record<string, string>;
};

/** The `unshare` arguments that run `script ...args` compiled; asserts that this process may create a namespace. */
function unshareArgs(script: string, options: NetnsChildOptions): string[] {
  assert.equal(process.getuid?.(), 0, "this test needs root to create a private network namespace (`unshare -n`)");
  return ["-n", process.execPath, ...compiledArgs(["--import", "tsx", resolve(REPO, script), ...(options.args ?? [])])];
}

/** The child's last output line as JSON, after asserting a clean exit. */
function lastLine<T>(status: number | null, stdout: string, stderr: string): T {
  assert.equal(status, 0, `namespace script failed:\n${stderr}`);
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as T;
}

/** Runs `script ...args` (compiled, see compiled-child.ts) with node under `unshare -n`; asserts a clean exit; parses
 * its last output line (typed as T when the caller names it, else as loosely as JSON.parse itself). */
export function runInPrivateNetns<T = ReturnType<typeof JSON.parse>>(
  script: string,
  options: NetnsChildOptions = {},
): T {
  const child = spawnSync("unshare", unshareArgs(script, options), {
    encoding: "utf8",
    timeout: options.timeoutMs ?? 120_000,
    cwd: REPO,
    env: { ...process.env, ...options.env },
  });
  assert.equal(child.error, undefined, `could not run unshare: ${child.error}`);
  return lastLine<T>(child.status, child.stdout, child.stderr);
}

/** `runInPrivateNetns` without blocking this process, so that the cases of one file can run their children at once. */
export async function runInPrivateNetnsAsync<T = ReturnType<typeof JSON.parse>>(
  script: string,
  options: NetnsChildOptions = {},
): Promise<T> {
  const child = spawn("unshare", unshareArgs(script, options), {
    cwd: REPO,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: options.timeoutMs ?? 120_000,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const [status, error] = await new Promise<[number | null, Error | undefined]>((done) => {
    child.once("error", (e) => done([null, e]));
    child.once("close", (code) => done([code, undefined]));
  });
  assert.equal(error, undefined, `could not run unshare: ${error}`);
  return lastLine<T>(status, stdout, stderr);
}
