/**
 * `npm test`: builds dist/ when a source is newer than it (the tests and their children start from it), then lint,
 * typecheck, bundles the test files for plain node (compiled-child-bundle.mjs: no tsx in 187 processes) and runs them
 * (with the per-file durations report), and prints how long each phase took. The typecheck runs beside the bundle and
 * unit phases (the test files wait on sockets and timers for about half their time, so tsc's single thread mostly
 * fills idle CPU); its output is printed when it ends. The first phase that fails stops the others and its status is
 * the exit code, so the exit code stays the suite's.
 * Phases can be picked: `node test/support/test-phases.mjs [build] [lint] [typecheck] [bundle] [unit]` (unit implies
 * build and bundle).
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { testBundlePath } from "./compiled-child-bundle.mjs";

const REPO = resolve(import.meta.dirname, "..", "..");
const SRC = join(REPO, "src");
const DIST_SRC = join(REPO, "dist", "src");
const NODE = process.execPath;
const bin = (/** @type {string} */ pkg, /** @type {string} */ path) => join(REPO, "node_modules", pkg, path);

/**
 * The first source under src/ whose compiled output is missing or older (the check compiled-child.ts makes).
 * @param {string} dir
 * @returns {string | undefined}
 */
function staleSource(dir = SRC) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const stale = staleSource(path);
      if (stale !== undefined) return stale;
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
      const out = join(DIST_SRC, relative(SRC, path)).replace(/\.ts$/, ".js");
      if (!existsSync(out) || statSync(out).mtimeMs < statSync(path).mtimeMs) return relative(REPO, path);
    }
  }
  return undefined;
}

/** @param {string} dir @returns {string[]} */
function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return testFiles(path);
    return e.name.endsWith(".test.ts") ? [relative(REPO, path)] : [];
  });
}

/**
 * The files that take longest (each over 20 s in the durations report of a loaded run), in start order. They start
 * first (their bundles are numbered first, see testBundlePath), so the short files fill the other slot at the end
 * instead of a long file started late making the tail. The CPU-bound crash test starts beside the two files that
 * mostly wait out a 30 s Busy hold, not beside the matter.js flows, which also want the CPU.
 */
const LONGEST_FIRST = [
  "test/crash/opcreds-crash.test.ts",
  "test/admin/admin-negatives.test.ts",
  "test/fuzz/wire-fuzz-slice.test.ts",
  "test/interop/matterjs/admin-our-device.test.ts",
  "test/interop/matterjs/our-device.test.ts",
  "test/cli/admin-cli.test.ts",
  "test/interop/matterjs-removes-last-fabric.test.ts",
  "test/cli/start-errors.test.ts",
  "test/interop/matterjs/admin-matterjs-device.test.ts",
  "test/fabric/crash.test.ts",
];

/** The test files in start order: LONGEST_FIRST, then the others by path. */
function orderedTestFiles() {
  const all = testFiles(join(REPO, "test")).sort();
  const missing = LONGEST_FIRST.filter((f) => !all.includes(f));
  if (missing.length > 0) throw new RangeError(`LONGEST_FIRST names files that are not tests: ${missing.join(", ")}`);
  return [...LONGEST_FIRST, ...all.filter((f) => !LONGEST_FIRST.includes(f))];
}

const SEED = "test/support/fast-check-seed.ts";
/** What the bundle phase bundles, in order: the seed module, then the test files in start order. */
const BUNDLED = [SEED, ...orderedTestFiles()];
/** Where a file's bundle is (see compiled-child-bundle.mjs). @param {string} file */
const bundleOf = (file) => testBundlePath(BUNDLED.indexOf(file), file);

/** @type {Record<string, () => string[] | undefined>} the command of each phase; undefined skips it */
const PHASES = {
  build: () => {
    const stale = staleSource();
    if (stale === undefined) return undefined;
    process.stdout.write(`dist/ is older than ${stale}: npm run build\n`);
    return ["npm", "run", "build"];
  },
  lint: () => [NODE, bin("@biomejs/biome", "bin/biome"), "check", "."],
  typecheck: () => [NODE, bin("typescript", "bin/tsc"), "-p", "tsconfig.json", "--noEmit"],
  bundle: () => [NODE, join(REPO, "test", "support", "compiled-child-bundle.mjs"), "--tests", ...BUNDLED],
  unit: () => [
    NODE,
    "--enable-source-maps",
    "--import",
    `./${bundleOf(SEED)}`,
    "--test",
    "--test-concurrency=2",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=./test/support/durations-reporter.mjs",
    "--test-reporter-destination=stdout",
    ...BUNDLED.slice(1).map(bundleOf),
  ],
};

const picked = process.argv.slice(2);
for (const p of picked) if (!(p in PHASES)) throw new RangeError(`unknown phase ${p}; phases: ${Object.keys(PHASES)}`);
// The unit phase runs the bundles and the product code in dist/: never ones older than the sources.
if (picked.includes("unit")) for (const p of ["build", "bundle"]) if (!picked.includes(p)) picked.push(p);
/** Phases that run beside the ones after them instead of before them. */
const BESIDE = new Set(["typecheck"]);

/**
 * Runs one phase's command; a phase run beside others has its output kept and printed when it ends.
 * @param {string[]} argv
 * @param {boolean} beside
 * @returns {{ done: Promise<{ status: number, error?: Error }>, kill: () => void }}
 */
function run(argv, beside) {
  const child = spawn(argv[0], argv.slice(1), { cwd: REPO, stdio: beside ? ["ignore", "pipe", "pipe"] : "inherit" });
  /** @type {Buffer[]} */
  const output = [];
  child.stdout?.on("data", (b) => output.push(b));
  child.stderr?.on("data", (b) => output.push(b));
  const done = new Promise((resolve) => {
    child.on("error", (error) => resolve({ status: 1, error }));
    child.on("close", (code, signal) => {
      if (output.length > 0) process.stdout.write(Buffer.concat(output));
      resolve({ status: code ?? (signal === null ? 1 : 128) });
    });
  });
  return { done, kill: () => child.kill("SIGTERM") };
}

/** @type {[string, number, string][]} */
const times = [];
/** @type {{ name: string, done: Promise<void> }[]} */
const besides = [];
/** @type {(() => void) | undefined} stops the foreground phase when a phase beside it fails */
let stopForeground;
let status = 0;
/** @param {string} name @param {number} t0 @param {{ status: number, error?: Error }} r */
const record = (name, t0, r) => {
  const ms = performance.now() - t0;
  times.push([name, ms, r.error !== undefined ? String(r.error) : r.status === 0 ? "ok" : `failed (exit ${r.status})`]);
  if (r.status !== 0 && status === 0) status = r.status;
};
const started = performance.now();
for (const [name, command] of Object.entries(PHASES)) {
  if (status !== 0) break;
  if (picked.length > 0 && !picked.includes(name)) continue;
  const argv = command();
  if (argv === undefined) {
    times.push([name, 0, "fresh, skipped"]);
    continue;
  }
  const t0 = performance.now();
  if (BESIDE.has(name)) {
    const r = run(argv, true);
    besides.push({
      name,
      done: r.done.then((result) => {
        record(name, t0, result);
        if (result.status !== 0) stopForeground?.();
      }),
    });
    continue;
  }
  const r = run(argv, false);
  stopForeground = r.kill;
  const result = await r.done;
  stopForeground = undefined;
  // A phase stopped because one beside it failed is not the failure to report.
  if (status !== 0) times.push([name, performance.now() - t0, "stopped"]);
  else record(name, t0, result);
}
await Promise.all(besides.map((b) => b.done));
const line = times.map(([n, ms, s]) => `${n} ${(ms / 1000).toFixed(1)} s (${s})`).join(", ");
process.stdout.write(`\nnpm test phases: ${line}; total ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
process.exitCode = status;
