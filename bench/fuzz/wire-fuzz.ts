/**
 * `npm run fuzz:wire -- [--batches N] [--first-batch F] [--per-batch M] [--seed S] [--time-limit-s T] [--max-rss-growth-mb R]` (issue 11
 * item 6): inside a private network namespace, batches of random and mutated datagrams, PASE/CASE handshake floods,
 * replays of a real session's datagrams and bad invokes over a real PASE session are sent to an `opcreds start` child
 * (dist/) over UDP. After each batch a fresh PASE must succeed, the child must be alive, and its RSS must stay within
 * the bound. A failing batch's datagrams are saved as a reproducer (hex, one per line); exits 1 on any failure.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { encodeMessageHeader, SessionType } from "../../src/message/message-header.ts";
import { encodeProtocolHeader } from "../../src/message/protocol-header.ts";
import { encodeSigma1 } from "../../src/sc/case/sigma1.ts";
import { HANDSHAKE_RESPONSE_TIMEOUT_MS } from "../../src/sc/handshake-table.ts";
import { encodePake1 } from "../../src/sc/pase/pake1.ts";
import { PaseBusyError } from "../../src/sc/pase/pase-initiator.ts";
import { encodePBKDFParamRequest } from "../../src/sc/pase/pbkdf-param-request.ts";
import { CLOSE_SESSION, encodeStatusReport } from "../../src/sc/status-report.ts";
import { decodeTlv } from "../../src/tlv/tlv-decoder.ts";
import { ctx, type TlvNode } from "../../src/tlv/tlv-node.ts";
import { NodeController } from "../../test/support/node-controller.ts";
import { FuzzRandom } from "./fuzz-random.ts";
import { REPO } from "./fuzz-target.ts";
import { mutate } from "./mutator.ts";

const PASSCODE = 20202021;
const DEVICE_PORT = 5540;
const RELAY_PORT = 5541;
const HOST = "127.0.0.1";

const { values } = parseArgs({
  options: {
    batches: { type: "string", default: "200" },
    "first-batch": { type: "string", default: "0" },
    "per-batch": { type: "string", default: "500" },
    seed: { type: "string", default: "1" },
    "time-limit-s": { type: "string", default: "1800" },
    "max-rss-growth-mb": { type: "string", default: "64" },
    "request-ms": { type: "string", default: "3000" },
    out: { type: "string", default: join(REPO, "fuzz-reproducers") },
    json: { type: "boolean", default: false },
    replay: { type: "string" },
  },
});
const int = (name: string, text: string): number => {
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`--${name} must be a non-negative integer, got ${text}`);
  return v;
};
const batches = int("batches", values.batches);
/** Batches are seeded by their number: starting at N reruns batches N.. of a longer run (on a fresh device). */
const firstBatch = int("first-batch", values["first-batch"]);
const perBatch = Math.max(1, int("per-batch", values["per-batch"]));
const seed = int("seed", values.seed);
const deadline = Date.now() + int("time-limit-s", values["time-limit-s"]) * 1000;
const maxGrowth = int("max-rss-growth-mb", values["max-rss-growth-mb"]) * 1024 * 1024;
const requestMs = int("request-ms", values["request-ms"]);

// Network safety: everything below speaks Matter, so only loopback may exist here.
const foreign = Object.keys(networkInterfaces()).filter((n) => n !== "lo");
if (foreign.length > 0) {
  process.stderr.write(
    `fuzz:wire: interfaces ${foreign.join(", ")} present; run in a private namespace (npm run fuzz:wire does)\n`,
  );
  process.exit(2);
}
execFileSync("ip", ["link", "set", "lo", "up"]);
if (!existsSync(join(REPO, "dist", "src", "cli", "main.js"))) {
  process.stderr.write("fuzz:wire: no dist/ build; run `npm run build` first\n");
  process.exit(2);
}

const dataDir = mkdtempSync(join(tmpdir(), "opcreds-wire-fuzz-"));
let child!: ChildProcess;
let exited!: Promise<void>;
let childErr = "";

/** Starts `opcreds start` (dist/) on the data directory and waits for its DEVICE_READY line. */
async function startDevice(): Promise<void> {
  childErr = "";
  const c = spawn(
    process.execPath,
    [
      join(REPO, "bin", "opcreds.js"),
      "start",
      "--data",
      dataDir,
      "--port",
      String(DEVICE_PORT),
      "--passcode",
      String(PASSCODE),
      "--no-mdns",
      "--log-level",
      process.env.WIRE_FUZZ_DEVICE_LOG ?? "error",
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, OPCREDS_RUN: "dist" } },
  );
  child = c;
  c.stderr?.on("data", (d: Buffer) => {
    childErr = (childErr + d.toString()).slice(-4000);
  });
  exited = new Promise<void>((r) => c.on("exit", () => r()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RangeError(`device not ready in 30 s: ${childErr}`)), 30_000);
    let out = "";
    c.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("DEVICE_READY ")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

/** Stops the device: SIGTERM, then SIGKILL after 5 s. */
async function stopDevice(): Promise<void> {
  child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGKILL");
    await exited;
  }
}
await startDevice();

/** Resident set size of the device in bytes (Linux /proc). */
function deviceRss(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
  return m === null ? 0 : Number(m[1]) * 1024;
}

// A recording relay: the controller's session traffic passes through it, so that real secured datagrams can be replayed.
const recorded: Uint8Array[] = [];
const relay = createSocket("udp4");
const upstream = createSocket("udp4");
let client: { address: string; port: number } | undefined;
relay.on("message", (msg, from) => {
  client = { address: from.address, port: from.port };
  if (recorded.length < 2000) recorded.push(new Uint8Array(msg));
  upstream.send(msg, DEVICE_PORT, HOST);
});
upstream.on("message", (msg) => {
  if (client !== undefined) relay.send(msg, client.port, client.address);
});
await new Promise<void>((r) => relay.bind(RELAY_PORT, HOST, () => r()));
await new Promise<void>((r) => upstream.bind(0, HOST, () => r()));

const attacker: Socket = createSocket("udp4");
await new Promise<void>((r) => attacker.bind(0, HOST, () => r()));
const send = (bytes: Uint8Array) => new Promise<void>((r) => attacker.send(bytes, DEVICE_PORT, HOST, () => r()));

/** An unsecured message (session 0) carrying a secure-channel `opcode` and `payload`. */
function unsecured(rng: FuzzRandom, opcode: number, payload: Uint8Array): Uint8Array {
  const header = encodeMessageHeader({
    sessionId: 0,
    sessionType: SessionType.unicast,
    privacy: false,
    control: false,
    messageCounter: rng.next(),
    sourceNodeId: BigInt(rng.next()) * 0x1_0000_0000n + BigInt(rng.next()),
  });
  const protocol = encodeProtocolHeader(
    { initiator: true, reliability: true, opcode, exchangeId: rng.below(0x10000), protocolId: 0 },
    payload,
  );
  return Uint8Array.of(...header, ...protocol);
}
const pbkdfRequest = (rng: FuzzRandom) =>
  unsecured(
    rng,
    0x20,
    encodePBKDFParamRequest({
      initiatorRandom: rng.bytes(32),
      initiatorSessionId: 1 + rng.below(0xfffe),
      passcodeId: 0,
      hasPBKDFParameters: rng.below(2) === 0,
    }),
  );
const sigma1 = (rng: FuzzRandom) =>
  unsecured(
    rng,
    0x30,
    encodeSigma1({
      initiatorRandom: rng.bytes(32),
      initiatorSessionId: 1 + rng.below(0xfffe),
      destinationId: rng.bytes(32),
      initiatorEphPubKey: Uint8Array.of(4, ...rng.bytes(64)),
    }),
  );
const seedDatagrams = (rng: FuzzRandom) => [
  pbkdfRequest(rng),
  sigma1(rng),
  unsecured(rng, 0x22, encodePake1({ pA: Uint8Array.of(4, ...rng.bytes(64)) })),
  unsecured(rng, 0x40, encodeStatusReport(CLOSE_SESSION)),
  unsecured(rng, 0x10, new Uint8Array(0)),
];

/**
 * Lets a CloseSession reach the device before the next flood: it is sent once, and a flood that fills the device's
 * socket buffer can drop it, after which the PASE session (and the window it holds) lives until its fail-safe expires,
 * as with a commissioner that vanished. The checks test the device, not that race.
 */
const settle = () => new Promise((r) => setTimeout(r, 300));

/**
 * PASE sessions the harness opens on one run of the device before restarting it. Each one ends without commissioning
 * (closed, no fail-safe armed), which the device counts as a failed commissioning attempt as the SDK does; the 20th
 * closes the window for good (Core 5.5). The device restarts before a batch that could exceed this, leaving room for
 * the few attempts strangers' floods may spend (one per handshake timeout), so a restart never hides a batch's effect.
 */
const HARNESS_PASES_PER_DEVICE_RUN = 14;
/** Harness PASEs of one batch at most: the bad invokes' session and the fresh-PASE check. */
const HARNESS_PASES_PER_BATCH = 2;
let harnessPases = 0;
let deviceRestarts = 0;

/** A PASE of the harness's own, restarting the device first when its window's attempt budget is nearly spent. */
async function harnessPase(to: {
  address: string;
  port: number;
}): Promise<Awaited<ReturnType<NodeController["pase"]>>> {
  if (harnessPases >= HARNESS_PASES_PER_DEVICE_RUN) await restartDevice();
  harnessPases++;
  return controller.pase(to, PASSCODE);
}

async function restartDevice(): Promise<void> {
  await stopDevice();
  await startDevice();
  harnessPases = 0;
  deviceRestarts++;
  // Each run of the device has its own RSS baseline, taken after one PASE as at the start.
  await warmUp();
}

const BATCH_KINDS = ["random", "mutated", "pase-flood", "case-flood", "replay", "bad-invokes"] as const;
type BatchKind = (typeof BATCH_KINDS)[number];
const controller = await NodeController.open({ waitMs: requestMs });
const viaRelay = { address: HOST, port: RELAY_PORT };
const direct = { address: HOST, port: DEVICE_PORT };
/** Clusters the bad invokes never target: AdministratorCommissioning could revoke the window the checks rely on. */
const SPARED_CLUSTERS = new Set([0x3c]);
const INVOKE_CLUSTERS = [0x3e, 0x30, 0x1f, 0x06, 0x28, 0x3f, 0x1d, 0x03, 0x04, 0x62, 0x31, 0x33, 0x1234];

async function badInvokes(rng: FuzzRandom, count: number): Promise<{ answered: number; unanswered: number }> {
  const pase = await harnessPase(viaRelay);
  let answered = 0;
  let unanswered = 0;
  const tlvSeeds = seedDatagrams(rng).map((d) => d.subarray(d.length - Math.min(d.length, 40)));
  try {
    for (let i = 0; i < count; i++) {
      const cluster = rng.pick(INVOKE_CLUSTERS);
      if (SPARED_CLUSTERS.has(cluster)) continue;
      let fields: TlvNode = { tag: ctx(1), type: "struct", elements: [] };
      try {
        const decoded = decodeTlv(mutate(rng, tlvSeeds));
        if (decoded.type === "struct" || decoded.type === "list" || decoded.type === "array")
          fields = { ...decoded, tag: ctx(1) };
      } catch {
        fields = {
          tag: ctx(1),
          type: "struct",
          elements: [{ tag: ctx(rng.below(8)), type: "bytes", value: rng.bytes(rng.below(900)) }],
        };
      }
      try {
        await controller.invoke(pase, cluster, rng.below(16), () => fields, {
          timed: rng.below(4) === 0,
          endpoint: rng.below(3),
        });
        answered++;
      } catch {
        unanswered++;
      }
    }
  } finally {
    controller.closeSession(pase);
    await settle();
  }
  return { answered, unanswered };
}

async function runBatch(kind: BatchKind, rng: FuzzRandom, sent: Uint8Array[]): Promise<string> {
  const out = async (b: Uint8Array) => {
    if (sent.length < 5000) sent.push(b);
    await send(b);
  };
  switch (kind) {
    case "random":
      for (let i = 0; i < perBatch; i++) await out(rng.bytes(rng.below(rng.below(4) === 0 ? 1280 : 80)));
      return "";
    case "mutated": {
      const seeds = [...seedDatagrams(rng), ...recorded.slice(-50)];
      for (let i = 0; i < perBatch; i++) await out(mutate(rng, seeds));
      return "";
    }
    case "pase-flood":
      for (let i = 0; i < perBatch; i++) await out(pbkdfRequest(rng));
      return "";
    case "case-flood":
      for (let i = 0; i < perBatch; i++) await out(sigma1(rng));
      return "";
    case "replay":
      for (let i = 0; i < perBatch && recorded.length > 0; i++) await out(rng.pick(recorded));
      return "";
    default: {
      const r = await badInvokes(rng, Math.max(1, Math.floor(perBatch / 50)));
      invokes.answered += r.answered;
      invokes.unanswered += r.unanswered;
      return `${r.answered} answered, ${r.unanswered} unanswered`;
    }
  }
}

/**
 * A PASE with the device's passcode, retried while the device answers Busy: a stranger's PBKDFParamRequest may hold
 * the window for one handshake timeout (Core 4.14.1, issue 11 item 1), never longer. Undefined when it succeeded.
 */
async function freshPase(): Promise<string | undefined> {
  const giveUpAt = Date.now() + HANDSHAKE_RESPONSE_TIMEOUT_MS + 15_000;
  for (;;) {
    try {
      const pase = await harnessPase(direct);
      controller.closeSession(pase);
      await settle();
      return undefined;
    } catch (e) {
      if (!(e instanceof PaseBusyError) || Date.now() > giveUpAt) return String(e);
      busyWaits++;
      await new Promise((r) => setTimeout(r, Math.max(e.minimumWaitMs, 200)));
    }
  }
}

let busyWaits = 0;
const failures: string[] = [];
const invokes = { answered: 0, unanswered: 0 };
const perKind: Record<string, number> = {};
let datagrams = 0;
const started = Date.now();
let baseline = 0;
let peakRss = 0;
/** One PASE through the relay (records a real session's datagrams for the replays), then the RSS baseline. */
async function warmUp(): Promise<void> {
  harnessPases++;
  const warm = await controller.pase(viaRelay, PASSCODE);
  await controller.readAttribute(warm, 0, 0x28, 0).catch(() => undefined);
  controller.closeSession(warm);
  await settle();
  baseline = deviceRss();
  peakRss = Math.max(peakRss, baseline);
}
await warmUp();
let batch = firstBatch;
if (values.replay !== undefined) {
  // Replays a reproducer: its datagrams in order, then the checks of one batch.
  const lines = readFileSync(values.replay, "utf8")
    .split("\n")
    .filter((l) => l.length > 0);
  for (const line of lines) await send(Uint8Array.from(Buffer.from(line, "hex")));
  await new Promise((r) => setTimeout(r, 50));
  const t0 = Date.now();
  const failed = await freshPase();
  const alive = child.exitCode === null && child.signalCode === null;
  process.stdout.write(
    `replayed ${lines.length} datagrams; fresh PASE ${failed ?? `ok in ${Date.now() - t0} ms`}; device ${alive ? "alive" : "exited"}; RSS ${Math.round(deviceRss() / 1048576)} MB\n`,
  );
  if (failed !== undefined || !alive) failures.push(`replay of ${values.replay}: ${failed ?? "device exited"}`);
  batch = batches;
}
for (; batch < batches && Date.now() < deadline; batch++) {
  const kind = BATCH_KINDS[batch % BATCH_KINDS.length] as BatchKind;
  const rng = FuzzRandom.derive(seed, "batch", batch);
  const sent: Uint8Array[] = [];
  let note = "";
  let problem: string | undefined;
  try {
    if (harnessPases + HARNESS_PASES_PER_BATCH > HARNESS_PASES_PER_DEVICE_RUN) await restartDevice();
    note = await runBatch(kind, rng, sent);
  } catch (e) {
    problem = `batch failed: ${String(e)}`;
  }
  datagrams += sent.length;
  perKind[kind] = (perKind[kind] ?? 0) + sent.length;
  // Let the device drain its socket before the checks.
  await new Promise((r) => setTimeout(r, 50));
  if (child.exitCode !== null || child.signalCode !== null) problem = `device exited: ${childErr.slice(-1000)}`;
  else {
    const failed = await freshPase();
    if (failed !== undefined) problem ??= `fresh PASE failed after the batch: ${failed}`;
    const rss = deviceRss();
    peakRss = Math.max(peakRss, rss);
    if (rss - baseline > maxGrowth) problem ??= `RSS grew from ${baseline} to ${rss} bytes`;
  }
  if (note !== "" && process.env.WIRE_FUZZ_VERBOSE !== undefined)
    process.stderr.write(`batch ${batch} ${kind}: ${note}\n`);
  if (problem !== undefined) {
    mkdirSync(values.out, { recursive: true });
    const file = join(values.out, `wire-${kind}-seed${seed}-batch${batch}.hex`);
    writeFileSync(file, `${sent.map((b) => Buffer.from(b).toString("hex")).join("\n")}\n`);
    failures.push(`batch ${batch} (${kind}): ${problem} -> ${file}`);
    writeFileSync(`${file}.device-log.txt`, childErr);
    batch++;
    break;
  }
  if ((batch + 1) % 30 === 0)
    process.stderr.write(
      `fuzz:wire: ${batch + 1} batches, ${datagrams} datagrams, RSS ${Math.round(deviceRss() / 1048576)} MB, ${deviceRestarts} restarts\n`,
    );
}
const seconds = (Date.now() - started) / 1000;
await controller.close();
relay.close();
upstream.close();
attacker.close();
await stopDevice();
rmSync(dataDir, { recursive: true, force: true });
const summary = {
  seed,
  batches: batch,
  datagrams,
  busyWaits,
  deviceRestarts,
  invokes,
  perKind,
  datagramsPerSecond: Math.round(datagrams / Math.max(seconds, 1e-3)),
  baselineRssMb: +(baseline / 1048576).toFixed(1),
  peakRssMb: +(peakRss / 1048576).toFixed(1),
  seconds: Math.round(seconds),
  failures,
};
if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
else {
  process.stdout.write(
    `fuzz:wire: seed ${seed}: ${batch} batches, ${datagrams} datagrams (${summary.datagramsPerSecond}/s) in ${summary.seconds} s; RSS ${summary.baselineRssMb} MB at the last start, peak ${summary.peakRssMb} MB; ${busyWaits} Busy answers waited out; ${deviceRestarts} device restarts for a fresh window\n`,
  );
  for (const [k, n] of Object.entries(perKind)) if (n > 0) process.stdout.write(`  ${k.padEnd(12)} ${n} datagrams\n`);
  process.stdout.write(`  bad invokes over PASE: ${invokes.answered} answered, ${invokes.unanswered} unanswered\n`);
  for (const f of failures) process.stdout.write(`FAILURE ${f}\n`);
}
process.exit(failures.length > 0 ? 1 : 0);
