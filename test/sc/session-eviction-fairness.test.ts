// Issue 11 item 2: session eviction is fair between fabrics. One fabric opening many CASE sessions evicts only its own;
// every other fabric keeps its sessions (the spec's minimum of 3 per fabric) and the subscriptions living on them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { type FabricIndex, fabricIndex } from "../../src/fabric/fabric-index.ts";
import { ImMessageType } from "../../src/im/messages/im-message-type.ts";
import { SubscribeRequestMessage } from "../../src/im/messages/subscribe-request-message.ts";
import { MessageCounter } from "../../src/message/message-counter.ts";
import { SecureSession } from "../../src/sc/secure-session.ts";
import { MIN_CASE_SESSIONS_PER_FABRIC, SessionManager, secureSessionPoolSize } from "../../src/sc/session-manager.ts";
import { ack, makeNode, session as sessionInfo, TOY } from "../im/engine/harness.ts";
import { seededCrypto } from "./pase/seeded-crypto.ts";

const KEYS = {
  i2rKey: new Uint8Array(16).fill(1),
  r2iKey: new Uint8Array(16).fill(2),
  attestationChallenge: new Uint8Array(16).fill(3),
};

function caseSession(m: SessionManager, fabric: FabricIndex, peerNodeId: bigint, now: number): SecureSession {
  return new SecureSession({
    crypto: nodeCrypto,
    type: "case",
    role: "responder",
    localSessionId: m.allocateSessionId(),
    peerSessionId: 7,
    keys: KEYS,
    counter: new MessageCounter("secure-session", 1),
    peerNodeId,
    localNodeId: 1n,
    fabricIndex: fabric,
    now,
  });
}

function paseSession(m: SessionManager, now: number): SecureSession {
  return new SecureSession({
    crypto: nodeCrypto,
    type: "pase",
    role: "responder",
    localSessionId: m.allocateSessionId(),
    peerSessionId: 9,
    keys: KEYS,
    counter: new MessageCounter("secure-session", 1),
    now,
  });
}

const A = fabricIndex(1);
const B = fabricIndex(2);

test("fabric A opening 40 CASE sessions does not evict fabric B's session nor its subscription", async () => {
  const sessions = new SessionManager(seededCrypto("fair"), { maxSessions: 16 });
  const { server } = makeNode();
  // As the device node wires it: a session leaving the table ends its subscriptions.
  sessions.onSessionEnded((s) => server.sessionClosed(s.localSessionId));
  let now = 1000;
  const b = caseSession(sessions, B, 0xbbn, now);
  sessions.add(b);
  const ex = server.openExchange(sessionInfo({ id: b.localSessionId, fabricIndex: B, subjectNodeId: 0xbbn }));
  await ex.onMessage(
    ImMessageType.SubscribeRequest,
    SubscribeRequestMessage.encode({
      keepSubscriptions: true,
      minIntervalFloor: 0,
      maxIntervalCeiling: 60,
      attributeRequests: [{ endpoint: 0, cluster: TOY, attribute: 0 }],
      isFabricFiltered: true,
    }),
    now,
  );
  assert.equal((await ex.onMessage(ImMessageType.StatusResponse, ack(), now)).done, true);
  assert.equal(server.subscriptions.length, 1);

  const evicted: SecureSession[] = [];
  sessions.onSessionEnded((s, reason) => {
    if (reason === "evicted") evicted.push(s);
  });
  // B's session is the least recently active of all: plain LRU would evict it first.
  for (let i = 0; i < 40; i++) sessions.add(caseSession(sessions, A, BigInt(0xa000 + i), ++now));

  assert.equal(sessions.get(b.localSessionId), b);
  assert.equal(server.subscriptions.length, 1);
  assert.equal(server.subscriptions[0]!.state, "active");
  assert.equal(sessions.sessionsOfFabric(B).length, 1);
  assert.equal(sessions.sessionsOfFabric(A).length, 15);
  assert.equal(evicted.length, 25);
  assert.ok(evicted.every((s) => s.fabricIndex === A));
  // A's oldest went first.
  assert.deepEqual(
    sessions.sessionsOfFabric(A).map((s) => s.peerNodeId),
    Array.from({ length: 15 }, (_, i) => BigInt(0xa000 + 25 + i)).sort((x, y) => Number(x - y)),
  );
});

test("every fabric keeps its minimum of 3 sessions and a PASE session survives while one fabric floods", () => {
  const fabrics = 5;
  const max = secureSessionPoolSize(fabrics);
  assert.equal(max, fabrics * MIN_CASE_SESSIONS_PER_FABRIC + 2);
  const sessions = new SessionManager(seededCrypto("minimum"), { maxSessions: max });
  let now = 0;
  const pase = paseSession(sessions, now);
  sessions.add(pase);
  for (let f = 1; f <= fabrics; f++) {
    for (let i = 0; i < MIN_CASE_SESSIONS_PER_FABRIC; i++) {
      sessions.add(caseSession(sessions, fabricIndex(f), BigInt(f * 100 + i), ++now));
    }
  }
  for (let i = 0; i < 100; i++) sessions.add(caseSession(sessions, fabricIndex(3), BigInt(0x3000 + i), ++now));
  assert.equal(sessions.size, max);
  for (let f = 1; f <= fabrics; f++) assert.ok(sessions.sessionsOfFabric(fabricIndex(f)).length >= 3, `fabric ${f}`);
  assert.equal(sessions.get(pase.localSessionId), pase);
});

test("at capacity with every fabric at its minimum, a fabric's new session evicts its own least recently active", () => {
  const sessions = new SessionManager(seededCrypto("own"), { maxSessions: 6 });
  let now = 0;
  const a = [0, 1, 2].map((i) => caseSession(sessions, A, BigInt(i), ++now));
  const b = [0, 1, 2].map((i) => caseSession(sessions, B, BigInt(10 + i), ++now));
  for (const s of [...a, ...b]) sessions.add(s);
  // B's sessions are the most recently active, A's oldest is the global LRU; B still pays for its own new session.
  const evicted = sessions.add(caseSession(sessions, B, 99n, ++now));
  assert.deepEqual(evicted, [b[0]]);
  assert.equal(sessions.sessionsOfFabric(A).length, 3);
  // A fabric under its minimum (here a new one) takes from the largest fabric.
  const c = sessions.add(caseSession(sessions, fabricIndex(3), 77n, ++now));
  assert.equal(c.length, 1);
  assert.equal(sessions.sessionsOfFabric(fabricIndex(3)).length, 1);
  assert.equal(sessions.sessionsOfFabric(A).length + sessions.sessionsOfFabric(B).length, 5);
});
