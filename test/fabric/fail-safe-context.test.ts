import assert from "node:assert/strict";
import { test } from "node:test";
import { fabricIndex } from "../../src/fabric/fabric-index.ts";
import { FailSafeContext } from "../../src/fabric/fail-safe-context.ts";

test("arming over PASE (fabric 0): armed for 0 only; another fabric is BusyWithOtherAdmin", () => {
  const fs = new FailSafeContext();
  assert.deepEqual(fs.arm(1000, 60, 0), { result: "armed", deadlineMs: 61_000 });
  assert.equal(fs.isArmedFor(0), true);
  assert.equal(fs.isArmedFor(1), false);
  assert.deepEqual(fs.arm(2000, 60, 1), { result: "busy-with-other-admin" });
  // Disarm from another fabric is also refused.
  assert.deepEqual(fs.arm(2000, 0, 1), { result: "busy-with-other-admin" });
  assert.equal(fs.armed, true);
});

test("re-arming extends the timer and keeps the flags; the maximum cumulative time caps the deadline", () => {
  const fs = new FailSafeContext();
  fs.arm(0, 60, 0);
  fs.recordAddTrustedRoot();
  assert.deepEqual(fs.arm(50_000, 60, 0), { result: "armed", deadlineMs: 110_000 });
  assert.equal(fs.addTrustedRootInvoked, true);
  assert.deepEqual(fs.arm(850_000, 600, 0), { result: "armed", deadlineMs: 900_000 });
  assert.equal(fs.poll(899_999), undefined);
  assert.ok(fs.poll(900_000) !== undefined);
  assert.equal(fs.armed, false);
});

test("after AddNOC the fail-safe belongs to the new fabric", () => {
  const fs = new FailSafeContext();
  fs.arm(0, 60, 0);
  fs.recordAddNoc(fabricIndex(3));
  assert.equal(fs.isArmedFor(0), false);
  assert.equal(fs.isArmedFor(3), true);
  assert.equal(fs.nocInvoked, true);
  assert.deepEqual(fs.commissioningComplete({ isCase: false, fabricIndex: 3 }), { result: "invalid-authentication" });
  assert.deepEqual(fs.commissioningComplete({ isCase: true, fabricIndex: 1 }), { result: "invalid-authentication" });
  assert.deepEqual(fs.commissioningComplete({ isCase: true, fabricIndex: 3 }), {
    result: "ok",
    addNocInvoked: true,
    updateNocInvoked: false,
  });
  assert.equal(fs.armed, false);
  assert.deepEqual(fs.commissioningComplete({ isCase: true, fabricIndex: 3 }), { result: "no-fail-safe" });
});

test("expiry after AddNOC + SetVIDVerificationStatement: the ordered cleanup of §2", () => {
  const fs = new FailSafeContext();
  fs.arm(0, 60, 0);
  fs.recordCsrRequest(false);
  fs.recordAddTrustedRoot();
  fs.recordAddNoc(fabricIndex(2));
  fs.recordSetVidVerificationStatement();
  assert.deepEqual(fs.arm(1000, 0, 2).result, "disarmed");
  assert.equal(fs.busy, true);
  assert.deepEqual(fs.arm(1000, 60, 0), { result: "busy-with-other-admin" });
  fs.cleanupDone();
  assert.equal(fs.arm(1000, 60, 0).result, "armed");
  assert.equal(fs.addNocInvoked, false, "flags reset by expiry");
});

test("expiry steps: AddNOC path and UpdateNOC path", () => {
  const add = new FailSafeContext();
  add.arm(0, 60, 0);
  add.recordAddNoc(fabricIndex(2));
  add.recordSetVidVerificationStatement();
  assert.deepEqual(add.poll(60_000), [
    { step: "report-fabrics" },
    { step: "expire-sessions", fabricIndex: 2 },
    { step: "revert-pending-fabric-data" },
    { step: "delete-fabric", fabricIndex: 2 },
    { step: "reset-breadcrumb" },
  ]);
  const upd = new FailSafeContext();
  upd.arm(0, 60, 1);
  upd.recordCsrRequest(true);
  assert.equal(upd.csrRequestForUpdateNoc, true);
  upd.recordUpdateNoc();
  const r = upd.arm(5, 0, 1);
  assert.equal(r.result, "disarmed");
  assert.deepEqual(r.result === "disarmed" ? r.cleanup : [], [
    { step: "expire-sessions", fabricIndex: 1 },
    { step: "revert-pending-fabric-data" },
    { step: "restart-dnssd" },
    { step: "reset-breadcrumb" },
  ]);
});

test("disarming an unarmed fail-safe is a no-op; expiry only reverts when nothing was invoked", () => {
  const fs = new FailSafeContext();
  assert.deepEqual(fs.arm(0, 0, 0), { result: "disarmed", cleanup: [] });
  assert.equal(fs.busy, false);
  fs.arm(0, 1, 5);
  assert.deepEqual(fs.expire(), [{ step: "revert-pending-fabric-data" }, { step: "reset-breadcrumb" }]);
  assert.throws(() => fs.arm(0, -1, 0), RangeError);
  assert.throws(() => fs.arm(0, 0x10000, 0), RangeError);
});

test("endedBy tells how the last armed period ended (the window reacts to an expiry only); undefined while armed", () => {
  const fs = new FailSafeContext();
  assert.equal(fs.endedBy, undefined);
  fs.arm(0, 60, 0);
  assert.equal(fs.endedBy, undefined);
  fs.poll(60_000);
  fs.cleanupDone();
  assert.equal(fs.endedBy, "expiry");
  fs.arm(0, 60, 0);
  assert.equal(fs.endedBy, undefined);
  fs.recordAddNoc(fabricIndex(1));
  assert.equal(fs.commissioningComplete({ isCase: true, fabricIndex: 1 }).result, "ok");
  assert.equal(fs.endedBy, "commissioning-complete");
  // ArmFailSafe(0) is an expiry too.
  fs.arm(0, 60, 0);
  assert.equal(fs.arm(1, 0, 0).result, "disarmed");
  assert.equal(fs.endedBy, "expiry");
});

test("a commit under way holds off expiry and re-arming; every disarm changes the generation a handler's token compares", () => {
  const fs = new FailSafeContext();
  assert.throws(() => fs.beginCommit(), /no armed fail-safe/);
  const g0 = fs.generation;
  fs.arm(0, 60, 0);
  assert.equal(fs.generation, g0, "arming keeps the generation");
  fs.beginCommit();
  assert.equal(fs.poll(120_000), undefined, "no expiry while committing");
  assert.deepEqual(fs.arm(1, 60, 0), { result: "busy-with-other-admin" });
  assert.throws(() => fs.recordAddNoc(fabricIndex(1)), /without an armed fail-safe/);
  fs.endCommit();
  assert.ok(fs.poll(120_000) !== undefined, "a failed commit leaves the deadline in force");
  fs.cleanupDone();
  assert.equal(fs.generation, g0 + 1);
  fs.arm(200_000, 60, 0);
  fs.beginCommit();
  assert.equal(fs.commissioningComplete({ isCase: true, fabricIndex: 0 }).result, "ok");
  assert.equal(fs.committing, false);
  assert.equal(fs.generation, g0 + 2);
});
