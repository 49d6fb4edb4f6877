/**
 * Handshake benchmark: PASE and CASE handshakes per second, in memory, both roles through two SecureChannelEndpoints
 * (exchange managers, message framing and encryption included), beside the summed cost of the cryptographic operations
 * each handshake cannot avoid, measured in the same run; the ratio shows the overhead above that floor.
 * Run alone with `tsx bench/handshake.ts`, or from bench/run.ts through `handshakeReport()`.
 */

import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { p256 } from "@noble/curves/nist.js";
import { bytesToBigint } from "../src/bytes/bytes.ts";
import { CertificateAuthority } from "../src/cert/certificate-authority.ts";
import { compressedFabricId } from "../src/cert/compressed-fabric-id.ts";
import type { MatterCert } from "../src/cert/matter-cert.ts";
import type { Crypto } from "../src/crypto/crypto.ts";
import { nodeCrypto } from "../src/crypto/node-crypto.ts";
import type { P256PrivateKey } from "../src/crypto/p256.ts";
import { multiply, multiplyBase } from "../src/crypto/p256-multiply.ts";
import { fabricIndex } from "../src/fabric/fabric-index.ts";
import { operationalGroupKey } from "../src/fabric/group-keys.ts";
import { decodeMessageHeader } from "../src/message/message-header.ts";
import type { CaseFabric } from "../src/sc/case/case-fabric.ts";
import { computePaseVerifier, type PbkdfParameters } from "../src/sc/pase/pase-verifier.ts";
import {
  type PeerAddress,
  type SecureChannelEffect,
  SecureChannelEndpoint,
} from "../src/sc/secure-channel-endpoint.ts";
import { SessionManager } from "../src/sc/session-manager.ts";

const PASSCODE = 20202021;
/** The iteration count matter.js and the SDK examples use; the PBKDF2 floor below is measured with the same count. */
const PBKDF: PbkdfParameters = { iterations: 1000, salt: new TextEncoder().encode("SPAKE2P Key Salt bench 0123456") };
const FABRIC_ID = 0x2906_c908_d115_d362n;
const DEVICE_NODE_ID = 0xcd55_44aa_7b13_ef14n;
const CONTROLLER_NODE_ID = 0x1b669n;

type Side = {
  readonly address: PeerAddress;
  readonly endpoint: SecureChannelEndpoint;
  readonly sessions: SessionManager;
};

function side(name: string, crypto: Crypto, fabric?: CaseFabric): Side {
  const sessions = new SessionManager(crypto, { maxSessions: 4 });
  const endpoint = new SecureChannelEndpoint({
    crypto,
    sessions,
    ...(fabric === undefined ? {} : { caseFabrics: { fabrics: () => [fabric] } }),
  });
  return { address: { address: name, port: 5540 }, endpoint, sessions };
}

/** Delivers every send at once (no loss, no timers needed) until no datagram is in flight; returns the events. */
function pump(sides: readonly Side[], from: Side, first: SecureChannelEffect[]): SecureChannelEffect[] {
  const events: SecureChannelEffect[] = [];
  const queue: { from: Side; fx: SecureChannelEffect }[] = first.map((fx) => ({ from, fx }));
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    const { fx } = item;
    if (fx.kind === "timer") continue;
    if (fx.kind !== "send") {
      events.push(fx);
      continue;
    }
    const to = sides.find((s) => s.address.address === fx.to.address)!;
    for (const out of to.endpoint.onMessage(0, decodeMessageHeader(fx.bytes), item.from.address)) {
      queue.push({ from: to, fx: out });
    }
  }
  return events;
}

function perSecond(fn: () => void, minMs: number, minIterations: number): number {
  fn();
  let n = 0;
  const start = performance.now();
  while (n < minIterations || performance.now() - start < minMs) {
    fn();
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

async function caseFabrics(crypto: Crypto): Promise<{ device: CaseFabric; controller: CaseFabric }> {
  const ca = CertificateAuthority.create(crypto, { clock: () => new Date(Date.UTC(2025, 0, 1)) });
  const ipk = operationalGroupKey(
    crypto,
    new Uint8Array(16).fill(0x4a),
    compressedFabricId(crypto, ca.rcac.publicKey, FABRIC_ID),
  );
  const make = (nodeId: bigint, key: P256PrivateKey, noc: MatterCert, icac: MatterCert | undefined): CaseFabric => ({
    fabricIndex: fabricIndex(1),
    fabricId: FABRIC_ID,
    nodeId,
    rootPublicKey: ca.rcac.publicKey,
    rcac: ca.rcac.raw,
    icac: icac?.raw ?? null,
    noc: noc.raw,
    operationalKey: key,
    ipk,
  });
  // The device's chain goes through an ICAC (the longer, common case); the controller's NOC comes from the root.
  const icacKey = crypto.generateKeyPair();
  const icac = await ca.issueIcac({ subjectKey: icacKey.publicKey, icacId: 0x77n });
  const deviceKey = crypto.generateKeyPair();
  const deviceNoc = await ca.issueNoc(
    { subjectKey: deviceKey.publicKey, nodeId: DEVICE_NODE_ID, fabricId: FABRIC_ID, cats: [] },
    { cert: icac, key: icacKey },
  );
  const controllerKey = crypto.generateKeyPair();
  const controllerNoc = await ca.issueNoc({
    subjectKey: controllerKey.publicKey,
    nodeId: CONTROLLER_NODE_ID,
    fabricId: FABRIC_ID,
    cats: [],
  });
  return {
    device: make(DEVICE_NODE_ID, deviceKey, deviceNoc, icac),
    controller: make(CONTROLLER_NODE_ID, controllerKey, controllerNoc, undefined),
  };
}

/** One measured row. */
export type HandshakeBenchRow = {
  readonly name: string;
  readonly handshakesPerSecond: number;
  /** The unavoidable cryptography of one handshake, in ms, and what it is made of. */
  readonly floorMs: number;
  readonly floorParts: string;
};

/** Runs the benchmark (about `minMs` per measurement) and returns the rows. */
export async function handshakeBenchmarks(minMs = 1500): Promise<HandshakeBenchRow[]> {
  const crypto = nodeCrypto;
  const verifier = computePaseVerifier(crypto, PASSCODE, PBKDF);

  // PASE: a fresh commissioning window per handshake (the window closes once a session is established).
  const device = side("device", crypto);
  const controller = side("controller", crypto);
  const pase = (): void => {
    device.endpoint.openCommissioningWindow(0, { verifier, pbkdfParameters: PBKDF });
    const { handshake, effects } = controller.endpoint.startPase(0, device.address, { passcode: PASSCODE });
    const events = pump([device, controller], controller, effects);
    const ok = events.find((e) => e.kind === "session-established" && e.handshake === handshake);
    if (ok === undefined || ok.kind !== "session-established") throw new TypeError("PASE failed in the benchmark");
    for (const s of [device, controller])
      for (const x of s.sessions.sessions()) s.sessions.closeSession(x.localSessionId);
  };

  const fabrics = await caseFabrics(crypto);
  const caseDevice = side("device", crypto, fabrics.device);
  const caseController = side("controller", crypto);
  const casePair = (): void => {
    const { handshake, effects } = caseController.endpoint.startCase(0, caseDevice.address, {
      fabric: fabrics.controller,
      peerNodeId: DEVICE_NODE_ID,
      resume: false,
    });
    const events = pump([caseDevice, caseController], caseController, effects);
    if (!events.some((e) => e.kind === "session-established" && e.handshake === handshake)) {
      throw new TypeError("CASE failed in the benchmark");
    }
    for (const s of [caseDevice, caseController]) {
      for (const x of s.sessions.sessions()) s.sessions.closeSession(x.localSessionId);
    }
  };

  // The floor: each unavoidable operation measured on its own, same crypto, same run.
  const key = crypto.generateKeyPair();
  const peer = crypto.generateKeyPair().publicKey;
  const tbs = crypto.randomBytes(300);
  const sig = crypto.ecdsaSign(key, tbs);
  const scalar = (bytesToBigint(crypto.randomBytes(32)) % (p256.Point.Fn.ORDER - 1n)) + 1n;
  const point = p256.Point.fromBytes(peer.raw);
  const unit = {
    pbkdf2: 1000 / perSecond(() => crypto.pbkdf2Sha256(new Uint8Array(4), PBKDF.salt, PBKDF.iterations, 80), 300, 50),
    // The fastest scalar products at hand: node:crypto's native ECDH (src/crypto/p256-multiply.ts, which SPAKE2+ uses).
    baseMul: 1000 / perSecond(() => multiplyBase(scalar), 300, 200),
    varMul: 1000 / perSecond(() => multiply(point, scalar), 300, 100),
    keygen: 1000 / perSecond(() => crypto.generateKeyPair(), 300, 100),
    ecdh: 1000 / perSecond(() => crypto.ecdh(key, peer), 300, 100),
    sign: 1000 / perSecond(() => crypto.ecdsaSign(key, tbs), 300, 100),
    verify: 1000 / perSecond(() => crypto.ecdsaVerify(key.publicKey, tbs, sig), 300, 100),
  };
  // PASE: the initiator's PBKDF2 (the responder holds a verifier, no PBKDF2). SPAKE2+ prover: x*P (base), w0*M,
  // Y - w0*N, x*(..), w1*(..) = 1 base + 4 variable-point; verifier: y*P (base), X - w0*M, y*(..), y*L = 1 base + 3
  // (its w0*N depends only on the verifier and could be cached). Total 2 base + 7 point multiplications.
  const paseFloor = unit.pbkdf2 + 2 * unit.baseMul + 7 * unit.varMul;
  // CASE: two ephemeral key pairs, two ECDH, two TBS signatures, and verifications of the peer chain below the trusted
  // root plus the TBS signature: ICAC + NOC + TBS2 on the initiator, NOC + TBS3 on the responder = 5.
  const caseFloor = 2 * unit.keygen + 2 * unit.ecdh + 2 * unit.sign + 5 * unit.verify;
  return [
    {
      name: `PASE (PBKDF2 ${PBKDF.iterations} it.)`,
      handshakesPerSecond: perSecond(pase, minMs, 20),
      floorMs: paseFloor,
      floorParts: "1 PBKDF2 + 2 base + 7 point mult.",
    },
    {
      name: "CASE (device chain with ICAC)",
      handshakesPerSecond: perSecond(casePair, minMs, 20),
      floorMs: caseFloor,
      floorParts: "2 keygen + 2 ECDH + 2 sign + 5 verify",
    },
  ];
}

/** The benchmark as a printable table. */
export async function handshakeReport(minMs?: number): Promise<string> {
  const rows = await handshakeBenchmarks(minMs);
  const header = ["handshake", "per second", "ms each", "crypto floor ms", "floor made of", "ms / floor"];
  const cells = rows.map((r) => {
    const ms = 1000 / r.handshakesPerSecond;
    return [
      r.name,
      r.handshakesPerSecond.toFixed(1),
      ms.toFixed(2),
      r.floorMs.toFixed(2),
      r.floorParts,
      `${(ms / r.floorMs).toFixed(2)}x`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((x, i) => (i === 0 || i === 4 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`Node ${process.version}, ${new Date().toISOString()}`);
  console.log(await handshakeReport());
}
