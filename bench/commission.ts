/**
 * Commissioning benchmark (not part of `npm test`) of the four pairs {our administrator, the matter.js 0.17.9
 * controller} x {our device, the matter.js reference device}, all inside one private network namespace (known address,
 * no mDNS), strict attestation on both commissioners (ours: the development trust store, its default; matter.js:
 * controller.mjs with CTRL_ATTESTATION=strict). Per pair, over N rounds with a fresh device (and a fresh commissioner
 * state) each time: median commissioning time, commissioner CPU and device CPU during the commissioning, device
 * start-up and RSS; relayed rounds through bench/udp-relay.mjs split each commissioning into the device's turns and
 * the commissioner's turns; our administrator's rotateNoc is timed against both devices; our administrator's steps
 * (onStep) are listed as a profile.
 * Both commissioners are child processes: the matter.js controller (test/interop/matterjs/controller.mjs) and our
 * administrator from the compiled dist/ (bench/admin-commissioner.mjs), each with bench/cpu-probe.mjs preloaded, so
 * that their CPU time is read the same way. Our device runs as users run it, `node bin/opcreds.js start` from dist/
 * (built first when stale, OPCREDS_RUN=dist), or with `--from-source` through tsx. The order of the pairs rotates
 * from round to round. `--same-node-options` gives the matter.js device our bin's Node.js options too.
 * Run: `npx tsx bench/commission.ts [runs] [--from-source] [--same-node-options]` (as root: namespaces).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import {
  createNetns,
  type Netns,
  type NsProcess,
  ourPaaDerHex,
  parseResults,
  REPO,
  spawnInNetns,
  tail,
  tempState,
  waitForOutput,
} from "../test/interop/matterjs/harness.ts";
import {
  cpuBetween,
  formatTable,
  median,
  parseCpuProbe,
  ratioText,
  type Split,
  splitTurns,
  stepMedians,
} from "./commission-stats.ts";

export { splitTurns } from "./commission-stats.ts";

/** Who runs the device or the commissioning: this project or matter.js. */
type Side = "ours" | "matter.js";
const SIDES: readonly Side[] = ["ours", "matter.js"];
type Pair = { readonly commissioner: Side; readonly device: Side };
const PAIRS: readonly Pair[] = SIDES.flatMap((commissioner) => SIDES.map((device) => ({ commissioner, device })));
const key = (p: Pair) => `${p.commissioner}|${p.device}`;
const pairName = (p: Pair) =>
  `${p.commissioner === "ours" ? "our administrator" : "matter.js controller"} -> ${p.device === "ours" ? "our device" : "matter.js device"}`;

type StepReport = { step: string; ms: number };
/** A timed operation with both processes' CPU during it. */
type Timed = { ms: number; commissionerCpuMs: number; deviceCpuMs: number; steps: StepReport[] };
type Sample = Timed & { startupMs: number; rssMb: number; rotate?: Timed };

/** The devices listen here; the relay of the relayed rounds listens on RELAY_PORT and forwards to DEVICE_PORT. */
const DEVICE_PORT = 5540;
const RELAY_PORT = 5541;
/** Bound of one commissioner run (commissioning and, for ours, rotateNoc). */
const COMMISSIONER_TIMEOUT_MS = 120_000;
/** Log level of the matter.js processes: warn, so that neither side pays for log output our side does not make. */
const MATTER_LOG_LEVEL = "warn";
const PROBE = pathToFileURL(join(REPO, "bench/cpu-probe.mjs")).href;
/** The RESULT tag each commissioner prints right before it starts commissioning. */
const START_TAG: Record<Side, string> = { ours: "admin-opened", "matter.js": "controller-started" };

/** Options of the benchmark. */
export type CommissionBenchmarkOptions = {
  /** Rounds (each commissions every pair once directly and once through the relay). */
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

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (e.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The same test bin/opcreds.js makes before it runs dist/, plus the administrator's entry point. */
function distIsFresh(): boolean {
  const entries = ["dist/src/cli/run-cli.js", "dist/src/admin/administrator.js"].map((p) => join(REPO, p));
  const pem = join(REPO, "dist/src/cert/dev-attestation/Chip-Development-PAA-Cert.pem");
  if (!entries.every(existsSync) || !existsSync(pem)) return false;
  const newest = newestSource(join(REPO, "src"));
  return entries.every((e) => newest <= statSync(e).mtimeMs);
}

/**
 * Builds dist/ when it is stale (our administrator always runs from it); says how our device will run (the sources
 * when asked to).
 */
function prepareBuild(fromSource: boolean): { fromSource: boolean; mode: string } {
  if (!distIsFresh()) {
    try {
      execFileSync("npm", ["run", "--silent", "build"], { cwd: REPO, stdio: ["ignore", "ignore", "pipe"] });
    } catch (e) {
      // tsc still emits on type errors elsewhere in the tree; only a missing entry point is fatal.
      if (!existsSync(join(REPO, "dist/src/admin/administrator.js"))) throw e;
    }
  }
  return fromSource
    ? { fromSource, mode: "TypeScript sources through tsx (--from-source)" }
    : { fromSource, mode: "compiled dist/ (npm run build)" };
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
    MATTER_LOG_LEVEL,
  });

/** What a commissioner run gave: its RESULT lines, its own CPU and the device's CPU and RSS at each RESULT tag. */
type CommissionerRun = {
  results: Map<string, unknown[]>;
  cpu: Map<string, number>;
  deviceCpu: Map<string, number>;
  deviceRss: Map<string, number>;
  first(tag: string): Record<string, unknown>;
};

/**
 * Runs one commissioner process in `ns` with the CPU probe preloaded; samples the device's CPU and RSS as each
 * probed RESULT line arrives, and stops the commissioner once `stopAfter` was printed (it has nothing more to measure).
 */
async function runCommissioner(
  ns: Netns,
  who: Side,
  env: Record<string, string>,
  devicePid: number,
  stopAfter: string | undefined,
): Promise<CommissionerRun> {
  const script = who === "ours" ? "bench/admin-commissioner.mjs" : "test/interop/matterjs/controller.mjs";
  const p = spawnInNetns(ns, process.execPath, [join(REPO, script)], {
    NODE_OPTIONS: `--import=${PROBE}`,
    MATTER_LOG_LEVEL,
    ...env,
  });
  const deviceCpu = new Map<string, number>();
  const deviceRss = new Map<string, number>();
  const onData = () => {
    for (const tag of parseCpuProbe(p.output()).keys()) {
      if (deviceCpu.has(tag)) continue;
      deviceCpu.set(tag, cpuMs(devicePid));
      deviceRss.set(tag, rssMb(devicePid));
      if (tag === stopAfter) void p.stop();
    }
  };
  p.child.stdout?.on("data", onData);
  const timer = setTimeout(() => void p.stop(), COMMISSIONER_TIMEOUT_MS);
  const code = await p.exited;
  clearTimeout(timer);
  onData();
  const output = p.output();
  const results = parseResults(output);
  return {
    results,
    cpu: parseCpuProbe(output),
    deviceCpu,
    deviceRss,
    first(tag) {
      const v = results.get(tag)?.[0];
      if (v === undefined) throw new TypeError(`${who} commissioner: no RESULT ${tag} (exit ${code}): ${tail(output)}`);
      return v as Record<string, unknown>;
    },
  };
}

/** The commissioner's and the device's CPU between two probed tags of a run. */
const cpuOf = (run: CommissionerRun, from: string, to: string) => ({
  commissionerCpuMs: cpuBetween(run.cpu, from, to),
  deviceCpuMs: cpuBetween(run.deviceCpu, from, to),
});

/** Runs the benchmark and returns the report text (a note instead when not root: namespaces need it). */
export async function commissionBenchmarkReport(options: CommissionBenchmarkOptions = {}): Promise<string> {
  const title =
    "Commissioning: {our administrator, matter.js 0.17.9 controller} x {our device, matter.js device} " +
    "(strict attestation, known address)";
  if (process.getuid?.() !== 0) return `${title}: skipped, needs root (private network namespaces)`;
  const runs = options.runs ?? 3;
  const { fromSource, mode } = prepareBuild(options.fromSource ?? false);
  const refNodeOptions = options.sameNodeOptions === true ? binNodeOptions() : [];
  const ns = createNetns("lo");
  const state = tempState("opcreds-bench-commission");
  const samples = new Map<string, Sample[]>(PAIRS.map((p) => [key(p), []]));
  const splits = new Map<string, Split[]>(PAIRS.map((p) => [key(p), []]));
  const startDeviceOf = (device: Side, dir: string) =>
    device === "ours"
      ? startOurDevice(ns, join(dir, "device"), fromSource)
      : startReferenceDevice(ns, join(dir, "device"), refNodeOptions);
  const commissionerEnv = (who: Side, dir: string, port: number, rotate: boolean): Record<string, string> =>
    who === "ours"
      ? {
          ADM_DATA: join(dir, "admin"),
          ADM_TARGET_PORT: String(port),
          ...(rotate ? { ADM_ROTATE: "1" } : {}),
        }
      : {
          CTRL_STORAGE: join(dir, "controller"),
          CTRL_TARGET_PORT: String(port),
          CTRL_MINIMAL: "1",
          CTRL_ATTESTATION: "strict",
          CTRL_PAA_DER_HEX: ourPaaDerHex(),
          CTRL_ONOFF_ENDPOINT: "none",
        };
  // Our administrator goes on to rotateNoc in the direct rounds; the matter.js controller is stopped once commissioned.
  const stopAfter = (who: Side, rotate: boolean) => (who === "ours" && rotate ? undefined : "commissioned");
  try {
    for (let i = 0; i < runs; i++) {
      const order = PAIRS.map((_, j) => PAIRS[(i + j) % PAIRS.length]!);
      // Direct rounds: the commissioner talks to the device itself (the headline figures).
      for (const pair of order) {
        const dir = join(state.dir, `${key(pair).replace(/\W/g, "-")}-${i}`);
        const t0 = performance.now();
        const device = await startDeviceOf(pair.device, dir);
        const startupMs = performance.now() - t0;
        try {
          const rotate = pair.commissioner === "ours";
          const run = await runCommissioner(
            ns,
            pair.commissioner,
            commissionerEnv(pair.commissioner, dir, DEVICE_PORT, rotate),
            device.pid,
            stopAfter(pair.commissioner, rotate),
          );
          const commissioned = run.first("commissioned") as { ms: number; steps?: StepReport[] };
          const sample: Sample = {
            ms: commissioned.ms,
            steps: commissioned.steps ?? [],
            ...cpuOf(run, START_TAG[pair.commissioner], "commissioned"),
            startupMs,
            rssMb: run.deviceRss.get("commissioned") ?? Number.NaN,
          };
          if (rotate) {
            const rotated = run.first("rotated") as { ms: number; steps: StepReport[] };
            sample.rotate = { ms: rotated.ms, steps: rotated.steps, ...cpuOf(run, "rotate-start", "rotated") };
          }
          samples.get(key(pair))!.push(sample);
        } finally {
          await device.stop();
        }
      }
      // Relayed rounds (fresh devices): every datagram passes the timestamping relay, which splits the commissioning
      // time into the device's turns (request seen -> answer seen) and the commissioner's turns (everything else).
      for (const pair of order) {
        const dir = join(state.dir, `${key(pair).replace(/\W/g, "-")}-${i}-relayed`);
        const device = await startDeviceOf(pair.device, dir);
        try {
          splits.get(key(pair))!.push(await relayedCommissioning(ns, pair.commissioner, device.pid, dir));
        } finally {
          await device.stop();
        }
      }
    }
  } finally {
    ns.delete();
    state.remove();
  }

  async function relayedCommissioning(netns: Netns, who: Side, devicePid: number, dir: string): Promise<Split> {
    const relay = spawnInNetns(netns, process.execPath, [join(REPO, "bench/udp-relay.mjs")], {
      RELAY_PORT: String(RELAY_PORT),
      TARGET_PORT: String(DEVICE_PORT),
    });
    try {
      await waitForOutput(relay, /RELAY_READY/, 30_000);
      const run = await runCommissioner(
        netns,
        who,
        commissionerEnv(who, dir, RELAY_PORT, false),
        devicePid,
        "commissioned",
      );
      const { hrStart, hrEnd } = run.first("commissioned") as { hrStart: string; hrEnd: string };
      await relay.stop();
      const m = /RELAY_LOG (.*)/.exec(relay.output());
      if (m === null) throw new TypeError(`relay printed no log: ${relay.output()}`);
      return splitTurns(JSON.parse(m[1]!) as [string, string, number][], BigInt(hrStart), BigInt(hrEnd));
    } finally {
      await relay.stop();
    }
  }

  return report({ title, runs, mode, refNodeOptions, samples, splits });
}

/** The report text: the per-pair table, the target ratios, the relayed split, rotateNoc and our steps. */
function report(r: {
  title: string;
  runs: number;
  mode: string;
  refNodeOptions: readonly string[];
  samples: ReadonlyMap<string, Sample[]>;
  splits: ReadonlyMap<string, Split[]>;
}): string {
  const of = (c: Side, d: Side) => r.samples.get(key({ commissioner: c, device: d })) ?? [];
  const splitOf = (c: Side, d: Side) => r.splits.get(key({ commissioner: c, device: d })) ?? [];
  const med = <T>(xs: readonly T[], pick: (x: T) => number) => median(xs.map(pick));
  const all = <T>(xs: readonly T[], pick: (x: T) => number, digits = 0) =>
    xs.map((x) => pick(x).toFixed(digits)).join("/");
  const out: string[] = [];
  const flags = binNodeOptions().join(" ") || "none";
  out.push(
    `${r.title}, ${r.runs} run(s) per pair, medians, lower is better`,
    `our device: ${r.mode}, Node.js options from bin/opcreds.js: ${flags} (matter.js device: ` +
      `${r.refNodeOptions.join(" ") || "none"}); our administrator: dist/src/admin/administrator.js in its own process ` +
      `(bench/admin-commissioner.mjs); matter.js processes at log level ${MATTER_LOG_LEVEL}`,
    "commissioner CPU: process.cpuUsage() of the commissioner process (bench/cpu-probe.mjs) from just before to just " +
      "after the commissioning call; device CPU: /proc/PID/stat (10 ms ticks) sampled as those lines arrive",
    "",
  );

  const pairRows = PAIRS.map((p) => {
    const s = of(p.commissioner, p.device);
    return [
      pairName(p),
      `${med(s, (x) => x.ms).toFixed(0)} ms`,
      `${med(s, (x) => x.commissionerCpuMs).toFixed(0)} ms`,
      `${med(s, (x) => x.deviceCpuMs).toFixed(0)} ms`,
      `${med(s, (x) => x.startupMs).toFixed(0)} ms`,
      `${med(s, (x) => x.rssMb).toFixed(1)} MB`,
      all(s, (x) => x.ms),
    ];
  });
  out.push(
    formatTable(
      [
        "pair (commissioner -> device)",
        "commissioning",
        "commissioner CPU",
        "device CPU",
        "device start-up",
        "device RSS",
        "commissioning ms per run",
      ],
      pairRows,
    ),
    "",
  );

  const oo = of("ours", "ours");
  const mm = of("matter.js", "matter.js");
  const target = (ratio: number, limit: number) =>
    Number.isFinite(ratio) ? (ratio <= limit ? `meets <= ${limit}x` : `misses <= ${limit}x`) : "n/a";
  const ooRatio = med(oo, (x) => x.ms) / med(mm, (x) => x.ms);
  const ratioRows: string[][] = [
    [
      "ours+ours / matter.js+matter.js: commissioning",
      ratioText(
        med(oo, (x) => x.ms),
        med(mm, (x) => x.ms),
      ),
      target(ooRatio, 0.25),
    ],
    [
      "ours+ours / matter.js+matter.js: commissioner CPU",
      ratioText(
        med(oo, (x) => x.commissionerCpuMs),
        med(mm, (x) => x.commissionerCpuMs),
      ),
      "",
    ],
    [
      "ours+ours / matter.js+matter.js: device CPU",
      ratioText(
        med(oo, (x) => x.deviceCpuMs),
        med(mm, (x) => x.deviceCpuMs),
      ),
      "",
    ],
  ];
  for (const d of SIDES) {
    const ours = of("ours", d);
    const theirs = of("matter.js", d);
    const dn = d === "ours" ? "our device" : "matter.js device";
    ratioRows.push(
      [
        `our administrator / matter.js controller -> ${dn}: commissioning`,
        ratioText(
          med(ours, (x) => x.ms),
          med(theirs, (x) => x.ms),
        ),
        "",
      ],
      [
        `our administrator / matter.js controller -> ${dn}: commissioner CPU`,
        ratioText(
          med(ours, (x) => x.commissionerCpuMs),
          med(theirs, (x) => x.commissionerCpuMs),
        ),
        "",
      ],
    );
  }
  for (const c of SIDES) {
    const cn = c === "ours" ? "our administrator" : "matter.js controller";
    ratioRows.push([
      `our device / matter.js device <- ${cn}: commissioning`,
      ratioText(
        med(of(c, "ours"), (x) => x.ms),
        med(of(c, "matter.js"), (x) => x.ms),
      ),
      "",
    ]);
  }
  out.push(formatTable(["ratio", "value", "target"], ratioRows), "");

  out.push(
    "relayed rounds: a UDP relay timestamps every datagram; a device's turn runs from the datagram before its answer " +
      "to the answer (loopback hops included), the commissioner's turns are the rest of the commissioning",
  );
  const splitRows = SIDES.map((d) => {
    const ours = splitOf("ours", d);
    const theirs = splitOf("matter.js", d);
    const ratio = med(ours, (x) => x.controllerMs) / med(theirs, (x) => x.controllerMs);
    return [
      d === "ours" ? "our device" : "matter.js device",
      `${med(ours, (x) => x.totalMs).toFixed(0)} ms`,
      `${med(ours, (x) => x.controllerMs).toFixed(0)} ms`,
      `${med(ours, (x) => x.deviceMs).toFixed(1)} ms`,
      `${med(theirs, (x) => x.totalMs).toFixed(0)} ms`,
      `${med(theirs, (x) => x.controllerMs).toFixed(0)} ms`,
      `${med(theirs, (x) => x.deviceMs).toFixed(1)} ms`,
      `${ratioText(
        med(ours, (x) => x.controllerMs),
        med(theirs, (x) => x.controllerMs),
      )} (${target(ratio, 0.5)})`,
      `${all(ours, (x) => x.controllerMs)} | ${all(theirs, (x) => x.controllerMs)}`,
    ];
  });
  out.push(
    formatTable(
      [
        "device",
        "ours: total",
        "admin turns",
        "device turns",
        "matter.js: total",
        "ctrl turns",
        "device turns",
        "admin/ctrl turns",
        "turns ms per run: ours | matter.js",
      ],
      splitRows,
    ),
    "",
  );

  const rotateRows = SIDES.map((d) => {
    const rot = of("ours", d).flatMap((s) => (s.rotate === undefined ? [] : [s.rotate]));
    return [
      `our administrator -> ${d === "ours" ? "our device" : "matter.js device"}`,
      `${med(rot, (x) => x.ms).toFixed(0)} ms`,
      `${med(rot, (x) => x.commissionerCpuMs).toFixed(0)} ms`,
      `${med(rot, (x) => x.deviceCpuMs).toFixed(0)} ms`,
      all(rot, (x) => x.ms),
    ];
  });
  out.push(
    formatTable(["rotateNoc", "time", "administrator CPU", "device CPU", "ms per run"], rotateRows),
    "",
    "our administrator's steps (median ms, share of the sum of step medians):",
  );
  const stepRows: string[][] = [];
  for (const d of SIDES) {
    const dn = d === "ours" ? "our device" : "matter.js device";
    const commission = stepMedians(of("ours", d).map((s) => s.steps));
    const rotate = stepMedians(of("ours", d).flatMap((s) => (s.rotate === undefined ? [] : [s.rotate.steps])));
    for (const [op, rows] of [
      ["commission", commission],
      ["rotateNoc", rotate],
    ] as const) {
      for (const s of rows) {
        stepRows.push([`${op} -> ${dn}`, s.step, s.ms.toFixed(1), `${(s.share * 100).toFixed(0)}%`]);
      }
    }
  }
  out.push(formatTable(["operation", "step", "ms", "share"], stepRows, 2));
  return out.join("\n");
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
