// The NOCResponse status AddNOC and UpdateNOC give for chains the SDK judges in a particular order (conformance §1.4
// step 13, §1.5 step 7): another fabric id on UpdateNOC, a non-operational node id beside a chain error, a stray ICAC,
// and an UpdateNOC that adds an ICAC to a fabric holding a VVSC.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesEqual } from "../../../src/bytes/bytes.ts";
import { CommissioningError } from "../../../src/clusters/general-commissioning/general-commissioning.ts";
import { NodeOperationalCertStatus as S } from "../../../src/clusters/operational-credentials/node-operational-cert-status.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { nocResponseOf, statusOf, TestCa, TestCommissioner, TestNode } from "../../support/test-commissioner.ts";
import { b, preparedPase, readNocs, readRoots, struct } from "./helpers.ts";

test("UpdateNOC with a valid chain for another fabric id answers InvalidFabricIndex (SDK) and keeps the fabric", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node, { fabricId: 0x10n, nodeId: 0x110n });
  const session = await th.commission();
  const { response } = await th.updateNocFlow(session, { fabricId: 0x11n });
  assert.equal(response.statusCode, S.InvalidFabricIndex);
  assert.equal(response.fabricIndex, undefined);
  assert.ok(bytesEqual(readNocs(node, session)[0]!.noc, th.chain!.noc));
});

test("a NOC with a non-operational node id and a broken signature answers InvalidNodeOpId, not InvalidNOC", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node, { fabricId: 0x20n, nodeId: 0x120n });
  const { pase, csr } = await preparedPase(node, th);
  const chain = th.issue(csr, { nodeId: 0xffff_fff0_0000_0001n, corruptNocSignature: true });
  const r = nocResponseOf(await th.addNoc(pase, chain));
  assert.equal(r.statusCode, S.InvalidNodeOpId);
  // The node id alone (valid signature) is InvalidNodeOpId as well.
  const alone = nocResponseOf(await th.addNoc(pase, th.issue(csr, { nodeId: 0n })));
  assert.equal(alone.statusCode, S.InvalidNodeOpId);
});

test("a stray ICACValue (the NOC is signed by the root) with another fabric id is InvalidNOC and is not stored", async () => {
  const node = await TestNode.create();
  const ca = new TestCa({ crypto: node.crypto });
  const th = new TestCommissioner(node, { fabricId: 0x30n, nodeId: 0x130n, ca });
  const { pase, csr } = await preparedPase(node, th);
  const direct = th.issue(csr, { withIcac: false });
  const stray = ca.issueChain(csr, { fabricId: 0x31n, withIcac: true }).icac!;
  const r = nocResponseOf(await th.addNoc(pase, direct, { icacValue: stray }));
  assert.equal(r.statusCode, S.InvalidNOC);
  assert.equal(readNocs(node, pase, false).length, 0, "nothing was installed");
  // The same chain without the stray ICAC is accepted in the same fail-safe (root and key kept, §6 item 8).
  const ok = nocResponseOf(await th.addNoc(pase, direct));
  assert.equal(ok.statusCode, S.OK);
  assert.equal(readNocs(node, pase)[0]!.icac, null);
});

test("a VVSC on a fabric whose UpdateNOC adds an ICAC: accepted as the SDK does, NOCs shows the ICAC and hides the VVSC", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node, { fabricId: 0x40n, nodeId: 0x140n, withIcac: false });
  const session = await th.commission();
  const vvsc = new Uint8Array(120).fill(0xaa);
  assert.equal(statusOf(await node.invoke(session, 0x0c, struct(b(2, vvsc)))), ImStatus.SUCCESS);
  assert.ok(bytesEqual(readNocs(node, session)[0]!.vvsc!, vvsc));
  const { response, chain } = await th.updateNocFlow(session, { withIcac: true });
  assert.equal(response.statusCode, S.OK);
  const after = th.openCase();
  assert.equal(await node.commissioningComplete(after), CommissioningError.OK);
  const entry = readNocs(node, after)[0]!;
  assert.ok(entry.icac !== null && bytesEqual(entry.icac, chain.icac!));
  assert.equal(entry.vvsc, undefined, "ICAC and VVSC are mutually exclusive in NOCStruct");
  assert.equal(readRoots(node, after).length, 1);
});
