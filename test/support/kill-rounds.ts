// The SIGKILL rounds shared by the crash tests (test/fabric/crash.test.ts, test/crash/opcreds-crash.test.ts): a child
// prints "ready", then for every step "A <seq> <snapshot>" before it starts the step's commit and "C <seq>" once the
// commit returned; it is killed at a random moment. After the kill the reopened state must be the last announced
// snapshot when its commit returned, that one or the one before it when the kill landed inside the commit, the
// previous state when nothing was announced; and the next fabric index (a snapshot's first `:` field) never goes back.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { compiledArgs } from "./compiled-child.ts";

/**
 * Runs `node ...args` until `delayMs` after it printed "ready", SIGKILLs it, and returns its output lines. A child
 * given as `--import tsx <script.ts>` starts from compiled output instead (compiled-child.ts): a restart then costs a
 * plain node start, not a transpilation of every module.
 */
export function runUntilKilled(args: readonly string[], delayMs: number): Promise<string[]> {
  const nodeArgs = compiledArgs(args);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (timer === undefined && out.startsWith("ready\n")) timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
    });
    child.on("error", reject);
    child.on("close", (_code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      if (signal !== "SIGKILL") reject(new RangeError(`child exited on its own (${String(signal)}): ${err}`));
      else resolve(out.split("\n").filter((l) => l.length > 0));
    });
  });
}

/** What one checked round leaves: the state now, the next sequence number, commits seen, and whether it cut one. */
export type KillRound = {
  readonly state: string;
  readonly seqBase: number;
  readonly commits: number;
  readonly interrupted: boolean;
};

/** Checks one round's output `lines` against the reopened state (`readState`) and the state before it. */
export async function checkKillRound(
  label: string,
  previous: string,
  seqBase: number,
  lines: readonly string[],
  readState: () => Promise<string>,
): Promise<KillRound> {
  assert.equal(lines[0], "ready", `${label}: the child did not start`);
  const announced: { seq: number; snapshot: string; committed: boolean }[] = [];
  for (const line of lines.slice(1)) {
    const [tag, seqText, snapshot] = line.split(" ");
    if (tag === "A") announced.push({ seq: Number(seqText), snapshot: snapshot ?? "", committed: false });
    else if (tag === "C") {
      const last = announced.at(-1);
      assert.equal(last?.seq, Number(seqText), `${label}: commit of a step that was not announced last`);
      last.committed = true;
    } else assert.fail(`${label}: unexpected child output ${line}`);
  }
  const last = announced.at(-1);
  const beforeLast = announced.length >= 2 ? announced.at(-2)!.snapshot : previous;
  const actual = await readState();
  let interrupted = false;
  if (last === undefined) assert.equal(actual, previous, `${label}: state changed with nothing announced`);
  else if (last.committed) assert.equal(actual, last.snapshot, `${label}: acknowledged commit ${last.seq} lost`);
  else {
    assert.ok(
      actual === last.snapshot || actual === beforeLast,
      `${label}: state ${actual} is neither step ${last.seq} (${last.snapshot}) nor the one before (${beforeLast})`,
    );
    interrupted = true;
  }
  // The next fabric index only moves forward (modulo the 254 -> 1 wrap), by at most one per announced step.
  const nextBefore = Number(previous.split(":")[0]);
  const nextAfter = Number(actual.split(":")[0]);
  assert.ok(
    (nextAfter - nextBefore + 254) % 254 <= announced.length,
    `${label}: next index went from ${nextBefore} to ${nextAfter}`,
  );
  return {
    state: actual,
    seqBase: (last?.seq ?? seqBase) + 1,
    commits: announced.filter((a) => a.committed).length,
    interrupted,
  };
}
