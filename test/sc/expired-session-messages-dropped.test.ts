// Audit of issue 4, "an expired session" in the two-party tests, through two SecureChannelEndpoints over the simulated
// network: a message on a session that is gone (evicted, ended with its fabric, closed) is dropped and counted, and the
// sender's MRP gives up after MRP_MAX_TRANSMISSIONS; a CASE resumption whose record or fabric is gone falls back to a
// full Sigma2 (or fails with NO_SHARED_TRUST_ROOTS when no fabric is left); a PASE attempt cut by the commissioning
// window closing fails, while a PASE session established before the window closed keeps working.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesEqual, toHex } from "../../src/bytes/bytes.ts";
import type { Crypto } from "../../src/crypto/crypto.ts";
import { fabricIndex } from "../../src/fabric/fabric-index.ts";
import { decodeMessageHeader } from "../../src/message/message-header.ts";
import { ProtocolId } from "../../src/message/protocol-ids.ts";
import type { ExchangeFailure } from "../../src/mrp/exchange-manager.ts";
import { MRP_MAX_TRANSMISSIONS } from "../../src/mrp/mrp-parameters.ts";
import type { ApplicationExchange } from "../../src/sc/application-exchange.ts";
import type { CaseFabric, CaseFabricView } from "../../src/sc/case/case-fabric.ts";
import { computePaseVerifier, type PbkdfParameters } from "../../src/sc/pase/pase-verifier.ts";
import type { SecureChannelEffect } from "../../src/sc/secure-channel-effect.ts";
import { SecureChannelEndpoint } from "../../src/sc/secure-channel-endpoint.ts";
import { SecureChannelError } from "../../src/sc/secure-channel-error.ts";
import type { SecureSession } from "../../src/sc/secure-session.ts";
import { SessionManager } from "../../src/sc/session-manager.ts";
import type { SessionParameters } from "../../src/sc/session-parameters.ts";
import { SecureChannelProtocolCode } from "../../src/sc/status-report.ts";
import { DEVICE_NODE_ID, makeWorld } from "./case/fixtures.ts";
import { MemoryResumption, SimNetwork, type SimNode } from "./integration/sim-network.ts";
import { seededCrypto } from "./pase/seeded-crypto.ts";
import { paseWindow } from "./pase-window.ts";

const PASSCODE = 20202021;
const PBKDF: PbkdfParameters = { iterations: 1000, salt: new TextEncoder().encode("SPAKE2P Key Salt 0123456789abcde") };

/** A SimNode with a chosen session capacity and a CASE fabric view the test can change between handshakes. */
class AuditNode {
  readonly address;
  readonly sessions: SessionManager;
  readonly endpoint: SecureChannelEndpoint;
  readonly resumption = new MemoryResumption();
  readonly events: SecureChannelEffect[] = [];
  timerAt: number | undefined;
  caseFabrics: CaseFabric[] = [];
  readonly #net: SimNetwork;

  constructor(
    net: SimNetwork,
    name: string,
    crypto: Crypto,
    maxSessions?: number,
    sessionParameters?: SessionParameters,
  ) {
    this.#net = net;
    this.address = { address: name, port: 5540 };
    this.sessions = new SessionManager(crypto, maxSessions === undefined ? {} : { maxSessions });
    const view: CaseFabricView = { fabrics: () => this.caseFabrics };
    this.endpoint = new SecureChannelEndpoint({
      crypto,
      sessions: this.sessions,
      resumption: this.resumption,
      caseFabrics: view,
      ...(sessionParameters === undefined ? {} : { sessionParameters }),
      onEffects: (effects) => this.#apply(effects),
    });
    net.nodes.set(name, this as unknown as SimNode);
  }

  #apply(effects: SecureChannelEffect[]): void {
    for (const fx of effects) {
      if (fx.kind === "send") this.#net.inFlight.push({ from: this.address, to: fx.to, bytes: fx.bytes });
      else if (fx.kind === "timer") this.timerAt = fx.at;
      else {
        if (fx.kind === "save-resumption") this.resumption.save(fx.record);
        this.events.push(fx);
      }
    }
  }

  of<K extends SecureChannelEffect["kind"]>(kind: K): Extract<SecureChannelEffect, { kind: K }>[] {
    return this.events.filter((e): e is Extract<SecureChannelEffect, { kind: K }> => e.kind === kind);
  }

  openWindow(crypto: Crypto): void {
    this.endpoint.openCommissioningWindow(
      this.#net.now,
      paseWindow({
        verifier: computePaseVerifier(crypto, PASSCODE, PBKDF),
        pbkdfParameters: PBKDF,
      }),
    );
  }
}

type Outcome = Extract<SecureChannelEffect, { kind: "session-established" | "handshake-failed" }>;

function outcomeOf(node: AuditNode, handshake: number): Outcome | undefined {
  return node.events.find(
    (e): e is Outcome =>
      (e.kind === "session-established" || e.kind === "handshake-failed") && e.handshake === handshake,
  );
}

function pase(net: SimNetwork, controller: AuditNode, device: AuditNode): Outcome {
  const started = controller.endpoint.startPase(net.now, device.address, { passcode: PASSCODE });
  assert.ok(net.run(() => outcomeOf(controller, started) !== undefined));
  return outcomeOf(controller, started)!;
}

function caseTo(net: SimNetwork, controller: AuditNode, device: AuditNode, fabric: CaseFabric): Outcome {
  const started = controller.endpoint.startCase(net.now, device.address, { fabric, peerNodeId: DEVICE_NODE_ID });
  assert.ok(net.run(() => outcomeOf(controller, started) !== undefined));
  return outcomeOf(controller, started)!;
}

function sessionOf(o: Outcome): SecureSession {
  assert.equal(o.kind, "session-established", o.kind === "handshake-failed" ? o.error.message : "");
  return (o as Extract<Outcome, { kind: "session-established" }>).session;
}

/** The device's side of the session the controller holds as `c`. */
function deviceSide(device: AuditNode, c: SecureSession): SecureSession {
  const d = device.sessions.get(c.peerSessionId);
  assert.ok(d, "the device holds the session");
  return d;
}

/** Registers an echo responder for the testing protocol. */
function echo(node: AuditNode, seen: string[]): void {
  node.endpoint.registerProtocol(ProtocolId.FOR_TESTING, (now, ax: ApplicationExchange, m) => {
    seen.push(new TextDecoder().decode(m.applicationPayload));
    ax.send(now, 2, m.applicationPayload);
    ax.close(now);
  });
}

/**
 * Sends `text` reliably on a new exchange of `session` and runs the network until the exchange ends; returns the reply
 * (if any), how it ended, and the datagrams that carried the request.
 */
function send(net: SimNetwork, from: AuditNode, session: SecureSession, text: string) {
  const ax = from.endpoint.openExchange(session.localSessionId, ProtocolId.FOR_TESTING);
  let reply: string | undefined;
  let ended: "closed" | ExchangeFailure | undefined;
  ax.onMessage = (now, m) => {
    reply = new TextDecoder().decode(m.applicationPayload);
    ax.close(now);
  };
  ax.onEnd = (outcome) => {
    ended = outcome;
  };
  const logStart = net.log.length;
  ax.send(net.now, 1, new TextEncoder().encode(text));
  const request = net.inFlight.at(-1)!.bytes;
  net.run(() => ended !== undefined);
  // Deliver what is still in flight (the closing ack), so later counts see only later datagrams.
  net.run(() => net.inFlight.length === 0);
  // Retransmissions are byte-identical copies of the first transmission (same counter, same ciphertext).
  const requests = net.log.slice(logStart).filter((d) => bytesEqual(d.bytes, request));
  return { reply, ended, requests };
}

/** The sender saw no ack: exactly MRP_MAX_TRANSMISSIONS byte-identical transmissions, then the exchange failed. */
function assertGaveUp(r: ReturnType<typeof send>): void {
  assert.equal(r.reply, undefined);
  assert.equal(r.ended, "mrp-max-transmissions");
  assert.equal(MRP_MAX_TRANSMISSIONS, 5);
  assert.equal(r.requests.length, MRP_MAX_TRANSMISSIONS);
}

test("a message on a session the device evicted (LRU) is dropped and counted; the sender gives up after MRP_MAX_TRANSMISSIONS", () => {
  const net = new SimNetwork();
  const deviceCrypto = seededCrypto("audit-evict/device");
  const device = new AuditNode(net, "device", deviceCrypto, 1);
  const first = new AuditNode(net, "first", seededCrypto("audit-evict/first"));
  const second = new AuditNode(net, "second", seededCrypto("audit-evict/second"));
  const seen: string[] = [];
  echo(device, seen);
  device.openWindow(deviceCrypto);
  const a = sessionOf(pase(net, first, device));
  const deviceA = deviceSide(device, a);
  assert.equal(send(net, first, a, "before").reply, "before");
  // The window closed on establishment; reopened, a second commissioner takes the only session slot.
  device.openWindow(deviceCrypto);
  const b = sessionOf(pase(net, second, device));
  assert.deepEqual(
    device.of("session-ended").map((e) => [e.session.localSessionId, e.reason]),
    [[deviceA.localSessionId, "evicted"]],
  );
  assert.equal(device.sessions.get(deviceA.localSessionId), undefined);
  // The first commissioner still believes in its session: every transmission is dropped as an unknown session,
  // nothing is delivered or acknowledged, and MRP gives up.
  const unknownBefore = device.endpoint.stats.unknownSession;
  const r = send(net, first, a, "after eviction");
  assertGaveUp(r);
  assert.equal(device.endpoint.stats.unknownSession - unknownBefore, MRP_MAX_TRANSMISSIONS);
  assert.deepEqual(seen, ["before"]);
  // The session that evicted it is unaffected.
  assert.equal(send(net, second, b, "survivor").reply, "survivor");
});

test("a message on a session the peer closed (CloseSession) is dropped and counted, even a replay of an accepted one", () => {
  const net = new SimNetwork();
  const deviceCrypto = seededCrypto("audit-close/device");
  const device = new AuditNode(net, "device", deviceCrypto);
  const controller = new AuditNode(net, "controller", seededCrypto("audit-close/controller"));
  const seen: string[] = [];
  echo(device, seen);
  device.openWindow(deviceCrypto);
  const c = sessionOf(pase(net, controller, device));
  const d = deviceSide(device, c);
  const logStart = net.log.length;
  assert.equal(send(net, controller, c, "accepted").reply, "accepted");
  const accepted = net.log
    .slice(logStart)
    .find((x) => x.from === "controller" && decodeMessageHeader(x.bytes).header.sessionId === d.localSessionId)!;
  device.endpoint.closeSession(net.now, d.localSessionId);
  net.run(() => controller.of("session-ended").length === 1);
  assert.deepEqual(
    controller.of("session-ended").map((e) => e.reason),
    ["peer-closed"],
  );
  assert.throws(() => controller.endpoint.openExchange(c.localSessionId, ProtocolId.FOR_TESTING), RangeError);
  const unknownBefore = device.endpoint.stats.unknownSession;
  const inFlightBefore = net.inFlight.length;
  device.endpoint.onMessage(net.now, decodeMessageHeader(accepted.bytes), controller.address);
  assert.equal(net.inFlight.length, inFlightBefore);
  assert.equal(device.endpoint.stats.unknownSession, unknownBefore + 1);
  assert.deepEqual(seen, ["accepted"]);
});

test("CASE sessions ended with their fabric (RemoveFabric) drop later messages; the sender gives up after MRP_MAX_TRANSMISSIONS", async () => {
  const world = await makeWorld("audit-fabric");
  const net = new SimNetwork();
  const device = new AuditNode(net, "device", seededCrypto("audit-fabric/device"));
  const controller = new AuditNode(net, "controller", seededCrypto("audit-fabric/controller"));
  device.caseFabrics = [world.device];
  const seen: string[] = [];
  echo(device, seen);
  const c = sessionOf(caseTo(net, controller, device, world.controller));
  assert.equal(send(net, controller, c, "on fabric").reply, "on fabric");
  const ended = device.sessions.endFabricSessions(world.device.fabricIndex);
  assert.deepEqual(
    ended.map((s) => s.localSessionId),
    [c.peerSessionId],
  );
  // The endpoint learns of it through the SessionManager (notify -> poll).
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    device.of("session-ended").map((e) => e.reason),
    ["fabric"],
  );
  assert.equal(device.endpoint.sessionContext(c.peerSessionId), undefined);
  const unknownBefore = device.endpoint.stats.unknownSession;
  assertGaveUp(send(net, controller, c, "after removal"));
  assert.equal(device.endpoint.stats.unknownSession - unknownBefore, MRP_MAX_TRANSMISSIONS);
  assert.deepEqual(seen, ["on fabric"]);
});

test("CASE resumption whose record the device no longer has falls back to a full Sigma2 and establishes", async () => {
  const world = await makeWorld("audit-norecord");
  const net = new SimNetwork();
  const device = new AuditNode(net, "device", seededCrypto("audit-norecord/device"));
  const controller = new AuditNode(net, "controller", seededCrypto("audit-norecord/controller"));
  device.caseFabrics = [world.device];
  const first = sessionOf(caseTo(net, controller, device, world.controller));
  assert.equal(first.resumed, false);
  const oldId = toHex(controller.resumption.records[0]!.resumptionId);
  // The device lost its record (e.g. evicted from its bounded store); the controller still has its own and asks.
  device.resumption.records.length = 0;
  const logStart = net.log.length;
  const again = sessionOf(caseTo(net, controller, device, world.controller));
  assert.equal(again.resumed, false);
  assert.equal(deviceSide(device, again).resumed, false);
  assert.equal(deviceSide(device, again).fabricIndex, world.device.fabricIndex);
  // The Sigma1 carried a resumption id; the device answered with Sigma2 (0x31), not Sigma2Resume (0x33).
  const opcodes = net.log.slice(logStart).map((x) => {
    const { headerBytes } = decodeMessageHeader(x.bytes);
    return x.bytes[headerBytes.length + 1];
  });
  assert.ok(opcodes.includes(0x31) && !opcodes.includes(0x33), `opcodes ${opcodes}`);
  assert.notEqual(toHex(controller.resumption.records[0]!.resumptionId), oldId);
  assert.equal(device.resumption.records.length, 1);
  assert.ok(bytesEqual(device.resumption.records[0]!.resumptionId, controller.resumption.records[0]!.resumptionId));
});

test("CASE resumption whose fabric was removed and re-added (new index) falls back to a full Sigma2 on the new fabric", async () => {
  const world = await makeWorld("audit-readd");
  const net = new SimNetwork();
  const device = new AuditNode(net, "device", seededCrypto("audit-readd/device"));
  const controller = new AuditNode(net, "controller", seededCrypto("audit-readd/controller"));
  device.caseFabrics = [world.device];
  sessionOf(caseTo(net, controller, device, world.controller));
  assert.equal(device.resumption.records[0]!.fabricIndex, world.device.fabricIndex);
  // The record still names fabric 1, which is gone; the same fabric now lives at index 2.
  device.caseFabrics = [{ ...world.device, fabricIndex: fabricIndex(2) }];
  const again = sessionOf(caseTo(net, controller, device, world.controller));
  assert.equal(again.resumed, false);
  assert.equal(deviceSide(device, again).fabricIndex, 2);
});

test("CASE resumption after the device's only fabric was removed fails with NO_SHARED_TRUST_ROOTS; no session", async () => {
  const world = await makeWorld("audit-nofabric");
  const net = new SimNetwork();
  const device = new AuditNode(net, "device", seededCrypto("audit-nofabric/device"));
  const controller = new AuditNode(net, "controller", seededCrypto("audit-nofabric/controller"));
  device.caseFabrics = [world.device];
  const c = sessionOf(caseTo(net, controller, device, world.controller));
  controller.endpoint.closeSession(net.now, c.localSessionId);
  net.run(() => device.sessions.size === 0);
  device.caseFabrics = [];
  const o = caseTo(net, controller, device, world.controller);
  assert.equal(o.kind, "handshake-failed");
  const error = (o as Extract<Outcome, { kind: "handshake-failed" }>).error;
  assert.ok(error instanceof SecureChannelError);
  assert.equal(error.code, "case.peer-status");
  assert.equal(error.report?.protocolCode, SecureChannelProtocolCode.NO_SHARED_TRUST_ROOTS);
  assert.ok(net.run(() => device.of("handshake-failed").length === 1));
  const deviceError = device.of("handshake-failed")[0]!.error;
  assert.ok(deviceError instanceof SecureChannelError);
  assert.equal(deviceError.report?.protocolCode, SecureChannelProtocolCode.NO_SHARED_TRUST_ROOTS);
  assert.equal(device.sessions.size + controller.sessions.size, 0);
});

test("a PASE attempt in progress when the commissioning window closes fails at the initiator; no session, no answer", () => {
  const net = new SimNetwork();
  const deviceCrypto = seededCrypto("audit-window/device");
  const device = new AuditNode(net, "device", deviceCrypto);
  const controller = new AuditNode(net, "controller", seededCrypto("audit-window/controller"));
  device.openWindow(deviceCrypto);
  const started = controller.endpoint.startPase(net.now, device.address, { passcode: PASSCODE });
  // Let the PBKDFParamResponse go out, then close the window before Pake1 arrives.
  assert.ok(net.run(() => net.log.some((d) => d.from === "device")));
  device.endpoint.closeCommissioningWindow(net.now);
  assert.deepEqual(
    device.of("commissioning-window-closed").map((e) => e.reason),
    ["closed"],
  );
  const rejectedBefore = device.endpoint.stats.rejected;
  assert.ok(net.run(() => outcomeOf(controller, started) !== undefined));
  const o = outcomeOf(controller, started)!;
  assert.equal(o.kind, "handshake-failed");
  assert.equal((o as Extract<Outcome, { kind: "handshake-failed" }>).error.code, "pase.timeout");
  assert.ok(device.endpoint.stats.rejected > rejectedBefore, "Pake1 was refused (acked, not answered)");
  assert.equal(device.of("session-established").length, 0);
  assert.equal(device.sessions.size + controller.sessions.size, 0);
  // With the window closed a fresh PBKDFParamRequest gets no PBKDFParamResponse either.
  assert.equal(pase(net, controller, device).kind, "handshake-failed");
  // Reopened, the same commissioner succeeds: nothing of the abandoned attempt lingers.
  device.openWindow(deviceCrypto);
  assert.equal(pase(net, controller, device).kind, "session-established");
});

test("a PASE session established before the commissioning window closed keeps working after it closed", () => {
  const net = new SimNetwork();
  const deviceCrypto = seededCrypto("audit-after/device");
  const device = new AuditNode(net, "device", deviceCrypto);
  const controller = new AuditNode(net, "controller", seededCrypto("audit-after/controller"));
  const seen: string[] = [];
  echo(device, seen);
  device.openWindow(deviceCrypto);
  const c = sessionOf(pase(net, controller, device));
  assert.equal(device.endpoint.commissioningWindowOpen, false);
  // Closing an already closed window (RevokeCommissioning, timeout) does not touch established PASE sessions.
  device.endpoint.closeCommissioningWindow(net.now);
  assert.equal(send(net, controller, c, "still here").reply, "still here");
  assert.equal(device.of("session-ended").length, 0);
  assert.deepEqual(seen, ["still here"]);
});

test("MRP on an established session retransmits on the peer's announced intervals: idle before it spoke, active after", () => {
  for (const phase of ["idle", "active"] as const) {
    const net = new SimNetwork();
    const deviceCrypto = seededCrypto(`audit-intervals-${phase}/device`);
    // Values far from the defaults (idle 500 ms, active 300 ms), so the defaults cannot pass by accident.
    const device = new AuditNode(net, "device", deviceCrypto, undefined, {
      sessionIdleInterval: 3000,
      sessionActiveInterval: 1000,
      sessionActiveThreshold: 4000,
    });
    const controller = new AuditNode(net, "controller", seededCrypto(`audit-intervals-${phase}/controller`));
    echo(device, []);
    device.openWindow(deviceCrypto);
    const c = sessionOf(pase(net, controller, device));
    assert.equal(c.peerSessionParameters?.sessionIdleInterval, 3000);
    if (phase === "active") assert.equal(send(net, controller, c, "wake").reply, "wake");
    // The device forgets the session without telling the controller; the controller's request is never acked.
    device.sessions.peerClosedSession(c.peerSessionId);
    const times: number[] = [];
    const ax = controller.endpoint.openExchange(c.localSessionId, ProtocolId.FOR_TESTING);
    let ended: string | undefined;
    ax.onEnd = (outcome) => {
      ended = outcome;
    };
    ax.send(net.now, 1, new TextEncoder().encode("lost"));
    const request = net.inFlight.at(-1)!.bytes;
    net.drop = (_n, bytes) => {
      if (bytesEqual(bytes, request)) times.push(net.now);
      return false;
    };
    net.run(() => ended !== undefined);
    assert.equal(ended, "mrp-max-transmissions");
    assert.equal(times.length, MRP_MAX_TRANSMISSIONS);
    // 4.12.2.1: the first retransmission waits i * MRP_BACKOFF_MARGIN * (1 + jitter * 0.25), i from the peer.
    const i = phase === "idle" ? 3000 : 1000;
    const firstGap = times[1]! - times[0]!;
    assert.ok(firstGap >= i * 1.1 && firstGap <= i * 1.1 * 1.25, `${phase}: first retransmission after ${firstGap} ms`);
  }
});

test("Sigma1's destination id is matched against every fabric: each controller lands on its own fabric of three", async () => {
  const worlds = [await makeWorld("audit-multi-a"), await makeWorld("audit-multi-b"), await makeWorld("audit-multi-c")];
  const net = new SimNetwork();
  const device = new AuditNode(net, "device", seededCrypto("audit-multi/device"));
  device.caseFabrics = worlds.map((w, i) => ({ ...w.device, fabricIndex: fabricIndex(i + 1) }));
  for (const [i, w] of worlds.entries()) {
    const controller = new AuditNode(net, `controller-${i}`, seededCrypto(`audit-multi/controller-${i}`));
    const c = sessionOf(caseTo(net, controller, device, w.controller));
    assert.equal(deviceSide(device, c).fabricIndex, i + 1);
    assert.equal(c.peerNodeId, DEVICE_NODE_ID);
  }
});
