// Audit of issue 3, test bullet 2: "Fail-safe expiry and ArmFailSafe(0) after UpdateNOC restore the previous state
// exactly, operational key included; a CASE session established with the old key works again afterwards". For both ways
// of disarming: the CASE sessions of the fabric (the ones authenticated with the pending NOC) are expired, a new CASE
// to the old node id is answered with the original NOC and signed with the original operational key, the new node id
// is no longer answered, and the old operational identity is advertised again.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesEqual, toHex } from "../../../src/bytes/bytes.ts";
import { type CaseFabric, type CaseFabricView, caseFabricView } from "../../../src/sc/case/case-fabric.ts";
import { CaseInitiator } from "../../../src/sc/case/case-initiator.ts";
import { CaseResponder } from "../../../src/sc/case/case-responder.ts";
import type { CaseSession } from "../../../src/sc/case/case-step.ts";
import { commissionerCaseFabric } from "../../support/case-peer.ts";
import { TestCommissioner, TestNode } from "../../support/test-commissioner.ts";

const OLD_NODE_ID = 0x0000_0000_0000_1111n;
const NEW_NODE_ID = 0x0000_0000_2222_2222n;

let nextSessionId = 500;

/** One CASE handshake to the node as `peerNodeId`; reports the fabric the responder used to answer (if it answered). */
function caseTo(th: TestCommissioner, peerNodeId: bigint) {
  const node = th.node;
  const inner = caseFabricView(node.crypto, node.fabrics, node.groupKeys);
  let answeredWith: CaseFabric | undefined;
  const view: CaseFabricView = {
    fabrics: () =>
      inner.fabrics().map(
        (f) =>
          new Proxy(f, {
            get(target, p, receiver) {
              // The responder reads the operational key only to sign Sigma2 with the fabric it matched.
              if (p === "operationalKey") answeredWith = target;
              return Reflect.get(target, p, receiver);
            },
          }),
      ),
  };
  const initiator = new CaseInitiator(node.crypto, {
    fabric: commissionerCaseFabric(th),
    peerNodeId,
    localSessionId: nextSessionId++,
  });
  const responder = new CaseResponder(node.crypto, { fabrics: view, allocateSessionId: () => nextSessionId++ });
  let established: { initiator: CaseSession; responder: CaseSession } | undefined;
  const sigma2 = responder.handle(0x30, initiator.start().payload);
  if (sigma2.status === "continue") {
    const sigma3 = initiator.handle(sigma2.send.messageType, sigma2.send.payload);
    if (sigma3.status === "continue") {
      const done = responder.handle(sigma3.send.messageType, sigma3.send.payload);
      if (done.status === "established" && done.send !== undefined) {
        const last = initiator.handle(done.send.messageType, done.send.payload);
        if (last.status === "established") established = { initiator: last.session, responder: done.session };
      }
    }
  }
  return { established, answeredWith };
}

for (const disarm of ["fail-safe expiry", "ArmFailSafe(0)"] as const) {
  test(`after UpdateNOC and ${disarm}, CASE with the old NOC and old operational key works again; the new identity is gone`, async () => {
    const node = await TestNode.create();
    const th = new TestCommissioner(node, { fabricId: 0x5a5an, nodeId: 0x77n, deviceNodeId: OLD_NODE_ID });
    const cs = await th.commission();
    const index = th.fabricIndex!;
    const before = node.fabrics.committedFabric(index)!;
    const oldKey = toHex(before.operationalKey.toScalar());

    const original = caseTo(th, OLD_NODE_ID);
    assert.ok(original.established, "CASE with the original NOC");
    assert.ok(bytesEqual(original.answeredWith!.noc, before.noc));

    const { response } = await th.updateNocFlow(cs, { nodeId: NEW_NODE_ID });
    assert.equal(response.statusCode, 0);
    const pending = caseTo(th, NEW_NODE_ID);
    assert.ok(pending.established, "CASE with the pending NOC");
    assert.notEqual(toHex(pending.answeredWith!.operationalKey.toScalar()), oldKey);
    assert.equal(caseTo(th, OLD_NODE_ID).established, undefined, "the old identity is not answered while pending");
    // A session of the fabric authenticated with the pending NOC.
    const pendingSession = th.openCase();

    const effectsBefore = node.effects.length;
    const identitiesBefore = node.identityChanges.length;
    if (disarm === "fail-safe expiry") await node.advance(901_000);
    else assert.equal(await node.armFailSafe(cs, 0), 0);

    // The cleanup expired the fabric's CASE sessions and restarted operational advertising.
    const cleanup = node.effects.slice(effectsBefore).map((e) => e.type);
    assert.ok(cleanup.includes("expire-fabric-sessions"), `effects: ${cleanup}`);
    assert.ok(cleanup.includes("restart-operational-advertising"), `effects: ${cleanup}`);
    assert.equal(node.sessions.has(pendingSession), false);
    assert.deepEqual(
      node.identityChanges.slice(identitiesBefore).map((c) => [c.change, c.nodeId]),
      [
        ["withdraw", NEW_NODE_ID],
        ["advertise", OLD_NODE_ID],
      ],
    );

    // A new CASE to the old node id: answered with the original NOC, signed with the original key; keys agree.
    const again = caseTo(th, OLD_NODE_ID);
    assert.ok(again.established, "CASE with the old key works again");
    assert.ok(bytesEqual(again.answeredWith!.noc, before.noc));
    assert.equal(again.answeredWith!.icac === null, before.icac === null);
    assert.equal(toHex(again.answeredWith!.operationalKey.toScalar()), oldKey);
    assert.equal(again.established.initiator.peerNodeId, OLD_NODE_ID);
    assert.equal(again.established.responder.fabricIndex, index);
    assert.equal(toHex(again.established.initiator.i2rKey), toHex(again.established.responder.i2rKey));
    assert.equal(toHex(again.established.initiator.r2iKey), toHex(again.established.responder.r2iKey));
    assert.equal(caseTo(th, NEW_NODE_ID).established, undefined, "the reverted identity is no longer answered");

    // The node is still administrable over the old identity: a new CASE session can run a fail-safe again.
    assert.equal(await node.armFailSafe(th.openCase(), 60), 0);
  });
}
