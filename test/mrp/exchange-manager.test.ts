// MRP and exchanges in memory: a lossy, duplicating simulated channel with fixed randomness and virtual time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MessageCounter } from "../../src/message/message-counter.ts";
import { decodeMessageHeader } from "../../src/message/message-header.ts";
import { decodeProtocolHeader, encodeProtocolHeader } from "../../src/message/protocol-header.ts";
import { ProtocolId, SecureChannelOpcode } from "../../src/message/protocol-ids.ts";
import { type Exchange, type ExchangeEffect, ExchangeManager } from "../../src/mrp/exchange-manager.ts";
import {
  MRP_BACKOFF_BASE,
  MRP_BACKOFF_MARGIN,
  MRP_MAX_TRANSMISSIONS,
  MRP_STANDALONE_ACK_TIMEOUT_MS,
  mrpBackoffTime,
  peerBaseInterval,
} from "../../src/mrp/mrp-parameters.ts";
import { UnsecuredSession } from "../../src/mrp/unsecured-session.ts";

/** mulberry32: a small deterministic PRNG in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EPHEMERAL = 0x1122334455667788n;

interface Side {
  name: "A" | "B";
  mgr: ExchangeManager;
  session: UnsecuredSession;
  timerAt: number | undefined;
  delivered: { exchange: Exchange; opcode: number; payload: number[]; at: number }[];
  failed: { exchange: Exchange; reason: string }[];
  closed: Exchange[];
  sentAt: number[];
}

/** Two nodes joined by a channel that drops and duplicates datagrams according to `drop` / `duplicate`. */
class Sim {
  now = 0;
  readonly a: Side;
  readonly b: Side;
  readonly #events: { at: number; seq: number; run: () => void }[] = [];
  #seq = 0;
  drop: (from: "A" | "B") => boolean = () => false;
  duplicate: (from: "A" | "B") => boolean = () => false;
  onDeliver: (side: Side, ex: Exchange, opcode: number) => void = () => {};

  constructor(random: () => number) {
    const side = (name: "A" | "B", session: UnsecuredSession): Side => ({
      name,
      mgr: new ExchangeManager({ random }),
      session,
      timerAt: undefined,
      delivered: [],
      failed: [],
      closed: [],
      sentAt: [],
    });
    this.a = side(
      "A",
      new UnsecuredSession({ counter: new MessageCounter("unencrypted", 100), localEphemeralNodeId: EPHEMERAL }),
    );
    this.b = side(
      "B",
      new UnsecuredSession({ counter: new MessageCounter("unencrypted", 5000), peerEphemeralNodeId: EPHEMERAL }),
    );
    this.b.mgr.registerProtocol(ProtocolId.FOR_TESTING);
  }

  at(at: number, run: () => void): void {
    this.#events.push({ at, seq: this.#seq++, run });
  }

  apply(side: Side, effects: ExchangeEffect[]): void {
    const peer = side === this.a ? this.b : this.a;
    for (const e of effects) {
      switch (e.kind) {
        case "send": {
          side.sentAt.push(this.now);
          const copies = this.drop(side.name) ? 0 : this.duplicate(side.name) ? 2 : 1;
          for (let i = 0; i < copies; i++) {
            const bytes = e.bytes.slice();
            this.at(this.now + 10 + i, () =>
              this.apply(peer, peer.mgr.onMessage(this.now, peer.session, decodeMessageHeader(bytes))),
            );
          }
          break;
        }
        case "message":
          side.delivered.push({
            exchange: e.exchange,
            opcode: e.message.opcode,
            payload: [...e.message.applicationPayload],
            at: this.now,
          });
          {
            // React as a driver would after applying this batch: a new event at the same instant.
            const { exchange, message } = e;
            this.at(this.now, () => this.onDeliver(side, exchange, message.opcode));
          }
          break;
        case "exchange-failed":
          side.failed.push({ exchange: e.exchange, reason: e.reason });
          break;
        case "exchange-closed":
          side.closed.push(e.exchange);
          break;
        case "timer":
          side.timerAt = e.at;
          if (e.at !== undefined) {
            const at = e.at;
            this.at(at, () => {
              if (side.timerAt === at) this.apply(side, side.mgr.onTimer(this.now));
            });
          }
          break;
      }
    }
  }

  run(until = 1_000_000): void {
    while (this.#events.length > 0) {
      this.#events.sort((x, y) => x.at - y.at || x.seq - y.seq);
      const ev = this.#events.shift()!;
      if (ev.at > until) break;
      this.now = Math.max(this.now, ev.at);
      ev.run();
    }
  }
}

test("backoff formula: 4.12.2.1 values for the first five transmissions, jitter bounds, peer intervals", () => {
  const i = 300;
  assert.equal(mrpBackoffTime(i, 0, 0), i * MRP_BACKOFF_MARGIN);
  assert.equal(mrpBackoffTime(i, 1, 0), i * MRP_BACKOFF_MARGIN);
  assert.equal(mrpBackoffTime(i, 2, 0), i * MRP_BACKOFF_MARGIN * MRP_BACKOFF_BASE);
  assert.equal(mrpBackoffTime(i, 4, 0), i * MRP_BACKOFF_MARGIN * MRP_BACKOFF_BASE ** 3);
  assert.ok(Math.abs(mrpBackoffTime(i, 0, 0.999999) - i * 1.1 * 1.25) < 0.001);
  assert.throws(() => mrpBackoffTime(i, 0, 1), RangeError);
  assert.equal(peerBaseInterval({}, undefined, 0), 500);
  assert.equal(peerBaseInterval({}, 0, 3999), 300);
  assert.equal(peerBaseInterval({}, 0, 4000), 500);
  assert.equal(
    peerBaseInterval({ sessionIdleInterval: 5000, sessionActiveInterval: 100, sessionActiveThreshold: 10 }, 0, 5),
    100,
  );
});

test("a lossy, duplicating channel: every request and response is delivered exactly once and in order", () => {
  for (const seed of [1, 2, 3]) {
    const rnd = prng(seed);
    const net = prng(seed + 1000);
    const sim = new Sim(rnd);
    sim.drop = () => net() < 0.15;
    sim.duplicate = () => net() < 0.2;
    const N = 25;
    let ex: Exchange | undefined;
    let sent = 0;
    const sendNext = (): void => {
      if (sent === N) {
        sim.apply(sim.a, sim.a.mgr.close(sim.now, ex!));
        return;
      }
      sim.apply(sim.a, sim.a.mgr.send(sim.now, ex!, 0x01, new Uint8Array([sent++])));
    };
    sim.onDeliver = (side, exchange, opcode) => {
      if (side === sim.b) {
        const last = side.delivered.at(-1)!;
        sim.apply(sim.b, sim.b.mgr.send(sim.now, exchange, 0x02, new Uint8Array([last.payload[0]! + 100])));
      } else if (opcode === 0x02) {
        sendNext();
      }
    };
    ex = sim.a.mgr.initiate(sim.a.session, ProtocolId.FOR_TESTING);
    sendNext();
    sim.run();
    assert.deepEqual(
      sim.b.delivered.map((d) => d.payload[0]),
      Array.from({ length: N }, (_, i) => i),
      `seed ${seed}`,
    );
    assert.deepEqual(
      sim.a.delivered.map((d) => d.payload[0]),
      Array.from({ length: N }, (_, i) => i + 100),
    );
    assert.deepEqual(sim.a.failed, []);
    assert.deepEqual(sim.b.failed, []);
    assert.equal(sim.a.closed.length, 1);
    assert.ok(sim.b.mgr.stats.duplicates > 0, "the channel duplicated or retransmitted something");
    assert.equal(sim.a.mgr.exchanges.length, 0);
  }
});

test("a reliable message to a silent peer is sent MRP_MAX_TRANSMISSIONS times with backoff, then the exchange fails", () => {
  const sim = new Sim(() => 0);
  sim.drop = (from) => from === "A";
  const ex = sim.a.mgr.initiate(sim.a.session, ProtocolId.FOR_TESTING);
  sim.apply(sim.a, sim.a.mgr.send(0, ex, 0x01, new Uint8Array([1])));
  sim.run();
  assert.equal(MRP_MAX_TRANSMISSIONS, 5);
  // Peer never heard from: idle interval 500 ms; t(n) = 500 * 1.1 * 1.6^max(0, n-1) with random = 0.
  const t = [0, 1, 2, 3, 4].map((n) => 550 * 1.6 ** Math.max(0, n - 1));
  const expectedSends = [0, t[0]!, t[0]! + t[1]!, t[0]! + t[1]! + t[2]!, t[0]! + t[1]! + t[2]! + t[3]!];
  assert.equal(sim.a.sentAt.length, 5);
  for (const [k, at] of sim.a.sentAt.entries()) {
    assert.ok(Math.abs(at - expectedSends[k]!) < 1e-6, `send ${k} at ${at}`);
  }
  // The exchange fails when the timeout after the fifth transmission expires.
  assert.ok(Math.abs(sim.now - (expectedSends[4]! + t[4]!)) < 1e-6);
  assert.deepEqual(
    sim.a.failed.map((f) => [f.exchange, f.reason]),
    [[ex, "mrp-max-transmissions"]],
  );
  assert.equal(ex.state, "failed");
  assert.throws(() => sim.a.mgr.send(sim.now, ex, 1, new Uint8Array()), TypeError);
});

test("a standalone ack goes out MRP_STANDALONE_ACK_TIMEOUT after an unanswered reliable message, not before", () => {
  const a = new ExchangeManager({ random: () => 0.5 });
  const b = new ExchangeManager({ random: () => 0.5 });
  b.registerProtocol(ProtocolId.FOR_TESTING);
  const sa = new UnsecuredSession({ counter: new MessageCounter("unencrypted", 10), localEphemeralNodeId: 7n });
  const sb = new UnsecuredSession({ counter: new MessageCounter("unencrypted", 20), peerEphemeralNodeId: 7n });
  const ex = a.initiate(sa, ProtocolId.FOR_TESTING);
  const out = a.send(1000, ex, 0x01, new Uint8Array([9]));
  const send = out.find((e) => e.kind === "send")!;
  assert.ok(send.kind === "send");
  const effects = b.onMessage(1000, sb, decodeMessageHeader(send.bytes));
  assert.equal(effects.filter((e) => e.kind === "message").length, 1);
  assert.deepEqual(
    effects.find((e) => e.kind === "timer"),
    { kind: "timer", at: 1000 + MRP_STANDALONE_ACK_TIMEOUT_MS },
  );
  assert.deepEqual(
    b.onTimer(1000 + MRP_STANDALONE_ACK_TIMEOUT_MS - 1).filter((e) => e.kind === "send"),
    [],
  );
  const acks = b.onTimer(1000 + MRP_STANDALONE_ACK_TIMEOUT_MS).filter((e) => e.kind === "send");
  assert.equal(acks.length, 1);
  const ack = acks[0]!;
  assert.ok(ack.kind === "send");
  const p = decodeProtocolHeader(decodeMessageHeader(ack.bytes).payload).header;
  assert.equal(p.protocolId, ProtocolId.SECURE_CHANNEL);
  assert.equal(p.opcode, SecureChannelOpcode.MRP_STANDALONE_ACK);
  assert.equal(p.acknowledgedMessageCounter, 10);
  assert.equal(p.reliability, false);
  assert.equal(p.initiator, false);
  assert.equal(p.exchangeId, ex.exchangeId);
  // The ack stops A's retransmissions: nothing is resent later.
  a.onMessage(1300, sa, decodeMessageHeader(ack.bytes));
  assert.equal(ex.mrp.retransmission, undefined);
  assert.deepEqual(
    a.onTimer(100_000).filter((e) => e.kind === "send"),
    [],
  );
});

test("a reply within the ack timeout piggybacks the ack; no standalone ack follows", () => {
  const a = new ExchangeManager({ random: () => 0 });
  const b = new ExchangeManager({ random: () => 0 });
  b.registerProtocol(ProtocolId.FOR_TESTING);
  const sa = new UnsecuredSession({ counter: new MessageCounter("unencrypted", 10), localEphemeralNodeId: 7n });
  const sb = new UnsecuredSession({ counter: new MessageCounter("unencrypted", 20), peerEphemeralNodeId: 7n });
  const ex = a.initiate(sa, ProtocolId.FOR_TESTING);
  const req = a.send(0, ex, 0x01, new Uint8Array()).find((e) => e.kind === "send")!;
  assert.ok(req.kind === "send");
  const msg = b.onMessage(5, sb, decodeMessageHeader(req.bytes)).find((e) => e.kind === "message")!;
  assert.ok(msg.kind === "message");
  assert.equal(msg.exchange.role, "responder");
  const rsp = b.send(50, msg.exchange, 0x02, new Uint8Array([1])).find((e) => e.kind === "send")!;
  assert.ok(rsp.kind === "send");
  assert.equal(decodeProtocolHeader(decodeMessageHeader(rsp.bytes).payload).header.acknowledgedMessageCounter, 10);
  // At 1000 ms only B's retransmission of its response goes out, no standalone ack.
  const later = b.onTimer(1000).filter((e) => e.kind === "send");
  assert.equal(later.length, 1);
  assert.ok(later[0]!.kind === "send" && later[0]!.bytes === rsp.bytes);
  a.onMessage(60, sa, decodeMessageHeader(rsp.bytes));
  assert.equal(ex.mrp.retransmission, undefined);
});

test("a duplicate is acked again at once but not delivered twice", () => {
  const a = new ExchangeManager({ random: () => 0 });
  const b = new ExchangeManager({ random: () => 0 });
  b.registerProtocol(ProtocolId.FOR_TESTING);
  const sa = new UnsecuredSession({ counter: new MessageCounter("unencrypted", 10), localEphemeralNodeId: 7n });
  const sb = new UnsecuredSession({ counter: new MessageCounter("unencrypted", 20), peerEphemeralNodeId: 7n });
  const req = a.send(0, a.initiate(sa, ProtocolId.FOR_TESTING), 0x01, new Uint8Array()).find((e) => e.kind === "send")!;
  assert.ok(req.kind === "send");
  assert.equal(b.onMessage(1, sb, decodeMessageHeader(req.bytes)).filter((e) => e.kind === "message").length, 1);
  const again = b.onMessage(2, sb, decodeMessageHeader(req.bytes));
  assert.equal(again.filter((e) => e.kind === "message").length, 0);
  const ack = again.find((e) => e.kind === "send")!;
  assert.ok(ack.kind === "send");
  const p = decodeProtocolHeader(decodeMessageHeader(ack.bytes).payload).header;
  assert.equal(p.opcode, SecureChannelOpcode.MRP_STANDALONE_ACK);
  assert.equal(p.acknowledgedMessageCounter, 10);
  assert.equal(b.stats.duplicates, 1);
});

test("unsolicited messages without the I flag, or for unregistered protocols, are dropped (but acked)", () => {
  const b = new ExchangeManager({ random: () => 0 });
  b.registerProtocol(ProtocolId.FOR_TESTING);
  const sb = new UnsecuredSession({ counter: new MessageCounter("unencrypted", 20), peerEphemeralNodeId: 7n });
  const peer = new UnsecuredSession({ counter: new MessageCounter("unencrypted", 1), localEphemeralNodeId: 7n });
  const noI = peer.seal(
    encodeProtocolHeader({
      initiator: false,
      reliability: true,
      opcode: 1,
      exchangeId: 9,
      protocolId: ProtocolId.FOR_TESTING,
    }),
  );
  const e1 = b.onMessage(0, sb, decodeMessageHeader(noI.bytes));
  assert.equal(e1.filter((e) => e.kind === "message").length, 0);
  assert.equal(e1.filter((e) => e.kind === "send").length, 1);
  const otherProtocol = peer.seal(
    encodeProtocolHeader({ initiator: true, reliability: false, opcode: 1, exchangeId: 9, protocolId: ProtocolId.BDX }),
  );
  assert.deepEqual(b.onMessage(0, sb, decodeMessageHeader(otherProtocol.bytes)), []);
  assert.equal(b.stats.unsolicitedDropped, 2);
  assert.equal(b.exchanges.length, 0);
});

test("malformed payloads are counted and dropped; a response timeout fails the exchange", () => {
  const a = new ExchangeManager({ random: () => 0 });
  const sa = new UnsecuredSession({ counter: new MessageCounter("unencrypted", 10), localEphemeralNodeId: 7n });
  const bad = decodeMessageHeader(new Uint8Array([0, 0, 0, 0, 1, 0, 0, 0, 0xe0]));
  assert.deepEqual(a.onMessage(0, sa, bad), []);
  assert.equal(a.stats.malformed, 1);
  const ex = a.initiate(sa, ProtocolId.FOR_TESTING);
  a.send(0, ex, 1, new Uint8Array(), { reliable: false, expectResponseWithinMs: 3000 });
  assert.deepEqual(a.onTimer(2999), []);
  const out = a.onTimer(3000);
  assert.deepEqual(
    out.filter((e) => e.kind === "exchange-failed").map((e) => e.kind === "exchange-failed" && e.reason),
    ["response-timeout"],
  );
});

test("exchange ids start random and increment; a second reliable send before the ack is refused", () => {
  const m = new ExchangeManager({ random: () => 0.5 });
  const s = new UnsecuredSession({ counter: new MessageCounter("unencrypted", 1), localEphemeralNodeId: 1n });
  const e1 = m.initiate(s, ProtocolId.FOR_TESTING);
  const e2 = m.initiate(s, ProtocolId.FOR_TESTING);
  assert.equal(e1.exchangeId, 0x8000);
  assert.equal(e2.exchangeId, 0x8001);
  m.send(0, e1, 1, new Uint8Array());
  assert.throws(() => m.send(0, e1, 1, new Uint8Array()), TypeError);
  const closing = m.close(0, e1);
  assert.equal(e1.state, "closing");
  assert.deepEqual(closing, []);
});
