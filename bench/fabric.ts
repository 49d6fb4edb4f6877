/**
 * Fabric benchmark: AddNOC handling time (median, p99) on a node with 1 and with 250 existing fabrics (SupportedFabrics
 * 254, SQLite storage), and the time of a commit (CommissioningComplete). The cost per operation must not grow with the
 * number of fabrics: the 250/1 ratio is printed. Run by `npm run bench` (bench/run.ts) or on its own with tsx.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { SqliteStorage } from "../src/storage/sqlite-storage.ts";
import { nocResponseOf, TestCommissioner, TestNode } from "../test/support/test-commissioner.ts";

const ITERATIONS = 100;

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function measure(existing: number): Promise<{ addNoc: number[]; commit: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), "opcreds-bench-"));
  const storage = await SqliteStorage.open(join(dir, "node.sqlite"));
  try {
    const node = await TestNode.create({ storage, supportedFabrics: 254 });
    for (let i = 0; i < existing; i++)
      await new TestCommissioner(node, { fabricId: BigInt(i + 1), nodeId: BigInt(0x100 + i) }).commission();
    const addNoc: number[] = [];
    const commit: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const th = new TestCommissioner(node, { fabricId: 0x10000n + BigInt(i), nodeId: 0x20000n + BigInt(i) });
      const pase = node.openPase();
      await node.armFailSafe(pase, 900);
      const { csr } = await th.csrRequest(pase);
      const chain = th.issue(csr!);
      await th.addTrustedRoot(pase);
      const t0 = performance.now();
      const r = nocResponseOf(await th.addNoc(pase, chain));
      addNoc.push(performance.now() - t0);
      if (r.fabricIndex === undefined) throw new RangeError(`AddNOC: ${r.statusCode}`);
      th.fabricIndex = r.fabricIndex as never;
      const cs = th.openCase();
      const t1 = performance.now();
      await node.commissioningComplete(cs);
      commit.push(performance.now() - t1);
      await node.opcreds.deleteFabric(r.fabricIndex as never);
    }
    return { addNoc: addNoc.sort((a, b) => a - b), commit: commit.sort((a, b) => a - b) };
  } finally {
    storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the benchmark and returns the printed report. */
export async function fabricBenchmarkReport(): Promise<string> {
  const one = await measure(1);
  const many = await measure(250);
  const ms = (v: number) => `${v.toFixed(3)} ms`;
  const rows = [
    ["AddNOC median", ms(quantile(one.addNoc, 0.5)), ms(quantile(many.addNoc, 0.5))],
    ["AddNOC p99", ms(quantile(one.addNoc, 0.99)), ms(quantile(many.addNoc, 0.99))],
    ["commit median", ms(quantile(one.commit, 0.5)), ms(quantile(many.commit, 0.5))],
    ["commit p99", ms(quantile(one.commit, 0.99)), ms(quantile(many.commit, 0.99))],
  ].map((r) => [...r, `${(Number.parseFloat(r[2]!) / Number.parseFloat(r[1]!)).toFixed(2)}x`]);
  const header = ["fabric table (SQLite)", "1 fabric", "250 fabrics", "ratio 250/1"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await fabricBenchmarkReport());
