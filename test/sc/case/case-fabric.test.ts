// caseFabricView over the real fabric table and group key store: a pending AddNOC fabric answers CASE before commit.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CertificateAuthority } from "../../../src/cert/certificate-authority.ts";
import { CommissioningTransaction } from "../../../src/fabric/commissioning-transaction.ts";
import { FabricTable } from "../../../src/fabric/fabric-table.ts";
import { GroupKeyStore } from "../../../src/fabric/group-keys.ts";
import { caseFabricView } from "../../../src/sc/case/case-fabric.ts";
import { CaseInitiator } from "../../../src/sc/case/case-initiator.ts";
import { CaseResponder } from "../../../src/sc/case/case-responder.ts";
import type { CaseStep } from "../../../src/sc/case/case-step.ts";
import { MemoryStorage } from "../../../src/storage/memory-storage.ts";
import { seededCrypto } from "../pase/seeded-crypto.ts";
import { CONTROLLER_NODE_ID, caseFabric, DEVICE_NODE_ID, FABRIC_ID, IPK_EPOCH_KEY, issueNode } from "./fixtures.ts";

function handshake(ini: CaseInitiator, res: CaseResponder): { i: CaseStep; r: CaseStep } {
  const s2 = res.handle(0x30, ini.start().payload);
  if (s2.status !== "continue") return { i: s2, r: s2 };
  const s3 = ini.handle(s2.send.messageType, s2.send.payload);
  if (s3.status !== "continue") return { i: s3, r: s2 };
  const r = res.handle(s3.send.messageType, s3.send.payload);
  assert.ok(r.send !== undefined);
  return { i: ini.handle(r.send.messageType, r.send.payload), r };
}

test("a pending AddNOC fabric with its IPK is matched by the responder; without an IPK it is not", async () => {
  const crypto = seededCrypto("fabric-view");
  const clock = () => new Date(Date.UTC(2025, 0, 1));
  const ca = CertificateAuthority.create(crypto, { clock });
  const storage = new MemoryStorage();
  const table = await FabricTable.open(storage, crypto);
  const groupKeys = await GroupKeyStore.open(storage);
  const view = caseFabricView(crypto, table, groupKeys);
  const tx = new CommissioningTransaction({ fabrics: table, groupKeys });
  tx.failSafe.arm(0, 900, 0);

  const index = tx.addPendingRoot(ca.rcac.raw, ca.rcac.publicKey);
  const key = tx.allocatePendingOperationalKey();
  const noc = await ca.issueNoc({ subjectKey: key.publicKey, nodeId: DEVICE_NODE_ID, fabricId: FABRIC_ID });
  tx.addPendingFabric({
    noc: noc.raw,
    icac: null,
    fabricId: FABRIC_ID,
    nodeId: DEVICE_NODE_ID,
    cats: [],
    nocPublicKey: key.publicKey.raw,
    vendorId: 0xfff1,
  });
  assert.equal(view.fabrics().length, 0, "no IPK yet");
  await groupKeys.setIpk(index, IPK_EPOCH_KEY);
  const fabrics = view.fabrics();
  assert.equal(fabrics.length, 1);
  assert.equal(fabrics[0]!.fabricIndex, index);
  assert.equal(fabrics[0]!.nodeId, DEVICE_NODE_ID);

  const controller = caseFabric(crypto, ca, await issueNode(crypto, ca, CONTROLLER_NODE_ID), CONTROLLER_NODE_ID);
  let next = 1;
  const { i, r } = handshake(
    new CaseInitiator(seededCrypto("ctl"), { fabric: controller, peerNodeId: DEVICE_NODE_ID, localSessionId: 9 }),
    new CaseResponder(seededCrypto("dev"), { fabrics: view, allocateSessionId: () => next++ }),
  );
  assert.equal(i.status, "established");
  assert.ok(r.status === "established");
  assert.equal(r.session.fabricIndex, index);
  assert.equal(r.session.peerNodeId, CONTROLLER_NODE_ID);

  // Fail-safe expiry: the pending fabric is gone from the view, so the same Sigma1 finds no shared root.
  tx.revert();
  const again = new CaseResponder(seededCrypto("dev"), { fabrics: view, allocateSessionId: () => next++ });
  const ini = new CaseInitiator(seededCrypto("ctl-2"), {
    fabric: controller,
    peerNodeId: DEVICE_NODE_ID,
    localSessionId: 9,
  });
  const step = again.handle(0x30, ini.start().payload);
  assert.ok(step.status === "failed");
  assert.equal(step.error.code, "case.no-shared-trust-roots");
});
