// A commissioning abandoned after AddNOC and CASE on the pending fabric, on a running DeviceNode over UDP (in
// `unshare -n`, see fabric-revert-netns.ts): the fail-safe expiry removes the pending fabric like RemoveFabric does,
// CASE resumption records included, so the old commissioner's resumption id opens no session, not even on a later
// fabric at the same index; start-up prunes resumption records of fabric indices the table does not hold (Core
// 4.14.2.2, 11.10.7.2.2 fail-safe cleanup; the SDK's FabricTable delegates fire for both).
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { runInPrivateNetns } from "../support/netns-child.ts";

type AddNoc = { armed: number; addNoc: { statusCode: number; fabricIndex: number | null } };
type Observations = {
  error?: string;
  logs: string[];
  addNocA: AddNoc;
  caseA1: string;
  caseA2: string;
  beforeExpiry: { fabrics: number; nodeFabricIndices: number[]; nodeHasRecordOfA: boolean; controllerRecord: string };
  rearmed: number;
  afterExpiry: { fabrics: number; window: string | null; nodeFabricIndices: number[]; nodeHasRecordOfA: boolean };
  controllerStillHolds: boolean;
  resumeAfterExpiry: string;
  addNocB: AddNoc;
  caseB: string;
  completeB: number;
  commissionedFabrics: number;
  controllerStillHoldsAtB: boolean;
  resumeIntoB: string;
  resumeB: string;
  withB: { nodeFabricIndices: number[]; nodeHasRecordOfA: boolean; recordOfAdminA: boolean; recordOfAdminB: boolean };
  plantedBeforeRestart: number[];
  repairMarkBeforePlant: boolean;
  repairMarkAfterRestart: boolean;
  afterRestart: { fabrics: number[]; nodeFabricIndices: number[]; hasPlanted: boolean; recordOfAdminB: boolean };
  resumeBAfterRestart: string;
};

/** What a CASE attempt answered by the node's "destinationId matches no fabric" looks like (NO_SHARED_TRUST_ROOTS). */
const NO_SHARED_TRUST_ROOTS = /^failed: .*\(StatusReport Failure\/NoSharedTrustRoots\)$/;

test("fail-safe expiry after AddNOC and CASE drops the pending fabric's resumption records: the old resumption id opens no session, not even on the next fabric 1; start-up prunes records of fabric indices the table does not hold", () => {
  const o = runInPrivateNetns<Observations>(resolve(import.meta.dirname, "fabric-revert-netns.ts"));
  const context = JSON.stringify({ ...o, logs: undefined });
  assert.equal(o.error, undefined, `${o.error}\n${o.logs.join("\n")}`);
  assert.deepEqual(
    o.logs.filter((l) => l.startsWith("error")),
    [],
  );

  // The setup: A's AddNOC took pending fabric index 1, CASE ran on it in full and then resumed, and the node stored
  // the record A now holds.
  assert.deepEqual(o.addNocA, { armed: 0, addNoc: { statusCode: 0, fabricIndex: 1 } });
  assert.equal(o.caseA1, "full");
  assert.equal(o.caseA2, "resumed");
  assert.deepEqual(
    { ...o.beforeExpiry, controllerRecord: undefined },
    { fabrics: 1, nodeFabricIndices: [1], nodeHasRecordOfA: true, controllerRecord: undefined },
  );
  assert.match(o.beforeExpiry.controllerRecord, /^[0-9a-f]{32}$/);

  // (a) ArmFailSafe(1) over PASE, then expiry: no fabric, the basic window (kept open, the SDK's HandleFailedAttempt)
  // listens again, and no resumption record left.
  assert.equal(o.rearmed, 0);
  assert.deepEqual(o.afterExpiry, { fabrics: 0, window: "basic", nodeFabricIndices: [], nodeHasRecordOfA: false });
  assert.ok(o.logs.includes("info: fabric 1 removed"), "the fail-safe cleanup runs the node's fabric removal hook");

  // (b) A still asks to resume with its old id (Sigma1 carries it): the node neither resumes nor completes a full CASE.
  assert.equal(o.controllerStillHolds, true);
  assert.match(o.resumeAfterExpiry, NO_SHARED_TRUST_ROOTS, context);

  // (c) B commissions the node and gets fabric index 1 again; A's old resumption id (still held, unchanged) gives it
  // no session on B's fabric, while B's own resumption on that fabric works.
  assert.deepEqual(o.addNocB, { armed: 0, addNoc: { statusCode: 0, fabricIndex: 1 } });
  assert.equal(o.caseB, "full");
  assert.equal(o.completeB, 0);
  assert.equal(o.commissionedFabrics, 1);
  assert.equal(o.controllerStillHoldsAtB, true);
  assert.match(o.resumeIntoB, NO_SHARED_TRUST_ROOTS, context);
  assert.equal(o.resumeB, "resumed");
  assert.deepEqual(o.withB, {
    nodeFabricIndices: [1],
    nodeHasRecordOfA: false,
    recordOfAdminA: false,
    recordOfAdminB: true,
  });

  // (d) The first start recorded its one-time repair. A record planted for fabric index 2 (not in the table) in a data
  // directory without that mark (one written before the commissioning transaction) is gone after start-up, by the
  // repair, which is recorded again; fabric 1's record survives the restart and still resumes.
  assert.equal(o.repairMarkBeforePlant, true);
  assert.deepEqual(o.plantedBeforeRestart, [1, 2]);
  assert.deepEqual(o.afterRestart, { fabrics: [1], nodeFabricIndices: [1], hasPlanted: false, recordOfAdminB: true });
  assert.ok(o.logs.includes("info: repaired: dropped uncommitted data of fabric(s) 2"), context);
  assert.equal(o.repairMarkAfterRestart, true);
  assert.equal(o.resumeBAfterRestart, "resumed");
});
