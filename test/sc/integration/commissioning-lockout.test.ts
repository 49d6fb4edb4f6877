// Issue 11 item 1: strangers cannot lock a commissioning window out. In memory, through two SecureChannelEndpoints
// over the simulated network: requests during a live PASE get Busy and leave it alone, malformed requests are dropped
// uncounted, and strangers (silent or guessing passcodes) spend at most one attempt per handshake timeout.
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeMessageHeader } from "../../../src/message/message-header.ts";
import { HANDSHAKE_RESPONSE_TIMEOUT_MS } from "../../../src/sc/handshake-table.ts";
import { computePaseVerifier, type PbkdfParameters } from "../../../src/sc/pase/pase-verifier.ts";
import { PASE_BUSY_MINIMUM_WAIT_MS } from "../../../src/sc/pase-commissioning-window.ts";
import { seededCrypto } from "../pase/seeded-crypto.ts";
import { paseWindow } from "../pase-window.ts";
import { SimNetwork, type SimNode } from "./sim-network.ts";

const PASSCODE = 20202021;
const WRONG = 11223344;
const PBKDF: PbkdfParameters = { iterations: 1000, salt: new TextEncoder().encode("SPAKE2P Key Salt 0123456789abcde") };

function commissionable(seed: string) {
  const net = new SimNetwork();
  const deviceCrypto = seededCrypto(`${seed}/device`);
  const device = net.node("device", deviceCrypto);
  const controller = net.node("controller", seededCrypto(`${seed}/controller`));
  const stranger = net.node("stranger", seededCrypto(`${seed}/stranger`));
  const window = paseWindow({ verifier: computePaseVerifier(deviceCrypto, PASSCODE, PBKDF), pbkdfParameters: PBKDF });
  device.endpoint.openCommissioningWindow(net.now, window);
  return { net, window, device, controller, stranger };
}

/** Starts PASE from `from`; returns a function giving its outcome effect once there is one. */
function startPase(net: SimNetwork, from: SimNode, to: SimNode, passcode: number) {
  const started = from.endpoint.startPase(net.now, to.address, { passcode });
  return () =>
    from.events.find(
      (e) => (e.kind === "session-established" || e.kind === "handshake-failed") && e.handshake === started,
    );
}

function pase(net: SimNetwork, from: SimNode, to: SimNode, passcode: number) {
  const outcome = startPase(net, from, to, passcode);
  assert.ok(
    net.run(() => outcome() !== undefined),
    "PASE finished",
  );
  return outcome()!;
}

test("100 strangers' PBKDFParamRequests during a commissioner's PASE get Busy; the PASE completes, nothing counted", () => {
  const { net, device, controller, stranger } = commissionable("strangers");
  const commissioner = startPase(net, controller, device, PASSCODE);
  // Run until the device answered the commissioner's PBKDFParamRequest: its handshake is now live.
  assert.ok(net.run(() => net.log.some((d) => d.from === "device")));
  const strangers = Array.from({ length: 100 }, () => startPase(net, stranger, device, WRONG));
  // Every stranger datagram is in flight ahead of the commissioner's Pake1.
  assert.ok(
    net.run(() => commissioner() !== undefined && strangers.every((s) => s() !== undefined)),
    "every handshake finished",
  );
  assert.equal(commissioner()!.kind, "session-established");
  assert.equal(device.of("session-established").length, 1);
  for (const s of strangers) {
    const outcome = s()!;
    assert.ok(outcome.kind === "handshake-failed" && outcome.error.code === "pase.busy", "stranger got Busy");
  }
  assert.equal(device.endpoint.stats.busy, 100);
  // The Busy reports carry the minimum wait (u16 LE protocol data after the 8-byte status header).
  const busy = net.log.filter((d) => d.from === "device" && d.to === "stranger");
  assert.ok(busy.length >= 100);
  const first = busy[0]!.bytes;
  assert.equal(first[decodeMessageHeader(first).headerBytes.length + 1], 0x40, "StatusReport opcode");
  const wait = first.subarray(first.length - 2);
  assert.equal(wait[0]! | (wait[1]! << 8), PASE_BUSY_MINIMUM_WAIT_MS);
  // No stranger spent an attempt, and the window closed because the commissioner's PASE was established.
  assert.equal(device.of("handshake-failed").length, 0);
  assert.deepEqual(
    device.of("commissioning-window-closed").map((e) => e.reason),
    ["established"],
  );
});

test("malformed PBKDFParamRequests are dropped unanswered and uncounted; the window stays open and works", () => {
  const { net, device, controller, stranger, window } = commissionable("malformed");
  for (let i = 0; i < 40; i++) {
    startPase(net, stranger, device, WRONG);
    // Cut the end-of-container byte off the request (unsecured: no MIC to break, only the TLV).
    const d = net.inFlight.at(-1)!;
    d.bytes = d.bytes.subarray(0, d.bytes.length - 1);
    net.run(() => net.inFlight.length === 0);
  }
  assert.equal(window.failedAttempts, 0);
  assert.equal(device.endpoint.commissioningWindowOpen, true);
  // Nothing but standalone acks went back to the stranger.
  for (const d of net.log.filter((x) => x.from === "device")) {
    assert.equal(d.bytes[decodeMessageHeader(d.bytes).headerBytes.length + 1], 0x10);
  }
  assert.equal(pase(net, controller, device, PASSCODE).kind, "session-established");
});

test("19 wrong passcodes and then the right one succeeds", () => {
  const { net, device, controller, window } = commissionable("nineteen");
  for (let i = 0; i < 19; i++) {
    assert.equal(pase(net, controller, device, WRONG).kind, "handshake-failed");
    assert.ok(net.run(() => device.of("handshake-failed").length === i + 1));
    // A failed attempt holds the window for one handshake timeout (the commissioner waits out Busy).
    net.now += HANDSHAKE_RESPONSE_TIMEOUT_MS;
  }
  assert.equal(window.failedAttempts, 19);
  assert.equal(device.endpoint.stats.busy, 0);
  assert.equal(device.endpoint.commissioningWindowOpen, true);
  assert.equal(pase(net, controller, device, PASSCODE).kind, "session-established");
  assert.deepEqual(
    device.of("commissioning-window-closed").map((e) => e.reason),
    ["established"],
  );
});

test("the window's attempts are counted once across kinds: after 19 commissionings whose fail-safe expired, one wrong passcode closes it", () => {
  const { net, device, controller, window } = commissionable("shared-count");
  // What the node counts in the same state when a commissioning's fail-safe expires.
  for (let i = 0; i < 19; i++) window.attemptFailed();
  assert.equal(pase(net, controller, device, WRONG).kind, "handshake-failed");
  assert.ok(net.run(() => device.of("handshake-failed").length === 1));
  assert.equal(window.failedAttempts, 20);
  assert.equal(device.endpoint.commissioningWindowOpen, false);
  assert.deepEqual(
    device.of("commissioning-window-closed").map((e) => e.reason),
    ["failed-attempts"],
  );
});

test("20 wrong passcodes close the window; the right one afterwards gets no session", () => {
  const { net, device, controller } = commissionable("twenty");
  for (let i = 0; i < 20; i++) {
    assert.equal(pase(net, controller, device, WRONG).kind, "handshake-failed");
    assert.ok(net.run(() => device.of("handshake-failed").length === i + 1));
    net.now += HANDSHAKE_RESPONSE_TIMEOUT_MS;
  }
  assert.equal(device.endpoint.commissioningWindowOpen, false);
  assert.deepEqual(
    device.of("commissioning-window-closed").map((e) => e.reason),
    ["failed-attempts"],
  );
  assert.equal(pase(net, controller, device, PASSCODE).kind, "handshake-failed");
  assert.equal(device.sessions.size, 0);
});

test("a silent stranger opening a handshake every 0.1 s spends at most one attempt per handshake timeout", () => {
  const { net, device, controller, stranger, window } = commissionable("silent-flood");
  // The stranger never hears the device (it sends and goes silent): every handshake it starts is abandoned.
  net.drop = (_n, bytes) => decodeMessageHeader(bytes).header.destinationNodeId !== undefined;
  const start = net.now;
  const windowMs = 3 * HANDSHAKE_RESPONSE_TIMEOUT_MS;
  let requests = 0;
  while (net.now - start < windowMs && requests < 2000) {
    startPase(net, stranger, device, WRONG);
    requests++;
    const next = net.now + 100;
    net.run(() => net.now >= next);
  }
  const elapsed = net.now - start;
  assert.ok(requests >= 100, `${requests} requests`);
  // One abandoned attempt per handshake timeout at most (the first may start at once).
  assert.ok(window.failedAttempts <= Math.ceil(elapsed / HANDSHAKE_RESPONSE_TIMEOUT_MS) + 1);
  assert.ok(window.failedAttempts >= 1);
  assert.equal(device.endpoint.commissioningWindowOpen, true);
  // The commissioner still gets in once the stranger stops and its last handshake timed out.
  net.run(() => false);
  net.drop = () => false;
  net.now += HANDSHAKE_RESPONSE_TIMEOUT_MS;
  const outcome = pase(net, controller, device, PASSCODE);
  assert.equal(outcome.kind, "session-established", outcome.kind === "handshake-failed" ? outcome.error.message : "");
});

test("a stranger guessing passcodes back to back spends at most one attempt per handshake timeout", () => {
  const { net, device, controller, stranger, window } = commissionable("guessing");
  const start = net.now;
  const windowMs = 3 * HANDSHAKE_RESPONSE_TIMEOUT_MS;
  let guesses = 0;
  let busy = 0;
  while (net.now - start < windowMs && guesses < 2000) {
    const outcome = pase(net, stranger, device, WRONG + guesses);
    guesses++;
    if (outcome.kind === "handshake-failed" && outcome.error.code === "pase.busy") busy++;
    const next = net.now + 100;
    net.run(() => net.now >= next);
  }
  const elapsed = net.now - start;
  assert.ok(guesses >= 100, `${guesses} guesses`);
  assert.ok(busy >= guesses - 5, `${busy} of ${guesses} guesses got Busy`);
  // One tested passcode per handshake timeout at most (the first at once).
  const failed = window.failedAttempts;
  assert.ok(failed >= 1 && failed <= Math.ceil(elapsed / HANDSHAKE_RESPONSE_TIMEOUT_MS) + 1, `${failed} attempts`);
  assert.equal(device.endpoint.commissioningWindowOpen, true);
  // The commissioner waits out the Busy answer it gets and then commissions.
  let outcome = pase(net, controller, device, PASSCODE);
  if (outcome.kind === "handshake-failed" && outcome.error.code === "pase.busy") {
    net.now += HANDSHAKE_RESPONSE_TIMEOUT_MS;
    outcome = pase(net, controller, device, PASSCODE);
  }
  assert.equal(outcome.kind, "session-established");
});
