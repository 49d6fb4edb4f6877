// A failed handshake is described for the operator with its status decoded: a commissioner holding another passcode
// (it rejects Pake2, or its Pake3 does not verify) reads "PASE failed: wrong passcode", a CASE peer of no fabric reads
// "no shared trust root", a silent peer "went silent"; the stable error code is kept at the end.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SecureChannelOpcode } from "../../src/message/protocol-ids.ts";
import { describeHandshakeFailure } from "../../src/sc/handshake-failure.ts";
import { encodePake3 } from "../../src/sc/pase/pake3.ts";
import { PaseInitiator } from "../../src/sc/pase/pase-initiator.ts";
import type { PaseMessage } from "../../src/sc/pase/pase-message-type.ts";
import { PaseResponder } from "../../src/sc/pase/pase-responder.ts";
import type { PaseStep } from "../../src/sc/pase/pase-step.ts";
import { computePaseVerifier } from "../../src/sc/pase/pase-verifier.ts";
import { SecureChannelError } from "../../src/sc/secure-channel-error.ts";
import {
  describeStatusReport,
  encodeStatusReport,
  GeneralCode,
  NO_SHARED_TRUST_ROOTS,
  SecureChannelProtocolCode,
  secureChannelStatus,
} from "../../src/sc/status-report.ts";
import { seededCrypto } from "./pase/seeded-crypto.ts";

const PASSCODE = 20202021;
const PBKDF = { iterations: 1000, salt: new TextEncoder().encode("SPAKE2P Key Salt") };
const PARAMS = { sessionIdleInterval: 5000, sessionActiveInterval: 300, sessionActiveThreshold: 4000 };

const responder = () => {
  const crypto = seededCrypto("device");
  return new PaseResponder(crypto, {
    verifier: computePaseVerifier(crypto, PASSCODE, PBKDF),
    pbkdfParameters: PBKDF,
    allocateSessionId: () => 0x1000,
    sessionParameters: PARAMS,
  });
};
const initiator = (passcode: number) =>
  new PaseInitiator(seededCrypto("controller"), { passcode, localSessionId: 0x2222, sessionParameters: PARAMS });

const sent = (step: PaseStep): PaseMessage => {
  assert.ok(step.send !== undefined, JSON.stringify(step));
  return step.send;
};

test("a commissioner with another passcode rejects Pake2: the device's failure reads 'PASE failed: wrong passcode'", () => {
  const r = responder();
  const i = initiator(11223344);
  const req = i.start();
  const resp = sent(r.handle(req.messageType, req.payload));
  const pake1 = sent(i.handle(resp.messageType, resp.payload));
  const pake2 = sent(r.handle(pake1.messageType, pake1.payload));
  // The initiator cannot verify cB and ends the handshake with StatusReport Failure/InvalidParameter.
  const report = sent(i.handle(pake2.messageType, pake2.payload));
  assert.equal(report.messageType, SecureChannelOpcode.STATUS_REPORT);
  const step = r.handle(report.messageType, report.payload);
  assert.ok(step.status === "failed" && step.error !== undefined);
  assert.equal(
    describeHandshakeFailure("pase", step.error),
    "PASE failed: wrong passcode: the initiator rejected Pake2 (StatusReport Failure/InvalidParameter) [pase.peer-status]",
  );
});

test("a Pake3 that does not verify reads 'wrong passcode' too", () => {
  const r = responder();
  const i = initiator(PASSCODE);
  const req = i.start();
  const resp = sent(r.handle(req.messageType, req.payload));
  const pake1 = sent(i.handle(resp.messageType, resp.payload));
  sent(r.handle(pake1.messageType, pake1.payload));
  const step = r.handle(SecureChannelOpcode.PASE_PAKE3, encodePake3({ cA: new Uint8Array(32) }));
  assert.ok(step.status === "failed" && step.error !== undefined);
  assert.match(describeHandshakeFailure("pase", step.error), /^PASE failed: wrong passcode: .*\[pase\.confirmation\]$/);
});

test("a StatusReport before Pake2 is not called a wrong passcode; status reports are decoded by name", () => {
  const r = responder();
  const i = initiator(PASSCODE);
  const req = i.start();
  sent(r.handle(req.messageType, req.payload));
  const busy = secureChannelStatus(GeneralCode.BUSY, SecureChannelProtocolCode.BUSY);
  const step = r.handle(SecureChannelOpcode.STATUS_REPORT, encodeStatusReport(busy));
  assert.ok(step.status === "failed" && step.error !== undefined);
  const text = describeHandshakeFailure("pase", step.error);
  assert.doesNotMatch(text, /wrong passcode/);
  assert.match(text, /StatusReport Busy\/Busy/);
  assert.equal(describeStatusReport(busy), "StatusReport Busy/Busy");
  assert.equal(
    describeStatusReport({ generalCode: 1, protocolId: 0, protocolCode: 0x1234 }),
    "StatusReport Failure/protocol code 4660",
  );
});

test("CASE without a shared root and a silent peer are named as such", () => {
  const noRoot = new SecureChannelError(
    "case.no-shared-trust-roots",
    "destinationId matches no fabric",
    NO_SHARED_TRUST_ROOTS,
  );
  assert.equal(
    describeHandshakeFailure("case", noRoot),
    "CASE failed: no shared trust root (answered StatusReport Failure/NoSharedTrustRoots): destinationId matches no fabric [case.no-shared-trust-roots]",
  );
  const silent = new SecureChannelError("pase.timeout", "handshake exchange failed before it completed", undefined);
  assert.match(describeHandshakeFailure("pase", silent), /^PASE failed: the commissioner went silent/);
});
