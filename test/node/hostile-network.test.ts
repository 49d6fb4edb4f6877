// Issue 11 items 1 and 2 against the real device over UDP, in a private network namespace (hostile-network-netns.ts):
// strangers flooding PBKDFParamRequests during a commissioner's PASE get Busy and the PASE completes; fabric A opening
// 40 CASE sessions on a 17-session node does not evict fabric B's session nor the subscription living on it; 1,500
// wildcard subscriptions on one session are capped by the pool (5 fabrics * 3) and the heap stays bounded.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { runInPrivateNetns } from "../support/netns-child.ts";

type Observations = {
  error?: string;
  log?: string[];
  commissionerPase: string;
  strangerOutcomes: Record<string, number>;
  windowListeningAfterPase: boolean;
  addA: { statusCode: number; fabricIndex: number | null };
  addB: { statusCode: number; fabricIndex: number | null };
  completeA: number;
  completeB: number;
  subscriptionsOfBBefore: number;
  subscriptionsOfBAfter: number;
  sessionsBefore: number;
  sessionsAfter: number;
  openedByA: number;
  readOverB: boolean;
  wildcardAccepted: number;
  wildcardRefusals: Record<string, number>;
  heapGrowthBytes: number;
  subscriptionsTotal: number;
  maxSubscriptions: number;
  subscriptionsOfBAfterFlood: number;
};

let observations: Observations | undefined;
function run(): Observations {
  observations ??= runInPrivateNetns<Observations>(resolve(import.meta.dirname, "hostile-network-netns.ts"), {
    timeoutMs: 240_000,
  });
  return observations;
}

test("the run completes: every step of the script answered", () => {
  const o = run();
  assert.equal(o.error, undefined, `${o.error}\n${(o.log ?? []).join("\n")}`);
});

test("100 strangers' PBKDFParamRequests during a commissioner's PASE get Busy; the commissioner's PASE completes", () => {
  const o = run();
  assert.equal(o.commissionerPase, "established");
  // Every stranger was answered with the Busy StatusReport (the initiator reports it as the peer's status).
  assert.deepEqual(o.strangerOutcomes, { "pase.busy": 100 });
  assert.equal(o.windowListeningAfterPase, false);
});

test("fabric A opening 40 CASE sessions does not evict fabric B's session nor its subscription", () => {
  const o = run();
  assert.deepEqual([o.addA.statusCode, o.addB.statusCode, o.completeA, o.completeB], [0, 0, 0, 0]);
  assert.equal(o.openedByA, 40);
  // SupportedFabrics 5: the table holds 5 * 3 + 2 sessions, so fabric A's flood did evict (its own).
  assert.equal(o.sessionsAfter, 17);
  assert.equal(o.subscriptionsOfBBefore, 1);
  assert.equal(o.subscriptionsOfBAfter, 1);
  assert.equal(o.readOverB, true);
});

test("1,500 wildcard subscriptions on one session: the pool holds, the rest get RESOURCE_EXHAUSTED, the heap stays bounded", () => {
  const o = run();
  assert.equal(o.maxSubscriptions, 15);
  // Fabric B's subscription keeps its slot: fabric A gets the other 14.
  assert.equal(o.wildcardAccepted, 14);
  assert.deepEqual(o.wildcardRefusals, { "137": 1486 }); // 0x89 RESOURCE_EXHAUSTED
  assert.equal(o.subscriptionsTotal, 15);
  assert.equal(o.subscriptionsOfBAfterFlood, 1);
  // Measured after a forced GC: about 0.3 MB bounded; the same 1,500 accepted cost about 4.7 MB.
  assert.ok(o.heapGrowthBytes < 2_000_000, `heap grew ${o.heapGrowthBytes} bytes`);
});
