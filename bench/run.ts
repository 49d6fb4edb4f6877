/**
 * `npm run bench`: runs every certificate benchmark for this library and for matter.js in the same process, in several
 * rounds (each: a warm-up, then a fixed number of iterations, ours and matter.js in alternating order so that neither
 * always runs first on a loaded machine), and prints the median operations per second, the median ratio
 * ours / matter.js and its spread over the rounds. No assertions.
 */
import { performance } from "node:perf_hooks";
import { type CertBenchmark, certBenchmarks } from "./cert.ts";

/** Rounds per benchmark; the table shows medians and the ratio's min..max. */
const ROUNDS = 5;

async function opsPerSecond(fn: () => unknown, iterations: number, warmup: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) await fn();
  return iterations / ((performance.now() - start) / 1000);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function run(benchmarks: readonly CertBenchmark[]): Promise<string[][]> {
  const rows: string[][] = [];
  for (const b of benchmarks) {
    const ours: number[] = [];
    const mjs: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let o: number;
      let m: number;
      if (round % 2 === 0) {
        o = await opsPerSecond(b.ours, b.iterations, b.warmup);
        m = await opsPerSecond(b.matterJs, b.iterations, b.warmup);
      } else {
        m = await opsPerSecond(b.matterJs, b.iterations, b.warmup);
        o = await opsPerSecond(b.ours, b.iterations, b.warmup);
      }
      ours.push(o);
      mjs.push(m);
      ratios.push(o / m);
    }
    rows.push([
      b.name,
      `${ROUNDS} x ${b.iterations}`,
      median(ours).toFixed(0),
      median(mjs).toFixed(0),
      `${median(ratios).toFixed(2)}x`,
      `${Math.min(...ratios).toFixed(2)}..${Math.max(...ratios).toFixed(2)}`,
    ]);
  }
  return rows;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const benchmarks = certBenchmarks();
const rows = await run(benchmarks);
console.log(`Node ${process.version}, ${new Date().toISOString()}`);
console.log(
  table(
    ["benchmark", "rounds x iterations", "ours ops/s", "matter.js ops/s", "ours/matter.js", "ratio min..max"],
    rows,
  ),
);
for (const b of benchmarks) console.log(`\n${b.name}:\n${b.notes.map((line) => `  ${line}`).join("\n")}`);
console.log(`\n${await (await import("./fabric.ts")).fabricBenchmarkReport()}`);
console.log(`\n${await (await import("./handshake.ts")).handshakeReport()}`);
console.log(`\n${await (await import("./commission.ts")).commissionBenchmarkReport()}`);
