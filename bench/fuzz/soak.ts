/**
 * `npm run soak -- --kills N [--seed S] [--max-kill-delay-ms D] [--time-limit-s T]` (issue 11 item 7): inside a
 * private network namespace, drives commissioning, UpdateNOC, UpdateFabricLabel and RemoveFabric over UDP against an
 * `opcreds start` child (compiled dist/), SIGKILLs it at a seeded random moment, reads its fabric table from the
 * database and checks it is the state before the operation in flight or after it, with every acknowledged change
 * kept. Prints kills, mid-operation kills and outcomes per operation; exits 1 on any failure.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  AdministratorCommissioningCluster,
  OpenCommissioningWindowRequest,
} from "../../src/clusters/administrator-commissioning/administrator-commissioning.ts";
import { OperationalCredentialsCluster } from "../../src/clusters/operational-credentials/operational-credentials-options.ts";
import { UpdateFabricLabelRequest } from "../../src/clusters/operational-credentials/update-fabric-label.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { computePaseVerifier, encodePaseVerifier } from "../../src/sc/pase/pase-verifier.ts";
import type { SecureSession } from "../../src/sc/secure-session.ts";
import { NodeController, type TestFabric, testFabric } from "../../test/support/node-controller.ts";
import { FuzzRandom } from "./fuzz-random.ts";
import { REPO } from "./fuzz-target.ts";
import { readSoakFabrics, type SoakFabric, soakSnapshot } from "./soak-state.ts";

const Cmd = OperationalCredentialsCluster.commands;

const PASSCODE = 20202021;
const PORT = 5540;
const PEER = { address: "127.0.0.1", port: PORT };
/** Fabrics the soak keeps at most (more commissioning goes through OpenBasicCommissioningWindow). */
const MAX_SOAK_FABRICS = 3;
/** The passcode and PBKDF parameters of the windows the soak's administrators open (Enhanced Commissioning Method). */
const WINDOW_PASSCODE = 34567890;
const WINDOW_PBKDF = { iterations: 1000, salt: new Uint8Array(32).fill(0x5a) };
const WINDOW_VERIFIER = encodePaseVerifier(computePaseVerifier(nodeCrypto, WINDOW_PASSCODE, WINDOW_PBKDF));

const { values } = parseArgs({
  options: {
    kills: { type: "string", default: "1000" },
    seed: { type: "string", default: "1" },
    "max-kill-delay-ms": { type: "string", default: "1500" },
    "time-limit-s": { type: "string", default: "3600" },
    "request-ms": { type: "string", default: "4000" },
    "start-timeout-s": { type: "string", default: "30" },
    json: { type: "boolean", default: false },
  },
});
const int = (name: string, text: string): number => {
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`--${name} must be a non-negative integer, got ${text}`);
  return v;
};
const kills = int("kills", values.kills);
const seed = int("seed", values.seed);
const maxDelay = Math.max(1, int("max-kill-delay-ms", values["max-kill-delay-ms"]));
const deadline = Date.now() + int("time-limit-s", values["time-limit-s"]) * 1000;
const requestMs = int("request-ms", values["request-ms"]);
const startTimeoutMs = int("start-timeout-s", values["start-timeout-s"]) * 1000;

// Network safety: this process speaks Matter, so it must run in a namespace with nothing but loopback.
const foreign = Object.keys(networkInterfaces()).filter((n) => n !== "lo");
if (foreign.length > 0) {
  process.stderr.write(
    `soak: interfaces ${foreign.join(", ")} present; run inside a private namespace (npm run soak does)\n`,
  );
  process.exit(2);
}
execFileSync("ip", ["link", "set", "lo", "up"]);
if (!existsSync(join(REPO, "dist", "src", "cli", "main.js"))) {
  process.stderr.write("soak: no dist/ build; run `npm run build` first\n");
  process.exit(2);
}

/** What the soak believes the device holds, with what it needs to reach each fabric. */
type ModelFabric = SoakFabric & { readonly admin: TestFabric };
let model: ModelFabric[] = [];
/** An operation in flight: the state it leaves when it completes, applied to the model if the device holds it. */
type InFlight = { readonly op: string; after: ModelFabric[] | undefined; failedAlive?: boolean };

const dataDir = mkdtempSync(join(tmpdir(), "opcreds-soak-"));
const stats = {
  kills: 0,
  midOperation: 0,
  acknowledged: 0,
  startFailures: 0,
  driverErrors: 0,
  outcomes: {} as Record<string, { old: number; new: number; acked: number }>,
  /** Where a kill round's time goes (ms, summed over rounds): device start-up, driving, kill to drive stopped, check. */
  phaseMs: { start: 0, drive: 0, afterKill: 0, check: 0 },
};
const failures: string[] = [];
const tally = (op: string) => {
  stats.outcomes[op] ??= { old: 0, new: 0, acked: 0 };
  return stats.outcomes[op];
};

function startDevice(): Promise<{ child: ChildProcess; exited: Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      join(REPO, "bin", "opcreds.js"),
      "start",
      "--data",
      dataDir,
      "--port",
      String(PORT),
      "--passcode",
      String(PASSCODE),
      "--no-mdns",
      "--log-level",
      "error",
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, OPCREDS_RUN: "dist" } },
  );
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  let err = "";
  let out = "";
  child.stderr?.on("data", (d: Buffer) => {
    err = (err + d.toString()).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new RangeError(
          `device not ready in ${startTimeoutMs / 1000} s: stdout ${JSON.stringify(out.slice(-500))}, stderr ${JSON.stringify(err)}`,
        ),
      );
    }, startTimeoutMs);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("DEVICE_READY ")) {
        clearTimeout(timer);
        resolve({ child, exited });
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new RangeError(`device exited before ready: ${err}`));
    });
  });
}

/**
 * One round's driving: `flight` is the operation in progress (undefined between operations). Once the round is
 * `abandoned` (the device died and the round was judged) a late answer changes nothing: the round's controller is
 * closed and its pending request only waits out its timeout.
 */
type RoundState = { flight: InFlight | undefined; abandoned: boolean };

/** Runs operations against the live device until `isKilled()`; `state.flight` names the one that was cut, if any. */
async function drive(
  c: NodeController,
  isKilled: () => boolean,
  round: number,
  state: RoundState,
): Promise<InFlight | undefined> {
  // Each round has its own streams, so that timing in one round never shifts the choices of the next.
  const rng = FuzzRandom.derive(seed, "operations", round);
  const sessions = new Map<bigint, SecureSession>();
  const caseTo = async (f: ModelFabric) => {
    const held = sessions.get(f.fabricId);
    if (held !== undefined) return held;
    const s = await c.case(PEER, f.admin, f.nodeId, { resume: false });
    sessions.set(f.fabricId, s);
    return s;
  };
  let seq = 0;
  while (!isKilled()) {
    seq++;
    const r = rng.float();
    const target = model.length === 0 ? undefined : rng.pick(model);
    let flight: InFlight | undefined;
    try {
      if (target === undefined || (model.length < MAX_SOAK_FABRICS && r < 0.3)) {
        // Commissioning: (a basic window opened by an existing administrator,) PASE, ArmFailSafe, CSR,
        // AddTrustedRootCertificate, AddNOC, then CommissioningComplete over CASE.
        flight = { op: "commission", after: undefined };
        state.flight = flight;
        if (target !== undefined) {
          const opened = await c.invoke(
            await caseTo(target),
            AdministratorCommissioningCluster.id,
            AdministratorCommissioningCluster.commands.OpenCommissioningWindow,
            (t) =>
              OpenCommissioningWindowRequest.encodeNode(
                {
                  commissioningTimeout: 180,
                  pakePasscodeVerifier: WINDOW_VERIFIER,
                  discriminator: 1234,
                  iterations: WINDOW_PBKDF.iterations,
                  salt: WINDOW_PBKDF.salt,
                },
                t,
              ),
            { timed: true },
          );
          if (opened.kind !== "status" || opened.status !== 0)
            throw new RangeError(`OpenCommissioningWindow ${JSON.stringify(opened)}`);
        }
        const fabricId = BigInt(1 + rng.below(0x7fffffff));
        const nodeId = BigInt(0x10000 + round * 100 + seq);
        const admin = testFabric(fabricId, 0x1000n + fabricId);
        const pase = await c.pase(PEER, target === undefined ? PASSCODE : WINDOW_PASSCODE);
        const added = await c.addNocOverPase(pase, admin, nodeId, 120);
        if (added.addNoc.statusCode !== 0 || added.addNoc.fabricIndex === null)
          throw new RangeError(`AddNOC ${added.addNoc.statusCode}`);
        const fabric: ModelFabric = {
          fabricId,
          fabricIndex: added.addNoc.fabricIndex,
          nodeId,
          label: "",
          noc: added.chain.noc,
          admin,
        };
        flight.after = [...model, fabric];
        const cs = await c.case(PEER, admin, nodeId, { resume: false });
        const done = await c.commissioningComplete(cs);
        if (done !== 0) throw new RangeError(`CommissioningComplete ${done}`);
        c.closeSession(pase);
        sessions.set(fabricId, cs);
      } else if (r < 0.55) {
        const label = `L${round}.${seq}`;
        flight = { op: "label", after: model.map((f) => (f === target ? { ...f, label } : f)) };
        state.flight = flight;
        const out = await c.ocInvoke(await caseTo(target), Cmd.UpdateFabricLabel, (t) =>
          UpdateFabricLabelRequest.encodeNode({ label }, t),
        );
        if (out.kind !== "response") throw new RangeError(`UpdateFabricLabel ${JSON.stringify(out)}`);
      } else if (r < 0.8) {
        // UpdateNOC under the fabric's own root, then CommissioningComplete over a CASE with the new NOC.
        flight = { op: "update-noc", after: undefined };
        state.flight = flight;
        const cs = await caseTo(target);
        const armed = await c.armFailSafe(cs, 120);
        if (armed !== 0) throw new RangeError(`ArmFailSafe ${armed}`);
        const chain = target.admin.ca.issueChain(await c.csr(cs, true), {
          nodeId: target.nodeId,
          fabricId: target.fabricId,
        });
        flight.after = model.map((f) => (f === target ? { ...f, noc: chain.noc } : f));
        const updated = await c.updateNoc(cs, chain.noc, chain.icac ?? undefined);
        if (updated.statusCode !== 0) throw new RangeError(`UpdateNOC ${updated.statusCode}`);
        sessions.delete(target.fabricId);
        const fresh = await caseTo(target);
        const done = await c.commissioningComplete(fresh);
        if (done !== 0) throw new RangeError(`CommissioningComplete after UpdateNOC ${done}`);
      } else {
        flight = { op: "remove-fabric", after: model.filter((f) => f !== target) };
        state.flight = flight;
        const cs = await caseTo(target);
        sessions.delete(target.fabricId);
        const out = await c.removeFabric(cs, target.fabricIndex);
        if (out.statusCode !== 0) throw new RangeError(`RemoveFabric ${out.statusCode}`);
      }
      // An answer that arrives after the round was judged is ignored (the check saw the device's durable state).
      if (state.abandoned) return flight;
      state.flight = undefined;
      // Acknowledged: the device answered success, so the change must survive any later kill.
      if (flight.after !== undefined) model = flight.after;
      tally(flight.op).acked++;
      stats.acknowledged++;
    } catch (e) {
      if (isKilled()) return flight;
      stats.driverErrors++;
      if (process.env.SOAK_VERBOSE !== undefined) process.stderr.write(`round ${round}: ${flight?.op}: ${String(e)}\n`);
      // The device is alive but the operation failed or timed out: its outcome is unknown, so this round ends here
      // and the operation is judged like one cut by the kill.
      if (flight !== undefined) flight.failedAlive = true;
      return flight;
    }
  }
  return undefined;
}

const started = Date.now();
let round = 0;
for (; round < kills && Date.now() < deadline; round++) {
  let device: Awaited<ReturnType<typeof startDevice>>;
  let t = performance.now();
  const phase = (name: keyof typeof stats.phaseMs) => {
    const now = performance.now();
    stats.phaseMs[name] += now - t;
    t = now;
  };
  try {
    device = await startDevice();
    phase("start");
  } catch (e) {
    stats.startFailures++;
    failures.push(`round ${round}: ${String(e)}`);
    break;
  }
  const c = await NodeController.open({ waitMs: requestMs });
  let killed = false;
  const delay = FuzzRandom.derive(seed, "kill", round).below(maxDelay);
  const kill = () => {
    if (!killed) {
      killed = true;
      phase("drive");
      device.child.kill("SIGKILL");
    }
  };
  const timer = setTimeout(kill, delay);
  const state: RoundState = { flight: undefined, abandoned: false };
  const driving = drive(c, () => killed, round, state);
  // The round ends when the driver stops (a failed operation) or the device dies: a request the kill cut is not
  // waited for (it would only time out), and the round's controller is closed so it sends nothing more.
  const ended = await Promise.race([
    driving.then(() => "driver" as const),
    device.exited.then(() => "exited" as const),
  ]);
  if (ended === "exited" && !killed) failures.push(`round ${round}: the device exited by itself`);
  // A failed operation ends the round early: kill now.
  kill();
  clearTimeout(timer);
  await device.exited;
  state.abandoned = true;
  const flight = ended === "driver" ? await driving : state.flight;
  // A judged round's driver may still wait out a cut request; nothing waits for it (its handshake timer is unref'd).
  driving.catch(() => {});
  await c.close();
  phase("afterKill");
  stats.kills++;
  const { fabrics, problems } = await readSoakFabrics(dataDir);
  const actual = soakSnapshot(fabrics);
  const before = soakSnapshot(model);
  if (problems.length > 0) failures.push(`round ${round}: ${problems.join("; ")}`);
  if (flight === undefined) {
    if (actual !== before) failures.push(`round ${round}: state ${actual}, expected ${before} (nothing in flight)`);
  } else {
    if (flight.failedAlive !== true) stats.midOperation++;
    const after = flight.after === undefined ? undefined : soakSnapshot(flight.after);
    if (actual === before) tally(flight.op).old++;
    else if (after !== undefined && actual === after) {
      tally(flight.op).new++;
      model = flight.after ?? model;
    } else
      failures.push(
        `round ${round}: ${flight.op} cut: state ${actual} is neither ${before} nor ${after ?? "(unknown)"}`,
      );
  }
  // The device assigns fabric indices; keep the model's in step with what it holds.
  model = model.map((m) => ({
    ...m,
    fabricIndex: fabrics.find((f) => f.fabricId === m.fabricId)?.fabricIndex ?? m.fabricIndex,
  }));
  phase("check");
  if (failures.length > 0) break;
  if ((round + 1) % 50 === 0)
    process.stdout.write(
      `soak: ${round + 1} kills, ${stats.midOperation} mid-operation, ${stats.acknowledged} acknowledged, ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
}
rmSync(dataDir, { recursive: true, force: true });
const summary = { seed, requested: kills, ...stats, seconds: Math.round((Date.now() - started) / 1000), failures };
if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
else {
  process.stdout.write(
    `soak: seed ${seed}: ${stats.kills} kills (${stats.midOperation} mid-operation), ${stats.acknowledged} acknowledged operations, ${stats.driverErrors} operations failed while the device was alive, ${summary.seconds} s\n`,
  );
  for (const [op, o] of Object.entries(stats.outcomes))
    process.stdout.write(
      `  ${op.padEnd(14)} acknowledged ${o.acked}, cut and kept old state ${o.old}, cut and reached new state ${o.new}\n`,
    );
  const per = (ms: number) => (ms / Math.max(1, stats.kills) / 1000).toFixed(2);
  const p = stats.phaseMs;
  process.stdout.write(
    `  seconds per kill ${per(p.start + p.drive + p.afterKill + p.check)}: start-up ${per(p.start)}, driving ${per(p.drive)}, kill to driver stopped ${per(p.afterKill)}, state check ${per(p.check)}\n`,
  );
  for (const f of failures) process.stdout.write(`FAILURE ${f}\n`);
  if (stats.kills < kills) process.stdout.write(`stopped by the time limit after ${stats.kills} of ${kills} kills\n`);
}
process.exit(failures.length > 0 ? 1 : 0);
