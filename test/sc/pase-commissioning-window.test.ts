// The commissioning window's PASE state on its own (no network): one handshake at a time (Busy with the minimum wait),
// a failed attempt holds the window until its start plus the handshake timeout, the reserved session id is released,
// and the window's state counts the failed attempts: the 20th, whatever ended the others, reports it out of attempts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { MessageCounter } from "../../src/message/message-counter.ts";
import { ProtocolId, SecureChannelOpcode } from "../../src/message/protocol-ids.ts";
import { Exchange } from "../../src/mrp/exchange-manager.ts";
import { UnsecuredSession } from "../../src/mrp/unsecured-session.ts";
import { MAX_FAILED_COMMISSIONING_ATTEMPTS } from "../../src/sc/commissioning-window-state.ts";
import { HANDSHAKE_RESPONSE_TIMEOUT_MS } from "../../src/sc/handshake-table.ts";
import { computePaseVerifier, type PbkdfParameters } from "../../src/sc/pase/pase-verifier.ts";
import { encodePBKDFParamRequest } from "../../src/sc/pase/pbkdf-param-request.ts";
import { PASE_BUSY_MINIMUM_WAIT_MS, PaseCommissioningWindow } from "../../src/sc/pase-commissioning-window.ts";
import { SessionManager } from "../../src/sc/session-manager.ts";
import { paseWindow } from "./pase-window.ts";

const PBKDF: PbkdfParameters = { iterations: 1000, salt: new Uint8Array(32).fill(7) };
const VERIFIER = computePaseVerifier(nodeCrypto, 20202021, PBKDF);

let nextPeer = 1n;
function exchange(): Exchange {
  const session = new UnsecuredSession({
    counter: new MessageCounter("unencrypted", 1),
    peerEphemeralNodeId: nextPeer++,
  });
  return new Exchange(session, 1, "responder", ProtocolId.SECURE_CHANNEL);
}

function window() {
  const sessions = new SessionManager(nodeCrypto);
  const state = paseWindow({ verifier: VERIFIER, pbkdfParameters: PBKDF });
  const w = new PaseCommissioningWindow(nodeCrypto, sessions, state, undefined);
  return { w, sessions, state };
}

test("one handshake at a time: a request during a live one gets Busy with the minimum wait", () => {
  const { w } = window();
  assert.equal(w.busyFor(0), undefined);
  const live = exchange();
  w.begin(live);
  assert.equal(w.exchange, live);
  assert.equal(w.busyFor(10), PASE_BUSY_MINIMUM_WAIT_MS);
  // Another exchange's failure is not the window's.
  assert.equal(w.failed(exchange()), false);
  assert.equal(w.exchange, live);
});

test("a failed attempt holds the window until its start plus the handshake timeout", () => {
  const { w } = window();
  const ex = exchange();
  w.begin(ex);
  w.sent(1000, SecureChannelOpcode.PBKDF_PARAM_RESPONSE);
  w.sent(1200, SecureChannelOpcode.PASE_PAKE2);
  assert.equal(w.failed(ex), false);
  assert.equal(w.exchange, undefined);
  assert.equal(w.busyFor(1500), 1000 + HANDSHAKE_RESPONSE_TIMEOUT_MS - 1500);
  assert.equal(w.busyFor(1000 + HANDSHAKE_RESPONSE_TIMEOUT_MS), undefined);
});

test("an attempt that never answered (no PBKDFParamResponse) does not hold the window", () => {
  const { w } = window();
  const ex = exchange();
  w.begin(ex);
  w.failed(ex);
  assert.equal(w.busyFor(0), undefined);
});

/** A PBKDFParamRequest the window's responder answers (it reserves our session id for the handshake). */
function pbkdfRequest(): Uint8Array {
  return encodePBKDFParamRequest({
    initiatorRandom: new Uint8Array(32).fill(1),
    initiatorSessionId: 77,
    passcodeId: 0,
    hasPBKDFParameters: false,
  });
}

test("abandoning the live handshake releases its reserved session id and returns its exchange", () => {
  const { w, sessions } = window();
  const released: number[] = [];
  const release = sessions.releaseSessionId.bind(sessions);
  sessions.releaseSessionId = (id: number) => {
    released.push(id);
    release(id);
  };
  const ex = exchange();
  w.begin(ex);
  const step = w.responder?.handle(SecureChannelOpcode.PBKDF_PARAM_REQUEST, pbkdfRequest());
  assert.equal(step?.status, "continue");
  assert.equal(w.abandon(), ex);
  assert.equal(released.length, 1);
  assert.equal(w.exchange, undefined);
  assert.equal(w.abandon(), undefined);
  assert.equal(released.length, 1);
});

test("the window's state counts every failed attempt once: the 20th, after 19 others of any kind, is the last", () => {
  const { w, state } = window();
  // 18 commissionings whose fail-safe expired, counted by the node in the same state.
  for (let i = 0; i < MAX_FAILED_COMMISSIONING_ATTEMPTS - 2; i++) state.attemptFailed();
  for (const last of [false, true]) {
    const ex = exchange();
    w.begin(ex);
    w.responder?.handle(SecureChannelOpcode.PBKDF_PARAM_REQUEST, pbkdfRequest());
    // The handshake is abandoned (its exchange timed out): a failed attempt.
    w.responder?.abort();
    assert.equal(w.failed(ex), last);
  }
  assert.equal(state.failedAttempts, MAX_FAILED_COMMISSIONING_ATTEMPTS);
  assert.equal(state.outOfAttempts, true);
});

test("a malformed PBKDFParamRequest starts no attempt: nothing is counted", () => {
  const { w, state } = window();
  const ex = exchange();
  w.begin(ex);
  const step = w.responder?.handle(SecureChannelOpcode.PBKDF_PARAM_REQUEST, new Uint8Array([0x15]));
  assert.equal(step?.status, "failed");
  assert.equal(w.failed(ex), false);
  assert.equal(state.failedAttempts, 0);
});
