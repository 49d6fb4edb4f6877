/**
 * Handshake benchmark: PASE and CASE handshakes per second, in memory, both roles through two SecureChannelEndpoints
 * (exchange managers, message framing and encryption included), beside the summed cost of the cryptographic operations
 * each handshake cannot avoid, measured in the same run; the ratio shows the overhead above that floor.
 * Times are CPU times of the process (the machine is shared). Run alone with `tsx bench/handshake.ts [pase|case-first|
 * case-known ...]`, or from bench/run.ts (`handshakeReport()`).
 * Results (medians of 5 runs, 2-core machine shared with other work): see bench/README.md.
 */

import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { p256 } from "@noble/curves/nist.js";
import { bytesToBigint } from "../src/bytes/bytes.ts";
import { CertificateAuthority } from "../src/cert/certificate-authority.ts";
import { compressedFabricId } from "../src/cert/compressed-fabric-id.ts";
import type { MatterCert } from "../src/cert/matter-cert.ts";
import { clearValidatedChains } from "../src/cert/validate.ts";
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

/** CPU time of this process (all threads) in ms: on a shared machine, wall time also counts other processes' turns. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Calls per second of CPU time, measured over at least `minMs` of CPU time and `minIterations` calls. */
function perSecond(fn: () => void, minMs: number, minIterations: number): number {
  fn();
  let n = 0;
  const start = cpuMs();
  while (n < minIterations || cpuMs() - start < minMs) {
    fn();
    n++;
  }
  return n / ((cpuMs() - start) / 1000);
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

/** The rows the benchmark can measure. */
export type HandshakeBenchName = "pase" | "case-first" | "case-known";
const HANDSHAKE_BENCH_NAMES: readonly HandshakeBenchName[] = ["pase", "case-first", "case-known"];

/** Runs the benchmark (about `minMs` per measurement) and returns the rows named in `only` (all by default). */
export async function handshakeBenchmarks(
  minMs = 1500,
  only: readonly HandshakeBenchName[] = HANDSHAKE_BENCH_NAMES,
): Promise<HandshakeBenchRow[]> {
  const crypto = nodeCrypto;
  const verifier = computePaseVerifier(crypto, PASSCODE, PBKDF);

  // PASE: a fresh commissioning window per handshake (the window closes once a session is established).
  const device = side("device", crypto);
  const controller = side("controller", crypto);
  function pase(): void {
    device.endpoint.openCommissioningWindow(0, { verifier, pbkdfParameters: PBKDF });
    const { handshake, effects } = controller.endpoint.startPase(0, device.address, { passcode: PASSCODE });
    const events = pump([device, controller], controller, effects);
    const ok = events.find((e) => e.kind === "session-established" && e.handshake === handshake);
    if (ok === undefined || ok.kind !== "session-established") throw new TypeError("PASE failed in the benchmark");
    for (const s of [device, controller])
      for (const x of s.sessions.sessions()) s.sessions.closeSession(x.localSessionId);
  }

  const fabrics = await caseFabrics(crypto);
  const caseDevice = side("device", crypto, fabrics.device);
  const caseController = side("controller", crypto);
  // A first contact: neither side has validated the other's chain before (validateChain remembers passed chains).
  function caseFirstContact(): void {
    clearValidatedChains();
    casePair();
  }
  function casePair(): void {
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
  }

  // The floor: each unavoidable operation measured on its own, same crypto, same run.
  const key = crypto.generateKeyPair();
  const peer = crypto.generateKeyPair().publicKey;
  const tbs = crypto.randomBytes(300);
  const sig = crypto.ecdsaSign(key, tbs);
  const scalar = (bytesToBigint(crypto.randomBytes(32)) % (p256.Point.Fn.ORDER - 1n)) + 1n;
  const point = p256.Point.fromBytes(peer.raw);
  // The symmetric work of one CASE handshake, both sides, at its real sizes: per side a destination id (HMAC), three
  // transcript hashes, S2K, S3K and the session keys (HKDF), and one TBEData encrypted and the other decrypted.
  const k16 = crypto.randomBytes(16);
  const nonce = crypto.randomBytes(13);
  const secret = crypto.randomBytes(32);
  const tbe2 = crypto.aesCcmEncrypt(
    k16,
    nonce,
    crypto.randomBytes(fabrics.device.noc.length + (fabrics.device.icac?.length ?? 0) + 100),
    new Uint8Array(0),
  );
  const tbe3 = crypto.aesCcmEncrypt(
    k16,
    nonce,
    crypto.randomBytes(fabrics.controller.noc.length + 80),
    new Uint8Array(0),
  );
  const sigmas = [crypto.randomBytes(180), crypto.randomBytes(tbe2.length + 150), crypto.randomBytes(tbe3.length + 10)];
  const info = new TextEncoder().encode("SessionKeys");
  const [destination, salt2, salt3] = [crypto.randomBytes(113), crypto.randomBytes(145), crypto.randomBytes(48)];
  const caseSymmetric = (): void => {
    for (let side = 0; side < 2; side++) {
      crypto.hmacSha256(k16, destination);
      crypto.sha256(sigmas[0]!);
      crypto.sha256(sigmas.slice(0, 2));
      crypto.sha256(sigmas);
      crypto.hkdfSha256(secret, salt2, info, 16);
      crypto.hkdfSha256(secret, salt3, info, 16);
      crypto.hkdfSha256(secret, salt3, info, 48);
    }
    crypto.aesCcmDecrypt(k16, nonce, tbe2, new Uint8Array(0));
    crypto.aesCcmDecrypt(k16, nonce, tbe3, new Uint8Array(0));
    crypto.aesCcmEncrypt(k16, nonce, tbe2.subarray(16), new Uint8Array(0));
    crypto.aesCcmEncrypt(k16, nonce, tbe3.subarray(16), new Uint8Array(0));
  };
  // The symmetric work of one PASE handshake, both sides: the context hash, TT, the confirmation keys (HKDF), cA and
  // cB (HMAC) and the session keys (HKDF).
  const tt = crypto.randomBytes(520);
  const paseSymmetric = (): void => {
    for (let side = 0; side < 2; side++) {
      crypto.sha256(sigmas[0]!);
      crypto.sha256(tt);
      crypto.hkdfSha256(k16, new Uint8Array(0), info, 32);
      crypto.hmacSha256(k16, peer.raw);
      crypto.hmacSha256(k16, peer.raw);
      crypto.hkdfSha256(k16, new Uint8Array(0), info, 48);
    }
  };
  const unit = {
    pbkdf2: 1000 / perSecond(() => crypto.pbkdf2Sha256(new Uint8Array(4), PBKDF.salt, PBKDF.iterations, 80), 300, 50),
    // The fastest scalar products at hand: node:crypto's native ECDH (src/crypto/p256-multiply.ts, which SPAKE2+ uses).
    baseMul: 1000 / perSecond(() => multiplyBase(scalar), 300, 200),
    varMul: 1000 / perSecond(() => multiply(point, scalar), 300, 100),
    keygen: 1000 / perSecond(() => crypto.generateKeyPair(), 300, 100),
    ecdh: 1000 / perSecond(() => crypto.ecdh(key, peer), 300, 100),
    sign: 1000 / perSecond(() => crypto.ecdsaSign(key, tbs), 300, 100),
    verify: 1000 / perSecond(() => crypto.ecdsaVerify(key.publicKey, tbs, sig), 300, 100),
    caseSymmetric: 1000 / perSecond(caseSymmetric, 300, 100),
    paseSymmetric: 1000 / perSecond(paseSymmetric, 300, 100),
  };
  // PASE: the initiator's PBKDF2 (the responder holds a verifier, no PBKDF2). SPAKE2+ prover: x*P (base), w0*M,
  // w0*N, x*(Y - w0*N), w1*(..) = 1 base + 4 variable-point; verifier: y*P (base), y*(X - w0*M), y*L = 1 base + 2 (its
  // w0*M and w0*N depend only on the verifier and are computed once per verifier). Total 2 base + 6 point products.
  const paseFloor = unit.pbkdf2 + 2 * unit.baseMul + 6 * unit.varMul + unit.paseSymmetric;
  // CASE: two ephemeral key pairs, two ECDH, two TBS signatures, the two TBS verifications, the symmetric work, and
  // on a first contact the verification of each peer chain below its trusted root: ICAC + NOC on the initiator, NOC on
  // the responder (a chain validated before is remembered by its bytes; only its validity times are checked again).
  const caseFloor = (chainVerifies: number) =>
    2 * unit.keygen + 2 * unit.ecdh + 2 * unit.sign + (2 + chainVerifies) * unit.verify + unit.caseSymmetric;
  const all: Record<HandshakeBenchName, () => HandshakeBenchRow> = {
    pase: () => ({
      name: `PASE (PBKDF2 ${PBKDF.iterations} it.)`,
      handshakesPerSecond: perSecond(pase, minMs, 20),
      floorMs: paseFloor,
      floorParts: "1 PBKDF2 + 2 base + 6 point mult. + sym.",
    }),
    "case-first": () => ({
      name: "CASE first contact (ICAC)",
      handshakesPerSecond: perSecond(caseFirstContact, minMs, 20),
      floorMs: caseFloor(3),
      floorParts: "2 keygen + 2 ECDH + 2 sign + 5 verify + sym.",
    }),
    "case-known": () => ({
      name: "CASE known peer (ICAC)",
      handshakesPerSecond: perSecond(casePair, minMs, 20),
      floorMs: caseFloor(0),
      floorParts: "2 keygen + 2 ECDH + 2 sign + 2 verify + sym.",
    }),
  };
  return only.map((name) => all[name]());
}

/** The benchmark as a printable table. */
export async function handshakeReport(minMs?: number, only?: readonly HandshakeBenchName[]): Promise<string> {
  const rows = await handshakeBenchmarks(minMs, only);
  const header = ["handshake", "per CPU s", "CPU ms each", "floor CPU ms", "floor made of", "ms / floor"];
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
  const only = process.argv.slice(2);
  const unknown = only.filter((x) => !(HANDSHAKE_BENCH_NAMES as readonly string[]).includes(x));
  if (unknown.length > 0) throw new RangeError(`unknown row(s) ${unknown.join(", ")}; known: ${HANDSHAKE_BENCH_NAMES}`);
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
  console.log(`Node ${process.version}, ${new Date().toISOString()}, load average ${load}`);
  console.log(await handshakeReport(undefined, only.length === 0 ? undefined : (only as HandshakeBenchName[])));
}
