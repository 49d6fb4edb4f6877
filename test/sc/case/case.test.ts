// CASE, both roles in memory with fixed randomness: full and resumed handshakes, fallback, and every failure path.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { bytesEqual, fromHex } from "../../../src/bytes/bytes.ts";
import { InternalError, MalformedError, OpcredsError, ValidationError } from "../../../src/bytes/errors.ts";
import { CertificateAuthority } from "../../../src/cert/certificate-authority.ts";
import { SecureChannelOpcode } from "../../../src/message/protocol-ids.ts";
import { CaseInitiator, type CaseInitiatorOptions } from "../../../src/sc/case/case-initiator.ts";
import type { CaseMessage } from "../../../src/sc/case/case-message-type.ts";
import { CaseResponder, type CaseResponderOptions } from "../../../src/sc/case/case-responder.ts";
import type { CaseSession, CaseStep } from "../../../src/sc/case/case-step.ts";
import { destinationId } from "../../../src/sc/case/destination-id.ts";
import type { ResumptionRecord } from "../../../src/sc/case/resumption-record.ts";
import { decodeSigma1, encodeSigma1 } from "../../../src/sc/case/sigma1.ts";
import { decodeSigma2, encodeSigma2 } from "../../../src/sc/case/sigma2.ts";
import { decodeSigma3, encodeSigma3 } from "../../../src/sc/case/sigma3.ts";
import { SecureChannelError } from "../../../src/sc/secure-channel-error.ts";
import {
  decodeStatusReport,
  GeneralCode,
  SESSION_ESTABLISHMENT_SUCCESS,
  SecureChannelProtocolCode,
} from "../../../src/sc/status-report.ts";
import { seededCrypto } from "../pase/seeded-crypto.ts";
import {
  CONTROLLER_CATS,
  CONTROLLER_NODE_ID,
  caseFabric,
  DEVICE_NODE_ID,
  issueNode,
  makeWorld,
  viewOf,
  type World,
} from "./fixtures.ts";

const world: World = await makeWorld();
const DEVICE_PARAMS = { sessionIdleInterval: 5000, sessionActiveInterval: 300, sessionActiveThreshold: 4000 };
const CONTROLLER_PARAMS = { sessionIdleInterval: 500, sessionActiveInterval: 300, dataModelRevision: 18 };

function responder(over: Partial<CaseResponderOptions> = {}, seed = "device"): CaseResponder {
  let next = 0x4000;
  return new CaseResponder(seededCrypto(seed), {
    fabrics: viewOf(world.device),
    allocateSessionId: () => next++,
    sessionParameters: DEVICE_PARAMS,
    ...over,
  });
}

function initiator(over: Partial<CaseInitiatorOptions> = {}, seed = "controller"): CaseInitiator {
  return new CaseInitiator(seededCrypto(seed), {
    fabric: world.controller,
    peerNodeId: DEVICE_NODE_ID,
    localSessionId: 0x1234,
    sessionParameters: CONTROLLER_PARAMS,
    ...over,
  });
}

type Run = { i: CaseStep; r: CaseStep; trace: CaseMessage[] };

/** Runs a handshake, optionally rewriting messages on the way; returns the last step of each side. */
function run(ini: CaseInitiator, res: CaseResponder, tamper: (m: CaseMessage) => CaseMessage = (m) => m): Run {
  const trace: CaseMessage[] = [];
  let toResponder: CaseMessage | undefined = tamper(ini.start());
  let i: CaseStep | undefined;
  let r: CaseStep | undefined;
  while (toResponder !== undefined) {
    trace.push(toResponder);
    r = res.handle(toResponder.messageType, toResponder.payload);
    if (r.send === undefined) break;
    const toInitiator = tamper(r.send);
    trace.push(toInitiator);
    i = ini.handle(toInitiator.messageType, toInitiator.payload);
    toResponder = i.send === undefined ? undefined : tamper(i.send);
  }
  assert.ok(r !== undefined);
  return { i: i ?? { status: "failed", error: new InternalError("initiator never ran") }, r, trace };
}

function established(step: CaseStep): CaseSession {
  assert.equal(step.status, "established", step.status === "failed" ? `${step.error.code}: ${step.error.message}` : "");
  assert.ok(step.status === "established");
  return step.session;
}

function failed(step: CaseStep): Extract<CaseStep, { status: "failed" }> {
  assert.equal(step.status, "failed");
  assert.ok(step.status === "failed");
  return step;
}

function statusOf(m: CaseMessage | undefined): { general: number; protocol: number } {
  assert.ok(m !== undefined);
  assert.equal(m.messageType, SecureChannelOpcode.STATUS_REPORT);
  const r = decodeStatusReport(m.payload);
  return { general: r.generalCode, protocol: r.protocolCode };
}

function assertSameKeys(a: CaseSession, b: CaseSession): void {
  assert.ok(bytesEqual(a.i2rKey, b.i2rKey), "I2RKey");
  assert.ok(bytesEqual(a.r2iKey, b.r2iKey), "R2IKey");
  assert.ok(bytesEqual(a.attestationChallenge, b.attestationChallenge), "AttestationChallenge");
  assert.ok(!bytesEqual(a.i2rKey, a.r2iKey));
}

function recordsMatch(a: ResumptionRecord, b: ResumptionRecord): void {
  assert.ok(bytesEqual(a.resumptionId, b.resumptionId), "resumption ids");
  assert.ok(bytesEqual(a.sharedSecret, b.sharedSecret), "shared secrets");
}

test("destination id: the Core spec example (connectedhomeip TestCASESession DestinationIdTest)", () => {
  const crypto = seededCrypto("unused");
  const root = fromHex(
    "044a9f42b1ca4840d37292bbc7f6a7e11e22200c976fc900dbc98a7a383a641cb8254a2e56d4e295a847943b4e3897c4a773e930277b4d9fbede8a052686bfacfa",
  );
  const ipk = fromHex("9bc61cd9c62a2df6d64dfcaa9dc472d4");
  const random = fromHex("7e171231568dfa17206b3accf8faec2f4d21b580113196f47c7c4deb810a73dc");
  const expected = fromHex("dc35dd5fc9134cc5544538c9c3fc4297c1ec3370c839136a80e10796451d4c53");
  assert.ok(bytesEqual(destinationId(crypto, ipk, random, root, 0x2906c908d115d362n, 0xcd5544aa7b13ef14n), expected));
  const other = destinationId(crypto, ipk, random, root, 0x2906c908d115d362n, 0xcd5544aa7b13ef15n);
  assert.ok(!bytesEqual(other, expected));
});

test("full CASE: both sides derive the same keys, ids, peers, CATs and resumption record", () => {
  const { i, r, trace } = run(initiator(), responder());
  assert.deepEqual(
    trace.map((m) => m.messageType),
    [
      SecureChannelOpcode.CASE_SIGMA1,
      SecureChannelOpcode.CASE_SIGMA2,
      SecureChannelOpcode.CASE_SIGMA3,
      SecureChannelOpcode.STATUS_REPORT,
    ],
  );
  assert.deepEqual(statusOf(trace[3]), { general: GeneralCode.SUCCESS, protocol: 0 });
  const si = established(i);
  const sr = established(r);
  assertSameKeys(si, sr);
  assert.equal(si.localSessionId, 0x1234);
  assert.equal(sr.peerSessionId, 0x1234);
  assert.equal(si.peerSessionId, sr.localSessionId);
  assert.equal(sr.localSessionId, 0x4000);
  assert.equal(si.peerNodeId, DEVICE_NODE_ID);
  assert.equal(sr.peerNodeId, CONTROLLER_NODE_ID);
  assert.equal(si.localNodeId, CONTROLLER_NODE_ID);
  assert.equal(sr.localNodeId, DEVICE_NODE_ID);
  assert.deepEqual(sr.peerCats, CONTROLLER_CATS);
  assert.deepEqual(si.peerCats, []);
  assert.deepEqual(si.peerSessionParameters, DEVICE_PARAMS);
  assert.deepEqual(sr.peerSessionParameters, CONTROLLER_PARAMS);
  assert.equal(si.resumed, false);
  assert.equal(sr.resumed, false);
  recordsMatch(si.resumption, sr.resumption);
  assert.equal(si.resumption.peerNodeId, DEVICE_NODE_ID);
  assert.equal(sr.resumption.peerNodeId, CONTROLLER_NODE_ID);
  assert.deepEqual(sr.resumption.cats, CONTROLLER_CATS);
});

test("fixed randomness gives the same Sigma1 and Sigma2 randoms and keys (ECDSA signatures stay randomized)", () => {
  const a = run(initiator(), responder()).trace;
  const b = run(initiator(), responder()).trace;
  assert.ok(bytesEqual(a[0]!.payload, b[0]!.payload));
  const [sa, sb] = [decodeSigma2(a[1]!.payload), decodeSigma2(b[1]!.payload)];
  assert.ok(bytesEqual(sa.responderRandom, sb.responderRandom));
  assert.ok(bytesEqual(sa.responderEphPubKey, sb.responderEphPubKey));
});

function fullSessions(): { si: CaseSession; sr: CaseSession } {
  const { i, r } = run(initiator(), responder());
  return { si: established(i), sr: established(r) };
}

test("resumption: Sigma1 with resumption -> Sigma2Resume -> success; keys equal, new resumption id", () => {
  const { si, sr } = fullSessions();
  const ini = initiator({ resumption: si.resumption, localSessionId: 0x2345 }, "controller-2");
  const res = responder(
    { findResumption: (id) => (bytesEqual(id, sr.resumption.resumptionId) ? sr.resumption : undefined) },
    "device-2",
  );
  const { i, r, trace } = run(ini, res);
  assert.deepEqual(
    trace.map((m) => m.messageType),
    [SecureChannelOpcode.CASE_SIGMA1, SecureChannelOpcode.CASE_SIGMA2_RESUME, SecureChannelOpcode.STATUS_REPORT],
  );
  const sigma1 = decodeSigma1(trace[0]!.payload);
  assert.ok(sigma1.resumptionId !== undefined && bytesEqual(sigma1.resumptionId, si.resumption.resumptionId));
  assert.ok(bytesEqual(trace[2]!.payload, encodeStatusReportSuccess()));
  const ri = established(i);
  const rr = established(r);
  assertSameKeys(ri, rr);
  assert.equal(ri.resumed, true);
  assert.equal(rr.resumed, true);
  assert.equal(ri.peerSessionId, rr.localSessionId);
  assert.equal(rr.peerSessionId, 0x2345);
  assert.equal(rr.peerNodeId, CONTROLLER_NODE_ID);
  assert.deepEqual(rr.peerCats, CONTROLLER_CATS);
  recordsMatch(ri.resumption, rr.resumption);
  assert.ok(!bytesEqual(ri.resumption.resumptionId, si.resumption.resumptionId), "a new resumption id");
  assert.ok(bytesEqual(ri.resumption.sharedSecret, si.resumption.sharedSecret), "same shared secret");
  // Resumed keys differ from the original session's.
  assert.ok(!bytesEqual(ri.i2rKey, si.i2rKey));
});

function encodeStatusReportSuccess(): Uint8Array {
  // SUCCESS / Secure Channel / SESSION_ESTABLISHMENT_SUCCESS, little-endian.
  assert.equal(SESSION_ESTABLISHMENT_SUCCESS.protocolCode, 0);
  return fromHex("0000" + "00000000" + "0000");
}

test("resumption with an unknown id falls back to a full Sigma2 and succeeds", () => {
  const { si } = fullSessions();
  const ini = initiator({ resumption: si.resumption }, "controller-3");
  const res = responder({ findResumption: () => undefined }, "device-3");
  const { i, r, trace } = run(ini, res);
  assert.equal(trace[1]!.messageType, SecureChannelOpcode.CASE_SIGMA2);
  const a = established(i);
  const b = established(r);
  assertSameKeys(a, b);
  assert.equal(a.resumed, false);
  recordsMatch(a.resumption, b.resumption);
});

test("resumption with a mismatched shared secret (bad initiatorResumeMIC) falls back to a full Sigma2", () => {
  const { si, sr } = fullSessions();
  const wrong: ResumptionRecord = { ...sr.resumption, sharedSecret: new Uint8Array(32).fill(7) };
  const { i, r, trace } = run(
    initiator({ resumption: si.resumption }, "controller-4"),
    responder({ findResumption: () => wrong }, "device-4"),
  );
  assert.equal(trace[1]!.messageType, SecureChannelOpcode.CASE_SIGMA2);
  assertSameKeys(established(i), established(r));
});

test("resumption whose fabric is gone from the view falls back to a full Sigma2", () => {
  const { si, sr } = fullSessions();
  const moved: ResumptionRecord = { ...sr.resumption, fabricIndex: 9 as ResumptionRecord["fabricIndex"] };
  const { trace } = run(
    initiator({ resumption: si.resumption }, "controller-5"),
    responder({ findResumption: () => moved }, "device-5"),
  );
  assert.equal(trace[1]!.messageType, SecureChannelOpcode.CASE_SIGMA2);
});

test("Sigma1 with only one of resumptionID / initiatorResumeMIC is INVALID_PARAMETER", () => {
  const s1 = decodeSigma1(initiator().start().payload);
  const bad = encodeSigma1({ ...s1, resumptionId: new Uint8Array(16) });
  const step = failed(responder().handle(SecureChannelOpcode.CASE_SIGMA1, bad));
  assert.equal(step.error.code, "case.resumption-fields");
  assert.deepEqual(statusOf(step.send), {
    general: GeneralCode.FAILURE,
    protocol: SecureChannelProtocolCode.INVALID_PARAMETER,
  });
});

test("no fabric matches the destination id: FAILURE / NO_SHARED_TRUST_ROOTS, initiator fails without answering", () => {
  const otherIpk = { ...world.controller, ipk: new Uint8Array(16).fill(0x55) };
  const { i, r } = run(initiator({ fabric: otherIpk }), responder());
  const rf = failed(r);
  assert.equal(rf.error.code, "case.no-shared-trust-roots");
  assert.deepEqual(statusOf(rf.send), {
    general: GeneralCode.FAILURE,
    protocol: SecureChannelProtocolCode.NO_SHARED_TRUST_ROOTS,
  });
  const inf = failed(i);
  assert.equal(inf.send, undefined);
  assert.ok(inf.error instanceof SecureChannelError);
  assert.equal(inf.error.report?.protocolCode, SecureChannelProtocolCode.NO_SHARED_TRUST_ROOTS);
});

test("a wrong peer node id in the destination id is NO_SHARED_TRUST_ROOTS too", () => {
  const { r } = run(initiator({ peerNodeId: DEVICE_NODE_ID + 1n }), responder());
  assert.equal(failed(r).error.code, "case.no-shared-trust-roots");
});

test("an initiator whose NOC chains to another root is rejected at Sigma3 (INVALID_PARAMETER)", async () => {
  const crypto = seededCrypto("rogue");
  const rogue = CertificateAuthority.create(crypto, { clock: () => new Date(Date.UTC(2025, 0, 1)) });
  const rogueNode = await issueNode(crypto, rogue, CONTROLLER_NODE_ID);
  // Same root, fabric and IPK as the real controller (so the destination id matches), but a NOC from the rogue CA.
  const forged = { ...world.controller, noc: rogueNode.noc.raw, icac: null, operationalKey: rogueNode.key };
  const { i, r, trace } = run(initiator({ fabric: forged }), responder());
  assert.equal(trace[2]!.messageType, SecureChannelOpcode.CASE_SIGMA3);
  const rf = failed(r);
  assert.ok(rf.error instanceof ValidationError, rf.error.message);
  assert.deepEqual(statusOf(rf.send), {
    general: GeneralCode.FAILURE,
    protocol: SecureChannelProtocolCode.INVALID_PARAMETER,
  });
  assert.equal(failed(i).error.code, "case.peer-status");
});

test("a responder whose NOC chains to another root is rejected at Sigma2 (initiator sends INVALID_PARAMETER)", async () => {
  const crypto = seededCrypto("rogue-2");
  const rogue = CertificateAuthority.create(crypto, { clock: () => new Date(Date.UTC(2025, 0, 1)) });
  const rogueNode = await issueNode(crypto, rogue, DEVICE_NODE_ID);
  const forged = { ...world.device, noc: rogueNode.noc.raw, icac: null, operationalKey: rogueNode.key };
  const { i, r } = run(initiator(), responder({ fabrics: viewOf(forged) }));
  const inf = failed(i);
  assert.ok(inf.error instanceof ValidationError, inf.error.message);
  assert.deepEqual(statusOf(inf.send), {
    general: GeneralCode.FAILURE,
    protocol: SecureChannelProtocolCode.INVALID_PARAMETER,
  });
  assert.equal(failed(r).error.code, "case.peer-status");
});

test("a responder signing with a key that is not its NOC's fails the TBSData2 signature check", () => {
  const wrongKey = { ...world.device, operationalKey: world.controller.operationalKey };
  const { i } = run(initiator(), responder({ fabrics: viewOf(wrongKey) }));
  assert.equal(failed(i).error.code, "case.signature");
});

test("a responder whose NOC names another node than the one addressed is rejected", async () => {
  const crypto = seededCrypto("other-node");
  const other = await issueNode(crypto, world.ca, DEVICE_NODE_ID + 5n);
  // The view answers for DEVICE_NODE_ID (destination id matches) but presents another node's NOC.
  const liar = caseFabric(crypto, world.ca, other, DEVICE_NODE_ID);
  const { i } = run(initiator(), responder({ fabrics: viewOf(liar) }));
  assert.equal(failed(i).error.code, "case.peer-node-id");
});

test("a peer NOC of another fabric id under the same root is rejected", async () => {
  const crypto = seededCrypto("other-fabric");
  const other = await issueNode(crypto, world.ca, CONTROLLER_NODE_ID, { fabricId: 0x99n });
  const wrong = { ...world.controller, noc: other.noc.raw, icac: null, operationalKey: other.key };
  const { r } = run(initiator({ fabric: wrong }), responder());
  assert.equal(failed(r).error.code, "case.peer-fabric-id");
});

test("certificate validity is enforced only with validAt: an expired chain fails, the same chain passes without", () => {
  const later = new Date(Date.UTC(2100, 0, 1));
  assert.ok(failed(run(initiator(), responder({ validAt: later })).r).error instanceof ValidationError);
  const now = new Date(Date.UTC(2026, 0, 1));
  established(run(initiator({ validAt: now }), responder({ validAt: now })).r);
});

test("a tampered Sigma2 (encrypted2 or responderRandom) fails AES-CCM at the initiator", () => {
  for (const member of ["encrypted2", "responderRandom"] as const) {
    const { i } = run(initiator(), responder(), (m) => {
      if (m.messageType !== SecureChannelOpcode.CASE_SIGMA2) return m;
      const s2 = decodeSigma2(m.payload);
      const v = s2[member].slice();
      v[5]! ^= 0x01;
      return { ...m, payload: encodeSigma2({ ...s2, [member]: v }) };
    });
    const f = failed(i);
    assert.ok(f.error instanceof MalformedError && f.error.code === "crypto.ccm-auth", f.error.message);
    assert.deepEqual(statusOf(f.send), {
      general: GeneralCode.FAILURE,
      protocol: SecureChannelProtocolCode.INVALID_PARAMETER,
    });
  }
});

test("a tampered Sigma3 fails at the responder with INVALID_PARAMETER", () => {
  const { r, i } = run(initiator(), responder(), (m) => {
    if (m.messageType !== SecureChannelOpcode.CASE_SIGMA3) return m;
    const s3 = decodeSigma3(m.payload);
    const v = s3.encrypted3.slice();
    v[v.length - 1]! ^= 0x80;
    return { ...m, payload: encodeSigma3({ encrypted3: v }) };
  });
  const f = failed(r);
  assert.equal(f.error.code, "crypto.ccm-auth");
  assert.deepEqual(statusOf(f.send), {
    general: GeneralCode.FAILURE,
    protocol: SecureChannelProtocolCode.INVALID_PARAMETER,
  });
  assert.equal(failed(i).status, "failed");
});

test("a tampered Sigma1 (transcript changed after the fact) breaks the Sigma2 key at the initiator", () => {
  // The responder sees a Sigma1 with a changed session id: S2K's salt hashes Sigma1, so the initiator cannot decrypt.
  const { i } = run(initiator(), responder(), (m) => {
    if (m.messageType !== SecureChannelOpcode.CASE_SIGMA1) return m;
    return { ...m, payload: encodeSigma1({ ...decodeSigma1(m.payload), initiatorSessionId: 0x999 }) };
  });
  assert.equal(failed(i).error.code, "crypto.ccm-auth");
});

test("Sigma2Resume to an initiator that did not ask for resumption is rejected", () => {
  const ini = initiator();
  ini.start();
  const step = failed(ini.handle(SecureChannelOpcode.CASE_SIGMA2_RESUME, new Uint8Array([0x15, 0x18])));
  assert.equal(step.error.code, "case.unexpected-message");
});

test("messages out of order are INVALID_PARAMETER; a StatusReport is never answered", () => {
  const res = responder();
  const f = failed(res.handle(SecureChannelOpcode.CASE_SIGMA3, encodeSigma3({ encrypted3: new Uint8Array(40) })));
  assert.equal(f.error.code, "case.unexpected-message");
  assert.ok(f.send !== undefined);
  const g = failed(responder().handle(SecureChannelOpcode.STATUS_REPORT, fromHex("0100000000000200")));
  assert.equal(g.send, undefined);
});

test("the responder reports the allocated session id so a failed handshake can release it", () => {
  const res = responder();
  const ini = initiator();
  assert.equal(res.localSessionId, undefined);
  const s2 = res.handle(SecureChannelOpcode.CASE_SIGMA1, ini.start().payload);
  assert.equal(s2.status, "continue");
  assert.equal(res.localSessionId, 0x4000);
});

test("robustness: random or mutated Sigma1/Sigma3 bytes give a failed step with a typed error, never a throw", () => {
  const sigma1 = initiator().start().payload;
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 200 }),
        fc
          .tuple(fc.nat(sigma1.length - 1), fc.integer({ min: 1, max: 255 }))
          .map(([at, x]) => sigma1.map((b, k) => (k === at ? b ^ x : b))),
      ),
      (bytes) => {
        const step = responder().handle(SecureChannelOpcode.CASE_SIGMA1, bytes);
        if (step.status === "failed") {
          assert.ok(step.error instanceof OpcredsError);
          assert.ok(step.error instanceof MalformedError || step.error instanceof SecureChannelError, step.error.code);
        } else {
          // A mutation that kept the message valid may still reach Sigma2 (e.g. a changed session id).
          assert.equal(step.status, "continue");
        }
      },
    ),
    { numRuns: 150 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const res = responder();
      res.handle(SecureChannelOpcode.CASE_SIGMA1, sigma1);
      const step = res.handle(SecureChannelOpcode.CASE_SIGMA3, bytes);
      assert.equal(step.status, "failed");
      assert.ok(step.status === "failed" && step.error instanceof MalformedError, step.status);
    }),
    { numRuns: 100 },
  );
});
