// What an operator sees in `opcreds start`'s log (issue 13 item 4), the real bin inside a private network namespace
// driven by an in-process controller: with --log-format json every stderr line is one JSON object (time, level, module,
// msg); commissioning, relabelling, UpdateNOC, RemoveFabric and a fail-safe expiry appear in that order with index,
// fabric ID, node ID, VID and label; a wrong passcode is logged as such; no passcode or IPK is logged; OPCREDS_DATA names
// the data directory and --data wins over it; per-module levels let one module through a stricter global level.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { NodeOperationalCertStatus } from "../../src/clusters/operational-credentials/node-operational-cert-status.ts";
import { LOG_LEVELS, LOG_MODULES } from "../../src/node/node-log.ts";
import { runInPrivateNetns } from "../support/netns-child.ts";
import { isOneLine, REPO, runBin } from "./cli-harness.ts";

type Line = { time: string; level: string; module: string; msg: string; event?: string; [k: string]: unknown };

type Run = {
  secrets: string[];
  ready: { dataDir: string };
  wrongPasscode: string;
  addNoc: { statusCode: number; fabricIndex: number };
  complete: number;
  label: string;
  updateNoc: { statusCode: number };
  updateWithoutCsr: { statusCode: number };
  csrWhilePending: string;
  completeUpdate: number;
  remove: { statusCode: number };
  codesPrinted: number;
  addNocAgain: { statusCode: number; fabricIndex: number };
  rearm: number;
  expiryLogged: boolean;
  exit: number | string;
  stderr: string;
  error?: string;
  envReady?: { dataDir: string };
  envData: string;
  envExit: number | string;
  envStderr: string;
  flagReady?: { dataDir: string };
  flagData: string;
  flagDataCreated: boolean;
  flagExit: number | string;
  flagStderr: string;
};

const run = runInPrivateNetns<Run>(resolve(import.meta.dirname, "start-lifecycle-log-netns.ts"), {
  timeoutMs: 240_000,
});

/** Each stderr line parsed as JSON (a line that is not one fails the test, naming it). */
function jsonLines(stderr: string): Line[] {
  return stderr
    .trimEnd()
    .split("\n")
    .map((l) => {
      try {
        return JSON.parse(l) as Line;
      } catch {
        return assert.fail(`not a JSON line: ${l}`);
      }
    });
}

test("the controller's steps all succeeded (so the log below is the device's account of them)", () => {
  assert.equal(run.error, undefined);
  assert.equal(run.wrongPasscode, "pase.confirmation");
  assert.deepEqual(run.addNoc, { statusCode: 0, fabricIndex: 1 });
  assert.equal(run.complete, 0);
  assert.equal(run.label, "response 0x8");
  assert.equal(run.updateNoc.statusCode, 0);
  assert.equal(run.completeUpdate, 0);
  assert.equal(run.remove.statusCode, 0);
  assert.equal(run.codesPrinted, 2, "the pairing codes at start and again when the window reopens");
  assert.equal(run.addNocAgain.statusCode, 0);
  assert.equal(run.rearm, 0);
  assert.equal(run.updateWithoutCsr.statusCode, NodeOperationalCertStatus.MissingCsr);
  assert.notEqual(run.csrWhilePending, "accepted");
  assert.equal(run.expiryLogged, true, run.stderr);
  assert.equal(run.exit, 0, run.stderr);
});

test("--log-format json: every stderr line is one object with time, level, module and msg", () => {
  const lines = jsonLines(run.stderr);
  assert.ok(lines.length > 10, run.stderr);
  for (const l of lines) {
    assert.match(l.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(["error", "warn", "info", "debug"].includes(l.level), l.level);
    assert.equal(typeof l.module, "string");
    assert.equal(typeof l.msg, "string");
  }
  const dataDir = lines.find((l) => l.msg.startsWith("data directory "));
  assert.ok(dataDir, "the data directory is printed at start");
  assert.equal(dataDir.dataDir, run.ready.dataDir);
});

test("a wrong passcode is logged as a wrong passcode, with the StatusReport decoded", () => {
  const failed = jsonLines(run.stderr).filter((l) => /PASE|pase/.test(l.msg) && /failed/.test(l.msg));
  assert.equal(failed.length, 1, run.stderr);
  assert.equal(failed[0]!.level, "warn");
  assert.equal(failed[0]!.module, "sc");
  assert.match(failed[0]!.msg, /^PASE failed: /);
  assert.match(failed[0]!.msg, /wrong passcode/);
  assert.match(failed[0]!.msg, /StatusReport Failure\/InvalidParameter/);
});

test("commissioning, relabel, UpdateNOC, RemoveFabric and a fail-safe expiry are logged in order, naming the fabric", () => {
  const events = jsonLines(run.stderr).filter((l) => l.event?.startsWith("fabric-") === true);
  const commissioning = jsonLines(run.stderr).filter((l) => l.event === "commissioning-complete");
  assert.deepEqual(
    events.map((l) => [l.event, l.fabricIndex]),
    [
      ["fabric-added", 1],
      ["fabric-committed", 1],
      ["fabric-labelled", 1],
      ["fabric-updated", 1],
      ["fabric-committed", 1],
      ["fabric-removed", 1],
      ["fabric-added", 2],
      ["fabric-reverted", 2],
    ],
  );
  assert.equal(commissioning.length, 1, "commissioning complete once (the NOC update's commit is not a commissioning)");
  const [added, , labelled, updated, , removed] = events;
  assert.deepEqual(
    { fabricId: added!.fabricId, nodeId: added!.nodeId, vendorId: added!.vendorId, label: added!.label },
    { fabricId: "0xFAB0000000000A11", nodeId: "0x00000000000000A1", vendorId: "0xFFF1", label: "" },
  );
  assert.match(added!.msg, /fabric 1 added .*fabric ID 0xFAB0000000000A11, node ID 0x00000000000000A1, vendor 0xFFF1/);
  assert.equal(labelled!.msg, 'fabric 1 labelled "kitchen" (was "")');
  assert.equal(updated!.nodeId, "0x00000000000000A2");
  assert.match(removed!.msg, /fabric 1 removed: .*node ID 0x00000000000000A2.*label "kitchen"/);
  assert.match(events.at(-1)!.msg, /fabric 2 reverted: the fail-safe dropped it/);
});

test("NOC and CSR errors are logged with their status names", () => {
  const failed = jsonLines(run.stderr).filter((l) => l.event === "command-failed");
  assert.deepEqual(
    failed.map((l) => [l.level, l.module, l.command, l.status]),
    [
      ["warn", "fabric", "UpdateNOC", "MissingCsr"],
      ["warn", "fabric", "CSRRequest", failed[1]?.status],
    ],
  );
  assert.match(failed[0]!.msg, /^UpdateNOC -> NOCResponse MissingCsr/);
  assert.match(failed[1]!.msg, /^CSRRequest -> [A-Z_]+ /);
  assert.notEqual(failed[1]!.status, "SUCCESS");
});

test("the fail-safe is logged armed, disarmed by CommissioningComplete, and expired then reverted", () => {
  const events = jsonLines(run.stderr).filter((l) => l.event?.startsWith("fail-safe-") === true);
  for (const l of events) assert.equal(l.module, "commissioning");
  assert.deepEqual(
    events.filter((l) => l.event !== "fail-safe-extended").map((l) => l.event),
    [
      "fail-safe-armed",
      "fail-safe-disarmed",
      "fail-safe-armed",
      "fail-safe-disarmed",
      "fail-safe-armed",
      "fail-safe-expired",
      "fail-safe-reverted",
    ],
  );
  assert.ok(events.some((l) => l.event === "fail-safe-extended" && l.level === "debug"));
  for (const l of events.filter((x) => x.event === "fail-safe-disarmed")) assert.match(l.msg, /CommissioningComplete/);
  // The expiry comes before the fabric it reverted, and the fabric's revert before the fail-safe's end.
  const all = jsonLines(run.stderr).map((l) => l.event);
  const expired = all.indexOf("fail-safe-expired");
  assert.ok(
    expired < all.lastIndexOf("fabric-reverted") &&
      all.lastIndexOf("fabric-reverted") < all.indexOf("fail-safe-reverted"),
  );
});

test("no secret is logged: neither the passcode nor the IPK", () => {
  for (const secret of run.secrets) assert.equal(run.stderr.includes(secret), false, `logged: ${secret}`);
});

test("OPCREDS_DATA names the data directory; per-module levels let attestation's info through a global 'error'", () => {
  assert.equal(run.envExit, 0, run.envStderr);
  assert.equal(run.envReady?.dataDir, run.envData);
  const lines = jsonLines(run.envStderr);
  assert.deepEqual(
    lines.map((l) => [l.level, l.module]),
    [["info", "attestation"]],
  );
});

test("--data wins over OPCREDS_DATA; 'warn,node=info' shows node's info lines in text format", () => {
  assert.equal(run.flagExit, 0, run.flagStderr);
  assert.equal(run.flagReady?.dataDir, run.flagData);
  assert.equal(run.flagDataCreated, true);
  assert.match(run.flagStderr, /^\S+Z info +\[node\] data directory /m);
  assert.doesNotMatch(run.flagStderr, /\[attestation\]/, "attestation's info line is below warn");
});

test("start --help documents --log-level (levels and modules), --log-format and OPCREDS_DATA", async () => {
  const help = await runBin(["start", "--help"]);
  assert.equal(help.code, 0, help.stderr);
  const text = help.stdout.toString("utf8").replace(/\s+/g, " ");
  assert.match(text, /--log-level <spec>/);
  assert.match(text, /--log-format <format>/);
  assert.match(text, /\$OPCREDS_DATA/);
  for (const m of LOG_MODULES) assert.match(text, new RegExp(`\\b${m}\\b`));
  for (const l of LOG_LEVELS) assert.match(text, new RegExp(`\\b${l}\\b`));
});

test("an unknown --log-level module or level, or --log-format, is a one-line usage error listing the choices", () => {
  for (const [args, choices] of [
    [["--log-level", "warn,bogus=debug"], LOG_MODULES],
    [["--log-level", "sc=loud"], LOG_LEVELS],
    [
      ["--log-format", "xml"],
      ["text", "json"],
    ],
  ] as const) {
    // Inside a private namespace like every run of `start` (a usage error exits before any socket opens).
    const r = spawnSync("unshare", ["-n", process.execPath, join(REPO, "bin", "opcreds.js"), "start", ...args], {
      encoding: "utf8",
      timeout: 60_000,
      cwd: REPO,
    });
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.ok(isOneLine(r.stderr), r.stderr);
    for (const c of choices) assert.ok(r.stderr.includes(c), `${args.join(" ")}: ${c} not listed in ${r.stderr}`);
  }
});
