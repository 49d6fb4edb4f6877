// Fail-safe corner cases decided against the reference SDK (connectedhomeip FailSafeContext, FabricTable::Delete,
// OperationalCredentials HandleRemoveFabric / HandleAddNOC / HandleUpdateNOC):
// - RemoveFabric of the fabric the fail-safe is armed for succeeds like any removal; the fail-safe is NOT disarmed
//   (the SDK's Delete reverts a pending update of that fabric and removes a pending added one, and nothing touches the
//   FailSafeContext); its later expiry cleanup then finds nothing left to delete.
// - CSRRequest records IsForUpdateNOC before any check, even outside a fail-safe, and ArmFailSafe does not reset it
//   (the SDK resets the flags only on disarm). It cannot leak: AddNOC/UpdateNOC judge the pending KEY's purpose.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CommissioningError } from "../../../src/clusters/general-commissioning/general-commissioning.ts";
import { NodeOperationalCertStatus as S } from "../../../src/clusters/operational-credentials/node-operational-cert-status.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { ANONYMOUS, ctx } from "../../../src/tlv/tlv-node.ts";
import { nocResponseOf, statusOf, TestCommissioner, TestNode } from "../../support/test-commissioner.ts";
import { readFabrics, readRoots } from "./helpers.ts";

const removeFabric = (node: TestNode, session: number, index: number) =>
  node.invoke(session, 0x0a, {
    tag: ANONYMOUS,
    type: "struct",
    elements: [{ tag: ctx(0), type: "uint", value: BigInt(index) }],
  });

test("RemoveFabric of the pending (AddNOC, uncommitted) fabric: OK, everything of it gone, the fail-safe stays armed until expiry", async () => {
  const node = await TestNode.create();
  const th0 = new TestCommissioner(node, { fabricId: 0xa0n, nodeId: 0xa0n });
  const c0 = await th0.commission();
  const th1 = new TestCommissioner(node, { fabricId: 0xa1n });
  const pase = node.openPase();
  await node.armFailSafe(pase, 60);
  const { csr } = await th1.csrRequest(pase);
  await th1.addTrustedRoot(pase);
  const added = nocResponseOf(await th1.addNoc(pase, th1.issue(csr!)));
  assert.equal(added.statusCode, S.OK);
  const index = added.fabricIndex!;
  assert.equal(node.acl.entries().length, 2);

  const out = await removeFabric(node, c0, index);
  assert.deepEqual(nocResponseOf(out), { statusCode: S.OK, fabricIndex: index });
  assert.deepEqual(node.leaveEvents, [{ fabricIndex: index, fabricExisted: true }]);
  assert.deepEqual(
    readFabrics(node, c0, false).map((f) => f.fabricIndex),
    [th0.fabricIndex],
  );
  assert.equal(readRoots(node, c0).length, 1);
  assert.equal(node.acl.entries().length, 1);
  assert.equal(node.groupKeys.keySets(index as never).length, 0);
  assert.deepEqual(node.transaction.pendingState(), {
    fabricIndex: undefined,
    hasPendingRoot: false,
    pendingKeyFor: undefined,
    pendingFabric: undefined,
  });
  // The PASE session had adopted the removed index: removing another fabric expires its sessions at once.
  assert.equal(node.sessions.has(pase), false);
  // The fail-safe is still armed for the removed index: other admins are busy, nobody can complete it.
  assert.deepEqual([node.failSafe.armed, node.failSafe.fabricIndex], [true, index]);
  assert.equal(await node.armFailSafe(c0, 60), CommissioningError.BusyWithOtherAdmin);
  assert.equal(await node.commissioningComplete(c0), CommissioningError.InvalidAuthentication);
  // Expiry: the cleanup's delete of the (already removed) fabric is harmless; TH0 is untouched and can arm again.
  await node.advance(61_000);
  assert.equal(node.failSafe.armed, false);
  assert.deepEqual(
    node.fabrics.fabrics().map((f) => f.fabricIndex),
    [th0.fabricIndex],
  );
  assert.equal(node.acl.entries().length, 1);
  assert.equal(node.groupKeys.keySets(th0.fabricIndex!).length, 1);
  assert.equal(await node.armFailSafe(c0, 60), CommissioningError.OK);
  // A new commissioning works afterwards.
  await node.armFailSafe(c0, 0);
  const th2 = new TestCommissioner(node, { fabricId: 0xa2n });
  await th2.commission();
  assert.equal(node.fabrics.fabrics().length, 2);
});

test("RemoveFabric of a fabric with a pending UpdateNOC: the update is dropped with the fabric; the fail-safe expires harmlessly", async () => {
  const node = await TestNode.create();
  const th0 = new TestCommissioner(node, { fabricId: 0xb0n, nodeId: 0xb0n });
  const c0 = await th0.commission();
  const th1 = new TestCommissioner(node, { fabricId: 0xb1n, nodeId: 0xb1n });
  const c1 = await th1.commission();
  const { response } = await th1.updateNocFlow(c1, { nodeId: 0x7777n });
  assert.equal(response.statusCode, S.OK);
  assert.equal(nocResponseOf(await removeFabric(node, c0, th1.fabricIndex!)).statusCode, S.OK);
  assert.equal(node.fabrics.fabric(th1.fabricIndex!), undefined);
  assert.equal(node.transaction.pendingState().pendingFabric, undefined);
  assert.equal(node.failSafe.armed, true);
  await node.advance(901_000);
  assert.equal(node.failSafe.armed, false);
  assert.deepEqual(
    node.fabrics.fabrics().map((f) => f.fabricIndex),
    [th0.fabricIndex],
  );
  // Nothing of fabric 2 came back on revert, and its index is not reported by reads.
  assert.equal(readFabrics(node, c0, false).length, 1);
});

test("RemoveFabric of the own fabric while its fail-safe is armed: OK; the invoker's sessions end; expiry is harmless", async () => {
  const node = await TestNode.create();
  const th0 = new TestCommissioner(node, { fabricId: 0xc0n, nodeId: 0xc0n });
  const c0 = await th0.commission();
  const th1 = new TestCommissioner(node, { fabricId: 0xc1n, nodeId: 0xc1n });
  const c1 = await th1.commission();
  await node.armFailSafe(c1, 60);
  assert.ok((await th1.csrRequest(c1, { forUpdate: true })).csr !== undefined);
  assert.equal(nocResponseOf(await removeFabric(node, c1, th1.fabricIndex!)).statusCode, S.OK);
  assert.equal(node.sessions.has(c1), false);
  // The pending update key of the removed fabric went with it.
  assert.equal(node.transaction.pendingState().pendingKeyFor, undefined);
  assert.equal(await node.armFailSafe(c0, 60), CommissioningError.BusyWithOtherAdmin);
  await node.advance(61_000);
  assert.equal(await node.armFailSafe(c0, 60), CommissioningError.OK);
  assert.equal(node.fabrics.fabrics().length, 1);
});

test("CSRRequest(IsForUpdateNOC) outside a fail-safe is recorded (SDK) but cannot leak into the next fail-safe", async () => {
  const node = await TestNode.create();
  const th0 = new TestCommissioner(node, { fabricId: 0xd0n, nodeId: 0xd0n });
  const c0 = await th0.commission();
  // Not armed: FAILSAFE_REQUIRED, yet the flag is recorded first (SetCsrRequestForUpdateNoc precedes every check).
  assert.equal(statusOf((await th0.csrRequest(c0, { forUpdate: true })).out), ImStatus.FAILSAFE_REQUIRED);
  assert.equal(node.failSafe.csrRequestForUpdateNoc, true);
  // ArmFailSafe keeps it (the SDK resets the context only on disarm)...
  const th1 = new TestCommissioner(node, { fabricId: 0xd1n });
  const pase = node.openPase();
  await node.armFailSafe(pase, 60);
  assert.equal(node.failSafe.csrRequestForUpdateNoc, true);
  // ...but without a CSR in this fail-safe there is no pending key: MissingCsr, not CONSTRAINT_ERROR.
  assert.equal(await th1.addTrustedRoot(pase).then(statusOf), ImStatus.SUCCESS);
  assert.equal(
    nocResponseOf(await th1.addNoc(pase, th1.issue(node.crypto.generateKeyPair().publicKey))).statusCode,
    S.MissingCsr,
  );
  const { csr } = await th1.csrRequest(pase);
  assert.equal(nocResponseOf(await th1.addNoc(pase, th1.issue(csr!))).statusCode, S.OK);
});

test("a failed CSRRequest does not change the purpose of the pending key (AddNOC and UpdateNOC follow the key, as the SDK)", async () => {
  const node = await TestNode.create();
  const th0 = new TestCommissioner(node, { fabricId: 0xe0n, nodeId: 0xe0n });
  const c0 = await th0.commission();
  // Add: CSR(false) succeeds, then CSR(true) with a bad nonce fails after recording true; AddNOC still proceeds.
  const th1 = new TestCommissioner(node, { fabricId: 0xe1n });
  const pase = node.openPase();
  await node.armFailSafe(pase, 60);
  const { csr } = await th1.csrRequest(pase);
  assert.equal(
    statusOf((await th1.csrRequest(pase, { nonce: new Uint8Array(33), forUpdate: true })).out),
    ImStatus.INVALID_COMMAND,
  );
  assert.equal(node.failSafe.csrRequestForUpdateNoc, true);
  await th1.addTrustedRoot(pase);
  assert.equal(nocResponseOf(await th1.addNoc(pase, th1.issue(csr!))).statusCode, S.OK);
  await node.armFailSafe(pase, 0);
  // Update: CSR(true) succeeds, then CSR(false) with a bad nonce fails after recording false; UpdateNOC proceeds.
  await node.armFailSafe(c0, 60);
  const update = await th0.csrRequest(c0, { forUpdate: true });
  assert.equal(statusOf((await th0.csrRequest(c0, { nonce: new Uint8Array(1) })).out), ImStatus.INVALID_COMMAND);
  assert.equal(node.failSafe.csrRequestForUpdateNoc, false);
  assert.equal(nocResponseOf(await th0.updateNoc(c0, th0.issue(update.csr!))).statusCode, S.OK);
  // And a key allocated for the other purpose is refused whatever the fail-safe recorded last. (Disarming after
  // UpdateNOC expired the fabric's sessions: a new CASE session.)
  await node.armFailSafe(c0, 0);
  const c0b = th0.openCase();
  await node.armFailSafe(c0b, 60);
  const forAdd = await th0.csrRequest(c0b);
  await th0.csrRequest(c0b, { nonce: new Uint8Array(1), forUpdate: true });
  assert.equal(statusOf(await th0.updateNoc(c0b, th0.issue(forAdd.csr!))), ImStatus.CONSTRAINT_ERROR);
});
