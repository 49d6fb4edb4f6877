/**
 * Pure helpers of bench/commission.ts: medians, the relayed split of a commissioning into device and commissioner
 * turns, the CPU_AT lines bench/cpu-probe.mjs prints, per-step medians and plain-text tables. No I/O.
 */

/** One relayed commissioning: total, the device's turns and the commissioner's turns (ms). */
export type Split = { totalMs: number; deviceMs: number; controllerMs: number };

/** The median of a non-empty list (NaN for an empty one). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Splits a relayed run's datagram log (monotonic ns, "c" commissioner->device or "d" device->commissioner) between
 * hrStart and hrEnd: each gap belongs to whoever sent the datagram that ends it; the gap after the last datagram is
 * the commissioner's.
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

/**
 * The `CPU_AT <tag> <microseconds>` lines of bench/cpu-probe.mjs in a process's output: the process's user + system
 * CPU time (ms) when it printed its first `RESULT <tag>` line. Later lines with the same tag are ignored.
 */
export function parseCpuProbe(output: string): Map<string, number> {
  const at = new Map<string, number>();
  for (const m of output.matchAll(/^CPU_AT (\S+) (\d+)$/gm)) {
    if (!at.has(m[1]!)) at.set(m[1]!, Number(m[2]) / 1000);
  }
  return at;
}

/** CPU time (ms) a process spent between two probed RESULT tags; throws a TypeError naming a missing tag. */
export function cpuBetween(at: ReadonlyMap<string, number>, from: string, to: string): number {
  const a = at.get(from);
  const b = at.get(to);
  if (a === undefined || b === undefined) {
    throw new TypeError(`no CPU_AT line for ${a === undefined ? from : to}`);
  }
  return b - a;
}

/** Per-step medians over several runs' step reports, in the order the steps first appear. */
export function stepMedians(
  runs: readonly (readonly { readonly step: string; readonly ms: number }[])[],
): { step: string; ms: number; share: number }[] {
  const byStep = new Map<string, number[]>();
  for (const steps of runs) {
    for (const { step, ms } of steps) {
      const list = byStep.get(step) ?? [];
      list.push(ms);
      byStep.set(step, list);
    }
  }
  const rows = [...byStep].map(([step, list]) => ({ step, ms: median(list) }));
  const total = rows.reduce((sum, r) => sum + r.ms, 0);
  return rows.map((r) => ({ ...r, share: total > 0 ? r.ms / total : 0 }));
}

/** A ratio as "0.12x" ("n/a" when either side is not a positive finite number). */
export function ratioText(ours: number, theirs: number): string {
  return Number.isFinite(ours) && Number.isFinite(theirs) && theirs > 0 ? `${(ours / theirs).toFixed(2)}x` : "n/a";
}

/** A plain-text table: the first `leftColumns` columns left-aligned, the others right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
