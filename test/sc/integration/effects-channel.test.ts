// The endpoint has one channel for effects: every effect arrives through `onEffects`, in the order the calls made them
// (PASE, an application exchange answered inside its handler and one sent from outside any call, a session ended
// through the SessionManager on a microtask), and an endpoint without `onEffects` is a type error and a TypeError.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ProtocolId } from "../../../src/message/protocol-ids.ts";
import { computePaseVerifier, type PbkdfParameters } from "../../../src/sc/pase/pase-verifier.ts";
import { SecureChannelEndpoint } from "../../../src/sc/secure-channel-endpoint.ts";
import { SessionManager } from "../../../src/sc/session-manager.ts";
import { seededCrypto } from "../pase/seeded-crypto.ts";
import { paseWindow } from "../pase-window.ts";
import { SimNetwork } from "./sim-network.ts";

const PASSCODE = 20202021;
const PBKDF: PbkdfParameters = { iterations: 1000, salt: new TextEncoder().encode("SPAKE2P Key Salt 0123456789abcde") };

test("every effect arrives through onEffects: handshakes, application exchanges in and outside calls, ended sessions", async () => {
  const net = new SimNetwork();
  const deviceCrypto = seededCrypto("channel/device");
  const device = net.node("device", deviceCrypto);
  const controller = net.node("controller", seededCrypto("channel/controller"));
  device.endpoint.registerProtocol(ProtocolId.FOR_TESTING, (now, ax, m) => {
    // Inside a call: the answer goes out with the call being handled.
    ax.send(now, 2, m.applicationPayload);
    ax.close(now);
  });
  device.endpoint.openCommissioningWindow(
    net.now,
    paseWindow({
      verifier: computePaseVerifier(deviceCrypto, PASSCODE, PBKDF),
      pbkdfParameters: PBKDF,
    }),
  );
  const handshake = controller.endpoint.startPase(net.now, device.address, { passcode: PASSCODE });
  // The PBKDFParamRequest reached the wire through the channel before startPase returned.
  assert.equal(net.inFlight.length, 1);
  assert.ok(
    net.run(() => controller.of("session-established").length === 1 && device.of("session-established").length === 1),
  );
  assert.equal(controller.of("session-established")[0]!.handshake, handshake);
  assert.deepEqual(
    device.of("commissioning-window-closed").map((e) => e.reason),
    ["established"],
  );
  const session = controller.of("session-established")[0]!.session;

  // Outside any call: the request goes out through the channel too.
  const ax = controller.endpoint.openExchange(session.localSessionId, ProtocolId.FOR_TESTING);
  let reply: string | undefined;
  ax.onMessage = (now, m) => {
    reply = new TextDecoder().decode(m.applicationPayload);
    ax.close(now);
  };
  const before = net.inFlight.length;
  ax.send(net.now, 1, new TextEncoder().encode("ping"));
  assert.equal(net.inFlight.length, before + 1);
  assert.ok(net.run(() => reply !== undefined));
  assert.equal(reply, "ping");

  // A session ended through the SessionManager outside a call: its effects follow on a microtask.
  const deviceSession = device.of("session-established")[0]!.session;
  device.sessions.closeSession(deviceSession.localSessionId);
  assert.equal(device.of("session-ended").length, 0);
  await Promise.resolve();
  assert.deepEqual(
    device.of("session-ended").map((e) => e.session),
    [deviceSession],
  );
});

test("an endpoint without onEffects is a type error and throws TypeError", () => {
  const crypto = seededCrypto("channel/none");
  assert.throws(
    // @ts-expect-error onEffects is required: there is no other way out for effects.
    () => new SecureChannelEndpoint({ crypto, sessions: new SessionManager(crypto) }),
    TypeError,
  );
});
