// Issue 11 item 3 (exchanges): a peer that opens thousands of exchanges over one session holds at most
// MAX_PEER_EXCHANGES_PER_SESSION of them; the excess is dropped unacked (as the SDK does with its exchange pool
// exhausted), the device's memory stays bounded, and other sessions and a fresh PASE are still served.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { ProtocolId } from "../../../src/message/protocol-ids.ts";
import { MAX_PEER_EXCHANGES_PER_SESSION } from "../../../src/mrp/exchange-manager.ts";
import type { ApplicationExchange } from "../../../src/sc/application-exchange.ts";
import { computePaseVerifier, type PbkdfParameters } from "../../../src/sc/pase/pase-verifier.ts";
import type { SecureSession } from "../../../src/sc/secure-session.ts";
import { seededCrypto } from "../pase/seeded-crypto.ts";
import { paseWindow } from "../pase-window.ts";
import { SimNetwork, type SimNode } from "./sim-network.ts";

const PASSCODE = 20202021;
const PBKDF: PbkdfParameters = { iterations: 1000, salt: new TextEncoder().encode("SPAKE2P Key Salt 0123456789abcde") };
const FLOOD = 3000;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function pase(net: SimNetwork, device: SimNode, deviceCryptoSeed: string, controller: SimNode): SecureSession {
  const crypto = seededCrypto(deviceCryptoSeed);
  device.endpoint.openCommissioningWindow(
    net.now,
    paseWindow({
      verifier: computePaseVerifier(crypto, PASSCODE, PBKDF),
      pbkdfParameters: PBKDF,
    }),
  );
  const started = controller.endpoint.startPase(net.now, device.address, { passcode: PASSCODE });
  const outcome = () =>
    controller.events.find(
      (e) => (e.kind === "session-established" || e.kind === "handshake-failed") && e.handshake === started,
    );
  assert.ok(net.run(() => outcome() !== undefined));
  const o = outcome()!;
  assert.equal(o.kind, "session-established");
  return (o as Extract<typeof o, { kind: "session-established" }>).session;
}

test("a peer opening thousands of exchanges on one session holds at most the cap; others are still served", () => {
  const net = new SimNetwork();
  const device = net.node("device", seededCrypto("flood/device"));
  const attacker = net.node("attacker", seededCrypto("flood/attacker"));
  const other = net.node("other", seededCrypto("flood/other"));
  const held: ApplicationExchange[] = [];
  // "hold" requests are never answered (the exchange stays open on the device); others are echoed.
  device.endpoint.registerProtocol(ProtocolId.FOR_TESTING, (now, ax, m) => {
    if (new TextDecoder().decode(m.applicationPayload) === "hold") held.push(ax);
    else {
      ax.send(now, 2, m.applicationPayload);
      ax.close(now);
    }
  });
  const attackerSession = pase(net, device, "flood/device", attacker);

  const flood = (count: number) => {
    for (let i = 0; i < count; i++) {
      const ax = attacker.endpoint.openExchange(attackerSession.localSessionId, ProtocolId.FOR_TESTING);
      ax.send(net.now, 1, new TextEncoder().encode("hold"), { reliable: false });
      ax.close(net.now);
      if (i % 100 === 99) {
        assert.ok(net.run(() => net.inFlight.length === 0, 100_000));
        net.log.length = 0;
      }
    }
    assert.ok(net.run(() => net.inFlight.length === 0, 100_000));
    net.log.length = 0;
  };
  flood(500);
  const heapBefore = heapAfterGc();
  flood(FLOOD - 500);
  const heapGrowth = heapAfterGc() - heapBefore;

  assert.equal(held.length, MAX_PEER_EXCHANGES_PER_SESSION);
  assert.equal(device.endpoint.exchanges.exchanges.length, MAX_PEER_EXCHANGES_PER_SESSION);
  assert.equal(device.endpoint.exchanges.stats.exchangesRefused, FLOOD - MAX_PEER_EXCHANGES_PER_SESSION);
  // 2,500 more refused exchanges left nothing behind (a held exchange costs far more than 1 KB).
  assert.ok(heapGrowth < 2_500_000, `heap grew ${heapGrowth} bytes`);

  // A fresh PASE from another peer is served, and its session carries a request and its answer.
  const otherSession = pase(net, device, "flood/device", other);
  const ax = other.endpoint.openExchange(otherSession.localSessionId, ProtocolId.FOR_TESTING);
  let reply: string | undefined;
  ax.onMessage = (now, m) => {
    reply = new TextDecoder().decode(m.applicationPayload);
    ax.close(now);
  };
  ax.send(net.now, 1, new TextEncoder().encode("echo"));
  assert.ok(net.run(() => reply !== undefined));
  assert.equal(reply, "echo");

  // Once the device closes held exchanges, the attacker's session serves new ones again.
  for (const h of held.splice(0)) h.close(net.now);
  assert.ok(net.run(() => net.inFlight.length === 0));
  const again = attacker.endpoint.openExchange(attackerSession.localSessionId, ProtocolId.FOR_TESTING);
  let answered = false;
  again.onMessage = (now) => {
    answered = true;
    again.close(now);
  };
  again.send(net.now, 1, new TextEncoder().encode("echo"));
  assert.ok(net.run(() => answered));
});
