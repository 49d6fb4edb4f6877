/**
 * Runs one fuzz target: mutated inputs from its seeds, each decoded under a clock. A failure is an error other than a
 * refusal (fuzz-target.ts isRefusal), an input slower than the limit on three tries, or heap that keeps growing after
 * garbage collection; each distinct failure is saved as a reproducer (the input bytes, and a .txt with the error).
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { FuzzRandom } from "./fuzz-random.ts";
import { type FuzzTarget, isRefusal } from "./fuzz-target.ts";
import { mutate } from "./mutator.ts";

/** Slowest accepted decode of one input, in milliseconds (issue 11 item 5). */
export const SLOW_INPUT_MS = 100;
/** Heap growth after GC, over the first measurement, that counts as a leak (bytes). */
export const HEAP_GROWTH_LIMIT_BYTES = 64 * 1024 * 1024;
/** Inputs between two heap measurements. */
const HEAP_CHECK_EVERY = 50_000;
/** Most reproducers saved per target (distinct failures beyond it are only counted). */
const MAX_REPRODUCERS = 20;

/** One failure: its kind, a one-line description and where its reproducer was saved (if it was). */
export type FuzzFailure = {
  readonly kind: "exception" | "slow" | "memory";
  readonly detail: string;
  readonly file?: string;
};

/** What a target's run did. */
export type FuzzTargetResult = {
  readonly name: string;
  readonly inputs: number;
  /** Inputs the decoder accepted (the rest were refused with a project error). */
  readonly accepted: number;
  readonly elapsedMs: number;
  /** True when the deadline stopped the run before `inputs` reached the requested count. */
  readonly stoppedByDeadline: boolean;
  readonly failures: readonly FuzzFailure[];
};

/** Options of `runFuzzTarget`. */
export type FuzzRunOptions = {
  readonly inputs: number;
  readonly seed: number;
  /** Stop at this `Date.now()` even when fewer inputs ran. */
  readonly deadline: number;
  /** Where reproducers go; none are written when undefined. */
  readonly reproducerDir: string | undefined;
  readonly slowMs?: number;
};

/** The one-line description of a thrown value: class, code and message, plus the first stack frame. */
function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `non-error thrown: ${String(e)}`;
  const frame = (e.stack ?? "").split("\n").find((l) => l.trim().startsWith("at ")) ?? "";
  return `${e.constructor.name}: ${e.message.slice(0, 200)} ${frame.trim()}`;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, "_");
}

/** Decodes `bytes` with `target`; returns undefined when it was accepted or refused, else the error. */
export function decodeOne(target: FuzzTarget, bytes: Uint8Array): { error: unknown } | undefined {
  try {
    target.decode(bytes);
    return undefined;
  } catch (e) {
    return isRefusal(e) ? undefined : { error: e };
  }
}

/** Fuzzes `target` until `options.inputs` inputs ran or the deadline passed. */
export function runFuzzTarget(target: FuzzTarget, options: FuzzRunOptions): FuzzTargetResult {
  const rng = FuzzRandom.derive(options.seed, target.name);
  const slowMs = options.slowMs ?? SLOW_INPUT_MS;
  const failures: FuzzFailure[] = [];
  const seen = new Set<string>();
  const gc = (globalThis as { gc?: () => void }).gc;
  let baselineHeap: number | undefined;
  let accepted = 0;
  let n = 0;
  let stoppedByDeadline = false;
  const started = performance.now();
  const record = (kind: FuzzFailure["kind"], detail: string, bytes: Uint8Array | undefined) => {
    const key = `${kind} ${detail.replace(/\d+/g, "N")}`;
    if (seen.has(key)) return;
    seen.add(key);
    let file: string | undefined;
    if (options.reproducerDir !== undefined && bytes !== undefined && seen.size <= MAX_REPRODUCERS) {
      mkdirSync(options.reproducerDir, { recursive: true });
      const hash = createHash("sha256").update(bytes).digest("hex").slice(0, 12);
      file = join(options.reproducerDir, `${safeName(target.name)}-${kind}-${hash}.bin`);
      writeFileSync(file, bytes);
      writeFileSync(`${file}.txt`, `target ${target.name}\nseed ${options.seed}\ninput ${n}\n${kind}: ${detail}\n`);
    }
    failures.push(file === undefined ? { kind, detail } : { kind, detail, file });
  };
  for (; n < options.inputs; n++) {
    if ((n & 0x3ff) === 0 && Date.now() > options.deadline) {
      stoppedByDeadline = true;
      break;
    }
    const bytes = mutate(rng, target.seeds);
    const t0 = performance.now();
    let outcome: { error: unknown } | undefined;
    try {
      target.decode(bytes);
      accepted++;
    } catch (e) {
      if (!isRefusal(e)) outcome = { error: e };
    }
    const took = performance.now() - t0;
    if (outcome !== undefined) record("exception", describeError(outcome.error), bytes);
    if (took > slowMs) {
      // A GC pause or a busy machine can stall one call: only an input slow on three tries is a failure.
      let best = took;
      for (let i = 0; i < 2 && best > slowMs; i++) {
        const t1 = performance.now();
        decodeOne(target, bytes);
        best = Math.min(best, performance.now() - t1);
      }
      if (best > slowMs) record("slow", `${best.toFixed(1)} ms for ${bytes.length} bytes`, bytes);
    }
    if (gc !== undefined && n > 0 && n % HEAP_CHECK_EVERY === 0) {
      gc();
      const heap = process.memoryUsage().heapUsed;
      if (baselineHeap === undefined) baselineHeap = heap;
      else if (heap - baselineHeap > HEAP_GROWTH_LIMIT_BYTES)
        record("memory", `heap grew from ${baselineHeap} to ${heap} bytes after ${n} inputs`, undefined);
    }
  }
  return {
    name: target.name,
    inputs: n,
    accepted,
    elapsedMs: performance.now() - started,
    stoppedByDeadline,
    failures,
  };
}
