// Conformance §6 "Easy-to-miss rules and SDK/spec differences": one focused test per item 1-22, named after it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesEqual } from "../../../src/bytes/bytes.ts";
import { MalformedError } from "../../../src/bytes/errors.ts";
import { compressedFabricId } from "../../../src/cert/compressed-fabric-id.ts";
import { KEY_PURPOSE, KEY_USAGE } from "../../../src/cert/extensions.ts";
import { decodeMatterCert } from "../../../src/cert/matter-cert-decode.ts";
import { derToMatterCert } from "../../../src/cert/matter-cert-from-x509.ts";
import { matterCertToDer, tbsDer } from "../../../src/cert/matter-cert-to-x509.ts";
import { dateToMatterEpoch, matterTimeToDer } from "../../../src/cert/matter-epoch.ts";
import { lintChain } from "../../../src/cert/validate.ts";
import { buildX509, parseX509 } from "../../../src/cert/x509.ts";
import {
  AdministratorCommissioningCluster,
  createAdministratorCommissioning,
  OpenCommissioningWindowRequest,
} from "../../../src/clusters/administrator-commissioning/administrator-commissioning.ts";
import { CommissioningError } from "../../../src/clusters/general-commissioning/general-commissioning.ts";
import {
  createGroupKeyManagement,
  GroupKeyManagementCluster,
  KeySetReadResponse,
} from "../../../src/clusters/group-key-management/group-key-management.ts";
import { NodeOperationalCertStatus as S } from "../../../src/clusters/operational-credentials/node-operational-cert-status.ts";
import { OperationalCredentialsCluster } from "../../../src/clusters/operational-credentials/operational-credentials-options.ts";
import {
  SignVidVerificationResponse,
  vendorFabricBindingMessage,
  vendorIdVerificationTbs,
} from "../../../src/clusters/operational-credentials/sign-vid-verification-request.ts";
import { nodeCrypto } from "../../../src/crypto/node-crypto.ts";
import { P256PublicKey } from "../../../src/crypto/p256.ts";
import { operationalGroupKey } from "../../../src/fabric/group-keys.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { ClusterInstance } from "../../../src/im/data-model.ts";
import { invokeCommand } from "../../../src/im/invoke.ts";
import { CommissioningWindowState } from "../../../src/sc/commissioning-window-state.ts";
import { computePaseVerifier, encodePaseVerifier } from "../../../src/sc/pase/pase-verifier.ts";
import { ANONYMOUS, type TlvNode } from "../../../src/tlv/tlv-node.ts";
import { derOf, tlvOf } from "../../cert/vectors.ts";
import { caseHandshake, establishedOn } from "../../support/case-peer.ts";
import { patchedChain, patchedRoot } from "../../support/patched-cert.ts";
import {
  type Chain,
  nocResponseOf,
  responseOf,
  statusOf,
  TestCa,
  TestCommissioner,
  TestNode,
} from "../../support/test-commissioner.ts";
import {
  b,
  preparedPase,
  readCommissionedFabrics,
  readCurrentFabricIndex,
  readFabrics,
  readNocs,
  readRoots,
  str,
  struct,
  u,
} from "./helpers.ts";

const Attr = OperationalCredentialsCluster.attributes;

const removeFabric = (node: TestNode, session: number, index: number) =>
  node.invoke(session, 0x0a, struct(u(0, index)));
const updateLabel = (node: TestNode, session: number, label: string) =>
  node.invoke(session, 0x09, struct(str(0, label)));
const setVid = (node: TestNode, session: number, fields: TlvNode[]) => node.invoke(session, 0x0c, struct(...fields));

/** The element with context tag `id` of a struct node, or undefined. */
function field(node: TlvNode, id: number): TlvNode | undefined {
  assert.ok(node.type === "struct" || node.type === "list");
  return node.elements.find((e) => e.tag.form === "context" && e.tag.id === id);
}

/** The raw list elements of an attribute read. */
function rawList(node: TestNode, session: number, attribute: number, filtered = true): TlvNode[] {
  const out = node.read(session, attribute, filtered);
  assert.ok(out.kind === "data" && out.value.type === "array");
  return out.value.elements;
}

/** An operational key pair's public key nobody asked for (a chain for it fails the CSR key check). */
const strangerKey = (node: TestNode) => node.crypto.generateKeyPair().publicKey;

test("§6.1: AddNOC checks run in the SDK order; the first failing one decides", async () => {
  const node = await TestNode.create();
  const th0 = new TestCommissioner(node, { fabricId: 0xa0n, nodeId: 0x100n });
  const th0Case = await th0.commission();
  const th = new TestCommissioner(node, { fabricId: 0xb1n });
  const pase = node.openPase();
  const any = th.issue(strangerKey(node));
  // Sizes / IPK / VID (INVALID_COMMAND) before the fail-safe, which is not armed yet.
  const oversize: Chain = { ...any, noc: new Uint8Array(401) };
  assert.equal(statusOf(await th.addNoc(pase, oversize, { caseAdminSubject: 0n })), ImStatus.INVALID_COMMAND);
  assert.equal(statusOf(await th.addNoc(pase, any, { ipk: new Uint8Array(15) })), ImStatus.INVALID_COMMAND);
  assert.equal(statusOf(await th.addNoc(pase, any, { adminVendorId: 0xfff5 })), ImStatus.INVALID_COMMAND);
  // Fail-safe (FAILSAFE_REQUIRED) before MissingCsr and the admin subject.
  assert.equal(statusOf(await th.addNoc(pase, any, { caseAdminSubject: 0n })), ImStatus.FAILSAFE_REQUIRED);
  // MissingCsr before "no root" (InvalidNOC) and the admin subject.
  await node.armFailSafe(pase, 60);
  assert.equal(nocResponseOf(await th.addNoc(pase, any, { caseAdminSubject: 0n })).statusCode, S.MissingCsr);
  await node.armFailSafe(pase, 0);
  // CSR-kind mismatch (CONSTRAINT_ERROR) before "no root" and the admin subject: an update CSR over TH0's CASE.
  await node.armFailSafe(th0Case, 60);
  assert.ok((await th0.csrRequest(th0Case, { forUpdate: true })).csr !== undefined);
  assert.equal(statusOf(await th.addNoc(th0Case, any, { caseAdminSubject: 0n })), ImStatus.CONSTRAINT_ERROR);
  await node.armFailSafe(th0Case, 0);
  // No root (InvalidNOC) before the admin subject.
  const pase2 = node.openPase();
  await node.armFailSafe(pase2, 60);
  const { csr } = await th.csrRequest(pase2);
  assert.equal(nocResponseOf(await th.addNoc(pase2, any, { caseAdminSubject: 0n })).statusCode, S.InvalidNOC);
  // With TH0's root pending (an existing fabric's root may be added again):
  assert.equal(statusOf(await th.addTrustedRoot(pase2, th0.ca.rcac.raw)), ImStatus.SUCCESS);
  const conflicting = (o: { corrupt?: boolean; nodeId?: bigint; key?: "csr" | "stranger" } = {}) =>
    th0.ca.issueChain(o.key === "stranger" ? strangerKey(node) : csr!, {
      fabricId: th0.fabricId,
      nodeId: o.nodeId ?? 0x55n,
      corruptNocSignature: o.corrupt ?? false,
    });
  // Admin subject (InvalidAdminSubject) before FabricConflict.
  const adminFirst = await th.addNoc(pase2, conflicting(), { caseAdminSubject: 0n });
  assert.equal(nocResponseOf(adminFirst).statusCode, S.InvalidAdminSubject);
  // TableFull sits between the admin subject and FabricConflict (table-full.test.ts reaches it on a full table).
  // FabricConflict before the chain, the node id and the public key.
  const allBad = conflicting({ corrupt: true, nodeId: 0xffff_ffff_ffff_0001n, key: "stranger" });
  assert.equal(nocResponseOf(await th.addNoc(pase2, allBad)).statusCode, S.FabricConflict);
  // The node id (InvalidNodeOpId, judged when the SDK loads the NOC) before the other chain rules (InvalidNOC), and the
  // chain before the public key (another fabric id: no conflict any more).
  const otherFabric = (o: { corrupt?: boolean; nodeId?: bigint; key?: "csr" | "stranger" } = {}) =>
    th0.ca.issueChain(o.key === "stranger" ? strangerKey(node) : csr!, {
      fabricId: 0xb2n,
      nodeId: o.nodeId ?? 0x55n,
      corruptNocSignature: o.corrupt ?? false,
    });
  const chainAndNodeBad = otherFabric({ corrupt: true, nodeId: 0xffff_ffff_ffff_0001n, key: "stranger" });
  assert.equal(nocResponseOf(await th.addNoc(pase2, chainAndNodeBad)).statusCode, S.InvalidNodeOpId);
  const chainBad = otherFabric({ corrupt: true, key: "stranger" });
  assert.equal(nocResponseOf(await th.addNoc(pase2, chainBad)).statusCode, S.InvalidNOC);
  // Node id (InvalidNodeOpId) before the public key.
  const nodeBad = otherFabric({ nodeId: 0xffff_ffff_ffff_0001n, key: "stranger" });
  assert.equal(nocResponseOf(await th.addNoc(pase2, nodeBad)).statusCode, S.InvalidNodeOpId);
  // Public key last.
  assert.equal(nocResponseOf(await th.addNoc(pase2, otherFabric({ key: "stranger" }))).statusCode, S.InvalidPublicKey);
  assert.equal(nocResponseOf(await th.addNoc(pase2, otherFabric())).statusCode, S.OK);
  // "AddNOC already invoked" (CONSTRAINT_ERROR) before MissingCsr and everything after it.
  assert.equal(statusOf(await th.addNoc(pase2, any, { caseAdminSubject: 0n })), ImStatus.CONSTRAINT_ERROR);
});

test("§6.2: CSRRequest records IsForUpdateNOC in the fail-safe before validating; a new CSR replaces the key", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node);
  const pase = node.openPase();
  await node.armFailSafe(pase, 60);
  const first = await th.csrRequest(pase);
  assert.equal(node.failSafe.csrRequestForUpdateNoc, false);
  // Invalid nonce AND IsForUpdateNOC over PASE: INVALID_COMMAND, yet the flag was recorded first.
  const failed = await th.csrRequest(pase, { nonce: new Uint8Array(31), forUpdate: true });
  assert.equal(statusOf(failed.out), ImStatus.INVALID_COMMAND);
  assert.equal(node.failSafe.csrRequestForUpdateNoc, true);
  const second = await th.csrRequest(pase);
  assert.equal(node.failSafe.csrRequestForUpdateNoc, false);
  assert.ok(!bytesEqual(first.csr!, second.csr!));
  await th.addTrustedRoot(pase);
  // The NOC for the first CSR's key no longer matches: the second CSR replaced it.
  assert.equal(nocResponseOf(await th.addNoc(pase, th.issue(first.csr!))).statusCode, S.InvalidPublicKey);
  assert.equal(nocResponseOf(await th.addNoc(pase, th.issue(second.csr!))).statusCode, S.OK);
});

test("§6.3: the fail-safe is armed per accessing fabric and moves to the new fabric index after AddNOC", async () => {
  const node = await TestNode.create();
  const thA = new TestCommissioner(node, { fabricId: 0xa1n, nodeId: 0xa1n });
  const aCase = await thA.commission();
  const thB = new TestCommissioner(node, { fabricId: 0xb1n, nodeId: 0xb1n });
  const bCase = await thB.commission();
  assert.equal(await node.armFailSafe(aCase, 60), CommissioningError.OK);
  // Armed for A: B and a PASE session (fabric 0) see "not armed".
  assert.equal(statusOf((await thB.csrRequest(bCase)).out), ImStatus.FAILSAFE_REQUIRED);
  assert.equal(statusOf(await thB.addTrustedRoot(node.openPase())), ImStatus.FAILSAFE_REQUIRED);
  assert.equal(await node.armFailSafe(bCase, 60), CommissioningError.BusyWithOtherAdmin);
  // A adds fabric N over its CASE session.
  const thN = new TestCommissioner(node, { fabricId: 0xc1n, nodeId: 0xc1n });
  const { csr } = await thN.csrRequest(aCase);
  assert.equal(statusOf(await thN.addTrustedRoot(aCase)), ImStatus.SUCCESS);
  const added = nocResponseOf(await thN.addNoc(aCase, thN.issue(csr!)));
  assert.equal(added.statusCode, S.OK);
  assert.equal(node.failSafe.fabricIndex, added.fabricIndex);
  // A's session no longer matches the fail-safe; a session of N does.
  assert.equal(statusOf((await thA.csrRequest(aCase)).out), ImStatus.FAILSAFE_REQUIRED);
  assert.equal(await node.armFailSafe(aCase, 60), CommissioningError.BusyWithOtherAdmin);
  thN.fabricIndex = added.fabricIndex as never;
  const nCase = thN.openCase();
  assert.equal(await node.armFailSafe(nCase, 120), CommissioningError.OK);
  assert.equal(await node.commissioningComplete(nCase), CommissioningError.OK);
});

test("§6.4: over PASE AddNOC makes the session adopt the new fabric index; over CASE it does not", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node);
  const pase = node.openPase();
  await node.armFailSafe(pase, 60);
  assert.equal(readCurrentFabricIndex(node, pase), 0);
  const { csr } = await th.csrRequest(pase);
  await th.addTrustedRoot(pase);
  const r = nocResponseOf(await th.addNoc(pase, th.issue(csr!)));
  assert.equal(readCurrentFabricIndex(node, pase), r.fabricIndex);
  assert.equal(readCommissionedFabrics(node, pase), 1);
  th.fabricIndex = r.fabricIndex as never;
  const cs = th.openCase();
  assert.equal(await node.commissioningComplete(cs), CommissioningError.OK);
  // Over CASE: the invoking session keeps its fabric.
  const th2 = new TestCommissioner(node, { fabricId: 0x22n });
  await node.armFailSafe(cs, 60);
  const second = await th2.csrRequest(cs);
  await th2.addTrustedRoot(cs);
  assert.equal(nocResponseOf(await th2.addNoc(cs, th2.issue(second.csr!))).statusCode, S.OK);
  assert.equal(readCurrentFabricIndex(node, cs), th.fabricIndex);
});

test("§6.5: UpdateNOC and RemoveFabric(own) end the fabric's other sessions after the response; RemoveFabric(other) ends the other fabric's", async () => {
  const node = await TestNode.create();
  const thA = new TestCommissioner(node, { fabricId: 0xa1n, nodeId: 0xa1n, withIcac: true });
  const a1 = await thA.commission();
  const a2 = thA.openCase();
  const thB = new TestCommissioner(node, { fabricId: 0xb1n, nodeId: 0xb1n });
  const b1 = await thB.commission();
  const b2 = thB.openCase();
  // UpdateNOC on a1: the response is OK, then every other session of A is aborted, a1 survives until delivery.
  node.effects.length = 0;
  const { response } = await thA.updateNocFlow(a1);
  assert.equal(response.statusCode, S.OK);
  assert.deepEqual(
    node.effects.find((e) => e.type === "abort-other-fabric-communication"),
    { type: "abort-other-fabric-communication", fabricIndex: thA.fabricIndex, keepSessionId: a1 },
  );
  assert.deepEqual([node.sessions.has(a1), node.sessions.has(a2)], [true, false]);
  assert.deepEqual([node.sessions.has(b1), node.sessions.has(b2)], [true, true]);
  assert.equal(await node.commissioningComplete(thA.openCase()), CommissioningError.OK);
  // RemoveFabric of another fabric: its sessions expire at once; the invoker's stay.
  node.effects.length = 0;
  const otherOut = await removeFabric(node, a1, thB.fabricIndex!);
  assert.equal(nocResponseOf(otherOut).statusCode, S.OK);
  assert.ok(
    otherOut.afterResponse.some((e) => e.type === "expire-fabric-sessions" && e.fabricIndex === thB.fabricIndex),
  );
  assert.deepEqual([node.sessions.has(b1), node.sessions.has(b2), node.sessions.has(a1)], [false, false, true]);
  // RemoveFabric of the own fabric: the NOCResponse goes out, then every session of the fabric ends.
  const a3 = thA.openCase();
  const ownOut = await removeFabric(node, a1, thA.fabricIndex!);
  assert.deepEqual(nocResponseOf(ownOut), { statusCode: S.OK, fabricIndex: thA.fabricIndex });
  assert.ok(ownOut.afterResponse.some((e) => e.type === "expire-fabric-sessions" && e.fabricIndex === thA.fabricIndex));
  assert.deepEqual([node.sessions.has(a1), node.sessions.has(a3)], [false, false]);
});

test("§6.6: a pending fabric is visible in reads and answers CASE before CommissioningComplete; expiry deletes it with IPK and ACL", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node, { fabricId: 0x66n, nodeId: 0x66n, deviceNodeId: 0x6666n });
  const { pase, csr } = await preparedPase(node, th);
  const added = nocResponseOf(await th.addNoc(pase, th.issue(csr)));
  assert.equal(added.statusCode, S.OK);
  const index = added.fabricIndex!;
  // Visible in every fabric-derived attribute while pending.
  assert.deepEqual(
    readFabrics(node, pase, false).map((f) => [f.fabricIndex, f.fabricId, f.nodeId]),
    [[index, 0x66n, 0x6666n]],
  );
  assert.equal(readNocs(node, pase, false).length, 1);
  assert.equal(readRoots(node, pase).length, 1);
  assert.equal(readCommissionedFabrics(node, pase), 1);
  // CASE to the device on the pending fabric succeeds, through the same fabric view the node gives its responder.
  assert.equal(establishedOn(caseHandshake(th)), index);
  // Expiry: the fabric, its IPK and its ACL entry are gone, and CASE no longer finds it.
  await node.advance(61_000);
  assert.equal(node.fabrics.fabrics().length, 0);
  assert.equal(node.acl.entries().length, 0);
  assert.equal(node.groupKeys.keySets(index as never).length, 0);
  const after = caseHandshake(th);
  assert.equal(establishedOn(after), undefined);
  assert.ok(after.responder.status === "failed");
});

test("§6.6: a pending UpdateNOC is what CASE authenticates with; reverting brings the old identity back", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node, { fabricId: 0x67n, nodeId: 0x67n, deviceNodeId: 0x1111n });
  const cs = await th.commission();
  assert.equal(establishedOn(caseHandshake(th, 0x1111n)), th.fabricIndex);
  const { response } = await th.updateNocFlow(cs, { nodeId: 0x2222n });
  assert.equal(response.statusCode, S.OK);
  assert.equal(readFabrics(node, th.openCase())[0]!.nodeId, 0x2222n);
  const view = caseHandshake(th, 0x2222n);
  assert.equal(establishedOn(view), th.fabricIndex);
  assert.equal(establishedOn(caseHandshake(th, 0x1111n)), undefined);
  await node.advance(901_000);
  assert.equal(establishedOn(caseHandshake(th, 0x1111n)), th.fabricIndex);
});

test("§6.7: TrustedRootCertificates includes the not-yet-bound pending root and allows duplicates", async () => {
  const node = await TestNode.create();
  const th0 = new TestCommissioner(node, { fabricId: 0x70n });
  const cs = await th0.commission();
  await node.armFailSafe(cs, 60);
  const th1 = new TestCommissioner(node, { fabricId: 0x71n, ca: th0.ca });
  const { csr } = await th1.csrRequest(cs);
  assert.equal(readRoots(node, cs).length, 1);
  // The same root again (another fabric id under it): pending, listed, a duplicate of fabric 1's.
  assert.equal(statusOf(await th1.addTrustedRoot(cs)), ImStatus.SUCCESS);
  const roots = readRoots(node, cs);
  assert.equal(roots.length, 2);
  assert.ok(bytesEqual(roots[0]!, th0.ca.rcac.raw) && bytesEqual(roots[1]!, th0.ca.rcac.raw));
  // Bound by AddNOC it is still listed once, as the new fabric's RCAC.
  assert.equal(nocResponseOf(await th1.addNoc(cs, th1.issue(csr!))).statusCode, S.OK);
  assert.equal(readRoots(node, cs).length, 2);
  await node.armFailSafe(th1.node.openCase(node.failSafe.fabricIndex, th1.nodeId), 0);
  assert.equal(readRoots(node, cs).length, 1);
});

test("§6.8: a failed AddNOC keeps the pending root and key (retry in the same fail-safe); it reverts NOC/ICAC, IPK and ACL", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node);
  const { pase, csr } = await preparedPase(node, th);
  const bad = nocResponseOf(await th.addNoc(pase, th.issue(csr, { corruptNocSignature: true })));
  assert.equal(bad.statusCode, S.InvalidNOC);
  assert.equal(readRoots(node, pase).length, 1);
  assert.equal(readNocs(node, pase, false).length, 0);
  assert.equal(node.acl.entries().length, 0);
  assert.equal(node.transaction.pendingState().pendingKeyFor, "add");
  assert.equal(nocResponseOf(await th.addNoc(pase, th.issue(csr))).statusCode, S.OK);
});

test("§6.9: NOCStruct.ICAC is null (not omitted); VVSC only without an ICAC; the descriptor omits an empty VVS", async () => {
  const node = await TestNode.create();
  const withIcac = new TestCommissioner(node, { fabricId: 0x91n, withIcac: true });
  const wCase = await withIcac.commission();
  const noIcac = new TestCommissioner(node, { fabricId: 0x92n, nodeId: 0x92n });
  const nCase = await noIcac.commission();
  const nocOf = (s: number) => rawList(node, s, Attr.NOCs)[0]!;
  assert.equal(field(nocOf(nCase), 2)?.type, "null");
  assert.equal(field(nocOf(nCase), 3), undefined);
  assert.equal(field(nocOf(wCase), 2)?.type, "bytes");
  assert.equal(field(nocOf(wCase), 3), undefined);
  assert.equal(statusOf(await setVid(node, nCase, [b(2, new Uint8Array(40).fill(7))])), ImStatus.SUCCESS);
  assert.equal(field(nocOf(nCase), 2)?.type, "null");
  assert.equal(field(nocOf(nCase), 3)?.type, "bytes");
  const fabricOf = (s: number) => rawList(node, s, Attr.Fabrics)[0]!;
  assert.equal(field(fabricOf(nCase), 6), undefined);
  await setVid(node, nCase, [b(1, new Uint8Array(85).fill(1))]);
  assert.equal(field(fabricOf(nCase), 6)?.type, "bytes");
  await setVid(node, nCase, [b(1, new Uint8Array(0))]);
  assert.equal(field(fabricOf(nCase), 6), undefined);
});

test("§6.10: NOCResponse.FabricIndex is present only with OK, including RemoveFabric(OK) where it is the removed index", async () => {
  const node = await TestNode.create();
  const th1 = new TestCommissioner(node, { fabricId: 0x101n });
  const c1 = await th1.commission();
  const th2 = new TestCommissioner(node, { fabricId: 0x102n });
  const c2 = await th2.commission();
  const indexField = (out: Awaited<ReturnType<TestNode["invoke"]>>) => {
    assert.ok(out.kind === "response");
    const status = field(out.fields, 0);
    const fi = field(out.fields, 1);
    return [status?.type === "uint" ? status.value : -1n, fi?.type === "uint" ? fi.value : undefined];
  };
  await updateLabel(node, c1, "one");
  assert.deepEqual(indexField(await updateLabel(node, c1, "one")), [0n, BigInt(th1.fabricIndex!)]);
  assert.deepEqual(indexField(await updateLabel(node, c2, "one")), [BigInt(S.LabelConflict), undefined]);
  assert.deepEqual(indexField(await removeFabric(node, c1, 200)), [BigInt(S.InvalidFabricIndex), undefined]);
  await node.armFailSafe(c1, 60);
  assert.deepEqual(indexField(await th1.updateNoc(c1, th1.chain!)), [BigInt(S.MissingCsr), undefined]);
  await node.armFailSafe(c1, 0);
  assert.deepEqual(indexField(await removeFabric(node, c1, th2.fabricIndex!)), [0n, BigInt(th2.fabricIndex!)]);
});

test("§6.11: SignVIDVerificationRequest targets any fabric, signs with that fabric's key and the requesting session's challenge", async () => {
  const node = await TestNode.create();
  const th1 = new TestCommissioner(node, { fabricId: 0x111n, nodeId: 0x11n });
  const c1 = await th1.commission();
  const th2 = new TestCommissioner(node, { fabricId: 0x112n, nodeId: 0x12n });
  const c2 = await th2.commission();
  const challenge = node.crypto.randomBytes(32);
  const f2 = node.fabrics.fabric(th2.fabricIndex!)!;
  const tbsWith = (attestationChallenge: Uint8Array) =>
    vendorIdVerificationTbs({
      clientChallenge: challenge,
      attestationChallenge,
      fabricIndex: f2.fabricIndex,
      bindingMessage: vendorFabricBindingMessage(f2.rootPublicKey, f2.fabricId, f2.vendorId),
    });
  const keyOf = (index: number) => P256PublicKey.fromRaw(decodeMatterCert(node.fabrics.fabric(index)!.noc).publicKey);
  for (const session of [c1, node.openPase()]) {
    const out = await node.invoke(session, 0x0d, struct(u(0, th2.fabricIndex!), b(1, challenge)));
    const r = responseOf(out, SignVidVerificationResponse);
    assert.equal(r.fabricIndex, th2.fabricIndex);
    const mine = node.session(session).attestationChallenge;
    assert.ok(node.crypto.ecdsaVerify(keyOf(th2.fabricIndex!), tbsWith(mine), r.signature));
    assert.ok(
      !node.crypto.ecdsaVerify(keyOf(th2.fabricIndex!), tbsWith(node.session(c2).attestationChallenge), r.signature),
    );
    assert.ok(!node.crypto.ecdsaVerify(keyOf(th1.fabricIndex!), tbsWith(mine), r.signature));
  }
  for (const fi of [0, 255, 77])
    assert.equal(statusOf(await node.invoke(c1, 0x0d, struct(u(0, fi), b(1, challenge)))), ImStatus.CONSTRAINT_ERROR);
});

test("§6.12: SetVIDVerificationStatement does not check contents, persists at once, and its VendorID feeds Fabrics and the binding", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node, { fabricId: 0x120n, vendorId: 0xfff1 });
  const cs = await th.commission();
  const vvs = new Uint8Array(85).fill(0x01);
  const vvsc = new Uint8Array(400).fill(0xaa);
  assert.equal(statusOf(await setVid(node, cs, [u(0, 0x6a01), b(1, vvs), b(2, vvsc)])), ImStatus.SUCCESS);
  // Immediate: a node reopened over the same storage reads it back.
  const reopened = await TestNode.create({ storage: node.storage });
  const f = reopened.fabrics.fabric(th.fabricIndex!)!;
  assert.equal(f.vendorId, 0x6a01);
  assert.ok(bytesEqual(f.vidVerificationStatement!, vvs) && bytesEqual(f.vvsc!, vvsc));
  assert.equal(readFabrics(node, cs)[0]!.vendorId, 0x6a01);
  // The binding message of SignVIDVerificationRequest uses the new VendorID (and the VVS is appended).
  const challenge = node.crypto.randomBytes(32);
  const r = responseOf(
    await node.invoke(cs, 0x0d, struct(u(0, th.fabricIndex!), b(1, challenge))),
    SignVidVerificationResponse,
  );
  const rec = node.fabrics.fabric(th.fabricIndex!)!;
  const tbs = (vendorId: number) =>
    vendorIdVerificationTbs({
      clientChallenge: challenge,
      attestationChallenge: node.session(cs).attestationChallenge,
      fabricIndex: rec.fabricIndex,
      bindingMessage: vendorFabricBindingMessage(rec.rootPublicKey, rec.fabricId, vendorId),
      vidVerificationStatement: vvs,
    });
  const key = P256PublicKey.fromRaw(decodeMatterCert(rec.noc).publicKey);
  assert.ok(node.crypto.ecdsaVerify(key, tbs(0x6a01), r.signature));
  assert.ok(!node.crypto.ecdsaVerify(key, tbs(0xfff1), r.signature));
});

test("§6.13: an invalid vendor id is INVALID_COMMAND in AddNOC but CONSTRAINT_ERROR in SetVIDVerificationStatement", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node);
  const cs = await th.commission();
  const th2 = new TestCommissioner(node, { fabricId: 0x132n });
  const { pase, csr } = await preparedPase(node, th2);
  const chain = th2.issue(csr);
  for (const vid of [0, 0xfff5, 0xffff]) {
    assert.equal(statusOf(await th2.addNoc(pase, chain, { adminVendorId: vid })), ImStatus.INVALID_COMMAND);
    assert.equal(statusOf(await setVid(node, cs, [u(0, vid)])), ImStatus.CONSTRAINT_ERROR);
  }
  assert.equal(statusOf(await setVid(node, cs, [u(0, 0xfff4)])), ImStatus.SUCCESS);
  assert.equal(nocResponseOf(await th2.addNoc(pase, chain, { adminVendorId: 0xfff4 })).statusCode, S.OK);
});

test("§6.14: Matter time 0 is 99991231235959Z for NotBefore too; UTCTime before 2050, GeneralizedTime from 2050; fixed criticality", async () => {
  const ascii = (bytes: Uint8Array) => String.fromCharCode(...bytes.subarray(2));
  const never = matterTimeToDer(0);
  assert.deepEqual([never[0], ascii(never)], [0x18, "99991231235959Z"]);
  const before2050 = matterTimeToDer(dateToMatterEpoch(new Date("2049-12-31T23:59:59Z")));
  assert.deepEqual([before2050[0], ascii(before2050)], [0x17, "491231235959Z"]);
  const from2050 = matterTimeToDer(dateToMatterEpoch(new Date("2050-01-01T00:00:00Z")));
  assert.deepEqual([from2050[0], ascii(from2050)], [0x18, "20500101000000Z"]);
  // A certificate with NotBefore = 0 and NotAfter = 0: both become 99991231235959Z in X.509, and convert back.
  const ca = new TestCa();
  const chain = patchedChain(ca, strangerKey(await TestNode.create()), {
    nodeId: 0x14n,
    fabricId: 0x14n,
    nocPatch: { notBefore: 0, notAfter: 0 },
  });
  const x = parseX509(matterCertToDer(chain.noc));
  assert.deepEqual([x.notBeforeForm, x.notBefore.toISOString()], ["generalized", "9999-12-31T23:59:59.000Z"]);
  assert.deepEqual([x.notAfterForm, x.notAfter.toISOString()], ["generalized", "9999-12-31T23:59:59.000Z"]);
  assert.ok(bytesEqual(derToMatterCert(x.raw), chain.noc));
  // Criticality: BC, KU, EKU critical; SKID, AKID not.
  const critical = Object.fromEntries(x.extensions.map((e) => [e.oid, e.critical]));
  assert.deepEqual(critical, {
    "2.5.29.19": true,
    "2.5.29.15": true,
    "2.5.29.37": true,
    "2.5.29.14": false,
    "2.5.29.35": false,
  });
  // The DER -> TLV import rejects any other criticality (TLV could not carry it back).
  for (const oid of Object.keys(critical)) {
    const der = buildX509(
      {
        serial: x.serial,
        issuer: x.issuerRaw,
        notBefore: { form: x.notBeforeForm, date: x.notBefore },
        notAfter: { form: x.notAfterForm, date: x.notAfter },
        subject: x.subjectRaw,
        publicKey: x.publicKey,
        extensions: x.extensions.map((e) => (e.oid === oid ? { oid, critical: !e.critical, value: e.value } : e.raw)),
      },
      (tbs) => ca.crypto.ecdsaSignDer(ca.rootKey, tbs),
    );
    assert.throws(() => derToMatterCert(der), MalformedError, oid);
  }
});

test("§6.15: the TLV signature is over the DER TBS, so TLV <-> DER conversion is byte-exact both ways", () => {
  for (const name of ["Root01", "Root02", "ICA01", "ICA02", "Node01_01", "Node01_02", "Node02_01", "Node02_02"]) {
    const tlv = tlvOf(name);
    const der = derOf(name);
    assert.ok(bytesEqual(matterCertToDer(tlv), der), `${name} TLV -> DER`);
    assert.ok(bytesEqual(derToMatterCert(der), tlv), `${name} DER -> TLV`);
    assert.ok(bytesEqual(tbsDer(decodeMatterCert(tlv)), parseX509(der).tbsRaw), `${name} TBS`);
  }
  // The roots' self-signatures verify over the rebuilt DER TBS; one changed TBS byte breaks them.
  for (const name of ["Root01", "Root02"]) {
    const root = decodeMatterCert(tlvOf(name));
    const key = P256PublicKey.fromRaw(root.publicKey);
    const tbs = tbsDer(root);
    assert.ok(nodeCrypto.ecdsaVerify(key, tbs, root.signature), name);
    const changed = tbs.slice();
    changed[changed.length - 1]! ^= 1;
    assert.ok(!nodeCrypto.ecdsaVerify(key, changed, root.signature), name);
  }
});

test("§6.16: NOC install ignores validity times, needs KU digitalSignature + EKU serverAuth; ICAC/RCAC fabric id optional but must match", async () => {
  const node = await TestNode.create();
  const ca = new TestCa();
  const th = new TestCommissioner(node, { fabricId: 0x160n, ca });
  type Case = { name: string; expect: number; build: (key: P256PublicKey) => Chain };
  const base = { nodeId: 0x16n, fabricId: 0x160n };
  const yearS = 365 * 86_400;
  const cases: Case[] = [
    {
      name: "expired NOC",
      expect: S.OK,
      build: (k) => patchedChain(ca, k, { ...base, nocPatch: { notBefore: 10, notAfter: 1 * yearS } }),
    },
    {
      name: "not yet valid NOC",
      expect: S.OK,
      build: (k) => patchedChain(ca, k, { ...base, nocPatch: { notBefore: 90 * yearS, notAfter: 0 } }),
    },
    {
      name: "EKU serverAuth only",
      expect: S.OK,
      build: (k) => patchedChain(ca, k, { ...base, nocPatch: { keyPurposes: [KEY_PURPOSE.serverAuth] } }),
    },
    {
      name: "EKU clientAuth only",
      expect: S.InvalidNOC,
      build: (k) => patchedChain(ca, k, { ...base, nocPatch: { keyPurposes: [KEY_PURPOSE.clientAuth] } }),
    },
    {
      name: "KU keyAgreement without digitalSignature",
      expect: S.InvalidNOC,
      build: (k) => patchedChain(ca, k, { ...base, nocPatch: { keyUsage: KEY_USAGE.keyAgreement } }),
    },
    {
      name: "KU digitalSignature + keyAgreement (required usages are a subset)",
      expect: S.OK,
      build: (k) =>
        patchedChain(ca, k, { ...base, nocPatch: { keyUsage: KEY_USAGE.digitalSignature | KEY_USAGE.keyAgreement } }),
    },
    {
      name: "ICAC without a fabric id",
      expect: S.OK,
      build: (k) => patchedChain(ca, k, { ...base, icacPatch: {}, icacFabricId: null }),
    },
    {
      name: "ICAC fabric id mismatch",
      expect: S.InvalidNOC,
      build: (k) => ca.issueChain(k, { ...base, withIcac: true, icacFabricId: 0x999n }),
    },
  ];
  for (const c of cases) {
    const { pase, key } = await preparedPase(node, th);
    const r = nocResponseOf(await th.addNoc(pase, c.build(key)));
    assert.equal(r.statusCode, c.expect, `${c.name}: ${r.debugText ?? ""}`);
    await node.armFailSafe(pase, 0);
  }
  // RCAC fabric id: optional (above), and when present it must equal the NOC's.
  const rcacWithId = new TestCa({ rcacFabricId: 0x160n });
  for (const [fabricId, expect] of [
    [0x160n, S.OK],
    [0x161n, S.InvalidNOC],
  ] as const) {
    const th2 = new TestCommissioner(node, { fabricId, ca: rcacWithId });
    const { pase, csr } = await preparedPase(node, th2);
    assert.equal(nocResponseOf(await th2.addNoc(pase, th2.issue(csr))).statusCode, expect, `RCAC ${fabricId}`);
    await node.armFailSafe(pase, 0);
  }
});

test("§6.17: CA-side chain problems surface as InvalidNOC via AddNOC (the cert layer names them as CA-side)", async () => {
  const node = await TestNode.create();
  const ca = new TestCa();
  const th = new TestCommissioner(node, { fabricId: 0x170n, ca });
  const base = { nodeId: 0x17n, fabricId: 0x170n };
  const rootPathLen0 = patchedRoot(ca, { basicConstraints: { isCa: true, pathLenConstraint: 0 } });
  const cases = [
    { name: "ICAC not a CA", icacPatch: { basicConstraints: { isCa: false } }, rule: "ca.not-ca", cert: "icac" },
    {
      name: "ICAC without keyCertSign",
      icacPatch: { keyUsage: KEY_USAGE.cRLSign },
      rule: "ca.key-usage",
      cert: "icac",
    },
    { name: "root pathLen 0 above an ICAC", icacPatch: {}, root: rootPathLen0, rule: "ca.path-len", cert: "rcac" },
  ] as const;
  for (const c of cases) {
    const root = "root" in c ? c.root : ca.rcac;
    const { pase, key } = await preparedPase(node, th, root.raw);
    const chain = patchedChain(
      { ...ca, crypto: ca.crypto, rcac: root, rootKey: ca.rootKey, icacKey: ca.icacKey },
      key,
      {
        ...base,
        icacPatch: c.icacPatch,
      },
    );
    const findings = lintChain({ noc: chain.noc, icac: chain.icac!, rcac: root.raw }).filter(
      (f) => f.severity === "error",
    );
    assert.ok(
      findings.some((f) => f.rule === c.rule && f.cert === c.cert),
      `${c.name}: ${JSON.stringify(findings)}`,
    );
    const r = nocResponseOf(await th.addNoc(pase, chain));
    assert.equal(r.statusCode, S.InvalidNOC, c.name);
    await node.armFailSafe(pase, 0);
  }
});

test("§6.18: the IPK key set is keyed by the compressed fabric id; key set 0 is readable through KeySetRead without keys", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node, { fabricId: 0x180n });
  const cs = await th.commission();
  const f = node.fabrics.fabric(th.fabricIndex!)!;
  // Compressed fabric id = HKDF(root key without 0x04, FabricID big-endian, "CompressedFabric", 8).
  const salt = new Uint8Array(8);
  new DataView(salt.buffer).setBigUint64(0, th.fabricId);
  const hkdf = node.crypto.hkdfSha256(
    th.ca.rcac.publicKey.subarray(1),
    salt,
    new TextEncoder().encode("CompressedFabric"),
    8,
  );
  const expectedCfid = new DataView(hkdf.buffer, hkdf.byteOffset).getBigUint64(0);
  assert.equal(f.compressedFabricId, expectedCfid);
  assert.equal(compressedFabricId(node.crypto, th.ca.rcac.publicKey, th.fabricId), expectedCfid);
  const ipk = node.groupKeys.operationalIpk(node.crypto, th.fabricIndex!, f.compressedFabricId);
  assert.ok(ipk !== undefined && bytesEqual(ipk, operationalGroupKey(node.crypto, th.ipk, expectedCfid)));
  const gkm = new ClusterInstance(
    0,
    createGroupKeyManagement({
      groupKeys: node.groupKeys,
      fabricIndices: () => node.fabrics.fabrics().map((x) => x.fabricIndex),
    }),
    300,
  );
  const out = await node.invoke(cs, GroupKeyManagementCluster.commands.KeySetRead, struct(u(0, 0)), gkm);
  const set = responseOf(out, KeySetReadResponse).groupKeySet;
  assert.equal(set.groupKeySetId, 0);
  assert.equal(set.groupKeySecurityPolicy, 0);
  assert.equal(set.epochKey0, null);
  assert.equal(set.epochStartTime0, 0n);
});

test("§6.19: the Leave event is recorded before the removal and flushed urgently", async () => {
  const node = await TestNode.create();
  const th0 = new TestCommissioner(node, { fabricId: 0x190n });
  const c0 = await th0.commission();
  const th1 = new TestCommissioner(node, { fabricId: 0x191n });
  await th1.commission();
  const out = await removeFabric(node, c0, th1.fabricIndex!);
  assert.equal(nocResponseOf(out).statusCode, S.OK);
  assert.deepEqual(node.leaveEvents, [{ fabricIndex: th1.fabricIndex, fabricExisted: true }]);
  assert.deepEqual(node.fabricRemovals, [th1.fabricIndex]);
  const kinds = out.afterResponse.map((e) => e.type);
  assert.ok(kinds.includes("flush-urgent-events"));
  assert.ok(kinds.indexOf("flush-urgent-events") < kinds.indexOf("expire-fabric-sessions"));
});

test("§6.19: removing the fabric that opened the commissioning window clears AdminFabricIndex; AdminVendorId stays (SDK)", async () => {
  const node = await TestNode.create();
  const th0 = new TestCommissioner(node, { fabricId: 0x192n, vendorId: 0xfff1 });
  const c0 = await th0.commission();
  const th1 = new TestCommissioner(node, { fabricId: 0x193n, vendorId: 0xfff3 });
  const c1 = await th1.commission();
  const window = new CommissioningWindowState(() => {
    throw new RangeError("no basic window in this test");
  });
  const admin = createAdministratorCommissioning({
    window,
    fabrics: node.fabrics,
    failSafe: node.failSafe,
    controller: {
      openWindow: async () => {},
      closeWindow: async () => {},
      expireFailSafeIfHeldByPaseSession: async () => [],
    },
  });
  const salt = new Uint8Array(16).fill(0x53);
  const request = OpenCommissioningWindowRequest.encodeNode(
    {
      commissioningTimeout: 180,
      pakePasscodeVerifier: encodePaseVerifier(computePaseVerifier(node.crypto, 20202021, { iterations: 1000, salt })),
      discriminator: 3840,
      iterations: 1000,
      salt,
    },
    ANONYMOUS,
  );
  const opened = await invokeCommand(
    new ClusterInstance(0, admin, 400),
    AdministratorCommissioningCluster.commands.OpenCommissioningWindow,
    request,
    { session: node.session(c1), timed: true, now: node.now },
    node.access,
  );
  assert.equal(statusOf(opened), ImStatus.SUCCESS);
  assert.deepEqual([window.adminFabricIndex, window.adminVendorId], [th1.fabricIndex, 0xfff3]);
  assert.equal(nocResponseOf(await removeFabric(node, c0, th1.fabricIndex!)).statusCode, S.OK);
  // Our notes' §6.19 says both are cleared; the SDK's CommissioningWindowManager::OnFabricRemoved clears the opener's
  // fabric index only (src/app/server/CommissioningWindowManager.cpp), and the source wins.
  assert.deepEqual([window.adminFabricIndex, window.adminVendorId], [null, 0xfff3]);
});

test("§6.20: [DIFF] decisions: label > 32 bytes INVALID_COMMAND, identical root re-add CONSTRAINT_ERROR, empty label conflicts, revision 2", async () => {
  const node = await TestNode.create();
  const th1 = new TestCommissioner(node, { fabricId: 0x201n });
  const c1 = await th1.commission();
  const th2 = new TestCommissioner(node, { fabricId: 0x202n });
  const c2 = await th2.commission();
  // Label limit in bytes (UTF-8), answered INVALID_COMMAND as in the SDK.
  assert.equal(statusOf(await updateLabel(node, c1, "x".repeat(33))), ImStatus.INVALID_COMMAND);
  assert.equal(statusOf(await updateLabel(node, c1, "€".repeat(11))), ImStatus.INVALID_COMMAND);
  assert.equal(nocResponseOf(await updateLabel(node, c1, "€".repeat(10))).statusCode, S.OK);
  // The empty label is not special-cased: TH2 still has "", so TH1 may not take "" back.
  assert.equal(nocResponseOf(await updateLabel(node, c1, "")).statusCode, S.LabelConflict);
  // Re-adding the identical root in the same fail-safe: CONSTRAINT_ERROR (SDK; the plan's step is disabled).
  await node.armFailSafe(c2, 60);
  const th3 = new TestCommissioner(node, { fabricId: 0x203n });
  assert.equal(statusOf(await th3.addTrustedRoot(c2)), ImStatus.SUCCESS);
  assert.equal(statusOf(await th3.addTrustedRoot(c2)), ImStatus.CONSTRAINT_ERROR);
  await node.armFailSafe(c2, 0);
  // TC_OPCREDS_3_4 step 20: a pending root makes UpdateNOC answer MissingCsr (the script, not the plan's text).
  await node.armFailSafe(c2, 60);
  const { csr } = await th2.csrRequest(c2, { forUpdate: true });
  const failed = nocResponseOf(await th2.updateNoc(c2, th2.issue(strangerKey(node))));
  assert.equal(failed.statusCode, S.InvalidPublicKey);
  assert.equal(statusOf(await th3.addTrustedRoot(c2)), ImStatus.SUCCESS);
  assert.equal(nocResponseOf(await th2.updateNoc(c2, th2.issue(csr!))).statusCode, S.MissingCsr);
  await node.armFailSafe(c2, 0);
  const rev = node.read(c1, 0xfffd);
  assert.ok(rev.kind === "data" && rev.value.type === "uint" && rev.value.value === 2n);
});

test("§6.21: [DIFF] 1.4.2: NOC and ICAC are not fabric-sensitive; an unfiltered read shows every fabric's chain", async () => {
  const node = await TestNode.create();
  const th1 = new TestCommissioner(node, { fabricId: 0x211n, withIcac: true });
  const c1 = await th1.commission();
  const th2 = new TestCommissioner(node, { fabricId: 0x212n, withIcac: true });
  await th2.commission();
  const all = readNocs(node, c1, false);
  assert.equal(all.length, 2);
  const other = all.find((n) => n.fabricIndex === th2.fabricIndex)!;
  assert.ok(bytesEqual(other.noc, th2.chain!.noc));
  assert.ok(bytesEqual(other.icac!, th2.chain!.icac!));
  const filtered = readNocs(node, c1, true);
  assert.deepEqual(
    filtered.map((n) => n.fabricIndex),
    [th1.fabricIndex],
  );
});

test("§6.22: MissingAcl (7) is never used; RemoveFabric(0) and (255) → INVALID_COMMAND, not InvalidFabricIndex", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node);
  const cs = await th.commission();
  for (const fi of [0, 255]) assert.equal(statusOf(await removeFabric(node, cs, fi)), ImStatus.INVALID_COMMAND);
  assert.equal(nocResponseOf(await removeFabric(node, cs, 9)).statusCode, S.InvalidFabricIndex);
  assert.ok(!(Object.values(S) as number[]).includes(7));
  assert.equal(node.fabrics.fabricCount(), 1);
});
