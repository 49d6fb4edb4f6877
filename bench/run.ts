/**
 * `npm run bench`: runs every benchmark for a fixed number of iterations after a warm-up, for this library and for
 * matter.js in the same process, and prints operations per second with the ratio ours / matter.js. No assertions.
 */
import { performance } from "node:perf_hooks";
import { type CertBenchmark, certBenchmarks } from "./cert.ts";

async function opsPerSecond(fn: () => unknown, iterations: number, warmup: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) await fn();
  return iterations / ((performance.now() - start) / 1000);
}

async function run(benchmarks: readonly CertBenchmark[]): Promise<string[][]> {
  const rows: string[][] = [];
  for (const b of benchmarks) {
    const ours = await opsPerSecond(b.ours, b.iterations, b.warmup);
    const mjs = await opsPerSecond(b.matterJs, b.iterations, b.warmup);
    rows.push([b.name, String(b.iterations), ours.toFixed(0), mjs.toFixed(0), `${(ours / mjs).toFixed(2)}x`]);
  }
  return rows;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const rows = await run(certBenchmarks());
console.log(`Node ${process.version}, ${new Date().toISOString()}`);
console.log(table(["benchmark", "iterations", "ours ops/s", "matter.js ops/s", "ours/matter.js"], rows));
console.log(`\n${await (await import("./fabric.ts")).fabricBenchmarkReport()}`);
console.log(`\n${await (await import("./handshake.ts")).handshakeReport()}`);
