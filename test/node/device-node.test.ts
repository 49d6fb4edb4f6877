// DeviceNode lifecycle in a private network namespace: data directory modes, lock (a second start is refused), the
// boot commissioning window with the onboarding payloads of the defaults, config validation, stop and restart.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { runInPrivateNetns } from "../support/netns-child.ts";

test("a node starts with its window open, locks its data directory, stops cleanly and restarts", () => {
  const r = runInPrivateNetns(resolve(import.meta.dirname, "device-node-netns.ts"));
  assert.ok(r.first.port > 0);
  assert.equal(r.first.window, "basic");
  assert.equal(r.first.fabrics, 0);
  // Passcode 20202021, discriminator 3840 (short 15): the spec's example manual code.
  assert.equal(r.first.onboarding.manualPairingCode, "34970112332");
  assert.match(r.first.onboarding.qrCode, /^MT:[0-9A-Z.-]{19}$/);
  assert.equal(r.first.dirMode, 0o700);
  assert.equal(r.first.dbMode, 0o600);
  assert.equal(r.first.attestationDirMode, 0o700);
  assert.equal(r.first.lockPid, String(r.pid));
  assert.equal(r.first.onOff, false);
  assert.match(r.second, /^locked by|DataDirLocked/);
  assert.equal(r.badConfig, "RangeError");
  assert.equal(r.created, true, "an invalid config creates nothing");
  assert.equal(r.lockAfterStop, false);
  assert.deepEqual(r.restarted, { window: "basic", fabrics: 0 });
  assert.ok(r.logs.some((l: string) => /^info commissioning window open \(basic, discriminator 3840\)/.test(l)));
});
