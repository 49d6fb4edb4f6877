// Application state set through MatterDevice.setAttribute: each change (and only a change) is an attributeChanged
// from the application until the listener is removed; each endpoint's On/Off persists across a restart on its own;
// an unknown endpoint is a RangeError, an unknown cluster, a non-boolean value or an unknown event a TypeError.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { runInPrivateNetns } from "../support/netns-child.ts";

test("setAttribute reports each change to listeners, persists per endpoint and refuses misuse by name", () => {
  const r = runInPrivateNetns<{
    changes: unknown[];
    misuse: Record<string, string>;
    afterRestart: { light: boolean; plug: boolean };
  }>(resolve(import.meta.dirname, "device-application-state-netns.ts"));
  assert.deepEqual(r.changes, [
    { endpoint: 2, cluster: "OnOff", attribute: "OnOff", value: true, source: "application" },
  ]);
  assert.deepEqual(r.misuse, {
    endpoint: "RangeError: endpoint 9 is not an application endpoint of this device (it has: 1, 2)",
    cluster: "TypeError: unknown application cluster LevelControl (known: OnOff)",
    value: "TypeError: OnOff.OnOff must be a boolean, got number",
    event:
      "TypeError: unknown device event fabricLabelled (known: fabricAdded, fabricUpdated, fabricRemoved, commissioningComplete, commissioningWindowOpened, attributeChanged)",
  });
  assert.deepEqual(r.afterRestart, { light: false, plug: true });
});
