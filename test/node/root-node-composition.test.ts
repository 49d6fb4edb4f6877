// The root-node composition production and tests share: every fabric lifecycle event (committed, updated, reverted,
// removed) reaches every per-fabric store it builds (ACL, group keys, CASE resumption, the Access Control cluster's
// report, the node's parts), and a removal is one storage transaction with the stores' deletions.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AccessControlCluster } from "../../src/clusters/access-control/access-control.ts";
import { NodeOperationalCertStatus as S } from "../../src/clusters/operational-credentials/node-operational-cert-status.ts";
import { fabricIndex } from "../../src/fabric/fabric-index.ts";
import { GroupKeyStore } from "../../src/fabric/group-keys.ts";
import type { ResumptionRecord } from "../../src/sc/case/resumption-record.ts";
import { ANONYMOUS, ctx } from "../../src/tlv/tlv-node.ts";
import { SlowStorage } from "../fabric/slow-storage.ts";
import { nocResponseOf, TestCommissioner, TestNode } from "../support/test-commissioner.ts";

const removeFabric = (node: TestNode, session: number, index: number) =>
  node.invoke(session, 0x0a, {
    tag: ANONYMOUS,
    type: "struct",
    elements: [{ tag: ctx(0), type: "uint", value: BigInt(index) }],
  });

const updateLabel = (node: TestNode, session: number, label: string) =>
  node.invoke(session, 0x09, {
    tag: ANONYMOUS,
    type: "struct",
    elements: [{ tag: ctx(0), type: "utf8", value: label }],
  });

function resumptionOf(node: TestNode, index: number, peerNodeId: bigint): ResumptionRecord {
  return {
    resumptionId: node.crypto.randomBytes(16),
    sharedSecret: node.crypto.randomBytes(32),
    peerNodeId,
    fabricIndex: fabricIndex(index),
    cats: [],
  };
}

const stored = async (storage: SlowStorage, prefix: string) => (await storage.inner.keys(prefix)).length;

test("each fabric lifecycle event reaches each store of the composition: committed, updated, reverted and removed", async () => {
  const storage = new SlowStorage();
  const node = await TestNode.create({ storage });
  const aclReports: number[] = [];
  node.accessControl.cluster.changes?.subscribe((id) => {
    if (id === AccessControlCluster.attributes.ACL) aclReports.push(node.acl.entries().length);
  });

  // committed: the staged ACL entry and IPK become the fabric's committed data, in storage.
  const th1 = new TestCommissioner(node, { fabricId: 0xa1n, nodeId: 0x1111n });
  const case1 = await th1.commission();
  assert.deepEqual(node.lifecycle, [{ kind: "committed", fabricIndex: 1, noc: "add" }]);
  assert.equal(node.acl.pendingFabric, undefined);
  assert.equal(node.groupKeys.pendingFabric, undefined);
  assert.equal(await stored(storage, "acl/001"), 1);
  assert.equal(await stored(storage, "groupkeys/001"), 1);

  // updated: a committed fabric's label.
  assert.equal(nocResponseOf(await updateLabel(node, case1, "kitchen")).statusCode, S.OK);
  assert.deepEqual(node.lifecycle.at(-1), { kind: "updated", fabricIndex: 1 });

  // reverted: a second fabric's AddNOC, a CASE session on it that stored a resumption record, then expiry.
  const th2 = new TestCommissioner(node, { fabricId: 0xa2n, nodeId: 0x2222n });
  const pase = node.openPase();
  await node.armFailSafe(pase, 60);
  const { csr } = await th2.csrRequest(pase);
  await th2.addTrustedRoot(pase);
  const added = nocResponseOf(await th2.addNoc(pase, th2.issue(csr!)));
  assert.deepEqual(added, { statusCode: S.OK, fabricIndex: 2 });
  const pendingRecord = resumptionOf(node, 2, 0x2222n);
  await node.resumption.save(pendingRecord);
  assert.equal(node.acl.entries(fabricIndex(2)).length, 1);
  const reportsBeforeRevert = aclReports.length;
  await node.advance(10_000_000);
  assert.deepEqual(node.lifecycle.at(-1), { kind: "reverted", fabricIndex: 2, pending: "add" });
  assert.deepEqual(node.acl.entries(fabricIndex(2)), [], "ACL: the staged entry is gone");
  assert.equal(node.groupKeys.ipkEpochKey(fabricIndex(2)), undefined, "group keys: the staged IPK is gone");
  await new Promise((r) => setImmediate(r));
  for (let i = 0; i < 10 && node.resumption.findById(pendingRecord.resumptionId) !== undefined; i++)
    await new Promise((r) => setImmediate(r));
  assert.equal(node.resumption.findById(pendingRecord.resumptionId), undefined, "resumption: the record is gone");
  assert.ok(aclReports.length > reportsBeforeRevert, "Access Control: the ACL attribute is reported");
  assert.deepEqual(node.fabricRemovals, [2], "the node's parts hear the fabric is gone");

  // removed: every store's data of fabric 1 goes, in memory and in storage.
  await node.resumption.save(resumptionOf(node, 1, 0x1111n));
  assert.equal(node.resumption.fabricIndices().includes(fabricIndex(1)), true);
  const reportsBeforeRemoval = aclReports.length;
  assert.deepEqual(nocResponseOf(await removeFabric(node, case1, 1)), { statusCode: S.OK, fabricIndex: 1 });
  assert.deepEqual(node.lifecycle.at(-1), { kind: "removed", fabricIndex: 1 });
  assert.deepEqual(node.acl.entries(), []);
  assert.deepEqual(node.groupKeys.keySets(fabricIndex(1)), []);
  assert.deepEqual(node.resumption.fabricIndices(), []);
  assert.equal(await stored(storage, "acl/"), 0);
  assert.equal(await stored(storage, "groupkeys/"), 0);
  assert.equal(await stored(storage, "case/resumption/"), 0);
  assert.equal(aclReports.at(-1), 0);
  assert.ok(aclReports.length > reportsBeforeRemoval);
  assert.deepEqual(node.fabricRemovals, [2, 1]);
  assert.deepEqual(node.errors, []);
});

test("a fabric's removal is one storage transaction with every store's deletions: when it fails, the fabric, its ACL entry, IPK and resumption records all stay", async () => {
  const storage = new SlowStorage();
  const node = await TestNode.create({ storage });
  const th = new TestCommissioner(node, { fabricId: 0xb1n, nodeId: 0x3333n });
  const caseSession = await th.commission();
  await node.resumption.save(resumptionOf(node, 1, 0x3333n));
  const before = await storage.snapshot();

  storage.failTransactions = true;
  const out = await removeFabric(node, caseSession, 1);
  assert.ok(out.kind === "status" ? out.status !== 0 : nocResponseOf(out).statusCode !== S.OK, "the removal failed");
  assert.equal(await storage.snapshot(), before);
  assert.deepEqual(node.fabrics.committedIndices(), [1]);
  assert.equal(node.acl.entries(fabricIndex(1)).length, 1);
  assert.deepEqual(node.groupKeys.ipkEpochKey(fabricIndex(1)), th.ipk);
  assert.deepEqual(node.resumption.fabricIndices(), [1]);
  assert.deepEqual(node.fabricRemovals, []);

  storage.failTransactions = false;
  assert.equal(nocResponseOf(await removeFabric(node, caseSession, 1)).statusCode, S.OK);
  const reopened = await TestNode.create({ storage });
  assert.deepEqual(reopened.fabrics.fabrics(), []);
  assert.deepEqual(reopened.acl.entries(), []);
  assert.deepEqual(reopened.resumption.fabricIndices(), []);
});

test("the one-time repair drops data of fabrics the table does not hold from every store, once, and records that it ran", async () => {
  const storage = new SlowStorage();
  const first = await TestNode.create({ storage });
  const th = new TestCommissioner(first, { fabricId: 0xc1n, nodeId: 0x4444n });
  await th.commission();
  // A data directory written before the commissioning transaction: ACL, IPK and a resumption record of an uncommitted
  // fabric 2, and no repair mark.
  await storage.inner.set("acl/002", [{ privilege: 5, authMode: 2, subjects: ["5555"], targets: null }]);
  // (Written around the composition's stores, which refuse writes for a fabric neither committed nor pending.)
  await (await GroupKeyStore.open(storage.inner)).setIpk(fabricIndex(2), new Uint8Array(16).fill(7));
  await first.resumption.save(resumptionOf(first, 2, 0x5555n));
  await storage.inner.delete("node/repair/uncommitted-fabric-data");

  const repaired = await TestNode.create({ storage });
  assert.deepEqual(
    repaired.acl.entries().map((e) => e.fabricIndex),
    [1],
  );
  assert.equal(repaired.groupKeys.ipkEpochKey(fabricIndex(2)), undefined);
  assert.deepEqual(repaired.resumption.fabricIndices(), []);
  assert.deepEqual(repaired.groupKeys.ipkEpochKey(fabricIndex(1)), th.ipk, "the committed fabric's data stays");
  assert.deepEqual(await storage.inner.get("node/repair/uncommitted-fabric-data"), { done: true });

  // Once done, start-up does not look again (no start-up prunes).
  const writes = storage.writes;
  await TestNode.create({ storage });
  assert.equal(storage.writes, writes);
});
