// End to end, on a real DeviceNode with real multicast (in `unshare -n`, see operational-e2e-netns.ts): operational
// DNS-SD (`_matter._tcp`, instance `<CompressedFabricId>-<NodeId>`) follows AddNOC, UpdateNOC and RemoveFabric as
// they happen over UDP (PASE, then CASE), and the commissionable service `_matterc._udp` leaves once PASE is
// established and comes back after the last fabric is removed (Core 4.3.1 / 4.3.2; SDK DnssdServer restarts).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { test } from "node:test";

type Instances = string[];
type Observations = {
  port: number;
  instance1: string;
  instance2: string;
  commissionableInstance: string;
  before: { commissionable: Instances; operational: Instances; operationalHeard: boolean };
  afterPase: { commissionableGoodbye: boolean; commissionable: Instances };
  commissioning: {
    armed: number;
    rootAdded: { kind: string; status?: number };
    addNoc: { statusCode: number; fabricIndex: number | null };
    complete1: number;
  };
  afterAddNoc: { operational: Instances; announced: boolean };
  afterComplete: {
    operational: Instances;
    srv: string[];
    commissionableGoodbye: boolean;
    commissionable: Instances;
    window: string | null;
  };
  update: { armed2: number; updateNoc: { statusCode: number; fabricIndex: number | null }; complete2: number };
  afterUpdateNoc: { operational: Instances; oldGoodbye: boolean; newAnnounced: boolean };
  afterComplete2: { operational: Instances; srv: string[]; goodbyes: string[] };
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

test("operational mDNS follows AddNOC, UpdateNOC and RemoveFabric on a running DeviceNode; _matterc returns after the last fabric", () => {
  assert.equal(process.getuid?.(), 0, "this test needs root to create a private network namespace (`unshare -n`)");
  const child = spawnSync(
    "unshare",
    ["-n", process.execPath, "--import", "tsx", resolve(import.meta.dirname, "operational-e2e-netns.ts")],
    { encoding: "utf8", timeout: 240_000, cwd: resolve(import.meta.dirname, "..", "..", "..") },
  );
  assert.equal(child.status, 0, `namespace script failed:\n${child.stderr}`);
  const o = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as Observations;
  const srvPorts = (srv: string[]) => srv.map((s) => Number(s.split(" ")[0]));

  // The instance names the controller expects: 16 upper-case hex digits each for the CFID and the node id.
  assert.match(o.instance1, /^[0-9A-F]{16}-0000000000000001\._matter\._tcp\.local$/);
  assert.equal(o.instance2, o.instance1.replace("-0000000000000001.", "-0000000000000002."));

  // A fresh node: commissionable only; nothing operational was ever announced.
  assert.equal(o.before.commissionable.length, 1, JSON.stringify(o.before));
  assert.match(o.commissionableInstance, COMMISSIONABLE_INSTANCE);
  assert.deepEqual(o.before.operational, []);
  assert.equal(o.before.operationalHeard, false);

  // PASE established: the commissionable service says goodbye (TTL 0) and is no longer answered.
  assert.equal(o.afterPase.commissionableGoodbye, true);
  assert.deepEqual(o.afterPase.commissionable, []);

  // The commissioning itself succeeded over UDP.
  assert.equal(o.commissioning.armed, 0);
  assert.deepEqual(o.commissioning.rootAdded, { kind: "status", status: 0 });
  assert.deepEqual(o.commissioning.addNoc, { statusCode: 0, fabricIndex: 1 });
  assert.equal(o.commissioning.complete1, 0);

  // AddNOC: the (still pending) fabric is announced at once, so the commissioner can find it for CASE.
  assert.deepEqual(o.afterAddNoc.operational, [o.instance1]);
  assert.equal(o.afterAddNoc.announced, true);

  // CommissioningComplete: exactly <CFID>-<node 1>, SRV on the node's UDP port; no commissionable service.
  assert.deepEqual(o.afterComplete.operational, [o.instance1]);
  assert.deepEqual(srvPorts(o.afterComplete.srv), [o.port]);
  assert.equal(o.afterComplete.commissionableGoodbye, true);
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
