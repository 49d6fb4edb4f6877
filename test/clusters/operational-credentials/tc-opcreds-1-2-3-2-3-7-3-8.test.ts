// TC_OPCREDS_1_2 / 3_2 / 3_7 / 3_8, the fail-safe parts of TC_CGEN_2_4, exact restore on revert, bad-input statuses.
// The §6 items have their own file: sdk-rules-and-differences.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesEqual } from "../../../src/bytes/bytes.ts";
import { decodeMatterCert } from "../../../src/cert/matter-cert-decode.ts";
import { decodeNocsrElements } from "../../../src/cert/nocsr-elements.ts";
import type { NocResponse } from "../../../src/clusters/operational-credentials/noc-response.ts";
import { NodeOperationalCertStatus as S } from "../../../src/clusters/operational-credentials/node-operational-cert-status.ts";
import { OperationalCredentialsCluster } from "../../../src/clusters/operational-credentials/operational-credentials-options.ts";
import {
  SignVidVerificationResponse,
  vendorFabricBindingMessage,
  vendorIdVerificationTbs,
} from "../../../src/clusters/operational-credentials/sign-vid-verification-request.ts";
import { P256PublicKey } from "../../../src/crypto/p256.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import type { AttributeChange } from "../../../src/im/data-model.ts";
import type { TlvNode } from "../../../src/tlv/tlv-node.ts";
import { nocResponseOf, responseOf, statusOf, TestCommissioner, TestNode } from "../../support/test-commissioner.ts";
import { b, readCurrentFabricIndex, readFabrics, readNocs, readRoots, str, struct, u } from "./helpers.ts";

const Attr = OperationalCredentialsCluster.attributes;

function globals(node: TestNode, session: number, id: number): bigint[] | bigint {
  const out = node.read(session, id);
  assert.ok(out.kind === "data");
  const v = out.value;
  if (v.type === "array") return v.elements.map((e) => (e.type === "uint" ? e.value : -1n));
  assert.ok(v.type === "uint");
  return v.value;
}

test("TC_OPCREDS_1_2: revision 2, FeatureMap 0, attribute and command lists (1.4.2)", async () => {
  const node = await TestNode.create();
  const pase = node.openPase();
  assert.equal(globals(node, pase, 0xfffd), 2n);
  assert.equal(globals(node, pase, 0xfffc), 0n);
  assert.deepEqual(globals(node, pase, 0xfffb), [0n, 1n, 2n, 3n, 4n, 5n, 0xfff8n, 0xfff9n, 0xfffbn, 0xfffcn, 0xfffdn]);
  assert.deepEqual(globals(node, pase, 0xfff9), [0n, 2n, 4n, 6n, 7n, 9n, 0x0an, 0x0bn, 0x0cn, 0x0dn]);
  assert.deepEqual(globals(node, pase, 0xfff8), [1n, 3n, 5n, 8n, 0x0en]);
});

test("TC_OPCREDS_3_2: CurrentFabricIndex and filtered Fabrics per commissioner; CR1 removes CR2 and CR3", async () => {
  const node = await TestNode.create();
  const crs = [0x1n, 0x2n, 0x3n].map(
    (f) => new TestCommissioner(node, { fabricId: f, nodeId: 0x10n + f, vendorId: 0xfff0 + Number(f) }),
  );
  const sessions = [];
  for (const cr of crs) sessions.push(await cr.commission());
  for (const [i, cr] of crs.entries()) {
    assert.equal(readCurrentFabricIndex(node, sessions[i]!), cr.fabricIndex);
    const fabrics = readFabrics(node, sessions[i]!, true);
    assert.equal(fabrics.length, 1);
    assert.equal(fabrics[0]!.fabricIndex, cr.fabricIndex);
    assert.ok(bytesEqual(fabrics[0]!.rootPublicKey, cr.ca.rcac.publicKey));
    assert.equal(fabrics[0]!.vendorId, cr.vendorId);
    assert.equal(fabrics[0]!.fabricId, cr.fabricId);
  }
  for (const cr of crs.slice(1)) {
    const r = nocResponseOf(await node.invoke(sessions[0]!, 0x0a, struct(u(0, cr.fabricIndex!))));
    assert.deepEqual(r, { statusCode: S.OK, fabricIndex: cr.fabricIndex });
  }
});

test("TC_OPCREDS_3_7: a second fabric added over CASE; CommissioningComplete over the new CASE; labels empty", async () => {
  const node = await TestNode.create();
  const th1 = new TestCommissioner(node, { fabricId: 0x71n, nodeId: 0x71n });
  const th1Case = await th1.commission();
  assert.equal(readFabrics(node, th1Case, false).length, 1);
  assert.equal(readFabrics(node, th1Case, false)[0]!.label, "");
  const th2 = new TestCommissioner(node, { fabricId: 0x72n, nodeId: 0x72n });
  assert.equal(await node.armFailSafe(th1Case, 60), 0);
  const nonce = Uint8Array.from({ length: 32 }, (_, i) => i % 8);
  const { csr, response } = await th2.csrRequest(th1Case, { nonce });
  assert.ok(bytesEqual(decodeNocsrElements(response!.nocsrElements).csrNonce, nonce));
  assert.equal(statusOf(await th2.addTrustedRoot(th1Case)), ImStatus.SUCCESS);
  const added = nocResponseOf(
    await th2.addNoc(th1Case, th2.issue(csr!), { caseAdminSubject: th2.nodeId, adminVendorId: 0xfff1 }),
  );
  assert.equal(added.statusCode, S.OK);
  // §6 item 4: over CASE the invoking session keeps fabric A.
  assert.equal(readCurrentFabricIndex(node, th1Case), th1.fabricIndex);
  th2.fabricIndex = added.fabricIndex as never;
  // The old CASE session no longer matches the fail-safe (it moved to the new index).
  assert.equal(await node.commissioningComplete(th1Case), 2);
  assert.equal(await node.commissioningComplete(th2.openCase()), 0);
  assert.deepEqual(
    readFabrics(node, th1Case, false).map((f) => f.label),
    ["", ""],
  );
  assert.equal(nocResponseOf(await node.invoke(th1Case, 0x0a, struct(u(0, th2.fabricIndex!)))).statusCode, S.OK);
});

test("TC_CGEN_2_4: CommissioningComplete over PASE before AddNOC → UNSUPPORTED_ACCESS, after → InvalidAuthentication; expiry cleans up", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node);
  const pase = node.openPase();
  await node.armFailSafe(pase, 60);
  const before = await node.commissioningComplete(pase);
  assert.ok(typeof before !== "number" && before.kind === "status" && before.status === ImStatus.UNSUPPORTED_ACCESS);
  const { csr } = await th.csrRequest(pase);
  await th.addTrustedRoot(pase);
  const r = nocResponseOf(await th.addNoc(pase, th.issue(csr!)));
  assert.equal(r.statusCode, S.OK);
  assert.equal(await node.commissioningComplete(pase), 2);
  await node.advance(61_000);
  assert.equal(node.fabrics.fabricCount(), 0);
  assert.equal(node.acl.entries().length, 0);
  assert.equal(node.groupKeys.keySets(r.fabricIndex as never).length, 0);
});

test("fail-safe expiry and ArmFailSafe(0) after UpdateNOC restore NOC, ICAC, node id and operational key exactly", async () => {
  for (const disarm of ["expiry", "arm0"] as const) {
    const node = await TestNode.create();
    const th = new TestCommissioner(node, { withIcac: true });
    const cs = await th.commission();
    const before = node.fabrics.committedFabric(th.fabricIndex!)!;
    const { response } = await th.updateNocFlow(cs, { nodeId: 0x22222222n });
    assert.equal(response.statusCode, S.OK);
    assert.equal(node.fabrics.fabric(th.fabricIndex!)!.nodeId, 0x22222222n);
    if (disarm === "expiry") await node.advance(901_000);
    else await node.armFailSafe(cs, 0);
    const after = node.fabrics.fabric(th.fabricIndex!)!;
    assert.ok(bytesEqual(after.noc, before.noc) && bytesEqual(after.icac!, before.icac!));
    assert.equal(after.nodeId, before.nodeId);
    assert.ok(bytesEqual(after.operationalKey.toScalar(), before.operationalKey.toScalar()));
  }
});

test("TC_OPCREDS_3_8: VID verification", async (t) => {
  const node = await TestNode.create();
  const th1 = new TestCommissioner(node, { fabricId: 0x1111n, nodeId: 0x11n, withIcac: true });
  const th1Case = await th1.commission();
  const th2 = new TestCommissioner(node, { fabricId: 0x2222n, nodeId: 0x22n, vendorId: 0xfff2 });
  const th2Case = await th2.commission();
  const sign = (session: number, fabricIndex: number, challenge: Uint8Array) =>
    node.invoke(session, 0x0d, struct(u(0, fabricIndex), b(1, challenge)));
  const setVid = (session: number, fields: TlvNode[]) => node.invoke(session, 0x0c, struct(...fields));
  const challenge = Uint8Array.from({ length: 32 }, (_, i) => 0xa1 + i);
  const verify = (fabricIndex: number, session: number, signature: Uint8Array) => {
    const f = node.fabrics.fabric(fabricIndex)!;
    const tbs = vendorIdVerificationTbs({
      clientChallenge: challenge,
      attestationChallenge: node.session(session).attestationChallenge,
      fabricIndex,
      bindingMessage: vendorFabricBindingMessage(f.rootPublicKey, f.fabricId, f.vendorId),
      vidVerificationStatement: f.vidVerificationStatement,
    });
    const nocKey = P256PublicKey.fromRaw(decodeMatterCert(f.noc).publicKey);
    return node.crypto.ecdsaVerify(nocKey, tbs, signature);
  };
  await t.test("step 2: NOCs non-filtered show the NOC of both fabrics (1.4.2: not fabric-sensitive)", () => {
    const nocs = readNocs(node, th1Case, false);
    assert.equal(nocs.length, 2);
    assert.ok(nocs.every((n) => n.noc.length > 0));
    assert.equal(nocs.find((n) => n.fabricIndex === th2.fabricIndex)!.icac, null);
  });
  await t.test("step 4: TH1 signs for TH2's fabric; the signature verifies over the TBS without a VVS", async () => {
    const r = responseOf(await sign(th1Case, th2.fabricIndex!, challenge), SignVidVerificationResponse);
    assert.equal(r.fabricIndex, th2.fabricIndex);
    assert.equal(r.fabricBindingVersion, 1);
    assert.ok(verify(th2.fabricIndex!, th1Case, r.signature));
  });
  await t.test("step 5: unassigned index, index 0, 31/33-byte challenge → CONSTRAINT_ERROR", async () => {
    for (const [fi, c] of [
      [200, challenge],
      [0, challenge],
      [th2.fabricIndex!, challenge.subarray(1)],
      [th2.fabricIndex!, new Uint8Array(33)],
    ] as const)
      assert.equal(statusOf(await sign(th1Case, fi, c)), ImStatus.CONSTRAINT_ERROR);
  });
  await t.test("step 6: no fields → INVALID_COMMAND; steps 7-8: VVSC 401 B, VVS 86 B → CONSTRAINT_ERROR", async () => {
    assert.equal(statusOf(await setVid(th2Case, [])), ImStatus.INVALID_COMMAND);
    assert.equal(statusOf(await setVid(th2Case, [b(2, new Uint8Array(401))])), ImStatus.CONSTRAINT_ERROR);
    assert.equal(statusOf(await setVid(th2Case, [b(1, new Uint8Array(86))])), ImStatus.CONSTRAINT_ERROR);
  });
  // Step 9: "subscribe" to the cluster instance. What a subscription reports is driven by these change
  // notifications: each one bumps the data version; NOCs has quality "C" (changes omitted), so only Fabrics is sent.
  const changes: AttributeChange[] = [];
  node.opcredsInstance.onAttributeChange((c) => changes.push(c));
  /** Runs `action` and asserts it was reported: data version bumped, Fabrics reported, NOCs never reported. */
  const reported = async (action: () => Promise<unknown>): Promise<void> => {
    const before = node.opcredsInstance.dataVersion;
    changes.length = 0;
    await action();
    assert.notEqual(node.opcredsInstance.dataVersion, before, "data version bumped");
    assert.ok(
      changes.some((c) => c.attribute === Attr.Fabrics && !c.changesOmitted),
      "Fabrics change reported",
    );
    assert.ok(changes.filter((c) => c.attribute === Attr.NOCs).every((c) => c.changesOmitted));
  };
  await t.test("step 9: subscribe (min 0, max 30): reads alone change nothing", () => {
    const before = node.opcredsInstance.dataVersion;
    readFabrics(node, th2Case, false);
    readNocs(node, th2Case, false);
    assert.equal(node.opcredsInstance.dataVersion, before);
    assert.equal(changes.length, 0);
  });
  const vvs = new Uint8Array(85).fill(1);
  await t.test("step 10: VVS 85 B, VVSC 400 B, VID 0x6A01 → SUCCESS, reported and read back", async () => {
    await reported(async () =>
      assert.equal(
        statusOf(await setVid(th2Case, [u(0, 0x6a01), b(1, vvs), b(2, new Uint8Array(400).fill(0xaa))])),
        ImStatus.SUCCESS,
      ),
    );
    const f = readFabrics(node, th2Case)[0]!;
    assert.equal(f.vendorId, 0x6a01);
    assert.ok(bytesEqual(f.vidVerificationStatement!, vvs));
    assert.equal(readNocs(node, th2Case)[0]!.vvsc?.length, 400);
  });
  await t.test("step 11: TH1 (has an ICAC) sets a VVSC → INVALID_COMMAND, nothing reported", async () => {
    changes.length = 0;
    assert.equal(statusOf(await setVid(th1Case, [b(2, new Uint8Array(10))])), ImStatus.INVALID_COMMAND);
    assert.equal(changes.length, 0);
  });
  await t.test("step 12: TH2 sets VID 0xFFF1 only → SUCCESS and reported; VVS and VVSC unchanged", async () => {
    await reported(async () => assert.equal(statusOf(await setVid(th2Case, [u(0, 0xfff1)])), ImStatus.SUCCESS));
    const f = readFabrics(node, th2Case)[0]!;
    assert.equal(f.vendorId, 0xfff1);
    assert.ok(bytesEqual(f.vidVerificationStatement!, vvs));
    assert.equal(readNocs(node, th2Case)[0]!.vvsc?.length, 400);
  });
  await t.test("steps 13-15: inside a fail-safe without AddNOC/UpdateNOC the change is not reverted", async () => {
    await node.armFailSafe(th2Case, 60);
    await reported(async () =>
      assert.equal(
        statusOf(await setVid(th2Case, [u(0, 0xfff3), b(1, new Uint8Array(0)), b(2, new Uint8Array(0))])),
        ImStatus.SUCCESS,
      ),
    );
    // The fail-safe recorded SetVIDVerificationStatement: its expiry reports Fabrics once more.
    await reported(() => node.armFailSafe(th2Case, 0));
    const f = readFabrics(node, th2Case)[0]!;
    assert.equal(f.vendorId, 0xfff3);
    assert.equal(f.vidVerificationStatement, undefined);
    assert.equal(readNocs(node, th2Case)[0]!.vvsc, undefined);
  });
  await t.test(
    "steps 16-18: a pending fabric under TH2's root gets VVS/VVSC/VID; ArmFailSafe(0) removes it all",
    async () => {
      const th3 = new TestCommissioner(node, { fabricId: 0x3333n, nodeId: 0x33n, vendorId: 0xfff2, ca: th2.ca });
      await node.armFailSafe(th2Case, 60);
      const { csr } = await th3.csrRequest(th2Case);
      assert.equal(statusOf(await th3.addTrustedRoot(th2Case)), ImStatus.SUCCESS);
      let added: NocResponse = { statusCode: -1 };
      await reported(async () => {
        added = nocResponseOf(await th3.addNoc(th2Case, th3.issue(csr!)));
      });
      assert.equal(added.statusCode, S.OK);
      th3.fabricIndex = added.fabricIndex as never;
      const th3Case = th3.openCase();
      await reported(async () =>
        assert.equal(
          statusOf(await setVid(th3Case, [u(0, 0xfff1), b(1, new Uint8Array(85).fill(3)), b(2, new Uint8Array(9))])),
          ImStatus.SUCCESS,
        ),
      );
      const pending = readFabrics(node, th2Case, false).find((f) => f.fabricIndex === th3.fabricIndex)!;
      assert.equal(pending.vendorId, 0xfff1);
      assert.equal(pending.vidVerificationStatement?.length, 85);
      assert.equal(readNocs(node, th2Case, false).find((n) => n.fabricIndex === th3.fabricIndex)!.vvsc?.length, 9);
      // The fail-safe moved to the new fabric: its session disarms it.
      await reported(() => node.armFailSafe(th3Case, 0));
      assert.deepEqual(
        readFabrics(node, th2Case, false).map((f) => f.fabricIndex),
        [th1.fabricIndex, th2.fabricIndex],
      );
      assert.equal(readNocs(node, th2Case, false).length, 2);
      assert.equal(node.sessions.has(th3Case), false);
    },
  );
  await t.test("step 19: VID 0xFFF5 → CONSTRAINT_ERROR", async () => {
    assert.equal(statusOf(await setVid(th2Case, [u(0, 0xfff5)])), ImStatus.CONSTRAINT_ERROR);
  });
  await t.test("steps 20-21: with a VVS the signature covers it and the binding uses VID 0x6A01", async () => {
    await setVid(th2Case, [u(0, 0x6a01), b(1, vvs), b(2, new Uint8Array(400).fill(0xaa))]);
    const r = responseOf(await sign(th1Case, th2.fabricIndex!, challenge), SignVidVerificationResponse);
    assert.ok(verify(th2.fabricIndex!, th1Case, r.signature));
  });
  let th2Now = th2Case;
  await t.test(
    "steps 22-24: pending UpdateNOC; new VVS/VVSC/VID; ArmFailSafe(0) restores (and reports) the previous values",
    async () => {
      const { response } = await th2.updateNocFlow(th2Case, { nodeId: 0x22222222n });
      assert.equal(response.statusCode, S.OK);
      await reported(() => setVid(th2Case, [u(0, 0xfff2), b(1, new Uint8Array(85).fill(2)), b(2, new Uint8Array(7))]));
      assert.equal(readFabrics(node, th2Case)[0]!.vendorId, 0xfff2);
      assert.equal(readNocs(node, th2Case)[0]!.vvsc?.length, 7);
      await reported(() => node.armFailSafe(th2Case, 0));
      th2Now = th2.openCase();
      const f = readFabrics(node, th2Now)[0]!;
      assert.equal(f.vendorId, 0x6a01);
      assert.equal(f.nodeId, th2.deviceNodeId);
      assert.ok(bytesEqual(f.vidVerificationStatement!, vvs));
      assert.equal(readNocs(node, th2Now)[0]!.vvsc?.length, 400);
    },
  );
  await t.test(
    "steps 25-27: UpdateNOC (node 0x77777777); VVS/VVSC/VID 0xFFF4; CommissioningComplete keeps them",
    async () => {
      const { response } = await th2.updateNocFlow(th2Now, { nodeId: 0x77777777n });
      assert.equal(response.statusCode, S.OK);
      const vvs2 = new Uint8Array(85).fill(4);
      await reported(() => setVid(th2Now, [u(0, 0xfff4), b(1, vvs2), b(2, new Uint8Array(5))]));
      await reported(async () => assert.equal(await node.commissioningComplete(th2.openCase()), 0));
      // Committed: persisted, and a later disarm has nothing to revert.
      assert.equal(await node.armFailSafe(th2.openCase(), 0), 0);
      const reopened = await TestNode.create({ storage: node.storage });
      const f = reopened.fabrics.fabric(th2.fabricIndex!)!;
      assert.deepEqual([f.vendorId, f.nodeId, f.vvsc?.length], [0xfff4, 0x77777777n, 5]);
      assert.ok(bytesEqual(f.vidVerificationStatement!, vvs2));
    },
  );
  await t.test("step 28: RemoveFabric(TH2) → OK, reported", async () => {
    await reported(async () =>
      assert.equal(nocResponseOf(await node.invoke(th1Case, 0x0a, struct(u(0, th2.fabricIndex!)))).statusCode, S.OK),
    );
  });
});

test("bad input to every command is INVALID_COMMAND and leaves the fabric table untouched", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node);
  const cs = await th.commission();
  for (const fi of [0, 255])
    assert.equal(statusOf(await node.invoke(cs, 0x0a, struct(u(0, fi)))), ImStatus.INVALID_COMMAND);
  assert.equal(statusOf(await node.invoke(cs, 0x09, struct(str(0, "x".repeat(33))))), ImStatus.INVALID_COMMAND);
  assert.equal(statusOf(await node.invoke(cs, 0x06, struct(b(0, new Uint8Array(3))))), ImStatus.INVALID_COMMAND);
  assert.equal(statusOf(await node.invoke(cs, 0x00, struct(b(0, new Uint8Array(31))))), ImStatus.INVALID_COMMAND);
  assert.equal(statusOf(await node.invoke(cs, 0x04, struct(b(0, new Uint8Array(33))))), ImStatus.INVALID_COMMAND);
  assert.equal(statusOf(await node.invoke(cs, 0x02, struct(u(0, 3)))), ImStatus.INVALID_COMMAND);
  await node.armFailSafe(cs, 60);
  assert.equal(statusOf(await th.addNoc(cs, th.chain!, { ipk: new Uint8Array(15) })), ImStatus.INVALID_COMMAND);
  assert.equal(statusOf(await th.addNoc(cs, th.chain!, { adminVendorId: 0 })), ImStatus.INVALID_COMMAND);
  assert.equal(statusOf(await th.addTrustedRoot(cs, new Uint8Array(401))), ImStatus.INVALID_COMMAND);
  assert.equal(statusOf(await th.addTrustedRoot(cs, new Uint8Array([0x15, 0x18]))), ImStatus.INVALID_COMMAND);
  await node.armFailSafe(cs, 0);
  assert.equal(node.fabrics.fabricCount(), 1);
  assert.equal(readRoots(node, cs).length, 1);
});
