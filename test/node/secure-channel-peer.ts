// One process of the two-process secure channel test (run inside a private network namespace by
// secure-channel-netns.ts). "device": opens a commissioning window and serves CASE on its fabric, echoing test
// protocol messages. "controller <port>": PASE, an echo over PASE, CASE, an echo over CASE, CloseSession. Both print
// one line per event as `EVENT <json>`; the controller ends with `RESULT <json>`.
import { createSocket } from "node:dgram";
import { toHex } from "../../src/bytes/bytes.ts";
import { encodeProtocolHeader } from "../../src/message/protocol-header.ts";
import { ProtocolId } from "../../src/message/protocol-ids.ts";
import { TransportDriver } from "../../src/node/transport-driver.ts";
import { computePaseVerifier } from "../../src/sc/pase/pase-verifier.ts";
import type { ApplicationExchange, SecureChannelEffect } from "../../src/sc/secure-channel-endpoint.ts";
import type { SecureSession } from "../../src/sc/secure-session.ts";
import { SessionManager } from "../../src/sc/session-manager.ts";
import { DEVICE_NODE_ID, makeWorld, viewOf } from "../sc/case/fixtures.ts";
import { seededCrypto } from "../sc/pase/seeded-crypto.ts";
import { paseWindow } from "../sc/pase-window.ts";

const PASSCODE = 20202021;
const PBKDF = { iterations: 1000, salt: new TextEncoder().encode("SPAKE2P Key Salt two processes!") };
const role = process.argv[2];
const crypto = seededCrypto(`${role}/${process.pid}`);
// Both processes build the same fabric from the same seed: same root key, node ids and IPK.
const world = await makeWorld("two-process");

const describe = (s: SecureSession) => ({
  type: s.type,
  local: s.localSessionId,
  peer: s.peerSessionId,
  peerNodeId: s.peerNodeId?.toString(16),
  i2r: toHex(s.keys.i2rKey),
  r2i: toHex(s.keys.r2iKey),
  challenge: toHex(s.attestationChallenge),
});
const onEvent = (e: SecureChannelEffect): void => {
  const out: Record<string, unknown> = { kind: e.kind };
  if (e.kind === "session-established" || e.kind === "session-ended") out.session = describe(e.session);
  if (e.kind === "session-ended") out.reason = e.reason;
  if (e.kind === "handshake-failed") out.error = e.error.code;
  if (e.kind === "commissioning-window-closed") out.reason = e.reason;
  console.log(`EVENT ${JSON.stringify(out)}`);
};

if (role === "device") {
  const driver = await TransportDriver.open({
    crypto,
    sessions: new SessionManager(crypto),
    caseFabrics: viewOf(world.device),
  });
  driver.onEvent(onEvent);
  driver.endpoint.registerProtocol(ProtocolId.FOR_TESTING, (now, ax: ApplicationExchange, m) => {
    ax.send(now, m.opcode + 1, m.applicationPayload.slice().reverse());
    ax.close(now);
  });
  driver.act((now) =>
    driver.endpoint.openCommissioningWindow(
      now,
      paseWindow({
        verifier: computePaseVerifier(crypto, PASSCODE, PBKDF),
        pbkdfParameters: PBKDF,
      }),
    ),
  );
  console.log(`READY ${driver.port}`);
  process.on("SIGTERM", () => {
    console.log(`STATS ${JSON.stringify(driver.stats)}`);
    void driver.close().then(() => process.exit(0));
  });
} else {
  const port = Number(process.argv[3]);
  const driver = await TransportDriver.open({ crypto, sessions: new SessionManager(crypto), port: 0 });
  driver.onEvent(onEvent);
  const device = { address: "::1", port };
  const echo = (session: SecureSession, text: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("echo timed out")), 10_000);
      driver.act((now) => {
        const ax = driver.endpoint.openExchange(session.localSessionId, ProtocolId.FOR_TESTING);
        ax.onMessage = (at, m) => {
          clearTimeout(timer);
          resolve(new TextDecoder().decode(m.applicationPayload));
          ax.close(at);
        };
        ax.send(now, 1, new TextEncoder().encode(text));
      });
    });
  const pase = await driver.establishPase(device, { passcode: PASSCODE });
  const paseEcho = await echo(pase, "over pase");
  // CASE over IPv4 this time: the device socket is dual stack.
  const caseSession = await driver.establishCase(
    { address: "127.0.0.1", port },
    { fabric: world.controller, peerNodeId: DEVICE_NODE_ID },
  );
  const caseEcho = await echo(caseSession, "over case");
  // Bad datagrams from another socket: malformed header, unknown session, a sealed message sent twice (the copy is a
  // replay) and a tampered copy (fails authentication). The device counts and drops them.
  const raw = createSocket("udp6");
  const ctx = driver.endpoint.sessionContext(caseSession.localSessionId)!;
  const ack = ctx.seal(
    encodeProtocolHeader({ initiator: true, reliability: false, opcode: 0x10, exchangeId: 7, protocolId: 0 }),
  ).bytes;
  const tampered = ack.slice();
  tampered[tampered.length - 1]! ^= 0x55;
  const unknown = ack.slice();
  unknown[1] = (unknown[1]! + 1) & 0xff;
  for (const d of [new Uint8Array([0xff, 0, 0]), unknown, ack, ack, tampered]) {
    await new Promise<void>((done) => raw.send(d, port, "::1", () => done()));
  }
  await new Promise((r) => setTimeout(r, 200));
  raw.close();
  driver.act((now) => driver.endpoint.closeSession(now, caseSession.localSessionId));
  await new Promise((r) => setTimeout(r, 100));
  console.log(
    `RESULT ${JSON.stringify({ pase: describe(pase), paseEcho, case: describe(caseSession), caseEcho, stats: driver.stats })}`,
  );
  await driver.close();
}
