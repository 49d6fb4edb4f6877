// TC_OPCREDS_3_1 (conformance §5.1) as an in-process flow: one device, commissioners TH0/TH1/TH2, every step in order.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesEqual } from "../../../src/bytes/bytes.ts";
import { decodeMatterCert } from "../../../src/cert/matter-cert-decode.ts";
import { NodeOperationalCertStatus as S } from "../../../src/clusters/operational-credentials/node-operational-cert-status.ts";
import { OperationalCredentialsCluster } from "../../../src/clusters/operational-credentials/operational-credentials-options.ts";
import { AUTH_MODE, Privilege } from "../../../src/fabric/access-control.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { ANONYMOUS, ctx, type TlvNode } from "../../../src/tlv/tlv-node.ts";
import { tlvArray, tlvBytes } from "../../../src/tlv/tlv-schema.ts";
import {
  MAX_CERT_BYTES,
  nocResponseOf,
  statusOf,
  TestCa,
  TestCommissioner,
  TestNode,
} from "../../support/test-commissioner.ts";
import { readFabrics, readNocs, readRoots } from "./helpers.ts";

const Attr = OperationalCredentialsCluster.attributes;

test("TC_OPCREDS_3_1", async (t) => {
  const node = await TestNode.create();
  const th0 = new TestCommissioner(node, { fabricId: 0xa0n, nodeId: 0x100n, vendorId: 0xfff1 });
  const th0Case = await th0.commission();
  const th1 = new TestCommissioner(node, {
    fabricId: 0xb1n,
    nodeId: 0x111n,
    vendorId: 0xfff2,
    withIcac: true,
    maxSize: true,
  });
  const other = new TestCa({ maxSize: true });
  let pase = node.openPase();
  let csr: Uint8Array | undefined;
  let original = { roots: 0, nocs: 0, fabrics: 0 };

  await t.test("steps 2-5: open window, PASE, ArmFailSafe, CSRRequest", async () => {
    await node.armFailSafe(th0Case, 0);
    assert.equal(await node.armFailSafe(pase, 900), 0);
    ({ csr } = await th1.csrRequest(pase));
    assert.ok(csr !== undefined);
  });
  await t.test("steps 6-8: max-size (400 B) chains, another root, a malformed root", () => {
    const chain = th1.issue(csr!);
    assert.equal(chain.rcac.length, MAX_CERT_BYTES);
    assert.equal(chain.icac?.length, MAX_CERT_BYTES);
    assert.equal(chain.noc.length, MAX_CERT_BYTES);
    assert.equal(other.rcac.raw.length, MAX_CERT_BYTES);
  });
  await t.test("steps 9-11: read TrustedRootCertificates, NOCs, Fabrics (non-filtered)", () => {
    original = {
      roots: readRoots(node, pase).length,
      nocs: readNocs(node, pase, false).length,
      fabrics: readFabrics(node, pase, false).length,
    };
    assert.deepEqual(original, { roots: 1, nocs: 1, fabrics: 1 });
  });
  await t.test("steps 12-13: AddTrustedRootCertificate(signature+1) → INVALID_COMMAND; roots unchanged", async () => {
    const bad = th1.ca.rcac.raw.slice();
    bad[bad.length - 2]! ^= 0x01;
    assert.equal(statusOf(await th1.addTrustedRoot(pase, bad)), ImStatus.INVALID_COMMAND);
    assert.equal(readRoots(node, pase).length, original.roots);
  });
  await t.test("steps 14-15: AddTrustedRootCertificate → SUCCESS; roots +1", async () => {
    assert.equal(statusOf(await th1.addTrustedRoot(pase)), ImStatus.SUCCESS);
    assert.equal(readRoots(node, pase).length, original.roots + 1);
  });
  await t.test("steps 16-19: a second, different root → CONSTRAINT_ERROR; roots still +1", async () => {
    assert.equal(statusOf(await th1.addTrustedRoot(pase, other.rcac.raw)), ImStatus.CONSTRAINT_ERROR);
    assert.equal(readRoots(node, pase).length, original.roots + 1);
  });
  await t.test("steps 20-21: write TrustedRootCertificates → UNSUPPORTED_WRITE; list unchanged", async () => {
    const value = tlvArray(tlvBytes()).encodeNode([th1.ca.rcac.raw], ANONYMOUS);
    assert.equal((await node.write(pase, Attr.TrustedRootCertificates, value)).status, ImStatus.UNSUPPORTED_WRITE);
    assert.equal(readRoots(node, pase).length, original.roots + 1);
  });
  await t.test("step 22: AddNOC with a chain from the other root → InvalidNOC", async () => {
    const wrong = other.issueChain(csr!, { fabricId: th1.fabricId, withIcac: true, maxSize: true });
    const r = nocResponseOf(await th1.addNoc(pase, wrong));
    assert.equal(r.statusCode, S.InvalidNOC);
    assert.equal(r.fabricIndex, undefined);
  });
  await t.test("step 23: AddNOC with CaseAdminSubject 0 → InvalidAdminSubject", async () => {
    const r = nocResponseOf(await th1.addNoc(pase, th1.issue(csr!), { caseAdminSubject: 0n }));
    assert.equal(r.statusCode, S.InvalidAdminSubject);
  });
  const chain = th1.issue(csr!);
  let index = 0;
  await t.test("step 24: AddNOC → OK with a 1-byte FabricIndex", async () => {
    const out = await th1.addNoc(pase, chain);
    const r = nocResponseOf(out);
    assert.equal(r.statusCode, S.OK);
    assert.ok(r.fabricIndex !== undefined && r.fabricIndex >= 1 && r.fabricIndex <= 254);
    assert.ok(out.kind === "response" && out.fields.type === "struct");
    const fi = out.fields.elements.find((e) => e.tag.form === "context" && e.tag.id === 1);
    assert.ok(fi?.type === "uint" && fi.value <= 0xffn);
    index = r.fabricIndex;
  });
  await t.test("step 25: AddNOC again → CONSTRAINT_ERROR", async () => {
    assert.equal(statusOf(await th1.addNoc(pase, chain)), ImStatus.CONSTRAINT_ERROR);
  });
  await t.test("step 26: NOCs fabric-filtered → 1 entry equal to the supplied NOC/ICAC", () => {
    const nocs = readNocs(node, pase, true);
    assert.equal(nocs.length, 1);
    assert.ok(bytesEqual(nocs[0]!.noc, chain.noc));
    assert.ok(nocs[0]!.icac !== null && bytesEqual(nocs[0]!.icac, chain.icac!));
  });
  await t.test("steps 27-28: write NOCs → UNSUPPORTED_WRITE; NOCs unchanged", async () => {
    const before = readNocs(node, pase, false);
    const value: TlvNode = { tag: ANONYMOUS, type: "array", elements: [] };
    assert.equal((await node.write(pase, Attr.NOCs, value)).status, ImStatus.UNSUPPORTED_WRITE);
    assert.deepEqual(readNocs(node, pase, false), before);
  });
  await t.test("step 29: UpdateFabricLabel('Label 1') over PASE on the pending fabric → OK", async () => {
    const r = nocResponseOf(
      await node.invoke(pase, 0x09, {
        tag: ANONYMOUS,
        type: "struct",
        elements: [{ tag: ctx(0), type: "utf8", value: "Label 1" }],
      }),
    );
    assert.deepEqual(r, { statusCode: S.OK, fabricIndex: index });
  });
  await t.test("steps 30-31: Fabrics (filtered) describe the new fabric", () => {
    const fabrics = readFabrics(node, pase, true);
    assert.equal(fabrics.length, 1);
    const f = fabrics[0]!;
    assert.ok(bytesEqual(f.rootPublicKey, th1.ca.rcac.publicKey));
    assert.equal(f.rootPublicKey.length, 65);
    assert.equal(f.nodeId, decodeMatterCert(chain.noc).nodeId);
    assert.equal(f.vendorId, th1.vendorId);
    assert.equal(f.fabricId, th1.fabricId);
    assert.equal(f.label, "Label 1");
  });
  await t.test("steps 32-36: ArmFailSafe(0) reverts fabric and root; sizes back to the original", async () => {
    assert.equal(await node.armFailSafe(pase, 0), 0);
    pase = node.openPase();
    assert.equal(readRoots(node, pase).length, original.roots);
    assert.equal(readNocs(node, pase, false).length, original.nocs);
    assert.equal(readFabrics(node, pase, false).length, original.fabrics);
    assert.equal(node.groupKeys.keySets(index as never).length, 0);
    assert.equal(node.acl.entries(index as never).length, 0);
  });
  let th1Case = 0;
  await t.test("steps 37-40: TH1 fully commissions; roots, NOCs, Fabrics +1", async () => {
    th1Case = await th1.commission(pase);
    assert.equal(readRoots(node, th1Case).length, original.roots + 1);
    assert.equal(readNocs(node, th1Case, false).length, original.nocs + 1);
    assert.equal(readFabrics(node, th1Case, false).length, original.fabrics + 1);
  });
  await t.test("step 41: exactly one ACL entry {Administer, CASE, [TH1 node id]}", () => {
    assert.deepEqual(node.acl.entries(th1.fabricIndex!), [
      {
        fabricIndex: th1.fabricIndex,
        privilege: Privilege.Administer,
        authMode: AUTH_MODE.case,
        subjects: [th1.nodeId],
        targets: null,
      },
    ]);
  });
  await t.test("step 42: key set 0 (the IPK) exists", () => {
    const set = node.groupKeys.keySet(th1.fabricIndex!, 0);
    assert.ok(set !== undefined && set.epochKey0 !== null && bytesEqual(set.epochKey0, th1.ipk));
  });
  const label = (session: number, value: string) =>
    node.invoke(session, 0x09, { tag: ANONYMOUS, type: "struct", elements: [{ tag: ctx(0), type: "utf8", value }] });
  await t.test("step 43: UpdateFabricLabel('Label 1') again on its own fabric → OK", async () => {
    assert.equal(nocResponseOf(await label(th1Case, "Label 1")).statusCode, S.OK);
  });
  const th2 = new TestCommissioner(node, { fabricId: 0xc2n, nodeId: 0x222n, vendorId: 0xfff3 });
  let th2Case = 0;
  await t.test("steps 44-46: TH2 commissions; UpdateFabricLabel('Label 2') → OK", async () => {
    th2Case = await th2.commission();
    assert.equal(nocResponseOf(await label(th2Case, "Label 2")).statusCode, S.OK);
  });
  await t.test("step 47: TH2 UpdateFabricLabel('Label 1') → LabelConflict without FabricIndex", async () => {
    assert.deepEqual(nocResponseOf(await label(th2Case, "Label 1")), { statusCode: S.LabelConflict });
  });
  await t.test("step 48: Fabrics non-filtered: original + 2, labels by VendorID", () => {
    const fabrics = readFabrics(node, th2Case, false);
    assert.equal(fabrics.length, original.fabrics + 2);
    assert.equal(fabrics.find((f) => f.vendorId === th1.vendorId)?.label, "Label 1");
    assert.equal(fabrics.find((f) => f.vendorId === th2.vendorId)?.label, "Label 2");
  });
  await t.test(
    "steps 49-51: TH1 over CASE: ArmFailSafe, AddTrustedRoot(own root) → SUCCESS, AddNOC without CSR → MissingCsr",
    async () => {
      assert.equal(await node.armFailSafe(th1Case, 900), 0);
      assert.equal(statusOf(await th1.addTrustedRoot(th1Case)), ImStatus.SUCCESS);
      assert.equal(nocResponseOf(await th1.addNoc(th1Case, chain)).statusCode, S.MissingCsr);
    },
  );
  await t.test("steps 52-57: a chain for an old CSR → InvalidPublicKey", async () => {
    await node.armFailSafe(th1Case, 0);
    await node.armFailSafe(th1Case, 900);
    const newRoot = new TestCommissioner(node, { fabricId: 0xd3n, nodeId: 0x333n });
    const { csr: oldCsr } = await newRoot.csrRequest(th1Case);
    await newRoot.csrRequest(th1Case);
    assert.equal(statusOf(await newRoot.addTrustedRoot(th1Case)), ImStatus.SUCCESS);
    assert.equal(nocResponseOf(await newRoot.addNoc(th1Case, newRoot.issue(oldCsr!))).statusCode, S.InvalidPublicKey);
  });
  await t.test("steps 58-63: same root + same FabricID, other node id → FabricConflict", async () => {
    await node.armFailSafe(th1Case, 0);
    await node.armFailSafe(th1Case, 900);
    const { csr: c } = await th1.csrRequest(th1Case);
    const twin = th1.issue(c!, { nodeId: 0x9999n });
    assert.equal(statusOf(await th1.addTrustedRoot(th1Case)), ImStatus.SUCCESS);
    assert.equal(nocResponseOf(await th1.addNoc(th1Case, twin)).statusCode, S.FabricConflict);
  });
  await t.test("steps 64-65: ArmFailSafe(0); roots = original + 2", async () => {
    await node.armFailSafe(th1Case, 0);
    assert.equal(readRoots(node, th1Case).length, original.roots + 2);
  });
  await t.test("steps 66-67: CSRRequest(IsForUpdateNOC) over CASE → CSRResponse", async () => {
    await node.armFailSafe(th1Case, 900);
    const { csr: c } = await th1.csrRequest(th1Case, { forUpdate: true });
    assert.ok(c !== undefined);
  });
  await t.test(
    "steps 68-70: AddTrustedRoot after an update CSR fails (the SDK behaviour the plan now expects)",
    async () => {
      assert.equal(statusOf(await th1.addTrustedRoot(th1Case, other.rcac.raw)), ImStatus.FAILURE);
    },
  );
  await t.test("step 71: ArmFailSafe(0)", async () => {
    assert.equal(await node.armFailSafe(th1Case, 0), 0);
  });
  const remove = (session: number, fabricIndex: number) =>
    node.invoke(session, 0x0a, {
      tag: ANONYMOUS,
      type: "struct",
      elements: [{ tag: ctx(0), type: "uint", value: BigInt(fabricIndex) }],
    });
  await t.test("steps 72-74: TH2 RemoveFabric(own index + 5) → InvalidFabricIndex; count unchanged", async () => {
    const before = readFabrics(node, th2Case, false).length;
    assert.deepEqual(nocResponseOf(await remove(th2Case, th2.fabricIndex! + 5)).statusCode, S.InvalidFabricIndex);
    assert.equal(readFabrics(node, th2Case, false).length, before);
  });
  await t.test("steps 75-77: TH0 removes TH1 and TH2 → OK with the removed index", async () => {
    const th0Again = th0.openCase();
    assert.deepEqual(nocResponseOf(await remove(th0Again, th1.fabricIndex!)), {
      statusCode: S.OK,
      fabricIndex: th1.fabricIndex,
    });
    assert.deepEqual(nocResponseOf(await remove(th0Again, th2.fabricIndex!)), {
      statusCode: S.OK,
      fabricIndex: th2.fabricIndex,
    });
    assert.deepEqual(node.fabrics.committedIndices(), [th0.fabricIndex]);
  });
});
