// The commissioning window through a running DeviceNode (in `unshare -n`, see commissioning-window-netns.ts), as the
// SDK's CommissioningWindowManager and AdministratorCommissioningLogic behave: a window whose PASE session is
// established stays open (WindowStatus, AdminFabricIndex, AdminVendorId kept; no second PASE; OpenCommissioningWindow
// → Busy) until CommissioningComplete, RevokeCommissioning or fail-safe expiry; RevokeCommissioning expires the
// fail-safe held by that PASE session at once (the fabric it added is dropped).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { test } from "node:test";

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
  afterExpiry: Snapshot;
  ocw3: string;
  addB3: AddNoc;
  duringPase3: Snapshot;
  completeB: number;
  afterComplete: Snapshot;
  sessionsAroundComplete: [number, number];
  ocw4: string;
  duringPase4: Snapshot;
  afterPaseClosed: Snapshot;
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
  assert.equal(process.getuid?.(), 0, "this test needs root to create a private network namespace (`unshare -n`)");
  const child = spawnSync(
    "unshare",
    ["-n", process.execPath, "--import", "tsx", resolve(import.meta.dirname, "commissioning-window-netns.ts")],
    { encoding: "utf8", timeout: 180_000, cwd: resolve(import.meta.dirname, "..", "..") },
  );
  assert.equal(child.status, 0, `namespace script failed:\n${child.stderr}`);
  observations = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as Observations;
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

test("fail-safe expiry ends the commissioning on the window: the attributes clear", () => {
  const o = run();
  assert.equal(o.armed2, 0);
  assert.deepEqual(o.duringPase2, enhancedOpenedByFabric1(1));
  assert.deepEqual(o.afterExpiry, closed(1));
});

test("CommissioningComplete of the second commissioner closes the window and ends its PASE session", () => {
  const o = run();
  assert.equal(o.ocw3, "0/-");
  assert.deepEqual(o.addB3, { armed: 0, statusCode: 0, fabricIndex: 2 });
  assert.deepEqual(o.duringPase3, enhancedOpenedByFabric1(2));
  assert.equal(o.completeB, 0);
  assert.deepEqual(o.afterComplete, closed(2));
  const [before, after] = o.sessionsAroundComplete;
  assert.ok(before >= 3, `expected PASE sessions besides the two CASE sessions, got ${before} sessions`);
  assert.equal(after, 2);
});

test("the window's PASE session closed before any fail-safe was armed: the window closes", () => {
  const o = run();
  assert.equal(o.ocw4, "0/-");
  assert.deepEqual(o.duringPase4, enhancedOpenedByFabric1(2));
  assert.deepEqual(o.afterPaseClosed, closed(2));
  assert.ok(o.logs.includes("info: commissioning window closed (PASE session ended)"));
});
