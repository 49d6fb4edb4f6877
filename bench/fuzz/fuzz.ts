/**
 * `npm run fuzz -- [--inputs-per-target N] [--seed S] [--target NAME[,NAME]] [--time-limit-s T] [--out DIR]
 * [--list] [--replay FILE --target NAME]`: the in-process mutation fuzzer over every decoder (issue 11 item 5).
 * Prints one line per target (inputs, accepted share, inputs per second, failures) and exits 1 on any failure.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { allFuzzTargets } from "./all-targets.ts";
import { decodeOne, type FuzzTargetResult, runFuzzTarget } from "./fuzz-engine.ts";
import { REPO } from "./fuzz-target.ts";

const { values } = parseArgs({
  options: {
    "inputs-per-target": { type: "string", default: "1000000" },
    seed: { type: "string", default: "1" },
    target: { type: "string" },
    "time-limit-s": { type: "string", default: "7200" },
    out: { type: "string", default: join(REPO, "fuzz-reproducers") },
    list: { type: "boolean", default: false },
    replay: { type: "string" },
    shard: { type: "string", default: "1/1" },
  },
});

const toInt = (name: string, text: string): number => {
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`--${name} must be a non-negative integer, got ${text}`);
  return v;
};
const inputs = toInt("inputs-per-target", values["inputs-per-target"]);
const seed = toInt("seed", values.seed);
const deadline = Date.now() + toInt("time-limit-s", values["time-limit-s"]) * 1000;

const all = await allFuzzTargets(seed);
const wanted = values.target?.split(",").filter((t) => t.length > 0);
// A name selects that target, or every target under it when it ends with "/" or names a folder prefix.
// --shard i/n keeps every n-th target starting at the i-th, so that n processes share one full run.
const [shardIndex, shardCount] = values.shard
  .split("/")
  .map((x, i) => toInt(i === 0 ? "shard index" : "shard count", x));
if (shardIndex === undefined || shardCount === undefined || shardIndex < 1 || shardIndex > shardCount)
  throw new RangeError(`--shard must be i/n with 1 <= i <= n, got ${values.shard}`);
const targets = (
  wanted === undefined
    ? all
    : all.filter((t) => wanted.some((w) => t.name === w || t.name.startsWith(w.endsWith("/") ? w : `${w}/`)))
).filter((_, i) => i % shardCount === shardIndex - 1);
if (targets.length === 0) {
  process.stderr.write(`no target matches ${values.target}; try --list\n`);
  process.exit(2);
}
if (values.list) {
  for (const t of targets) process.stdout.write(`${t.name} (${t.seeds.length} seeds)\n`);
  process.exit(0);
}
if (values.replay !== undefined) {
  const bytes = new Uint8Array(readFileSync(values.replay));
  let failed = false;
  for (const t of targets) {
    const outcome = decodeOne(t, bytes);
    process.stdout.write(
      `${t.name}: ${outcome === undefined ? "accepted or refused (ok)" : `FAILS: ${String(outcome.error)}`}\n`,
    );
    if (outcome !== undefined) {
      failed = true;
      if (outcome.error instanceof Error) process.stdout.write(`${outcome.error.stack}\n`);
    }
  }
  process.exit(failed ? 1 : 0);
}

process.stdout.write(
  `fuzz: ${targets.length} targets, ${inputs} inputs each, seed ${seed}, heap checks ${"gc" in globalThis ? "on" : "off (run node with --expose-gc)"}\n`,
);
const results: FuzzTargetResult[] = [];
for (const t of targets) {
  const r = runFuzzTarget(t, { inputs, seed, deadline, reproducerDir: values.out });
  results.push(r);
  const rate = r.inputs / Math.max(r.elapsedMs / 1000, 1e-3);
  process.stdout.write(
    `${r.name.padEnd(72)} ${String(r.inputs).padStart(9)} inputs ${((100 * r.accepted) / Math.max(r.inputs, 1)).toFixed(1).padStart(5)}% accepted ${Math.round(rate).toString().padStart(7)}/s ${r.failures.length} failures${r.stoppedByDeadline ? " (time limit)" : ""}\n`,
  );
  for (const f of r.failures)
    process.stdout.write(`  ${f.kind}: ${f.detail}${f.file === undefined ? "" : ` -> ${f.file}`}\n`);
}
const total = results.reduce((a, r) => a + r.inputs, 0);
const seconds = results.reduce((a, r) => a + r.elapsedMs, 0) / 1000;
const failures = results.reduce((a, r) => a + r.failures.length, 0);
const short = results.filter((r) => r.inputs < inputs).length;
process.stdout.write(
  `total: ${total} inputs over ${results.length} targets in ${seconds.toFixed(1)} s (${Math.round(total / Math.max(seconds, 1e-3))}/s), min ${Math.min(...results.map((r) => r.inputs))} per target, ${failures} failures${short > 0 ? `, ${short} targets stopped by the time limit` : ""}\n`,
);
process.exit(failures > 0 ? 1 : 0);
