// Exchanges over a SecureSession (the one PASE/CASE session class, also the exchange layer's SessionContext):
// encryption end to end, CASE vs PASE nonce node ids, replay and tampering.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { MalformedError } from "../../src/bytes/errors.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { fabricIndex } from "../../src/fabric/fabric-index.ts";
import { MessageCounter } from "../../src/message/message-counter.ts";
import { decodeMessageHeader } from "../../src/message/message-header.ts";
import { ProtocolId } from "../../src/message/protocol-ids.ts";
import { type ExchangeEffect, ExchangeManager } from "../../src/mrp/exchange-manager.ts";
import { UnsecuredSession } from "../../src/mrp/unsecured-session.ts";
import { SecureSession, type SecureSessionInit } from "../../src/sc/secure-session.ts";

const I2R = new Uint8Array(16).fill(0x11);
const R2I = new Uint8Array(16).fill(0x22);

const KEYS = { i2rKey: I2R, r2iKey: R2I, attestationChallenge: new Uint8Array(16) };

/** PASE without node ids, CASE with them. */
function session(
  role: "initiator" | "responder",
  ids: { local: number; peer: number; localNodeId?: bigint | undefined; peerNodeId?: bigint | undefined },
  counterStart: number,
): SecureSession {
  const init: SecureSessionInit = {
    crypto: nodeCrypto,
    type: ids.peerNodeId === undefined ? "pase" : "case",
    role,
    localSessionId: ids.local,
    peerSessionId: ids.peer,
    keys: KEYS,
    counter: new MessageCounter("secure-session", counterStart),
    localNodeId: ids.localNodeId,
    peerNodeId: ids.peerNodeId,
    ...(ids.peerNodeId === undefined ? {} : { fabricIndex: fabricIndex(1) }),
    now: 0,
  };
  return new SecureSession(init);
}

function pair(nodeIds?: { initiator: bigint; responder: bigint }) {
  const initiator = session(
    "initiator",
    { local: 100, peer: 200, localNodeId: nodeIds?.initiator, peerNodeId: nodeIds?.responder },
    1000,
  );
  const responder = session(
    "responder",
    { local: 200, peer: 100, localNodeId: nodeIds?.responder, peerNodeId: nodeIds?.initiator },
    5000,
  );
  return { initiator, responder };
}

const sends = (effects: ExchangeEffect[]): Uint8Array[] => effects.flatMap((e) => (e.kind === "send" ? [e.bytes] : []));

for (const [label, ids] of [
  ["PASE (unspecified node ids)", undefined],
  ["CASE (operational node ids)", { initiator: 0x0102n, responder: 0x0304n }],
] as const) {
  test(`secure session, ${label}: request and response round trip, encrypted on the wire`, () => {
    const { initiator, responder } = pair(ids);
    const a = new ExchangeManager({ random: () => 0 });
    const b = new ExchangeManager({ random: () => 0 });
    b.registerProtocol(ProtocolId.INTERACTION_MODEL);
    const ex = a.initiate(initiator, ProtocolId.INTERACTION_MODEL);
    const secret = new TextEncoder().encode("a secret payload");
    const [req] = sends(a.send(0, ex, 0x02, secret));
    assert.ok(req);
    assert.equal(Buffer.from(req).includes(Buffer.from(secret)), false);
    assert.equal(decodeMessageHeader(req).header.sessionId, 200);
    const got = b.onMessage(1, responder, decodeMessageHeader(req)).find((e) => e.kind === "message");
    assert.ok(got?.kind === "message");
    assert.deepEqual(got.message.applicationPayload, secret);
    const [rsp] = sends(b.send(2, got.exchange, 0x05, new Uint8Array([7])));
    const back = a.onMessage(3, initiator, decodeMessageHeader(rsp!)).find((e) => e.kind === "message");
    assert.ok(back?.kind === "message");
    assert.deepEqual([...back.message.applicationPayload], [7]);
    assert.equal(ex.mrp.retransmission, undefined); // the response piggybacked the ack
  });
}

test("secure session: a replayed message is a duplicate; a tampered or misrouted one is counted as malformed", () => {
  const { initiator, responder } = pair({ initiator: 1n, responder: 2n });
  const a = new ExchangeManager({ random: () => 0 });
  const b = new ExchangeManager({ random: () => 0 });
  b.registerProtocol(ProtocolId.INTERACTION_MODEL);
  const [req] = sends(a.send(0, a.initiate(initiator, ProtocolId.INTERACTION_MODEL), 1, new Uint8Array([1, 2, 3])));
  const tampered = req!.slice();
  tampered[tampered.length - 1]! ^= 1;
  assert.deepEqual(b.onMessage(0, responder, decodeMessageHeader(tampered)), []);
  assert.equal(b.stats.malformed, 1);
  // The forged copy did not advance the window: the genuine message is still new.
  assert.equal(b.onMessage(1, responder, decodeMessageHeader(req!)).filter((e) => e.kind === "message").length, 1);
  assert.equal(b.onMessage(2, responder, decodeMessageHeader(req!)).filter((e) => e.kind === "message").length, 0);
  assert.equal(b.stats.duplicates, 1);
  // A message for another session id, or with the wrong node id in the nonce, does not open.
  assert.throws(
    () => initiator.open(decodeMessageHeader(req!)),
    (e) => e instanceof MalformedError,
  );
  const { responder: wrongPeer } = pair({ initiator: 9n, responder: 2n });
  assert.throws(
    () => wrongPeer.open(decodeMessageHeader(req!)),
    (e) => e instanceof MalformedError && e.code === "message.auth",
  );
});

test("secure session: API misuse is rejected", () => {
  const base: SecureSessionInit = {
    crypto: nodeCrypto,
    type: "pase",
    role: "initiator",
    localSessionId: 1,
    peerSessionId: 2,
    keys: KEYS,
    counter: new MessageCounter("secure-session", 1),
    now: 0,
  };
  assert.throws(() => new SecureSession({ ...base, localSessionId: 0 }), RangeError);
  assert.throws(() => new SecureSession({ ...base, counter: new MessageCounter("unencrypted", 1) }), TypeError);
  assert.throws(() => new UnsecuredSession({ counter: new MessageCounter("unencrypted", 1) }), TypeError);
});

test("robustness: random and mutated datagrams never make the exchange manager throw", () => {
  const { initiator, responder } = pair({ initiator: 1n, responder: 2n });
  const unsecured = new UnsecuredSession({ counter: new MessageCounter("unencrypted", 1), peerEphemeralNodeId: 5n });
  const b = new ExchangeManager({ random: () => 0.25 });
  b.registerProtocol(ProtocolId.INTERACTION_MODEL);
  b.registerProtocol(ProtocolId.SECURE_CHANNEL);
  const a = new ExchangeManager({ random: () => 0 });
  const [genuine] = sends(a.send(0, a.initiate(initiator, ProtocolId.INTERACTION_MODEL), 1, new Uint8Array(8)));
  const feed = (bytes: Uint8Array): void => {
    let decoded: ReturnType<typeof decodeMessageHeader>;
    try {
      decoded = decodeMessageHeader(bytes);
    } catch (e) {
      assert.ok(e instanceof MalformedError);
      return;
    }
    for (const s of [responder, unsecured]) {
      const out = b.onMessage(0, s, decoded);
      assert.ok(Array.isArray(out));
    }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), feed));
  fc.assert(
    fc.property(fc.nat(), fc.integer({ min: 0, max: 255 }), (at, v) => {
      const m = genuine!.slice();
      m[at % m.length] = v;
      feed(m);
    }),
  );
  assert.ok(b.stats.malformed > 0);
});
