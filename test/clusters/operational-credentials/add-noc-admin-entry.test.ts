// AddNOC's Administer entry is created through the Access Control cluster (conformance §1.4 step 16; TC-ACL-2.6):
// AccessControlEntryChanged is logged (Added, the new entry, AdminPasscodeID 0 over PASE or AdminNodeID over CASE) and
// the ACL attribute is reported.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AccessControlCluster,
  AccessControlEntryChangedEvent,
  ChangeType,
} from "../../../src/clusters/access-control/access-control.ts";
import { AUTH_MODE, Privilege } from "../../../src/fabric/access-control.ts";
import { TestCommissioner, TestNode } from "../../support/test-commissioner.ts";

function aclEvents(node: TestNode) {
  return node.events
    .events({ cluster: 0x001f, event: AccessControlCluster.events.AccessControlEntryChanged })
    .map((r) => ({ fabricIndex: r.fabricIndex, ...AccessControlEntryChangedEvent.decodeNode(r.data, "event") }));
}

test("AddNOC over PASE logs AccessControlEntryChanged (Added, AdminPasscodeID 0) and reports the ACL attribute", async () => {
  const node = await TestNode.create();
  const reported: number[] = [];
  node.accessControl.cluster.changes?.subscribe((a) => reported.push(a));
  const th = new TestCommissioner(node, { fabricId: 0x80n, nodeId: 0x180n });
  await th.commission();
  const events = aclEvents(node);
  assert.equal(events.length, 1);
  const e = events[0]!;
  assert.equal(e.changeType, ChangeType.Added);
  assert.equal(e.adminNodeId, null);
  assert.equal(e.adminPasscodeId, 0);
  assert.equal(e.fabricIndex, th.fabricIndex);
  assert.deepEqual(e.latestValue, {
    privilege: Privilege.Administer,
    authMode: AUTH_MODE.case,
    subjects: [th.nodeId],
    targets: null,
    fabricIndex: th.fabricIndex,
  });
  assert.ok(reported.includes(AccessControlCluster.attributes.ACL));
});

test("AddNOC over CASE (a second fabric) logs the entry with AdminNodeID, the invoking CASE subject", async () => {
  const node = await TestNode.create();
  const th1 = new TestCommissioner(node, { fabricId: 0x81n, nodeId: 0x181n });
  const th1Case = await th1.commission();
  const th2 = new TestCommissioner(node, { fabricId: 0x82n, nodeId: 0x182n });
  await th2.commission(th1Case);
  const events = aclEvents(node);
  assert.equal(events.length, 2);
  const second = events[1]!;
  assert.equal(second.adminNodeId, th1.nodeId);
  assert.equal(second.adminPasscodeId, null);
  assert.equal(second.changeType, ChangeType.Added);
  assert.notEqual(second.fabricIndex, th1.fabricIndex);
});
