// The commissioning window's fail-safe per PASE session (the SDK's CommissioningWindowManager of the 1.4 line), through
// a running DeviceNode in `unshare -n` (commissioning-window-failsafe-netns.ts, fail-safe expiry 3 s): a PASE session
// established on the window holds a fail-safe armed at once; its expiry (timer, ArmFailSafe(0), the session's
// CloseSession) evicts the session, reverts what the commissioning added and makes the window listen again, so a
// commissioner that vanishes never leaves a node without fabrics uncommissionable.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { runInPrivateNetns } from "../support/netns-child.ts";

type State = { window: string | null; listening: boolean; failSafeArmed: boolean; sessions: number; fabrics: number };
type Waited = State & { waitedMs: number };
type AddNoc = { armed: number; statusCode: number; fabricIndex: number | null };
type Observations = {
  atBoot: State;
  silentPase: State;
  afterSilentExpiry: Waited;
  pase2: State;
  disarm: number;
  afterDisarm: Waited;
  add3: AddNoc;
  beforeClose: State;
  afterClose: Waited;
  add4: AddNoc;
  complete: number;
  commissioned: Waited;
  logs: string[];
  error?: string;
};

const strip = ({ waitedMs: _, ...s }: Waited): State => s;
const listeningAgain: State = { window: "basic", listening: true, failSafeArmed: false, sessions: 0, fabrics: 0 };
const commissioningOverPase = (fabrics: number): State => ({
  window: "basic",
  listening: false,
  failSafeArmed: true,
  sessions: 1,
  fabrics,
});

let observations: Observations | undefined;
function run(): Observations {
  if (observations !== undefined) return observations;
  observations = runInPrivateNetns<Observations>(
    resolve(import.meta.dirname, "commissioning-window-failsafe-netns.ts"),
  );
  return observations;
}

test("the run completes: every step of the script answered", () => {
  assert.equal(run().error, undefined);
  assert.deepEqual(run().atBoot, listeningAgain);
});

test("(1) PASE established, commissioner silent: the fail-safe is armed at once; its expiry evicts the session and the window listens again", () => {
  const o = run();
  // OnSessionEstablished: stop listening, arm the fail-safe (fabric 0, the node's expiry length) for the session.
  assert.deepEqual(o.silentPase, commissioningOverPase(0));
  // kFailSafeTimerExpired: evict the PASE session, HandleFailedAttempt → AdvertiseAndListenForPASE.
  assert.deepEqual(strip(o.afterSilentExpiry), listeningAgain);
  assert.ok(o.logs.includes("info: commissioning failed (attempt 1): fail-safe expired"));
  assert.ok(o.logs.some((l) => /^info: PASE session \d+ evicted \(fail-safe expired\)$/.test(l)));
  // A new PASE session works on the same window (and again holds a fail-safe).
  assert.deepEqual(o.pase2, commissioningOverPase(0));
});

test("(3) ArmFailSafe(0) over PASE: OK, then the PASE session is gone and a new PASE works", () => {
  const o = run();
  assert.equal(o.disarm, 0);
  assert.deepEqual(strip(o.afterDisarm), listeningAgain);
  // Well before the 3 s timer could have expired it: the disarm itself ended the session.
  assert.ok(o.afterDisarm.waitedMs < 2500, `took ${o.afterDisarm.waitedMs} ms`);
  assert.equal(o.add3.armed, 0);
});

test("(2) CloseSession of the PASE session after ArmFailSafe + AddNOC: the pending fabric is reverted at once, the window listens again", () => {
  const o = run();
  assert.deepEqual(o.add3, { armed: 0, statusCode: 0, fabricIndex: 1 });
  assert.deepEqual(o.beforeClose, commissioningOverPase(1));
  // OnSessionReleased → ExpireFailSafeIfArmed: the fail-safe (armed for 300 s) expires now, not at its deadline.
  assert.deepEqual(strip(o.afterClose), listeningAgain);
  assert.ok(o.afterClose.waitedMs < 2500, `took ${o.afterClose.waitedMs} ms`);
  assert.ok(o.logs.some((l) => /^info: PASE session \d+ released: fail-safe expired$/.test(l)));
  assert.ok(o.logs.includes("info: fabric 1 removed"));
});

test("after the abandoned attempts a full commissioning over the same window succeeds and closes it", () => {
  const o = run();
  assert.deepEqual(o.add4, { armed: 0, statusCode: 0, fabricIndex: 1 });
  assert.equal(o.complete, 0);
  // CommissioningComplete: Cleanup + ExpireAllPASESessions; the CASE session stays.
  assert.deepEqual(strip(o.commissioned), {
    window: null,
    listening: false,
    failSafeArmed: false,
    sessions: 1,
    fabrics: 1,
  });
  assert.equal(o.logs.filter((l) => l.startsWith("info: commissioning window listens again")).length, 3);
});
