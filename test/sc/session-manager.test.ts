// SessionManager: id allocation (random start, never 0, skip in use), LRU eviction, CloseSession, fabric teardown, PASE binding.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Crypto } from "../../src/crypto/crypto.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { fabricIndex } from "../../src/fabric/fabric-index.ts";
import { MessageCounter } from "../../src/message/message-counter.ts";
import { MAX_SESSION_ID, SecureSession, type SecureSessionInit } from "../../src/sc/secure-session.ts";
import { SessionManager } from "../../src/sc/session-manager.ts";
import { decodeStatusReport, GeneralCode, SecureChannelProtocolCode } from "../../src/sc/status-report.ts";
import { seededCrypto } from "./pase/seeded-crypto.ts";

const KEYS = {
  i2rKey: new Uint8Array(16).fill(1),
  r2iKey: new Uint8Array(16).fill(2),
  attestationChallenge: new Uint8Array(16).fill(3),
};

/** A fixed "random" source: the first two bytes choose the starting session id. */
function fixedStart(start: number): Crypto {
  const fixed: Crypto = Object.create(nodeCrypto);
  fixed.randomBytes = (n: number) => {
    const out = new Uint8Array(n);
    out[0] = ((start - 1) >> 8) & 0xff;
    out[1] = (start - 1) & 0xff;
    return out;
  };
  return fixed;
}

function session(id: number, over: Partial<SecureSessionInit> = {}): SecureSession {
  return new SecureSession({
    crypto: nodeCrypto,
    type: "case",
    role: "responder",
    localSessionId: id,
    peerSessionId: 0x100 + (id % 0x100) + 1,
    keys: KEYS,
    counter: new MessageCounter("secure-session", 1),
    peerNodeId: 0x1000n + BigInt(id),
    localNodeId: 1n,
    fabricIndex: fabricIndex(1),
    now: 0,
    ...over,
  });
}

function pase(id: number, now = 0): SecureSession {
  return new SecureSession({
    crypto: nodeCrypto,
    type: "pase",
    role: "responder",
    localSessionId: id,
    peerSessionId: 7,
    keys: KEYS,
    counter: new MessageCounter("secure-session", 1),
    now,
  });
}

test("session ids start at a random point, increase, and skip ids in use or reserved", () => {
  const m = new SessionManager(fixedStart(0x1000));
  assert.equal(m.allocateSessionId(), 0x1000);
  assert.equal(m.allocateSessionId(), 0x1001);
  m.add(session(0x1002));
  assert.equal(m.allocateSessionId(), 0x1003, "0x1002 is in use");
  const other = new SessionManager(seededCrypto("ids"));
  const first = other.allocateSessionId();
  assert.ok(first >= 1 && first <= MAX_SESSION_ID);
  assert.notEqual(
    new SessionManager(seededCrypto("ids-2")).allocateSessionId(),
    first,
    "different seeds, different start",
  );
});

test("session id allocation wraps 0xFFFF -> 1 and never returns 0", () => {
  const m = new SessionManager(fixedStart(0xfffe));
  assert.deepEqual([m.allocateSessionId(), m.allocateSessionId(), m.allocateSessionId()], [0xfffe, 0xffff, 1]);
});

test("a released reservation can be allocated again after a full turn; all ids taken is a RangeError", () => {
  const m = new SessionManager(fixedStart(1), { maxSessions: 100 });
  const ids = new Set<number>();
  for (let i = 0; i < MAX_SESSION_ID; i++) ids.add(m.allocateSessionId());
  assert.equal(ids.size, MAX_SESSION_ID);
  assert.ok(!ids.has(0));
  assert.throws(() => m.allocateSessionId(), RangeError);
  m.releaseSessionId(42);
  assert.equal(m.allocateSessionId(), 42);
});

test("at capacity, adding a session evicts the least recently active one and tells listeners", () => {
  const m = new SessionManager(fixedStart(1), { maxSessions: 3 });
  const ended: [number, string][] = [];
  m.onSessionEnded((s, reason) => ended.push([s.localSessionId, reason]));
  const a = session(1, { now: 10 });
  const b = session(2, { now: 20 });
  const c = session(3, { now: 30 });
  for (const s of [a, b, c]) assert.deepEqual(m.add(s), []);
  a.markReceived(40); // a is now more recent than b
  const evicted = m.add(session(4, { now: 50 }));
  assert.deepEqual(
    evicted.map((s) => s.localSessionId),
    [2],
  );
  assert.deepEqual(ended, [[2, "evicted"]]);
  assert.deepEqual(
    m.sessions().map((s) => s.localSessionId),
    [1, 3, 4],
  );
  assert.equal(a.lastReceivedMs, 40);
});

test("adding a session whose id is live is a TypeError", () => {
  const m = new SessionManager(fixedStart(1));
  m.add(session(5));
  assert.throws(() => m.add(session(5)), TypeError);
});

test("CloseSession removes the session and returns SUCCESS / CLOSE_SESSION to send on it", () => {
  const m = new SessionManager(fixedStart(1));
  m.add(session(9));
  const closed = m.closeSession(9);
  assert.ok(closed !== undefined);
  assert.equal(closed.send.messageType, 0x40);
  const report = decodeStatusReport(closed.send.payload);
  assert.equal(report.generalCode, GeneralCode.SUCCESS);
  assert.equal(report.protocolCode, SecureChannelProtocolCode.CLOSE_SESSION);
  assert.equal(m.get(9), undefined);
  assert.equal(m.closeSession(9), undefined);
  m.add(session(10));
  assert.equal(m.peerClosedSession(10)?.localSessionId, 10);
  assert.equal(m.size, 0);
});

test("fabric teardown ends every session of the fabric except the kept one; other fabrics stay", () => {
  const m = new SessionManager(fixedStart(1));
  const f1 = fabricIndex(1);
  const f2 = fabricIndex(2);
  m.add(session(1, { fabricIndex: f1 }));
  m.add(session(2, { fabricIndex: f1 }));
  m.add(session(3, { fabricIndex: f2 }));
  const p = pase(4);
  m.add(p);
  m.bindPaseSessionToFabric(4, f1);
  const reasons: string[] = [];
  m.onSessionEnded((_, r) => reasons.push(r));
  assert.deepEqual(
    m.endFabricSessions(f1, 2).map((s) => s.localSessionId),
    [1, 4],
  );
  assert.deepEqual(reasons, ["fabric", "fabric"]);
  assert.deepEqual(
    m.sessions().map((s) => s.localSessionId),
    [2, 3],
  );
  assert.deepEqual(
    m.endFabricSessions(f1).map((s) => s.localSessionId),
    [2],
  );
});

test("CommissioningComplete ends every PASE session (bound to a fabric or not); CASE sessions stay", () => {
  const m = new SessionManager(fixedStart(1));
  m.add(session(1, { fabricIndex: fabricIndex(1) }));
  m.add(pase(2));
  m.add(pase(3));
  m.bindPaseSessionToFabric(3, fabricIndex(1));
  const reasons: string[] = [];
  m.onSessionEnded((_, r) => reasons.push(r));
  assert.deepEqual(
    m.endPaseSessions().map((s) => s.localSessionId),
    [2, 3],
  );
  assert.deepEqual(reasons, ["pase-expired", "pase-expired"]);
  assert.deepEqual(
    m.sessions().map((s) => s.localSessionId),
    [1],
  );
  assert.deepEqual(m.endPaseSessions(), []);
});

test("end all sessions but one", () => {
  const m = new SessionManager(fixedStart(1));
  for (const id of [1, 2, 3]) m.add(session(id));
  assert.deepEqual(
    m.endAllSessionsExcept(2).map((s) => s.localSessionId),
    [1, 3],
  );
  assert.deepEqual(
    m.sessions().map((s) => s.localSessionId),
    [2],
  );
});

test("AddNOC binds a PASE session to the new fabric; CASE sessions cannot be rebound; expiry unbinds", () => {
  const m = new SessionManager(fixedStart(1));
  m.add(pase(1));
  m.add(session(2));
  assert.equal(m.get(1)?.fabricIndex, undefined);
  m.bindPaseSessionToFabric(1, fabricIndex(3));
  assert.equal(m.get(1)?.fabricIndex, 3);
  assert.equal(m.sessionsOfFabric(fabricIndex(3)).length, 1);
  assert.throws(() => m.bindPaseSessionToFabric(1, fabricIndex(4)), TypeError);
  assert.throws(() => m.bindPaseSessionToFabric(2, fabricIndex(3)), TypeError);
  assert.throws(() => m.bindPaseSessionToFabric(99, fabricIndex(3)), TypeError);
  m.unbindPaseSessions(fabricIndex(3));
  assert.equal(m.get(1)?.fabricIndex, undefined);
});

test("SecureSession picks I2R/R2I by role, rejects id 0 and needs CASE identity", () => {
  const r = session(1);
  const i = session(2, { role: "initiator" });
  assert.equal(r.encryptKey, KEYS.r2iKey);
  assert.equal(r.decryptKey, KEYS.i2rKey);
  assert.equal(i.encryptKey, KEYS.i2rKey);
  assert.equal(i.attestationChallenge, KEYS.attestationChallenge);
  assert.throws(() => session(0), RangeError);
  assert.throws(() => session(1, { peerSessionId: 0x10000 }), RangeError);
  assert.throws(() => session(1, { peerNodeId: undefined }), TypeError);
  assert.throws(() => session(1, { counter: new MessageCounter("unencrypted", 1) }), TypeError);
});

test("sessions from a real CASE handshake: the initiator's encrypt key is the responder's decrypt key", async () => {
  const { CaseInitiator } = await import("../../src/sc/case/case-initiator.ts");
  const { CaseResponder } = await import("../../src/sc/case/case-responder.ts");
  const { makeWorld, viewOf, DEVICE_NODE_ID } = await import("./case/fixtures.ts");
  const world = await makeWorld("session-manager");
  const device = new SessionManager(seededCrypto("device-sm"));
  const controller = new SessionManager(seededCrypto("controller-sm"));
  const ini = new CaseInitiator(seededCrypto("c"), {
    fabric: world.controller,
    peerNodeId: DEVICE_NODE_ID,
    localSessionId: controller.allocateSessionId(),
  });
  const res = new CaseResponder(seededCrypto("d"), {
    fabrics: viewOf(world.device),
    allocateSessionId: () => device.allocateSessionId(),
  });
  const s2 = res.handle(0x30, ini.start().payload);
  assert.ok(s2.status === "continue");
  const s3 = ini.handle(s2.send.messageType, s2.send.payload);
  assert.ok(s3.status === "continue");
  const done = res.handle(s3.send.messageType, s3.send.payload);
  assert.ok(done.status === "established" && done.send !== undefined);
  const fin = ini.handle(done.send.messageType, done.send.payload);
  assert.ok(fin.status === "established");
  const r = device.addCaseSession(done.session, "responder", 100).session;
  const i = controller.addCaseSession(fin.session, "initiator", 100).session;
  assert.deepEqual(i.encryptKey, r.decryptKey);
  assert.deepEqual(r.encryptKey, i.decryptKey);
  assert.equal(r.peerNodeId, world.controller.nodeId);
  assert.equal(r.fabricIndex, 1);
  assert.equal(Object.keys(r.keys).sort().join(","), "attestationChallenge,i2rKey,r2iKey");
  assert.equal(device.get(r.localSessionId), r);
});
