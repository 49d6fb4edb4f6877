// Issue 12 item 1 (one channel for effects): an endpoint given `onEffects` delivers every effect through it, in the
// order the calls made them, and its methods return none: PASE, an application exchange answered inside its handler
// and one sent from outside any call, and a session ended through the SessionManager (delivered on a microtask).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ProtocolId } from "../../../src/message/protocol-ids.ts";
import { computePaseVerifier, type PbkdfParameters } from "../../../src/sc/pase/pase-verifier.ts";
import { seededCrypto } from "../pase/seeded-crypto.ts";
import { SimNetwork } from "./sim-network.ts";

const PASSCODE = 20202021;
const PBKDF: PbkdfParameters = { iterations: 1000, salt: new TextEncoder().encode("SPAKE2P Key Salt 0123456789abcde") };

test("with onEffects every effect arrives through the one channel and no call returns any", async () => {
  const net = new SimNetwork();
  const deviceCrypto = seededCrypto("channel/device");
  const device = net.node("device", deviceCrypto, undefined, true);
  const controller = net.node("controller", seededCrypto("channel/controller"), undefined, true);
  device.endpoint.registerProtocol(ProtocolId.FOR_TESTING, (now, ax, m) => {
    // Inside a call: the answer goes out with the call being handled.
    assert.deepEqual(ax.send(now, 2, m.applicationPayload), []);
    assert.deepEqual(ax.close(now), []);
  });
  device.apply(
    device.endpoint.openCommissioningWindow(net.now, {
      verifier: computePaseVerifier(deviceCrypto, PASSCODE, PBKDF),
      pbkdfParameters: PBKDF,
    }),
  );
  const started = controller.endpoint.startPase(net.now, device.address, { passcode: PASSCODE });
  assert.deepEqual(started.effects, []);
  // The PBKDFParamRequest reached the wire through the channel.
  assert.equal(net.inFlight.length, 1);
  assert.ok(
    net.run(() => controller.of("session-established").length === 1 && device.of("session-established").length === 1),
  );
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
    controller.apply(ax.close(now));
  };
  const before = net.inFlight.length;
  assert.deepEqual(ax.send(net.now, 1, new TextEncoder().encode("ping")), []);
  assert.equal(net.inFlight.length, before + 1);
  assert.ok(net.run(() => reply !== undefined));
  assert.equal(reply, "ping");

  // A session ended through the SessionManager outside a call: its effects follow on a microtask, no poll needed.
  const deviceSession = device.of("session-established")[0]!.session;
  device.sessions.closeSession(deviceSession.localSessionId);
  assert.equal(device.of("session-ended").length, 0);
  await Promise.resolve();
  assert.deepEqual(
    device.of("session-ended").map((e) => e.session),
    [deviceSession],
  );
  assert.equal(device.returned, 0);
  assert.equal(controller.returned, 0);
});
