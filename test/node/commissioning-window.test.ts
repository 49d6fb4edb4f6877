// The commissioning window through a running DeviceNode (in `unshare -n`, see commissioning-window-netns.ts), as the
// SDK's CommissioningWindowManager (1.4 line) and AdministratorCommissioningLogic behave: a window whose PASE session is
// established stays open (WindowStatus, AdminFabricIndex, AdminVendorId kept; no second PASE; OpenCommissioningWindow
// → Busy) and holds a fail-safe armed for that session. CommissioningComplete and RevokeCommissioning close it
// (RevokeCommissioning expires the fail-safe held by that PASE session at once: the fabric it added is dropped); the
// fail-safe expiring (timer, or the PASE session's CloseSession) evicts the session and the window listens again.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { runInPrivateNetns } from "../support/netns-child.ts";

type Snapshot = {
  windowStatus: number | null;
  adminFabricIndex: number | null;
  adminVendorId: number | null;
  window: string | null;
  fabrics: number;
};
type AddNoc = { armed: number; statusCode: number; fabricIndex: number | null };
type Observations = {
  commissioned: Snapshot & { addNoc: AddNoc; complete: number };
  ocw1: string;
  open1: Snapshot;
  duringPase1: Snapshot;
  secondPase: string;
  ocwDuringPase: string;
  addB1: AddNoc;
  beforeRevoke: Snapshot;
  revokeUntimed: string;
  revoked: string;
  afterRevoke: Snapshot;
  revokeAgain: string;
  ocwAfterRevoke: string;
  armed2: number;
  duringPase2: Snapshot;
  listeningDuringPase2: boolean;
  afterExpiry: Snapshot;
  listeningAfterExpiry: boolean;
  sessionsAroundExpiry: [number, number];
  ocw3: string;
  addB3: AddNoc;
  duringPase3: Snapshot;
  completeB: number;
  afterComplete: Snapshot;
  sessionsAroundComplete: [number, number];
  ocw4: string;
  duringPase4: Snapshot;
  failSafeDuringPase4: boolean;
  afterPaseClosed: Snapshot;
  listeningAfterPaseClosed: boolean;
  revokeAfterRelisten: string;
  afterFinalRevoke: Snapshot;
  failSafeAfterFinalRevoke: boolean;
  logs: string[];
  /** The step that failed, if one did (the observations before it are still there). */
  error?: string;
};

const VENDOR = 0xfff1;
const enhancedOpenedByFabric1 = (fabrics: number): Snapshot => ({
  windowStatus: 1,
  adminFabricIndex: 1,
  adminVendorId: VENDOR,
  window: "enhanced",
  fabrics,
});
const closed = (fabrics: number): Snapshot => ({
  windowStatus: 0,
  adminFabricIndex: null,
  adminVendorId: null,
  window: null,
  fabrics,
});

let observations: Observations | undefined;
function run(): Observations {
  if (observations !== undefined) return observations;
  observations = runInPrivateNetns<Observations>(resolve(import.meta.dirname, "commissioning-window-netns.ts"), {
    timeoutMs: 180_000,
  });
  return observations;
}

test("the run completes: every step of the script answered", () => {
  assert.equal(run().error, undefined);
});

test("commissioning over the boot window: the basic window closes at CommissioningComplete", () => {
  const o = run();
  assert.deepEqual(o.commissioned.addNoc, { armed: 0, statusCode: 0, fabricIndex: 1 });
  assert.equal(o.commissioned.complete, 0);
  const { windowStatus, adminFabricIndex, adminVendorId, window, fabrics } = o.commissioned;
  assert.deepEqual({ windowStatus, adminFabricIndex, adminVendorId, window, fabrics }, closed(1));
});

test("a window whose PASE session is established stays open: WindowStatus and the admin fields are kept, no second PASE", () => {
  const o = run();
  assert.equal(o.ocw1, "0/-");
  assert.deepEqual(o.open1, enhancedOpenedByFabric1(1));
  assert.deepEqual(o.duringPase1, enhancedOpenedByFabric1(1));
  assert.equal(o.secondPase, "refused");
  // Still open after AddNOC over that PASE session (the pending fabric counts).
  assert.deepEqual(o.addB1, { armed: 0, statusCode: 0, fabricIndex: 2 });
  assert.deepEqual(o.beforeRevoke, enhancedOpenedByFabric1(2));
  assert.ok(o.logs.includes("info: commissioning window stops listening (PASE session established, enhanced)"));
});

test("OpenCommissioningWindow during the commissioning on the open window → FAILURE with Busy (2)", () => {
  const o = run();
  assert.equal(o.ocwDuringPase, "1/2");
});

test("RevokeCommissioning expires the fail-safe held by the window's PASE session: the added fabric is dropped", () => {
  const o = run();
  // Timed invoke required: NEEDS_TIMED_INTERACTION (0xC6) untimed, the window untouched.
  assert.equal(o.revokeUntimed, "198/-");
  assert.equal(o.revoked, "0/-");
  assert.deepEqual(o.afterRevoke, closed(1));
  assert.ok(o.logs.some((l) => /^info: fail-safe held by PASE session \d+ expired \(RevokeCommissioning\)$/.test(l)));
  // No window any more: WindowNotOpen (4).
  assert.equal(o.revokeAgain, "1/4");
  // The fail-safe is disarmed (OpenCommissioningWindow answers Busy while one is armed).
  assert.equal(o.ocwAfterRevoke, "0/-");
});

// Formerly "the attributes clear": the 1.4 SDK no longer cleans the window up when the fail-safe expires; on
// kFailSafeTimerExpired it evicts the PASE session and HandleFailedAttempt listens again while the window's timeout
// has not fired (CommissioningWindowManager::OnPlatformEvent), so WindowStatus and the admin fields stay.
test("fail-safe expiry ends the commissioning, not the window: the PASE session is evicted, the window listens again", () => {
  const o = run();
  assert.equal(o.armed2, 0);
  assert.deepEqual(o.duringPase2, enhancedOpenedByFabric1(1));
  assert.equal(o.listeningDuringPase2, false);
  assert.deepEqual(o.afterExpiry, enhancedOpenedByFabric1(1));
  assert.equal(o.listeningAfterExpiry, true);
  // The CASE session of fabric A stays; the expired commissioning's PASE session is gone.
  assert.deepEqual(o.sessionsAroundExpiry, [2, 1]);
  // Still open: OpenCommissioningWindow → FAILURE with Busy (2).
  assert.equal(o.ocw3, "1/2");
});

test("CommissioningComplete of the second commissioner (PASE on the window listening again) closes it and ends its PASE session", () => {
  const o = run();
  assert.deepEqual(o.addB3, { armed: 0, statusCode: 0, fabricIndex: 2 });
  assert.deepEqual(o.duringPase3, enhancedOpenedByFabric1(2));
  assert.equal(o.completeB, 0);
  assert.deepEqual(o.afterComplete, closed(2));
  // CASE A, CASE B and the PASE session of this commissioning (the revoked one's went with its fabric, the expired
  // one's was evicted); ExpireAllPASESessions leaves the two CASE sessions.
  assert.deepEqual(o.sessionsAroundComplete, [3, 2]);
});

// Formerly "the window closes": the 1.4 SDK arms the fail-safe when the PASE session is established, and
// OnSessionReleased expires it (ExpireFailSafeIfArmed), which makes the window listen again instead of closing.
test("the window's PASE session closed before the commissioner armed the fail-safe: the one armed for it expires, the window listens again", () => {
  const o = run();
  assert.equal(o.ocw4, "0/-");
  assert.deepEqual(o.duringPase4, enhancedOpenedByFabric1(2));
  assert.equal(o.failSafeDuringPase4, true);
  assert.deepEqual(o.afterPaseClosed, enhancedOpenedByFabric1(2));
  assert.equal(o.listeningAfterPaseClosed, true);
  assert.ok(o.logs.some((l) => /^info: PASE session \d+ released: fail-safe expired$/.test(l)));
  // A new PASE session on it, then RevokeCommissioning closes the window and expires that session's fail-safe.
  assert.equal(o.revokeAfterRelisten, "0/-");
  assert.deepEqual(o.afterFinalRevoke, closed(2));
  assert.equal(o.failSafeAfterFinalRevoke, false);
});
