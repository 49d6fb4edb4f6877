// The node's fail-safe timer: it fires at the deadline the last "fail-safe-timer" effect gave and hands the expiry's
// cleanup effects to its listeners (the node's reactions); a disarmed fail-safe cancels it; the window's PASE session
// arms the fail-safe for fabric 0 with the node's expiry length; a forced expiry (ForceFailSafeTimerExpiry) runs at
// once, and none runs once the node stops.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { GeneralCommissioningServer } from "../../src/clusters/general-commissioning/general-commissioning.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import type { FabricTable } from "../../src/fabric/fabric-table.ts";
import { FailSafeContext } from "../../src/fabric/fail-safe-context.ts";
import type { AfterResponseEffect } from "../../src/im/data-model.ts";
import { FailSafeTimer } from "../../src/node/fail-safe-timer.ts";
import { LifecycleLog } from "../../src/node/lifecycle-log.ts";
import type { ResolvedDeviceNodeConfig } from "../../src/node/node-config.ts";
import { nodeContext } from "../../src/node/node-context.ts";
import { MemoryStorage } from "../../src/storage/memory-storage.ts";

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const noFabrics = { fabrics: () => [], fabric: () => undefined, onChange: () => () => {} } as unknown as FabricTable;
const CLEANUP: readonly AfterResponseEffect[] = [
  { type: "expire-pase-sessions" },
  { type: "fail-safe-timer", at: null },
];

function setUp(clock: () => number) {
  const logged: string[] = [];
  const log = (_level: string, message: string) => void logged.push(message);
  const config = { failSafeExpirySeconds: 60, logger: log } as unknown as ResolvedDeviceNodeConfig;
  const ctx = nodeContext(config, nodeCrypto, new MemoryStorage(), clock);
  /** The times General Commissioning was told the timer fired. */
  const fired: number[] = [];
  const generalCommissioning = {
    failSafeTimerFired: async (now: number) => {
      fired.push(now);
      return CLEANUP;
    },
  } as unknown as GeneralCommissioningServer;
  const failSafe = new FailSafeContext();
  const timer = new FailSafeTimer(ctx, failSafe, generalCommissioning, LifecycleLog.attach(noFabrics, log));
  const expiries: (readonly AfterResponseEffect[])[] = [];
  timer.onExpired((effects) => expiries.push(effects));
  return { ctx, timer, failSafe, fired, expiries, logged };
}

test("the timer fires at the deadline it follows and hands the expiry's cleanup effects to the listeners", async () => {
  const t = setUp(() => 5);
  const heard = new Promise<readonly AfterResponseEffect[]>((resolve) => t.timer.onExpired(resolve));
  t.timer.follow(5);
  assert.deepEqual(await heard, CLEANUP);
  assert.deepEqual(t.fired, [5]);
  assert.deepEqual(t.expiries, [CLEANUP]);
});

test("a disarmed fail-safe cancels the timer", async () => {
  const t = setUp(() => 5);
  t.timer.follow(6);
  t.timer.follow(null);
  await tick(10);
  assert.deepEqual(t.fired, []);
});

test("the window's PASE session arms the fail-safe for fabric 0 with the node's expiry length", () => {
  const t = setUp(() => 0);
  assert.equal(t.timer.armForPaseSession(), true);
  assert.ok(t.failSafe.armed);
  assert.equal(t.failSafe.fabricIndex, 0);
  assert.ok(t.logged.includes("fail-safe armed: expires in 60 s"), t.logged.join("\n"));
  t.ctx.timers.clearAll();
});

test("a forced expiry runs the cleanup at once; once closed, no expiry runs", async () => {
  const t = setUp(() => 0);
  t.timer.expire(Number.POSITIVE_INFINITY);
  await tick(0);
  assert.deepEqual(t.fired, [Number.POSITIVE_INFINITY]);
  t.timer.close();
  t.timer.expire(Number.POSITIVE_INFINITY);
  await tick(0);
  assert.deepEqual(t.fired, [Number.POSITIVE_INFINITY]);
  assert.equal(t.expiries.length, 1);
});
