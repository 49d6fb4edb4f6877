// The light endpoint as the node wires it: StartUpOnOff is persisted and applied at each start (Toggle flips the
// persisted OnOff, null keeps it), and OnWithTimedOff's 1/10 s tick runs on a node timer that turns the light off.
// Runs in `unshare -n`.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { runInPrivateNetns } from "../support/netns-child.ts";

test("StartUpOnOff is persisted and applied at start; the OnWithTimedOff timer turns the light off and that is persisted", () => {
  const r = runInPrivateNetns<{
    boots: { onOff: boolean; statuses: number[] }[];
    timedOff: { afterInvoke: boolean; afterTimer: boolean };
  }>(resolve(import.meta.dirname, "light-endpoint-netns.ts"));
  assert.deepEqual(r.boots, [
    { onOff: false, statuses: [0, 0] },
    { onOff: false, statuses: [] },
    { onOff: true, statuses: [0] },
    { onOff: true, statuses: [0] },
    { onOff: false, statuses: [] },
  ]);
  assert.deepEqual(r.timedOff, { afterInvoke: true, afterTimer: false });
});
