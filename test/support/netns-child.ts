// Runs a child test script inside a private network namespace (`unshare -n`, root needed, as CI has) and returns the
// JSON of the last line it printed. Every node-level test that opens sockets goes through here, so no device, ciao or
// matter.js process ever runs in the host namespace. The child starts from compiled output (compiled-child.ts).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
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

/** Runs `script ...args` (compiled, see compiled-child.ts) with node under `unshare -n`; asserts a clean exit; parses
 * its last output line (typed as T when the caller names it, else as loosely as JSON.parse itself). */
export function runInPrivateNetns<T = ReturnType<typeof JSON.parse>>(
  script: string,
  options: NetnsChildOptions = {},
): T {
  assert.equal(process.getuid?.(), 0, "this test needs root to create a private network namespace (`unshare -n`)");
  const nodeArgs = compiledArgs(["--import", "tsx", resolve(REPO, script), ...(options.args ?? [])]);
  const child = spawnSync("unshare", ["-n", process.execPath, ...nodeArgs], {
    encoding: "utf8",
    timeout: options.timeoutMs ?? 120_000,
    cwd: REPO,
    env: { ...process.env, ...options.env },
  });
  assert.equal(child.error, undefined, `could not run unshare: ${child.error}`);
  assert.equal(child.status, 0, `namespace script failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1)!) as T;
}
