// bench/commission.ts reads the commissioners' CPU from bench/cpu-probe.mjs's CPU_AT lines, takes medians over rounds
// and ranks our administrator's steps by their median; these pure helpers are pinned here on known inputs.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import {
  cpuBetween,
  formatTable,
  median,
  parseCpuProbe,
  ratioText,
  stepMedians,
} from "../../bench/commission-stats.ts";

test("median of odd and even counts, NaN for none", () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test("CPU_AT lines give ms per tag, the first line of a tag wins, other lines are ignored", () => {
  const out = [
    "RESULT admin-opened {}",
    "CPU_AT admin-opened 120000",
    "some log CPU_AT x 1",
    "RESULT commissioned {}",
    "CPU_AT commissioned 230500",
    "CPU_AT commissioned 999999",
  ].join("\n");
  const at = parseCpuProbe(out);
  assert.deepEqual(
    [...at],
    [
      ["admin-opened", 120],
      ["commissioned", 230.5],
    ],
  );
  assert.equal(cpuBetween(at, "admin-opened", "commissioned"), 110.5);
  assert.throws(() => cpuBetween(at, "admin-opened", "rotated"), { name: "TypeError", message: /rotated/ });
});

test("the probe writes CPU_AT after each RESULT line of the process it is preloaded into", () => {
  const probe = pathToFileURL(join(import.meta.dirname, "../../bench/cpu-probe.mjs")).href;
  const script =
    'console.log("RESULT a {}"); for (let i = 0; i < 1e6; i++); console.log("plain"); console.log("RESULT b 1");';
  const r = spawnSync(process.execPath, [`--import=${probe}`, "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 5);
  assert.match(lines[1]!, /^CPU_AT a \d+$/);
  assert.equal(lines[2], "plain");
  assert.match(lines[4]!, /^CPU_AT b \d+$/);
  const at = parseCpuProbe(r.stdout);
  assert.ok(cpuBetween(at, "a", "b") >= 0);
});

test("step medians keep first-seen order and shares of the sum", () => {
  const rows = stepMedians([
    [
      { step: "PASE", ms: 10 },
      { step: "CASE", ms: 30 },
    ],
    [
      { step: "PASE", ms: 20 },
      { step: "CASE", ms: 50 },
      { step: "extra", ms: 10 },
    ],
  ]);
  assert.deepEqual(rows, [
    { step: "PASE", ms: 15, share: 15 / 65 },
    { step: "CASE", ms: 40, share: 40 / 65 },
    { step: "extra", ms: 10, share: 10 / 65 },
  ]);
});

test("ratio text and table alignment", () => {
  assert.equal(ratioText(25, 100), "0.25x");
  assert.equal(ratioText(1, 0), "n/a");
  assert.equal(ratioText(Number.NaN, 2), "n/a");
  assert.equal(formatTable(["a", "bb"], [["xyz", "1"]]), "a    bb\n---  --\nxyz   1");
});
