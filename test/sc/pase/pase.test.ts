// PASE, both roles in memory with fixed randomness: success, wrong passcode, the 20-failure window, malformed input.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { bytesEqual, toHex } from "../../../src/bytes/bytes.ts";
import { MalformedError } from "../../../src/bytes/errors.ts";
import { SecureChannelOpcode } from "../../../src/message/protocol-ids.ts";
import { encodePake1 } from "../../../src/sc/pase/pake1.ts";
import { encodePake3 } from "../../../src/sc/pase/pake3.ts";
import { PaseBusyError, PaseInitiator, type PaseInitiatorOptions } from "../../../src/sc/pase/pase-initiator.ts";
import type { PaseMessage } from "../../../src/sc/pase/pase-message-type.ts";
import { PaseResponder } from "../../../src/sc/pase/pase-responder.ts";
import type { PaseStep } from "../../../src/sc/pase/pase-step.ts";
import { computePaseVerifier, type PbkdfParameters } from "../../../src/sc/pase/pase-verifier.ts";
import { decodePBKDFParamResponse } from "../../../src/sc/pase/pbkdf-param-response.ts";
import { SecureChannelError } from "../../../src/sc/secure-channel-error.ts";
import {
  busyStatus,
  decodeStatusReport,
  encodeStatusReport,
  GeneralCode,
  SESSION_ESTABLISHMENT_SUCCESS,
  SecureChannelProtocolCode,
} from "../../../src/sc/status-report.ts";
import { seededCrypto } from "./seeded-crypto.ts";

const PASSCODE = 20202021;
const PBKDF: PbkdfParameters = { iterations: 1000, salt: new TextEncoder().encode("SPAKE2P Key Salt") };
const DEVICE_PARAMS = { sessionIdleInterval: 5000, sessionActiveInterval: 300, sessionActiveThreshold: 4000 };
const CONTROLLER_PARAMS = {
  sessionIdleInterval: 500,
  sessionActiveInterval: 300,
  sessionActiveThreshold: 4000,
  dataModelRevision: 18,
  interactionModelRevision: 12,
  specificationVersion: 0x01040200,
  maxPathsPerInvoke: 10,
  supportedTransports: 0,
};

function makeResponder(seed = "device"): PaseResponder {
  const crypto = seededCrypto(seed);
  let next = 0x1000;
  return new PaseResponder(crypto, {
    verifier: computePaseVerifier(crypto, PASSCODE, PBKDF),
    pbkdfParameters: PBKDF,
    allocateSessionId: () => next++,
    sessionParameters: DEVICE_PARAMS,
  });
}

function makeInitiator(seed = "controller", extra: Partial<PaseInitiatorOptions> = {}): PaseInitiator {
  return new PaseInitiator(seededCrypto(seed), {
    passcode: PASSCODE,
    localSessionId: 0x2222,
    sessionParameters: CONTROLLER_PARAMS,
    ...extra,
  });
}

function continueWith(step: PaseStep): PaseMessage {
  assert.equal(step.status, "continue", step.status === "failed" ? step.error.message : "");
  assert.ok(step.status === "continue");
  return step.send;
}

/** Runs a whole handshake; returns the last steps of each side. */
function run(initiator: PaseInitiator, responder: PaseResponder): { i: PaseStep; r: PaseStep; trace: PaseMessage[] } {
  const trace: PaseMessage[] = [];
  let toResponder: PaseMessage | undefined = initiator.start();
  let r: PaseStep | undefined;
  let i: PaseStep | undefined;
  while (toResponder !== undefined) {
    trace.push(toResponder);
    r = responder.handle(toResponder.messageType, toResponder.payload);
    if (r.send === undefined) break;
    trace.push(r.send);
    i = initiator.handle(r.send.messageType, r.send.payload);
    toResponder = i.send;
  }
  assert.ok(i !== undefined && r !== undefined);
  return { i, r, trace };
}

test("PASE success: both sides derive the same I2R, R2I and attestation challenge; ids and parameters cross over", () => {
  const responder = makeResponder();
  const { i, r, trace } = run(makeInitiator(), responder);
  assert.deepEqual(
    trace.map((m) => m.messageType),
    [0x20, 0x21, 0x22, 0x23, 0x24, 0x40],
  );
  assert.equal(i.status, "established");
  assert.equal(r.status, "established");
  assert.ok(i.status === "established" && r.status === "established");
  assert.equal(i.session.i2rKey.length, 16);
  assert.deepEqual(i.session.i2rKey, r.session.i2rKey);
  assert.deepEqual(i.session.r2iKey, r.session.r2iKey);
  assert.deepEqual(i.session.attestationChallenge, r.session.attestationChallenge);
  assert.ok(!bytesEqual(i.session.i2rKey, i.session.r2iKey));
  assert.equal(i.session.localSessionId, 0x2222);
  assert.equal(r.session.peerSessionId, 0x2222);
  assert.equal(i.session.peerSessionId, r.session.localSessionId);
  assert.equal(r.session.localSessionId, 0x1000);
  assert.deepEqual(r.session.peerSessionParameters, CONTROLLER_PARAMS);
  assert.deepEqual(i.session.peerSessionParameters, DEVICE_PARAMS);
  assert.deepEqual(decodeStatusReport(trace[5]!.payload), SESSION_ESTABLISHMENT_SUCCESS);
  assert.equal(responder.failedAttempts, 0);
  assert.equal(responder.busy, false);
});

test("fixed randomness gives the same transcript and keys every run", () => {
  const a = run(makeInitiator(), makeResponder());
  const b = run(makeInitiator(), makeResponder());
  assert.deepEqual(
    a.trace.map((m) => toHex(m.payload)),
    b.trace.map((m) => toHex(m.payload)),
  );
  assert.ok(a.i.status === "established" && b.i.status === "established");
  assert.deepEqual(a.i.session.i2rKey, b.i.session.i2rKey);
});

test("initiator that already has the PBKDF parameters: the response omits them and PASE still succeeds", () => {
  const responder = makeResponder();
  const initiator = makeInitiator("c2", { pbkdfParameters: PBKDF });
  const req = initiator.start();
  const resp = continueWith(responder.handle(req.messageType, req.payload));
  // pbkdf_parameters SHALL be absent when the initiator said it has them.
  assert.equal(decodePBKDFParamResponse(resp.payload).pbkdfParameters, undefined);
  const pake1 = continueWith(initiator.handle(resp.messageType, resp.payload));
  const pake2 = continueWith(responder.handle(pake1.messageType, pake1.payload));
  const pake3 = continueWith(initiator.handle(pake2.messageType, pake2.payload));
  const done = responder.handle(pake3.messageType, pake3.payload);
  assert.equal(done.status, "established");
  const fin = initiator.handle(done.send!.messageType, done.send!.payload);
  assert.equal(fin.status, "established");
});

test("wrong passcode: the initiator rejects cB with FAILURE/INVALID_PARAMETER; the responder fails on that report", () => {
  const responder = makeResponder();
  const { i, r } = run(makeInitiator("c3", { passcode: 20202022 }), responder);
  assert.equal(i.status, "failed");
  assert.ok(i.status === "failed");
  assert.ok(i.error instanceof SecureChannelError && i.error.code === "pase.confirmation");
  assert.ok(i.send !== undefined);
  assert.equal(i.send.messageType, SecureChannelOpcode.STATUS_REPORT);
  const report = decodeStatusReport(i.send.payload);
  assert.equal(report.generalCode, GeneralCode.FAILURE);
  assert.equal(report.protocolId, 0);
  assert.equal(report.protocolCode, SecureChannelProtocolCode.INVALID_PARAMETER);
  assert.equal(r.status, "failed");
  assert.ok(r.status === "failed" && r.send === undefined);
  assert.equal(responder.failedAttempts, 1);
  assert.equal(responder.busy, false);
});

test("a Pake3 whose cA does not verify: the responder answers FAILURE/INVALID_PARAMETER and counts the attempt", () => {
  const responder = makeResponder();
  const initiator = makeInitiator();
  const req = initiator.start();
  const resp = continueWith(responder.handle(req.messageType, req.payload));
  const pake1 = continueWith(initiator.handle(resp.messageType, resp.payload));
  continueWith(responder.handle(pake1.messageType, pake1.payload));
  const step = responder.handle(SecureChannelOpcode.PASE_PAKE3, encodePake3({ cA: new Uint8Array(32) }));
  assert.ok(step.status === "failed" && step.send !== undefined);
  assert.ok(step.error instanceof SecureChannelError && step.error.code === "pase.confirmation");
  const report = decodeStatusReport(step.send.payload);
  assert.equal(report.generalCode, GeneralCode.FAILURE);
  assert.equal(report.protocolCode, SecureChannelProtocolCode.INVALID_PARAMETER);
  assert.equal(responder.failedAttempts, 1);
});

test("a successful attempt after failures does not reset the count (window failures are cumulative)", () => {
  const responder = makeResponder("d");
  run(makeInitiator("x1", { passcode: 11223344 }), responder);
  const ok = run(makeInitiator("x2"), responder);
  assert.equal(ok.r.status, "established");
  assert.equal(responder.failedAttempts, 1);
});

test("out-of-order and unknown messages fail with INVALID_PARAMETER and never throw", () => {
  const responder = makeResponder();
  const pake1 = responder.handle(SecureChannelOpcode.PASE_PAKE1, encodePake1({ pA: new Uint8Array(65) }));
  assert.ok(pake1.status === "failed" && pake1.send !== undefined);
  assert.equal(pake1.error.code, "pase.unexpected-message");
  const unknown = responder.handle(0x30, new Uint8Array(0));
  assert.equal(unknown.status, "failed");
  // Stray messages outside a handshake are not commissioning attempts.
  assert.equal(responder.failedAttempts, 0);

  const initiator = makeInitiator();
  initiator.start();
  const early = initiator.handle(SecureChannelOpcode.PASE_PAKE2, new Uint8Array([0x15, 0x18]));
  assert.ok(early.status === "failed");
  assert.equal(early.error.code, "pase.unexpected-message");
});

test("a passcodeId other than 0 and an initiatorSessionId of 0 are dropped unanswered and uncounted", async () => {
  const { encodePBKDFParamRequest } = await import("../../../src/sc/pase/pbkdf-param-request.ts");
  const responder = makeResponder();
  for (const [passcodeId, initiatorSessionId, code] of [
    [1, 5, "pase.passcode-id"],
    [0, 0, "pase.session-id"],
  ] as const) {
    const payload = encodePBKDFParamRequest({
      initiatorRandom: new Uint8Array(32),
      initiatorSessionId,
      passcodeId,
      hasPBKDFParameters: false,
    });
    const step = responder.handle(SecureChannelOpcode.PBKDF_PARAM_REQUEST, payload);
    // Issue 11: a malformed request starts no handshake, so it is no attempt and gets no answer.
    assert.ok(step.status === "failed" && step.send === undefined);
    assert.equal(step.error.code, code);
  }
  assert.equal(responder.failedAttempts, 0);
});

function expectHandled(step: PaseStep): void {
  if (step.status === "failed") {
    assert.ok(
      step.error instanceof MalformedError || step.error instanceof SecureChannelError,
      `unexpected error ${step.error.constructor.name}: ${step.error.message}`,
    );
  }
}

test("robustness: random and mutated payloads at every responder and initiator state never throw", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 4 }),
      fc.uint8Array({ maxLength: 160 }),
      fc.nat(),
      fc.boolean(),
      (stage, noise, pos, mutate) => {
        const responder = makeResponder("rob");
        const initiator = makeInitiator("rob");
        // Drive the honest handshake up to `stage`, then inject a random or mutated message.
        const msgs: PaseMessage[] = [];
        let m: PaseMessage = initiator.start();
        msgs.push(m);
        for (let s = 0; s < stage; s++) {
          const step =
            s % 2 === 0 ? responder.handle(m.messageType, m.payload) : initiator.handle(m.messageType, m.payload);
          if (step.send === undefined) break;
          m = step.send;
          msgs.push(m);
        }
        const target = msgs[msgs.length - 1]!;
        let payload = noise;
        if (mutate && target.payload.length > 0) {
          payload = target.payload.slice();
          const at = pos % payload.length;
          payload[at] = payload[at]! ^ (noise[0] ?? 0xff) ^ 0x01;
        }
        const toResponder = msgs.length % 2 === 1;
        const step = toResponder
          ? responder.handle(target.messageType, payload)
          : initiator.handle(target.messageType, payload);
        expectHandled(step);
      },
    ),
    { numRuns: 150 },
  );
});

test("a Busy StatusReport in answer to PBKDFParamRequest fails the initiator with PaseBusyError and its minimum wait", () => {
  const initiator = makeInitiator();
  initiator.start();
  const step = initiator.handle(SecureChannelOpcode.STATUS_REPORT, encodeStatusReport(busyStatus(5000)));
  assert.equal(step.status, "failed");
  assert.ok(step.status === "failed" && step.error instanceof PaseBusyError);
  assert.equal(step.error.minimumWaitMs, 5000);
  assert.equal(step.error.code, "pase.busy");
});
