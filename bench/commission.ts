/**
 * Commissioning benchmark (not part of `npm test`): the matter.js 0.17.9 controller commissions OUR device and the
 * matter.js reference device several times each (strict attestation, minimal mode, known address, all inside a private
 * network namespace) and reports median commissioning time, device start-up time to ready, and device RSS after
 * commissioning, with the ratios ours / matter.js. Run: `npx tsx bench/commission.ts [runs]` (as root).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import {
  createNetns,
  type NsProcess,
  ourPaaDerHex,
  runController,
  startOurDevice,
  startReferenceDevice,
  tempState,
} from "../test/interop/matterjs/harness.ts";

type Sample = { startupMs: number; commissionMs: number; rssMb: number };

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m === null ? Number.NaN : Number(m[1]) / 1024;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Runs the benchmark and returns the report text. */
export async function commissionBenchmarkReport(runs = 3): Promise<string> {
  const ns = createNetns("lo");
  const state = tempState("opcreds-bench-commission");
  const samples: Record<"ours" | "matter.js", Sample[]> = { ours: [], "matter.js": [] };
  try {
    for (let i = 0; i < runs; i++) {
      for (const kind of ["ours", "matter.js"] as const) {
        const dir = join(state.dir, `${kind}-${i}`);
        const t0 = performance.now();
        const started =
          kind === "ours"
            ? await startOurDevice(ns, { dataDir: join(dir, "device"), args: ["--no-mdns", "--log-level", "warn"] })
            : await startReferenceDevice(ns, { storage: join(dir, "device") });
        const startupMs = performance.now() - t0;
        const device: NsProcess = started.process;
        try {
          const run = await runController(ns, {
            CTRL_STORAGE: join(dir, "controller"),
            CTRL_MINIMAL: "1",
            CTRL_ATTESTATION: "strict",
            CTRL_PAA_DER_HEX: ourPaaDerHex(),
            CTRL_ONOFF_ENDPOINT: "none",
          });
          const commissioned = run.first("commissioned") as { ms: number };
          samples[kind].push({ startupMs, commissionMs: commissioned.ms, rssMb: rssMb(device.pid) });
        } finally {
          await device.stop();
        }
      }
    }
  } finally {
    ns.delete();
    state.remove();
  }
  const row = (name: string, pick: (s: Sample) => number, unit: string, digits: number) => {
    const ours = median(samples.ours.map(pick));
    const mjs = median(samples["matter.js"].map(pick));
    return [name, `${ours.toFixed(digits)} ${unit}`, `${mjs.toFixed(digits)} ${unit}`, `${(ours / mjs).toFixed(2)}x`];
  };
  const rows = [
    row("commissioning (median)", (s) => s.commissionMs, "ms", 0),
    row("device start-up to ready (median)", (s) => s.startupMs, "ms", 0),
    row("device RSS after commissioning (median)", (s) => s.rssMb, "MB", 1),
  ];
  const header = ["measure", "ours", "matter.js", "ours/matter.js"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [
    `Commissioning by the matter.js 0.17.9 controller (strict attestation, minimal), ${runs} run(s) each, lower is better`,
    line(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = Number(process.argv[2] ?? 3);
  console.log(await commissionBenchmarkReport(Number.isInteger(runs) && runs > 0 ? runs : 3));
}
