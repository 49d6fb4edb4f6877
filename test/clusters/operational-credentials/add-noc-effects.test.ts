// Audit of issue 3 deliverable 2: "AddNOC (all eleven effects of the spec, an empty ICAC octet string treated as absent)"
// and UpdateNOC's ICAC handling. The effects are those of conformance doc §1.4 steps 13-19 and its metadata note.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesEqual } from "../../../src/bytes/bytes.ts";
import { NodeOperationalCertStatus as S } from "../../../src/clusters/operational-credentials/node-operational-cert-status.ts";
import { OperationalCredentialsCluster } from "../../../src/clusters/operational-credentials/operational-credentials-options.ts";
import { AUTH_MODE, Privilege } from "../../../src/fabric/access-control.ts";
import type { FabricIndex } from "../../../src/fabric/fabric-index.ts";
import { ANONYMOUS, ctx, type TlvNode } from "../../../src/tlv/tlv-node.ts";
import { nocResponseOf, TestCommissioner, TestNode } from "../../support/test-commissioner.ts";
import { readNocs } from "./helpers.ts";

const Attr = OperationalCredentialsCluster.attributes;
const Cmd = OperationalCredentialsCluster.commands;

test("AddNOC over PASE: every effect of §1.4 steps 13-19, with an empty ICACValue treated as absent", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node, { withIcac: false, vendorId: 0xfff2 });
  const pase = node.openPase();
  assert.equal(await node.armFailSafe(pase, 600), 0);
  const { csr } = await th.csrRequest(pase);
  assert.ok(csr);
  assert.equal((await th.addTrustedRoot(pase)).kind, "status");
  const chain = th.issue(csr);
  assert.equal(chain.icac, null);
  const reported: number[] = [];
  node.opcredsInstance.onAttributeChange((c) => reported.push(c.attribute));
  const identitiesBefore = node.identityChanges.length;

  const r = nocResponseOf(await th.addNoc(pase, chain, { icacValue: new Uint8Array(0) }));
  // 19: NOCResponse(OK, FabricIndex = new).
  assert.equal(r.statusCode, S.OK);
  const index = r.fabricIndex as FabricIndex;
  assert.equal(index, 1);
  // 13: a pending fabric with the chain as given, the empty ICAC stored as no ICAC; metadata VendorID and Label "".
  const f = node.fabrics.fabric(index)!;
  assert.equal(f.icac, null);
  assert.ok(bytesEqual(f.noc, chain.noc));
  assert.equal(f.vendorId, 0xfff2);
  assert.equal(f.label, "");
  assert.equal(node.fabrics.committedFabric(index), undefined, "pending until CommissioningComplete");
  assert.equal(readNocs(node, pase)[0]!.icac, null);
  // 14: the IPK is key set 0, TrustFirst, one epoch key with start time 0.
  const [ipkSet, ...others] = node.groupKeys.keySets(index);
  assert.deepEqual(others, []);
  assert.equal(ipkSet!.groupKeySetId, 0);
  assert.equal(ipkSet!.groupKeySecurityPolicy, 0);
  assert.ok(bytesEqual(ipkSet!.epochKey0!, th.ipk));
  assert.equal(ipkSet!.epochStartTime0, 0n);
  assert.equal(ipkSet!.epochKey1, null);
  // 15: the PASE session adopted the new fabric.
  assert.equal(node.session(pase).fabricIndex, index);
  // 16: exactly one ACL entry: Administer, CASE, the CaseAdminSubject, no targets.
  assert.deepEqual(node.acl.entries(index), [
    {
      fabricIndex: index,
      privilege: Privilege.Administer,
      authMode: AUTH_MODE.case,
      subjects: [th.nodeId],
      targets: null,
    },
  ]);
  // 17: the fail-safe records AddNOC and now belongs to the new fabric.
  assert.equal(node.failSafe.addNocInvoked, true);
  assert.equal(node.failSafe.fabricIndex, index);
  // 18: the operational identity is advertised.
  assert.deepEqual(
    node.identityChanges.slice(identitiesBefore).map((c) => [c.change, c.fabricIndex, c.nodeId]),
    [["advertise", index, th.deviceNodeId]],
  );
  // 19: Fabrics, CommissionedFabrics and TrustedRootCertificates reported.
  for (const a of [Attr.Fabrics, Attr.CommissionedFabrics, Attr.TrustedRootCertificates]) {
    assert.ok(reported.includes(a), `attribute ${a} reported (got ${reported})`);
  }
});

test("UpdateNOC with an empty ICACValue installs a chain without ICAC, replacing the fabric's ICAC", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node, { withIcac: true });
  const cs = await th.commission();
  assert.notEqual(node.fabrics.fabric(th.fabricIndex!)!.icac, null);
  assert.equal(await node.armFailSafe(cs, 600), 0);
  const { csr } = await th.csrRequest(cs, { forUpdate: true });
  assert.ok(csr);
  const chain = th.ca.issueChain(csr, { fabricId: th.fabricId, nodeId: th.deviceNodeId, withIcac: false });
  const fields: TlvNode = {
    tag: ANONYMOUS,
    type: "struct",
    elements: [
      { tag: ctx(0), type: "bytes", value: chain.noc },
      { tag: ctx(1), type: "bytes", value: new Uint8Array(0) },
    ],
  };
  const out = await node.invoke(cs, Cmd.UpdateNOC, fields);
  assert.equal(nocResponseOf(out).statusCode, S.OK);
  assert.equal(node.fabrics.fabric(th.fabricIndex!)!.icac, null);
  assert.equal(await node.commissioningComplete(th.openCase()), 0);
  assert.equal(node.fabrics.committedFabric(th.fabricIndex!)!.icac, null);
});
