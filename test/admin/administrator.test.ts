// The Administrator against our own device over UDP inside a private network namespace: commissioning in the order of
// Core 5.5, then every administration operation, each checked by what the device reports afterwards.
import assert from "node:assert/strict";
import { test } from "node:test";
import { COMMISSIONING_STEPS } from "../support/commissioning-steps.ts";
import { runInPrivateNetns } from "../support/netns-child.ts";

test("the administrator commissions our device and administers its fabrics over CASE", () => {
  const o = runInPrivateNetns("test/admin/administrator-netns.ts", { timeoutMs: 180_000 });
  assert.equal(o.error, undefined, o.error);
  assert.deepEqual(o.commission, {
    nodeId: "1",
    fabricIndex: 1,
    vendorId: 0xfff1,
    steps: [...COMMISSIONING_STEPS],
  });
  assert.deepEqual(o.nodes, ["1"]);
  // UpdateFabricLabel ran with the administrator's label, then `label` changed it.
  assert.deepEqual(o.fabrics1, [{ i: 1, label: "opcreds", ours: true }]);
  assert.deepEqual(o.labelled, ["kitchen"]);
  assert.deepEqual(o.rotated, [
    "CASE",
    "ArmFailSafe",
    "CSRRequest",
    "issue NOC",
    "UpdateNOC",
    "CASE (new NOC)",
    "CommissioningComplete",
  ]);
  assert.deepEqual(o.window, { manual: 11, qr: true });
  // The second administrator commissioned the node from the opened window's manual code (its address by host name).
  assert.deepEqual(o.second, { fabricIndex: 2 });
  assert.deepEqual(o.fabrics2, [
    { i: 1, label: "kitchen", ours: true },
    { i: 2, label: "second", ours: false },
  ]);
  assert.equal(o.vid, 0xfff1);
  assert.equal(o.vidOther, 0xfff1);
  assert.equal(o.onOff, true);
  assert.match(o.removeOwn, /^RemoveFabric: fabric 1 is this administrator's own/);
  assert.equal(o.afterRemove, 1);
  assert.deepEqual(o.alreadyGone, { removed: true, alreadyRemoved: true, left: 0 });
  assert.deepEqual(o.decommission, { removed: true, alreadyRemoved: false });
  assert.equal(o.nodesAfter, 0);
  // Every operation above reached the node at its stored address, without a DNS-SD lookup.
  assert.equal(o.operationalLookups, 0);
  // The device stopped: decommission fails naming CASE and keeps the node; forget drops it.
  assert.equal(o.unreachable.code, "admin.unreachable");
  assert.match(o.unreachable.message, /^CASE: node \d+ did not answer at 127\.0\.0\.1 port \d+/);
  assert.equal(o.unreachable.kept, 1);
  assert.deepEqual(o.forgotten, { removed: false, alreadyRemoved: false, left: 0 });
  // A stored address that does not answer falls back to DNS-SD, once per attempt.
  assert.equal(o.operationalLookupsAfterGone, 2);
});
