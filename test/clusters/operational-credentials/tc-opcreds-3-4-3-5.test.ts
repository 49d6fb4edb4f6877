// TC_OPCREDS_3_4 (UpdateNOC error conditions) and TC_OPCREDS_3_5 (UpdateNOC success, revert and commit), in process.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesEqual } from "../../../src/bytes/bytes.ts";
import { NodeOperationalCertStatus as S } from "../../../src/clusters/operational-credentials/node-operational-cert-status.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { nocResponseOf, statusOf, TestCa, TestCommissioner, TestNode } from "../../support/test-commissioner.ts";
import { readNocs, readRoots } from "./helpers.ts";

test("TC_OPCREDS_3_4", async (t) => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node, { withIcac: true });
  let cs = await th.commission();
  const original = th.chain!;
  await t.test("steps 2-3: NOCs (filtered) 1 entry; TrustedRoots 1 entry", () => {
    const nocs = readNocs(node, cs);
    assert.equal(nocs.length, 1);
    assert.ok(bytesEqual(nocs[0]!.noc, original.noc));
    assert.equal(readRoots(node, cs).length, 1);
  });
  await t.test("step 4: UpdateNOC without a fail-safe → FAILSAFE_REQUIRED", async () => {
    assert.equal(statusOf(await th.updateNoc(cs, original)), ImStatus.FAILSAFE_REQUIRED);
  });
  await t.test("steps 5-6: ArmFailSafe(900); UpdateNOC without a CSR → MissingCsr", async () => {
    assert.equal(await node.armFailSafe(cs, 900), 0);
    assert.deepEqual(nocResponseOf(await th.updateNoc(cs, original)).statusCode, S.MissingCsr);
  });
  await t.test("steps 7-9: CSRRequest(IsForUpdateNOC=false), chain from it, UpdateNOC → CONSTRAINT_ERROR", async () => {
    const { csr } = await th.csrRequest(cs, { forUpdate: false });
    assert.equal(statusOf(await th.updateNoc(cs, th.issue(csr!))), ImStatus.CONSTRAINT_ERROR);
    await node.armFailSafe(cs, 0);
    await node.armFailSafe(cs, 900);
  });
  let updateCsr: Uint8Array | undefined;
  await t.test("steps 10-11: CSRRequest(IsForUpdateNOC=true); UpdateNOC(original NOC) → InvalidPublicKey", async () => {
    ({ csr: updateCsr } = await th.csrRequest(cs, { forUpdate: true }));
    assert.equal(nocResponseOf(await th.updateNoc(cs, original)).statusCode, S.InvalidPublicKey);
  });
  const newRoot = new TestCa();
  await t.test("steps 12-14: NOC+ICAC under a new root → InvalidNOC", async () => {
    const chain = newRoot.issueChain(updateCsr!, { fabricId: th.fabricId, nodeId: th.deviceNodeId, withIcac: true });
    assert.equal(nocResponseOf(await th.updateNoc(cs, chain)).statusCode, S.InvalidNOC);
  });
  await t.test(
    "steps 15-18: a bad FabricID on the NOC → InvalidFabricIndex (SDK), on the ICAC → InvalidNOC",
    async () => {
      // [DIFF] The plan says InvalidNOC for the NOC too; the SDK looks the fabric up by the NOC's fabric id before it
      // validates the chain (FindExistingFabricByNocChaining) and answers InvalidFabricIndex. We follow the SDK.
      const badNoc = th.issue(updateCsr!, { fabricId: th.fabricId + 1n, icacFabricId: th.fabricId });
      assert.equal(nocResponseOf(await th.updateNoc(cs, badNoc)).statusCode, S.InvalidFabricIndex);
      const badIcac = th.issue(updateCsr!, { icacFabricId: th.fabricId + 1n });
      assert.equal(nocResponseOf(await th.updateNoc(cs, badIcac)).statusCode, S.InvalidNOC);
    },
  );
  await t.test("steps 19-20: AddTrustedRoot(new root) accepted; UpdateNOC(new-root chain) → MissingCsr", async () => {
    assert.equal(statusOf(await th.addTrustedRoot(cs, newRoot.rcac.raw)), ImStatus.SUCCESS);
    const chain = newRoot.issueChain(updateCsr!, { fabricId: th.fabricId, nodeId: th.deviceNodeId, withIcac: true });
    assert.equal(nocResponseOf(await th.updateNoc(cs, chain)).statusCode, S.MissingCsr);
  });
  await t.test("steps 21-26: over PASE: ArmFailSafe, CSRRequest, UpdateNOC → UNSUPPORTED_ACCESS", async () => {
    assert.equal(await node.armFailSafe(cs, 0), 0);
    const pase = node.openPase();
    assert.equal(await node.armFailSafe(pase, 900), 0);
    const { csr } = await th.csrRequest(pase);
    assert.equal(statusOf(await th.updateNoc(pase, th.issue(csr!))), ImStatus.UNSUPPORTED_ACCESS);
    await node.armFailSafe(pase, 0);
  });
  await t.test("afterwards the committed NOC is still the original one", () => {
    cs = th.openCase();
    assert.ok(bytesEqual(readNocs(node, cs)[0]!.noc, original.noc));
  });
});

test("TC_OPCREDS_3_5", async (t) => {
  const node = await TestNode.create();
  const th0 = new TestCommissioner(node, { fabricId: 0x10n, nodeId: 0x10n });
  const th0Case = await th0.commission();
  const th1 = new TestCommissioner(node, { fabricId: 0x11n, nodeId: 0x11n, withIcac: true, maxSize: true });
  let cs = 0;
  await t.test("steps 1-3: TH0 adds TH1's fabric over CASE; NOCs and TrustedRoots match", async () => {
    // The window is opened by TH0; TH1 commissions over PASE.
    void th0Case;
    cs = await th1.commission();
    const nocs = readNocs(node, cs);
    assert.ok(bytesEqual(nocs[0]!.noc, th1.chain!.noc));
    assert.ok(nocs[0]!.icac !== null && bytesEqual(nocs[0]!.icac, th1.chain!.icac!));
    assert.ok(readRoots(node, cs).some((r) => bytesEqual(r, th1.ca.rcac.raw)));
  });
  const original = () => th1.chain!;
  let update1 = original();
  await t.test("steps 4-7: ArmFailSafe, update CSR, new NOC + new ICAC, UpdateNOC → OK", async () => {
    const { response, chain } = await th1.updateNocFlow(cs, { validityShiftS: 60 });
    assert.deepEqual(response, { statusCode: S.OK, fabricIndex: th1.fabricIndex });
    update1 = chain;
    assert.ok(!bytesEqual(update1.icac!, original().icac!));
  });
  await t.test("step 8: a new CASE session sees the updated NOC/ICAC while pending", () => {
    cs = th1.openCase();
    const nocs = readNocs(node, cs);
    assert.ok(bytesEqual(nocs[0]!.noc, update1.noc));
    assert.ok(bytesEqual(nocs[0]!.icac!, update1.icac!));
  });
  await t.test("steps 9-10: ArmFailSafe(0) → NOCs back to the original", async () => {
    assert.equal(await node.armFailSafe(cs, 0), 0);
    cs = th1.openCase();
    const nocs = readNocs(node, cs);
    assert.ok(bytesEqual(nocs[0]!.noc, original().noc));
    assert.ok(bytesEqual(nocs[0]!.icac!, original().icac!));
  });
  let update2 = original();
  await t.test("steps 11-15: update2 → OK; NOCs = update2", async () => {
    const { response, chain } = await th1.updateNocFlow(cs, { validityShiftS: 120 });
    assert.equal(response.statusCode, S.OK);
    update2 = chain;
    cs = th1.openCase();
    assert.ok(bytesEqual(readNocs(node, cs)[0]!.noc, update2.noc));
  });
  await t.test("step 16: CommissioningComplete over the new CASE → OK", async () => {
    assert.equal(await node.commissioningComplete(cs), 0);
  });
  await t.test("steps 17-18: ArmFailSafe(0); NOCs still update2 (committed)", async () => {
    await node.armFailSafe(cs, 900);
    await node.armFailSafe(cs, 0);
    cs = th1.openCase();
    assert.ok(bytesEqual(readNocs(node, cs)[0]!.noc, update2.noc));
    assert.ok(bytesEqual(node.fabrics.committedFabric(th1.fabricIndex!)!.noc, update2.noc));
  });
  await t.test("steps 19-20: CurrentFabricIndex; TH0 RemoveFabric(TH1) → OK", async () => {
    const { readCurrentFabricIndex } = await import("./helpers.ts");
    assert.equal(readCurrentFabricIndex(node, cs), th1.fabricIndex);
    const th0s = th0.openCase();
    const out = await node.invoke(th0s, 0x0a, {
      tag: { form: "anonymous" },
      type: "struct",
      elements: [{ tag: { form: "context", id: 0 }, type: "uint", value: BigInt(th1.fabricIndex!) }],
    });
    assert.deepEqual(nocResponseOf(out), { statusCode: S.OK, fabricIndex: th1.fabricIndex });
  });
});
