/**
 * Commissioning benchmark (not part of `npm test`): the matter.js 0.17.9 controller commissions OUR device and the
 * matter.js reference device several times each (strict attestation, minimal mode, known address, all inside a private
 * network namespace) and reports median commissioning time, device start-up time to ready, device RSS after
 * commissioning and device CPU time spent during commissioning, with the ratios ours / matter.js.
 * Our device runs as users run it, `node bin/opcreds.js start`: the compiled dist/, built first when stale and then
 * kept for every run (OPCREDS_RUN=dist, other work may touch src/ meanwhile), or with `--from-source` the tsx path.
 * Rounds alternate which device goes first.
 * `--same-node-options` gives the matter.js device our bin's Node.js options too (like-for-like runtime configuration).
 * Run: `npx tsx bench/commission.ts [runs] [--from-source] [--same-node-options]` (as root: namespaces).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import {
  createNetns,
  type Netns,
  type NsProcess,
  ourPaaDerHex,
  REPO,
  runController,
  spawnInNetns,
  tempState,
  waitForOutput,
} from "../test/interop/matterjs/harness.ts";

type Kind = "ours" | "matter.js";
type Sample = { startupMs: number; commissionMs: number; rssMb: number; cpuMs: number };
/** One relayed commissioning: total, the device's turns and the controller's turns (ms). */
type Split = { totalMs: number; deviceMs: number; controllerMs: number };

/** The devices listen here; the relay of the relayed rounds listens on RELAY_PORT and forwards to DEVICE_PORT. */
const DEVICE_PORT = 5540;
const RELAY_PORT = 5541;

/** Options of the benchmark. */
export type CommissionBenchmarkOptions = {
  /** Rounds (each commissions both devices once). */
  readonly runs?: number;
  /** Run our device from the TypeScript sources through tsx instead of the compiled dist/. */
  readonly fromSource?: boolean;
  /** Give the matter.js device the Node.js options our bin uses too (a like-for-like runtime configuration). */
  readonly sameNodeOptions?: boolean;
};

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m === null ? Number.NaN : Number(m[1]) / 1024;
}

/** User + system CPU time of a process so far (ms), from /proc/PID/stat (clock ticks of 10 ms on Linux). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (e.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The same test bin/opcreds.js makes before it runs dist/. */
function distIsFresh(): boolean {
  const entry = join(REPO, "dist/src/cli/run-cli.js");
  const pem = join(REPO, "dist/src/cert/dev-attestation/Chip-Development-PAA-Cert.pem");
  return existsSync(entry) && existsSync(pem) && newestSource(join(REPO, "src")) <= statSync(entry).mtimeMs;
}

/** Builds dist/ when it is stale; says how our device will run (the sources when asked to or when the build fails). */
function prepareBuild(fromSource: boolean): { fromSource: boolean; mode: string } {
  if (fromSource) return { fromSource, mode: "TypeScript sources through tsx (--from-source)" };
  if (!distIsFresh()) {
    try {
      execFileSync("npm", ["run", "--silent", "build"], { cwd: REPO, stdio: ["ignore", "ignore", "pipe"] });
    } catch (e) {
      const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
      return { fromSource: true, mode: `TypeScript sources through tsx (npm run build failed: ${why})` };
    }
  }
  return { fromSource: false, mode: "compiled dist/ (npm run build)" };
}

/** Spawns a device in `ns`; resolves once its DEVICE_READY line is out (read as output arrives, no polling). */
async function startDevice(ns: Netns, args: readonly string[], env: Record<string, string>): Promise<NsProcess> {
  const p = spawnInNetns(ns, process.execPath, args, env);
  const ready = new Promise<void>((resolve, reject) => {
    const check = () => {
      if (!p.output().includes("DEVICE_READY ")) return;
      p.child.stdout?.off("data", check);
      resolve();
    };
    p.child.stdout?.on("data", check);
    void p.exited.then((code) => reject(new TypeError(`device exited (${code}) before ready: ${p.output()}`)));
  });
  const timeout = setTimeout(() => void p.stop(), 60_000);
  try {
    await ready;
    return p;
  } catch (e) {
    await p.stop();
    throw e;
  } finally {
    clearTimeout(timeout);
  }
}

/** The Node.js options in bin/opcreds.js's `#!/usr/bin/env -S node ...` line (what `opcreds` and `npm start` use). */
function binNodeOptions(): string[] {
  const first = readFileSync(join(REPO, "bin/opcreds.js"), "utf8").split("\n", 1)[0]!;
  const m = /^#!\/usr\/bin\/env -S node(.*)$/.exec(first);
  return m === null
    ? []
    : m[1]!
        .trim()
        .split(/\s+/)
        .filter((x) => x !== "");
}

/** `opcreds start` as a user runs it: bin/opcreds.js with the Node.js options of its first line. */
const startOurDevice = (ns: Netns, dataDir: string, fromSource: boolean) =>
  startDevice(
    ns,
    [
      ...binNodeOptions(),
      join(REPO, "bin/opcreds.js"),
      ...["start", "--data", dataDir, "--port", String(DEVICE_PORT), "--no-mdns", "--log-level", "warn"],
    ],
    { OPCREDS_RUN: fromSource ? "source" : "dist" },
  );

/** The matter.js reference device (test/interop/matterjs/device.mjs), configured as the interop harness does. */
const startReferenceDevice = (ns: Netns, storage: string, nodeOptions: readonly string[]) =>
  startDevice(ns, [...nodeOptions, join(REPO, "test/interop/matterjs/device.mjs")], {
    DEV_STORAGE: storage,
    DEV_PORT: String(DEVICE_PORT),
    DEV_PASSCODE: "20202021",
    DEV_DISCRIMINATOR: "3840",
    MATTER_LOG_LEVEL: "info",
  });

/**
 * Splits a relayed run's datagram log (monotonic ns, "c" controller->device or "d" device->controller) between
 * hrStart and hrEnd: each gap belongs to whoever sent the datagram that ends it; the gap after the last datagram is the
 * controller's.
 */
export function splitTurns(
  events: readonly (readonly [string, string, number])[],
  hrStart: bigint,
  hrEnd: bigint,
): Split {
  let deviceNs = 0n;
  let previous = hrStart;
  for (const [at, from] of events) {
    const t = BigInt(at);
    if (t < hrStart || t > hrEnd) continue;
    if (from === "d") deviceNs += t - previous;
    previous = t;
  }
  const totalMs = Number(hrEnd - hrStart) / 1e6;
  const deviceMs = Number(deviceNs) / 1e6;
  return { totalMs, deviceMs, controllerMs: totalMs - deviceMs };
}

/** One commissioning through bench/udp-relay.mjs (started in `ns` for it, stopped after it to collect its log). */
async function relayedCommissioning(ns: Netns, env: Record<string, string>): Promise<Split> {
  const relay = spawnInNetns(ns, process.execPath, [join(REPO, "bench/udp-relay.mjs")], {
    RELAY_PORT: String(RELAY_PORT),
    TARGET_PORT: String(DEVICE_PORT),
  });
  try {
    await waitForOutput(relay, /RELAY_READY/, 30_000);
    const run = await runController(ns, env);
    const { hrStart, hrEnd } = run.first("commissioned") as { hrStart: string; hrEnd: string };
    await relay.stop();
    const m = /RELAY_LOG (.*)/.exec(relay.output());
    if (m === null) throw new TypeError(`relay printed no log: ${relay.output()}`);
    return splitTurns(JSON.parse(m[1]!) as [string, string, number][], BigInt(hrStart), BigInt(hrEnd));
  } finally {
    await relay.stop();
  }
}

/** Runs the benchmark and returns the report text (a note instead when not root: namespaces need it). */
export async function commissionBenchmarkReport(options: CommissionBenchmarkOptions = {}): Promise<string> {
  const title = "Commissioning by the matter.js 0.17.9 controller (strict attestation, minimal)";
  if (process.getuid?.() !== 0) return `${title}: skipped, needs root (private network namespaces)`;
  const runs = options.runs ?? 3;
  const { fromSource, mode } = prepareBuild(options.fromSource ?? false);
  const refNodeOptions = options.sameNodeOptions === true ? binNodeOptions() : [];
  const ns = createNetns("lo");
  const state = tempState("opcreds-bench-commission");
  const samples: Record<Kind, Sample[]> = { ours: [], "matter.js": [] };
  const split: Record<Kind, Split[]> = { ours: [], "matter.js": [] };
  const start = (kind: Kind, dir: string) =>
    kind === "ours"
      ? startOurDevice(ns, join(dir, "device"), fromSource)
      : startReferenceDevice(ns, join(dir, "device"), refNodeOptions);
  const controllerEnv = (dir: string, port: number) => ({
    CTRL_STORAGE: join(dir, "controller"),
    CTRL_TARGET_PORT: String(port),
    CTRL_MINIMAL: "1",
    CTRL_ATTESTATION: "strict",
    CTRL_PAA_DER_HEX: ourPaaDerHex(),
    CTRL_ONOFF_ENDPOINT: "none",
  });
  try {
    for (let i = 0; i < runs; i++) {
      const order: readonly Kind[] = i % 2 === 0 ? ["ours", "matter.js"] : ["matter.js", "ours"];
      // Direct rounds: the controller talks to the device itself (the headline figures).
      for (const kind of order) {
        const dir = join(state.dir, `${kind}-${i}`);
        const t0 = performance.now();
        const device = await start(kind, dir);
        const startupMs = performance.now() - t0;
        try {
          const cpuBefore = cpuMs(device.pid);
          const run = await runController(ns, controllerEnv(dir, DEVICE_PORT));
          const commissioned = run.first("commissioned") as { ms: number };
          // The controller goes on (reads, a label, a CASE reconnect) after commissioning: CPU covers the whole run.
          samples[kind].push({
            startupMs,
            commissionMs: commissioned.ms,
            rssMb: rssMb(device.pid),
            cpuMs: cpuMs(device.pid) - cpuBefore,
          });
        } finally {
          await device.stop();
        }
      }
      // Relayed rounds (fresh devices): every datagram passes the timestamping relay, which splits the commissioning
      // time into the device's turns (request seen -> answer seen) and the controller's turns (everything else).
      for (const kind of order) {
        const dir = join(state.dir, `${kind}-${i}-relayed`);
        const device = await start(kind, dir);
        try {
          split[kind].push(await relayedCommissioning(ns, controllerEnv(dir, RELAY_PORT)));
        } finally {
          await device.stop();
        }
      }
    }
  } finally {
    ns.delete();
    state.remove();
  }
  const row = <T>(
    name: string,
    from: Record<Kind, T[]>,
    pick: (s: T) => number,
    unit: string,
    digits: number,
  ): string[] => {
    const ours = median(from.ours.map(pick));
    const mjs = median(from["matter.js"].map(pick));
    const all = (k: Kind) => from[k].map((s) => pick(s).toFixed(digits)).join("/");
    return [
      name,
      `${ours.toFixed(digits)} ${unit}`,
      `${mjs.toFixed(digits)} ${unit}`,
      `${(ours / mjs).toFixed(2)}x`,
      `${all("ours")} | ${all("matter.js")}`,
    ];
  };
  const rows = [
    row("commissioning (median)", samples, (s) => s.commissionMs, "ms", 0),
    row("device start-up to ready (median)", samples, (s) => s.startupMs, "ms", 0),
    row("device RSS after commissioning (median)", samples, (s) => s.rssMb, "MB", 1),
    row("device CPU during the controller run (median)", samples, (s) => s.cpuMs, "ms", 0),
    row("relayed: commissioning (median)", split, (s) => s.totalMs, "ms", 0),
    row("relayed: device's turns (median)", split, (s) => s.deviceMs, "ms", 1),
    row("relayed: controller's turns (median)", split, (s) => s.controllerMs, "ms", 0),
  ];
  // With a device that answered in no time the relayed commissioning would take the controller's turns only.
  const floor = median(split.ours.map((s) => s.controllerMs)) / median(split["matter.js"].map((s) => s.totalMs));
  const header = ["measure", "ours", "matter.js", "ours/matter.js", "runs: ours | matter.js"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const flags = binNodeOptions().join(" ") || "none";
  return [
    `${title}, ${runs} run(s) each, lower is better`,
    `our device: ${mode}, Node.js options from bin/opcreds.js: ${flags} (matter.js device: ${refNodeOptions.join(" ") || "none"})`,
    "the controller's own work is part of the commissioning time for both devices",
    "relayed rounds: a UDP relay timestamps every datagram; a device's turn runs from the datagram before its answer " +
      "to the answer (loopback hops included), the controller's turns are the rest of the commissioning",
    line(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
    `floor: a device answering in zero time would measure ${floor.toFixed(2)}x against the relayed matter.js median ` +
      "(our run's controller turns / matter.js's relayed commissioning)",
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 3);
  console.log(
    await commissionBenchmarkReport({
      runs: Number.isInteger(runs) && runs > 0 ? runs : 3,
      fromSource: args.includes("--from-source"),
      sameNodeOptions: args.includes("--same-node-options"),
    }),
  );
}
