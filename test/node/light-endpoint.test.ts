// The light endpoint as the node wires it: StartUpOnOff is persisted and applied at each start (Toggle flips the
// persisted OnOff, null keeps it), and OnWithTimedOff's 1/10 s tick runs on a node timer that turns the light off.
// Runs in `unshare -n`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { test } from "node:test";

test("StartUpOnOff is persisted and applied at start; the OnWithTimedOff timer turns the light off and that is persisted", () => {
  assert.equal(process.getuid?.(), 0, "this test needs root to create a private network namespace (`unshare -n`)");
  const child = spawnSync(
    "unshare",
    ["-n", process.execPath, "--import", "tsx", resolve(import.meta.dirname, "light-endpoint-netns.ts")],
    { encoding: "utf8", timeout: 120_000, cwd: resolve(import.meta.dirname, "..", "..") },
  );
  assert.equal(child.status, 0, `namespace script failed:\n${child.stderr}`);
  const r = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as {
    boots: { onOff: boolean; statuses: number[] }[];
    timedOff: { afterInvoke: boolean; afterTimer: boolean };
  };
  assert.deepEqual(r.boots, [
    { onOff: false, statuses: [0, 0] },
    { onOff: false, statuses: [] },
    { onOff: true, statuses: [0] },
    { onOff: true, statuses: [0] },
    { onOff: false, statuses: [] },
  ]);
  assert.deepEqual(r.timedOff, { afterInvoke: true, afterTimer: false });
});
