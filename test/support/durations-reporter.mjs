/**
 * A node:test reporter that prints, after the run, how long each test file and each test folder took, slowest first,
 * so that `npm test` says where its time goes (plain JS: node loads reporters without the tsx hooks). It adds to the
 * spec reporter (it prints nothing else) and never changes the exit code, which node --test sets from the results.
 * Durations are wall times of each file's child process, start and imports included; with --test-concurrency above 1
 * they overlap, so their sum exceeds the run's wall time.
 */
import { join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { TEST_BUNDLES } from "./compiled-child-bundle.mjs";

/** How many of the slowest files the summary lists. */
const SLOWEST_FILES_SHOWN = 25;

/**
 * @typedef {{ type: string, data?: { name?: string, nesting?: number, file?: string,
 *   details?: { duration_ms?: number, error?: unknown } } }} TestEvent
 * @typedef {{ ms: number, failed: boolean }} FileTime
 */

/** Seconds with one decimal, right-aligned. */
/** @param {number} ms */
function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`.padStart(9);
}

/** The folder a test file is counted under: its directory below the repository root (test/node, test/sc/case, ...). */
/** @param {string} file */
function folderOf(file) {
  const parts = file.split("/");
  return parts.length > 1 ? parts.slice(0, -1).join("/") : ".";
}

/** The test file a run file stands for: a bundle under TEST_BUNDLES (<index>/<path>.mjs) is named after its source. */
/** @param {string} file */
function sourceOf(file) {
  const prefix = join(TEST_BUNDLES, "/");
  if (!file.startsWith(prefix)) return file;
  return file
    .slice(prefix.length)
    .replace(/^\d+\//, "")
    .replace(/\.mjs$/, ".ts");
}

/** The summary table: folders, then the slowest files, each with its share of the summed file time. */
/** @param {ReadonlyMap<string, FileTime>} files @param {number} wallMs */
export function durationSummary(files, wallMs) {
  const total = [...files.values()].reduce((a, f) => a + f.ms, 0);
  /** @type {Map<string, number>} */
  const folders = new Map();
  for (const [file, f] of files) folders.set(folderOf(file), (folders.get(folderOf(file)) ?? 0) + f.ms);
  const share = (/** @type {number} */ ms) => `${((100 * ms) / Math.max(total, 1)).toFixed(0)}%`.padStart(4);
  const lines = [
    "",
    `Test time by folder (${files.size} files; file times summed ${seconds(total).trim()}, wall ${seconds(wallMs).trim()}):`,
  ];
  for (const [folder, ms] of [...folders].sort((a, b) => b[1] - a[1]))
    lines.push(`${seconds(ms)} ${share(ms)}  ${folder}`);
  lines.push("", `Slowest ${Math.min(SLOWEST_FILES_SHOWN, files.size)} files:`);
  const slowest = [...files].sort((a, b) => b[1].ms - a[1].ms).slice(0, SLOWEST_FILES_SHOWN);
  for (const [file, f] of slowest)
    lines.push(`${seconds(f.ms)} ${share(f.ms)}  ${file}${f.failed ? "  (failed)" : ""}`);
  return `${lines.join("\n")}\n`;
}

/** The reporter (node:test's custom reporter protocol: an async generator over the run's events). */
/** @param {AsyncIterable<TestEvent>} source */
export default async function* durationsReporter(source) {
  const started = performance.now();
  /** @type {Map<string, FileTime>} */
  const wrapper = new Map();
  /** @type {Map<string, FileTime>} */
  const inner = new Map();
  for await (const event of source) {
    if (event.type !== "test:complete" || event.data?.file === undefined || event.data.nesting !== 0) continue;
    const file = sourceOf(relative(process.cwd(), event.data.file));
    const ms = event.data.details?.duration_ms ?? 0;
    const failed = event.data.details?.error !== undefined;
    // node --test reports each file as a test named after its path (the child process's whole run); its tests come
    // before it at the same nesting level. Without that wrapper, a file's time is the sum of its top-level tests.
    if (event.data.name === event.data.file) wrapper.set(file, { ms, failed });
    else {
      const f = inner.get(file) ?? { ms: 0, failed: false };
      inner.set(file, { ms: f.ms + ms, failed: f.failed || failed });
    }
  }
  const files = new Map(inner);
  for (const [file, f] of wrapper)
    files.set(file, { ms: f.ms, failed: f.failed || (inner.get(file)?.failed ?? false) });
  yield durationSummary(files, performance.now() - started);
}
