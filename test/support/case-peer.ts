// A commissioner's CASE initiator against the test node's CASE responder, in memory: the responder sees the fabric
// table through caseFabricView (pending fabrics and pending NOCs included), as the device node wires it.
import { compressedFabricId } from "../../src/cert/compressed-fabric-id.ts";
import { type FabricIndex, fabricIndex } from "../../src/fabric/fabric-index.ts";
import { operationalGroupKey } from "../../src/fabric/group-keys.ts";
import { type CaseFabric, caseFabricView } from "../../src/sc/case/case-fabric.ts";
import { CaseInitiator } from "../../src/sc/case/case-initiator.ts";
import { CaseResponder } from "../../src/sc/case/case-responder.ts";
import type { CaseStep } from "../../src/sc/case/case-step.ts";
import type { TestCommissioner } from "./test-commissioner.ts";

/** The commissioner's own identity on its fabric (a NOC for its node id from its CA), as a CASE initiator uses it. */
export function commissionerCaseFabric(th: TestCommissioner): CaseFabric {
  const crypto = th.node.crypto;
  const key = crypto.generateKeyPair();
  const chain = th.ca.issueChain(key.publicKey, { nodeId: th.nodeId, fabricId: th.fabricId, withIcac: false });
  const rootPublicKey = th.ca.rcac.publicKey;
  return {
    fabricIndex: fabricIndex(1),
    fabricId: th.fabricId,
    nodeId: th.nodeId,
    rootPublicKey,
    rcac: chain.rcac,
    icac: null,
    noc: chain.noc,
    operationalKey: key,
    ipk: operationalGroupKey(crypto, th.ipk, compressedFabricId(crypto, rootPublicKey, th.fabricId)),
  };
}

/** The outcome of one CASE handshake: the initiator's and the responder's last step. */
export type CaseOutcome = { readonly initiator: CaseStep; readonly responder: CaseStep };

let nextSessionId = 100;

/**
 * Runs Sigma1..Sigma3 from commissioner `th` to the node as `peerNodeId` (default: the node id the commissioner
 * issued). The responder's fabric index tells which fabric answered.
 */
export function caseHandshake(th: TestCommissioner, peerNodeId: bigint = th.deviceNodeId): CaseOutcome {
  const node = th.node;
  const initiator = new CaseInitiator(node.crypto, {
    fabric: commissionerCaseFabric(th),
    peerNodeId,
    localSessionId: nextSessionId++,
  });
  const responder = new CaseResponder(node.crypto, {
    fabrics: caseFabricView(node.crypto, node.fabrics, node.groupKeys),
    allocateSessionId: () => nextSessionId++,
  });
  const sigma2 = responder.handle(0x30, initiator.start().payload);
  if (sigma2.status !== "continue") return { initiator: sigma2, responder: sigma2 };
  const sigma3 = initiator.handle(sigma2.send.messageType, sigma2.send.payload);
  if (sigma3.status !== "continue") return { initiator: sigma3, responder: sigma2 };
  const done = responder.handle(sigma3.send.messageType, sigma3.send.payload);
  if (done.send === undefined) return { initiator: done, responder: done };
  return { initiator: initiator.handle(done.send.messageType, done.send.payload), responder: done };
}

/** The fabric index of the responder's established session, or undefined when the handshake failed. */
export function establishedOn(outcome: CaseOutcome): FabricIndex | undefined {
  if (outcome.initiator.status !== "established" || outcome.responder.status !== "established") return undefined;
  return outcome.responder.session.fabricIndex as FabricIndex;
}
