// The data directory lock with the real device, in a private network namespace: while `opcreds start` runs,
// `fabrics list` prints its fabrics, `fabrics remove`/`reset --yes` and a second device on the same directory are
// refused naming the directory and the device's pid; after SIGKILL of the device's process group a restart right away
// starts (no stale lock).
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { runInPrivateNetns } from "../support/netns-child.ts";

type Run = { status: number | null; out: string; err: string };

test("fabrics list works while the device runs; edits and a second device are refused; SIGKILL then restart starts", {
  timeout: 300_000,
}, () => {
  const r = runInPrivateNetns<{
    dataDir: string;
    devicePid: number;
    list: Run;
    remove: Run;
    reset: Run;
    second: Run;
    killed: number | string;
    listAfter: Run;
    stopped: number | string;
  }>(resolve(import.meta.dirname, "data-dir-lock-device-netns.ts"), { timeoutMs: 280_000 });
  assert.equal(r.list.status, 0, r.list.err);
  assert.match(r.list.out, /^1\tfabric 0000000000001100\tnode 0000000000000011\t/m);
  assert.match(r.list.out, /^2\tfabric 0000000000002200\tnode 0000000000000022\t/m);
  const busy = `data directory ${r.dataDir} is in use by process ${r.devicePid}`;
  for (const [what, run] of [
    ["fabrics remove", r.remove],
    ["fabrics reset --yes", r.reset],
    ["a second start", r.second],
  ] as const) {
    assert.notEqual(run.status, 0, `${what} must be refused`);
    assert.ok(run.err.includes(busy), `${what}: ${run.err}`);
  }
  assert.equal(r.killed, "SIGKILL");
  assert.equal(r.listAfter.status, 0, r.listAfter.err);
  assert.equal((JSON.parse(r.listAfter.out) as unknown[]).length, 2, "nothing was removed or reset");
  assert.equal(r.stopped, 0, "the restarted device stops cleanly");
});
