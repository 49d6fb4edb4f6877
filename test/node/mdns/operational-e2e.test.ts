// End to end, on a real DeviceNode with real multicast (in `unshare -n`, see operational-e2e-netns.ts): operational
// DNS-SD (`_matter._tcp`, instance `<CompressedFabricId>-<NodeId>`) follows AddNOC, UpdateNOC, their fail-safe
// reverts and RemoveFabric as they happen over UDP (PASE, then CASE), and the commissionable service `_matterc._udp`
// leaves once PASE is established and comes back when the node has no fabric again (Core 4.3.1 / 4.3.2; the SDK
// restarts its DnssdServer at each of these steps).
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { runInPrivateNetns } from "../../support/netns-child.ts";

type Instances = string[];
type AddNocSteps = {
  armed: number;
  rootAdded: { kind: string; status?: number };
  addNoc: { statusCode: number; fabricIndex: number | null };
};
type Observations = {
  port: number;
  instanceAbandoned: string;
  instance1: string;
  instance2: string;
  instance3: string;
  commissionableInstance: string;
  commissionableInstance2: string;
  before: { commissionable: Instances; operational: Instances; operationalHeard: boolean };
  afterPase: { commissionableGoodbye: boolean; commissionable: Instances };
  abandoned: {
    addNoc: AddNocSteps;
    announced: boolean;
    disarmed: number;
    goodbye: boolean;
    operational: Instances;
    commissionable: Instances;
    fabrics: number;
  };
  afterPase2: { commissionableGoodbye: boolean; commissionable: Instances };
  commissioning: AddNocSteps & { complete1: number };
  afterAddNoc: { operational: Instances; announced: boolean };
  afterComplete: {
    operational: Instances;
    srv: string[];
    commissionable: Instances;
    window: string | null;
  };
  update: { armed2: number; updateNoc: { statusCode: number; fabricIndex: number | null }; complete2: number };
  afterUpdateNoc: { operational: Instances; oldGoodbye: boolean; newAnnounced: boolean };
  afterComplete2: { operational: Instances; srv: string[]; goodbyes: string[] };
  revert: {
    armed3: number;
    updateNoc3: number;
    pendingUpdate: { operational: Instances; goodbye2: boolean };
    disarmed: number;
    afterRevert: { goodbye3: boolean; reannounced2: boolean; operational: Instances; srv: string[] };
  };
  removed: { statusCode: number; fabricIndex: number | null };
  afterRemove: {
    goodbye: boolean;
    operational: Instances;
    commissionable: Instances;
    commissionableRecords: { srv: string[]; txt: string[] } | null;
    goodbyes: string[];
    commissionableAnnounced: boolean;
    fabrics: number;
    window: string | null;
  };
};

const COMMISSIONABLE_INSTANCE = /^[0-9A-F]{16}\._matterc\._udp\.local$/;

test("operational mDNS follows AddNOC, UpdateNOC, fail-safe reverts and RemoveFabric on a running DeviceNode; _matterc leaves at PASE and returns without fabrics", () => {
  const o = runInPrivateNetns<Observations>(resolve(import.meta.dirname, "operational-e2e-netns.ts"), {
    timeoutMs: 240_000,
  });
  const srvPorts = (srv: string[]) => srv.map((s) => Number(s.split(" ")[0]));

  // The instance names the controller expects: 16 upper-case hex digits each for the CFID and the node id.
  assert.match(o.instance1, /^[0-9A-F]{16}-0000000000000001\._matter\._tcp\.local$/);
  for (const [name, nodeId] of [
    [o.instanceAbandoned, "10"],
    [o.instance2, "02"],
    [o.instance3, "03"],
  ] as const) {
    assert.equal(name, o.instance1.replace("-0000000000000001.", `-00000000000000${nodeId}.`));
  }

  // A fresh node: commissionable only; nothing operational was ever announced.
  assert.equal(o.before.commissionable.length, 1, JSON.stringify(o.before));
  assert.match(o.commissionableInstance, COMMISSIONABLE_INSTANCE);
  assert.deepEqual(o.before.operational, []);
  assert.equal(o.before.operationalHeard, false);

  // PASE established: the commissionable service says goodbye (TTL 0) and is no longer answered.
  assert.equal(o.afterPase.commissionableGoodbye, true);
  assert.deepEqual(o.afterPase.commissionable, []);

  // An abandoned commissioning (AddNOC, then ArmFailSafe(0) over PASE): the pending fabric's identity is announced,
  // then withdrawn by the fail-safe cleanup; the window (kept open: kFailSafeTimerExpired → HandleFailedAttempt) listens
  // and advertises again. Known deviation: the SDK keeps the instance name there (only OpenCommissioningWindow calls
  // UpdateCommissionableInstanceName); our advertiser publishes every (re)advertised window under a new name.
  const succeeded: AddNocSteps = {
    armed: 0,
    rootAdded: { kind: "status", status: 0 },
    addNoc: { statusCode: 0, fabricIndex: 1 },
  };
  assert.deepEqual(o.abandoned.addNoc, succeeded);
  assert.equal(o.abandoned.announced, true);
  assert.equal(o.abandoned.disarmed, 0);
  assert.equal(o.abandoned.goodbye, true);
  assert.deepEqual(o.abandoned.operational, []);
  assert.equal(o.abandoned.fabrics, 0);
  assert.deepEqual(o.abandoned.commissionable, [o.commissionableInstance2]);
  assert.match(o.commissionableInstance2, COMMISSIONABLE_INSTANCE);
  assert.notEqual(o.commissionableInstance2, o.commissionableInstance);
  // The second PASE stops the advertisement of the window listening again the same way.
  assert.equal(o.afterPase2.commissionableGoodbye, true);
  assert.deepEqual(o.afterPase2.commissionable, []);

  // The real commissioning succeeded over UDP.
  assert.deepEqual({ ...o.commissioning, complete1: undefined }, { ...succeeded, complete1: undefined });
  assert.equal(o.commissioning.complete1, 0);

  // AddNOC: the (still pending) fabric is announced at once, so the commissioner can find it for CASE.
  assert.deepEqual(o.afterAddNoc.operational, [o.instance1]);
  assert.equal(o.afterAddNoc.announced, true);

  // CommissioningComplete: exactly <CFID>-<node 1>, SRV on the node's UDP port; no commissionable service.
  assert.deepEqual(o.afterComplete.operational, [o.instance1]);
  assert.deepEqual(srvPorts(o.afterComplete.srv), [o.port]);
  assert.deepEqual(o.afterComplete.commissionable, []);
  assert.equal(o.afterComplete.window, null);

  // UpdateNOC to node 2 (over CASE, then CommissioningComplete over a new CASE session with the new NOC).
  assert.equal(o.update.armed2, 0);
  assert.deepEqual(o.update.updateNoc, { statusCode: 0, fabricIndex: 1 });
  assert.equal(o.update.complete2, 0);
  // The old identity got a goodbye and the new one was announced as soon as UpdateNOC succeeded...
  assert.equal(o.afterUpdateNoc.oldGoodbye, true);
  assert.equal(o.afterUpdateNoc.newAnnounced, true);
  assert.deepEqual(o.afterUpdateNoc.operational, [o.instance2]);
  // ...and the commit kept it: only node 2, on the node's port; the only goodbye since UpdateNOC is node 1's.
  assert.deepEqual(o.afterComplete2.operational, [o.instance2]);
  assert.deepEqual(srvPorts(o.afterComplete2.srv), [o.port]);
  assert.deepEqual(o.afterComplete2.goodbyes, [`_matter._tcp.local -> ${o.instance1}`]);

  // UpdateNOC to node 3 reverted by ArmFailSafe(0) (over a CASE session authenticated with the pending NOC): node 3
  // is announced while pending, then withdrawn, and node 2 comes back on the node's port.
  assert.equal(o.revert.armed3, 0);
  assert.equal(o.revert.updateNoc3, 0);
  assert.deepEqual(o.revert.pendingUpdate, { operational: [o.instance3], goodbye2: true });
  assert.equal(o.revert.disarmed, 0);
  assert.equal(o.revert.afterRevert.goodbye3, true);
  assert.equal(o.revert.afterRevert.reannounced2, true);
  assert.deepEqual(o.revert.afterRevert.operational, [o.instance2]);
  assert.deepEqual(srvPorts(o.revert.afterRevert.srv), [o.port]);

  // RemoveFabric of the last fabric: node 2 withdrawn, nothing operational, and commissionable again (basic window).
  assert.deepEqual(o.removed, { statusCode: 0, fabricIndex: 1 });
  assert.equal(o.afterRemove.goodbye, true);
  assert.deepEqual(o.afterRemove.operational, []);
  assert.deepEqual(o.afterRemove.goodbyes, [`_matter._tcp.local -> ${o.instance2}`]);
  assert.equal(o.afterRemove.fabrics, 0);
  assert.equal(o.afterRemove.window, "basic");
  assert.equal(o.afterRemove.commissionableAnnounced, true);
  assert.equal(o.afterRemove.commissionable.length, 1, JSON.stringify(o.afterRemove));
  assert.match(o.afterRemove.commissionable[0]!, COMMISSIONABLE_INSTANCE);
  const reopened = o.afterRemove.commissionableRecords;
  assert.ok(reopened !== null);
  assert.deepEqual(srvPorts(reopened.srv), [o.port]);
  assert.ok(reopened.txt.includes("CM=1"), reopened.txt.join(" "));
  assert.ok(reopened.txt.includes("D=3840"), reopened.txt.join(" "));
});
