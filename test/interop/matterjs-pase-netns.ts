// Runs inside `unshare -n` (spawned by matterjs-pase.test.ts): our PASE responder (TransportDriver on UDP) and the
// matter.js 0.17.9 PaseClient (@matter/protocol, its own ExchangeManager and SessionManager over a small node:dgram
// transport) in one process. Prints one JSON line: the session matter.js established and the one we established.
import { execFileSync } from "node:child_process";
import { createSocket } from "node:dgram";
import {
  Bytes,
  type Channel,
  ChannelType,
  Crypto,
  Entropy,
  Environment,
  MemoryStorageDriver,
  Observable,
  type ServerAddress,
  StandardCrypto,
  StorageManager,
  type Transport,
  TransportSet,
} from "@matter/general";
import { ExchangeManager, PaseClient, SessionManager } from "@matter/protocol";
import { toHex } from "../../src/bytes/bytes.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { ProtocolId } from "../../src/message/protocol-ids.ts";
import { TransportDriver } from "../../src/node/transport-driver.ts";
import { computePaseVerifier } from "../../src/sc/pase/pase-verifier.ts";
import type { SecureChannelEffect } from "../../src/sc/secure-channel-endpoint.ts";
import type { SecureSession } from "../../src/sc/secure-session.ts";
import { SessionManager as OurSessionManager } from "../../src/sc/session-manager.ts";
import { paseWindow } from "../sc/pase-window.ts";

execFileSync("ip", ["link", "set", "lo", "up"]);
const PASSCODE = Number(process.argv[2] ?? 20202021);
const PBKDF = { iterations: 1000, salt: new TextEncoder().encode("SPAKE2P Key Salt matter.js peer") };

// Our device: a commissioning window on an ephemeral UDP port.
const events: SecureChannelEffect[] = [];
const device = await TransportDriver.open({
  crypto: nodeCrypto,
  sessions: new OurSessionManager(nodeCrypto),
  port: 0,
});
device.onEvent((e) => events.push(e));
device.act((now) =>
  device.endpoint.openCommissioningWindow(
    now,
    paseWindow({
      verifier: computePaseVerifier(nodeCrypto, 20202021, PBKDF),
      pbkdfParameters: PBKDF,
    }),
  ),
);

/** A minimal matter.js UDP transport over one node:dgram socket. */
class DgramTransport implements Transport {
  readonly #socket = createSocket({ type: "udp6", ipv6Only: false });
  readonly #listeners = new Set<(channel: Channel<Bytes>, data: Bytes) => void>();
  readonly #channels = new Map<string, Channel<Bytes>>();

  async bind(): Promise<void> {
    await new Promise<void>((done) => this.#socket.bind(0, "::", done));
    this.#socket.on("message", (msg, rinfo) => {
      const channel = this.#channel(rinfo.address, rinfo.port);
      for (const l of this.#listeners) l(channel, new Uint8Array(msg));
    });
  }

  #channel(ip: string, port: number): Channel<Bytes> {
    const key = `${ip}/${port}`;
    let c = this.#channels.get(key);
    if (c === undefined) {
      const socket = this.#socket;
      c = {
        maxPayloadSize: 1280,
        isReliable: false,
        supportsLargeMessages: false,
        name: `udp://[${ip}]:${port}`,
        type: ChannelType.UDP,
        networkAddress: { type: "udp", ip, port },
        networkAddressChanged: Observable(),
        send: (data: Bytes) =>
          new Promise<void>((done, fail) => socket.send(Bytes.of(data), port, ip, (e) => (e ? fail(e) : done()))),
        close: async () => {},
      } as Channel<Bytes>;
      this.#channels.set(key, c);
    }
    return c;
  }

  onData(listener: (channel: Channel<Bytes>, data: Bytes) => void): Transport.Listener {
    this.#listeners.add(listener);
    return { close: async () => void this.#listeners.delete(listener) };
  }
  supports(type: ChannelType): boolean {
    return type === ChannelType.UDP;
  }
  async openChannel(address: ServerAddress): Promise<Channel<Bytes>> {
    const a = address as { type: string; ip?: string; port?: number };
    if (a.type !== "udp" || a.ip === undefined || a.port === undefined) throw new TypeError("udp only");
    return this.#channel(a.ip, a.port);
  }
  async close(): Promise<void> {
    await new Promise<void>((done) => this.#socket.close(() => done()));
  }
}

const transport = new DgramTransport();
await transport.bind();
const env = new Environment("interop");
const mjsCrypto = new StandardCrypto();
env.set(Crypto, mjsCrypto);
env.set(Entropy, mjsCrypto);
const storage = new StorageManager(new MemoryStorageDriver());
await storage.initialize();
env.set(StorageManager, storage);
env.set(TransportSet, new TransportSet<Transport>(transport));
const sessions = env.get(SessionManager);
await sessions.construction;
const exchanges = env.get(ExchangeManager);

let result: Record<string, unknown>;
try {
  const channel = await transport.openChannel({ type: "udp", ip: "::1", port: device.port });
  const unsecured = sessions.createUnsecuredSession({ channel, isInitiator: true });
  const exchange = exchanges.initiateExchangeForSession(unsecured, ProtocolId.SECURE_CHANNEL);
  const theirs = await new PaseClient(sessions).pair(sessions.sessionParameters, exchange, channel, PASSCODE);
  result = {
    ok: true,
    theirs: {
      id: theirs.id,
      peerSessionId: theirs.peerSessionId,
      attestationChallenge: toHex(Bytes.of(theirs.attestationChallengeKey)),
    },
  };
} catch (e) {
  result = { ok: false, error: String(e), stack: (e as Error).stack?.split("\n").slice(0, 6) };
}
// Let our side process the peer's last message (its ack or its failure StatusReport) before reading its events.
await new Promise((r) => setTimeout(r, 200));
const ours = events.find((e) => e.kind === "session-established") as { session: SecureSession } | undefined;
if (ours !== undefined) {
  result.ours = {
    id: ours.session.localSessionId,
    peerSessionId: ours.session.peerSessionId,
    attestationChallenge: toHex(ours.session.attestationChallenge),
  };
}
result.events = events.map((e) => (e.kind === "handshake-failed" ? `${e.kind}:${e.error.code}` : e.kind));
result.deviceStats = device.stats;
console.log(JSON.stringify(result));
await device.close();
process.exit(0);
