// A bug under a handshake (a dependency throwing something that is not a library error) ends the handshake as an
// InternalError with code `internal` and the thrown value as its cause, never as a ProtocolError or SecureChannelError;
// the peer is answered as for any failure (FAILURE / INVALID_PARAMETER), so nothing changes on the wire.
import assert from "node:assert/strict";
import { test } from "node:test";
import { InternalError } from "../../src/bytes/errors.ts";
import type { Crypto } from "../../src/crypto/crypto.ts";
import { CaseInitiator } from "../../src/sc/case/case-initiator.ts";
import { CaseResponder } from "../../src/sc/case/case-responder.ts";
import type { CaseStep } from "../../src/sc/case/case-step.ts";
import { PaseInitiator } from "../../src/sc/pase/pase-initiator.ts";
import { PaseResponder } from "../../src/sc/pase/pase-responder.ts";
import type { PaseStep } from "../../src/sc/pase/pase-step.ts";
import { computePaseVerifier, type PbkdfParameters } from "../../src/sc/pase/pase-verifier.ts";
import { decodeStatusReport, GeneralCode, SecureChannelProtocolCode } from "../../src/sc/status-report.ts";
import { DEVICE_NODE_ID, makeWorld, viewOf } from "./case/fixtures.ts";
import { seededCrypto } from "./pase/seeded-crypto.ts";

const PASSCODE = 20202021;
const PBKDF: PbkdfParameters = { iterations: 1000, salt: new TextEncoder().encode("SPAKE2P Key Salt") };
const PARAMS = { sessionIdleInterval: 5000, sessionActiveInterval: 300, sessionActiveThreshold: 4000 };

/** `crypto` whose every method throws a TypeError once `bug.on` is set. */
function breakable(crypto: Crypto, bug: { on: boolean }): Crypto {
  return new Proxy(crypto, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (bug.on) throw new TypeError("crypto bug");
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function assertInternalFailure(step: PaseStep | CaseStep, answered: boolean): void {
  assert.equal(step.status, "failed");
  assert.ok(step.status === "failed");
  assert.ok(step.error instanceof InternalError, `${step.error.name} ${step.error.code}`);
  assert.equal(step.error.code, "internal");
  assert.ok(step.error.cause instanceof TypeError);
  if (!answered) return;
  assert.ok(step.send !== undefined);
  const report = decodeStatusReport(step.send.payload);
  assert.equal(report.generalCode, GeneralCode.FAILURE);
  assert.equal(report.protocolCode, SecureChannelProtocolCode.INVALID_PARAMETER);
}

function paseResponder(allocateSessionId: () => number): PaseResponder {
  const crypto = seededCrypto("device");
  return new PaseResponder(crypto, {
    verifier: computePaseVerifier(crypto, PASSCODE, PBKDF),
    pbkdfParameters: PBKDF,
    allocateSessionId,
    sessionParameters: PARAMS,
  });
}

test("PASE responder: a throwing session id allocator is an InternalError", () => {
  const initiator = new PaseInitiator(seededCrypto("controller"), {
    passcode: PASSCODE,
    localSessionId: 0x2222,
    sessionParameters: PARAMS,
  });
  const responder = paseResponder(() => {
    throw new TypeError("allocator bug");
  });
  const request = initiator.start();
  // A PBKDFParamRequest that starts no handshake is dropped unanswered (a stranger's datagram is not answered).
  const step = responder.handle(request.messageType, request.payload);
  assertInternalFailure(step, false);
  assert.equal(step.send, undefined);
});

test("PASE initiator: a crypto bug while handling PBKDFParamResponse is an InternalError, answered INVALID_PARAMETER", () => {
  const bug = { on: false };
  const initiator = new PaseInitiator(breakable(seededCrypto("controller"), bug), {
    passcode: PASSCODE,
    localSessionId: 0x2222,
    sessionParameters: PARAMS,
  });
  let next = 0x1000;
  const responder = paseResponder(() => next++);
  const request = initiator.start();
  const response = responder.handle(request.messageType, request.payload);
  assert.ok(response.status === "continue");
  bug.on = true;
  assertInternalFailure(initiator.handle(response.send.messageType, response.send.payload), true);
});

test("CASE: a crypto bug in either role is an InternalError, answered INVALID_PARAMETER", async () => {
  const world = await makeWorld();
  const newInitiator = (crypto: Crypto) =>
    new CaseInitiator(crypto, {
      fabric: world.controller,
      peerNodeId: DEVICE_NODE_ID,
      localSessionId: 0x1234,
      sessionParameters: PARAMS,
    });
  const newResponder = (crypto: Crypto) => {
    let next = 0x4000;
    return new CaseResponder(crypto, {
      fabrics: viewOf(world.device),
      allocateSessionId: () => next++,
      sessionParameters: PARAMS,
    });
  };

  const responderBug = { on: true };
  const sigma1 = newInitiator(seededCrypto("controller")).start();
  const r = newResponder(breakable(seededCrypto("device"), responderBug)).handle(sigma1.messageType, sigma1.payload);
  assertInternalFailure(r, true);

  const initiatorBug = { on: false };
  const initiator = newInitiator(breakable(seededCrypto("controller-2"), initiatorBug));
  const first = initiator.start();
  const sigma2 = newResponder(seededCrypto("device-2")).handle(first.messageType, first.payload);
  assert.ok(sigma2.status === "continue");
  initiatorBug.on = true;
  assertInternalFailure(initiator.handle(sigma2.send.messageType, sigma2.send.payload), true);
});
