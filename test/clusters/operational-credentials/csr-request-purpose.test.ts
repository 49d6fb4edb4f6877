// CSRRequest and the fabric index the fail-safe's pending state is bound to, as the SDK's AllocatePendingOperationalKey
// and SetPendingDataFabricIndex decide (conformance §1.3 step 5): an add CSR after AddTrustedRootCertificate gets the
// root's index; a second CSR of the other purpose in one fail-safe is FAILURE and leaves its purpose recorded.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CommissioningError } from "../../../src/clusters/general-commissioning/general-commissioning.ts";
import { NodeOperationalCertStatus as S } from "../../../src/clusters/operational-credentials/node-operational-cert-status.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { nocResponseOf, statusOf, TestCommissioner, TestNode } from "../../support/test-commissioner.ts";

test("CSRRequest after AddTrustedRootCertificate: the add key is for the root's index and AddNOC installs with it", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node, { fabricId: 0x50n, nodeId: 0x150n });
  const pase = node.openPase();
  assert.equal(await node.armFailSafe(pase, 60), CommissioningError.OK);
  assert.equal(statusOf(await th.addTrustedRoot(pase)), ImStatus.SUCCESS);
  const { csr } = await th.csrRequest(pase);
  assert.ok(csr !== undefined);
  const added = nocResponseOf(await th.addNoc(pase, th.issue(csr)));
  assert.deepEqual(added, { statusCode: S.OK, fabricIndex: 1 });
});

test("an update CSRRequest after AddTrustedRootCertificate is FAILURE", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node, { fabricId: 0x51n, nodeId: 0x151n });
  const session = await th.commission();
  const other = new TestCommissioner(node, { fabricId: 0x52n, nodeId: 0x152n });
  assert.equal(await node.armFailSafe(session, 60), CommissioningError.OK);
  assert.equal(statusOf(await other.addTrustedRoot(session)), ImStatus.SUCCESS);
  assert.equal(statusOf((await th.csrRequest(session, { forUpdate: true })).out), ImStatus.FAILURE);
});

test("an add CSR after an update CSR is FAILURE; the recorded purpose is add, so UpdateNOC is CONSTRAINT_ERROR", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node, { fabricId: 0x53n, nodeId: 0x153n });
  const session = await th.commission();
  assert.equal(await node.armFailSafe(session, 60), CommissioningError.OK);
  const { csr } = await th.csrRequest(session, { forUpdate: true });
  assert.ok(csr !== undefined);
  assert.equal(statusOf((await th.csrRequest(session, { forUpdate: false })).out), ImStatus.FAILURE);
  assert.equal(statusOf(await th.updateNoc(session, th.issue(csr))), ImStatus.CONSTRAINT_ERROR);
  // The pending state stays bound to the updated fabric: a new root cannot be added either.
  const other = new TestCommissioner(node, { fabricId: 0x54n, nodeId: 0x154n });
  assert.equal(statusOf(await other.addTrustedRoot(session)), ImStatus.FAILURE);
});

test("an update CSR after an add CSR is FAILURE; the recorded purpose is update, so AddNOC is CONSTRAINT_ERROR", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node, { fabricId: 0x55n, nodeId: 0x155n });
  const session = await th.commission();
  const other = new TestCommissioner(node, { fabricId: 0x56n, nodeId: 0x156n });
  assert.equal(await node.armFailSafe(session, 60), CommissioningError.OK);
  const { csr } = await other.csrRequest(session);
  assert.ok(csr !== undefined);
  assert.equal(statusOf(await other.addTrustedRoot(session)), ImStatus.SUCCESS);
  assert.equal(statusOf((await th.csrRequest(session, { forUpdate: true })).out), ImStatus.FAILURE);
  // A root is pending, so the SDK refuses before recording the purpose: AddNOC still installs.
  assert.equal(nocResponseOf(await other.addNoc(session, other.issue(csr))).statusCode, S.OK);
  // Without a root pending, the refused update CSR records its purpose first.
  const node2 = await TestNode.create();
  const th2 = new TestCommissioner(node2, { fabricId: 0x57n, nodeId: 0x157n });
  const session2 = await th2.commission();
  const other2 = new TestCommissioner(node2, { fabricId: 0x58n, nodeId: 0x158n });
  assert.equal(await node2.armFailSafe(session2, 60), CommissioningError.OK);
  const second = await other2.csrRequest(session2);
  assert.ok(second.csr !== undefined);
  assert.equal(statusOf((await th2.csrRequest(session2, { forUpdate: true })).out), ImStatus.FAILURE);
  assert.equal(statusOf(await other2.addTrustedRoot(session2)), ImStatus.SUCCESS);
  assert.equal(statusOf(await other2.addNoc(session2, other2.issue(second.csr))), ImStatus.CONSTRAINT_ERROR);
});
