// Runs inside `unshare -n` (spawned by start-lifecycle-log.test.ts): the real `opcreds start` (bin/opcreds.js, JSON log
// lines on stderr) and an in-process controller (test/support/node-controller.ts) that commissions the device, relabels
// its fabric, updates its NOC, removes the fabric, commissions it again, lets that fail-safe expire, and then tries a
// wrong passcode. Then two short runs check OPCREDS_DATA and per-module filtering. Prints one JSON line: the lines
// each run logged, what its DEVICE_READY said, the controller's results, and the secrets that must not appear.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { toHex } from "../../src/bytes/bytes.ts";
import { OperationalCredentialsCluster } from "../../src/clusters/operational-credentials/operational-credentials-options.ts";
import { UpdateFabricLabelRequest } from "../../src/clusters/operational-credentials/update-fabric-label.ts";
import { DATABASE_FILE } from "../../src/node/device-node.ts";
import type { UdpPeer } from "../../src/node/udp-transport.ts";
import { NodeController, statusOf, testFabric } from "../support/node-controller.ts";

const Cmd = OperationalCredentialsCluster.commands;

execFileSync("ip", ["link", "set", "lo", "up"]);

const REPO = resolve(import.meta.dirname, "..", "..");
const PASSCODE = 20202021;
const WRONG_PASSCODE = 11223344;
/** How long the device may take to start, to stop, or to log an asynchronous effect (fail-safe expiry). */
const WAIT_MS = 60_000;

type Device = {
  readonly child: ChildProcess;
  readonly out: () => string;
  readonly err: () => string;
  readonly exited: Promise<number | string>;
};

function startDevice(args: readonly string[], env: Record<string, string> = {}): Device {
  const child = spawn(process.execPath, [join(REPO, "bin", "opcreds.js"), "start", "--no-mdns", ...args], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | string>((r) => child.on("exit", (code, signal) => r(code ?? signal ?? "?")));
  return { child, out: () => out, err: () => err, exited };
}

/** Polls `done` every 50 ms for at most WAIT_MS; returns whether it held. */
async function until(done: () => boolean): Promise<boolean> {
  const end = Date.now() + WAIT_MS;
  while (!done()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

async function ready(d: Device): Promise<Record<string, unknown>> {
  let gone = false;
  void d.exited.then(() => {
    gone = true;
  });
  await until(() => gone || /DEVICE_READY \{.*\}/.test(d.out()));
  const m = /DEVICE_READY (\{.*\})/.exec(d.out());
  if (m === null) {
    d.child.kill("SIGKILL");
    throw new RangeError(`no DEVICE_READY:\n${d.out()}\n${d.err()}`);
  }
  return JSON.parse(m[1]!) as Record<string, unknown>;
}

async function stop(d: Device): Promise<number | string> {
  d.child.kill("SIGINT");
  const timer = setTimeout(() => d.child.kill("SIGKILL"), WAIT_MS);
  const code = await d.exited;
  clearTimeout(timer);
  return code;
}

const root = mkdtempSync(join(tmpdir(), "opcreds-lifecycle-log-"));
const o: Record<string, unknown> = {};
const fabric = testFabric(0xfab0_0000_0000_0a11n, 0x0000_0000_0001_b669n);
const DEVICE_NODE_1 = 0x0000_0000_0000_00a1n;
const DEVICE_NODE_2 = 0x0000_0000_0000_00a2n;
o.secrets = [String(PASSCODE), toHex(fabric.ipkEpochKey), Buffer.from(fabric.ipkEpochKey).toString("base64")];

// 1. The lifecycle, logged as JSON at debug (so that not even a debug line may carry a secret).
const device = startDevice([
  "--data",
  join(root, "data"),
  "--port",
  "0",
  "--log-format",
  "json",
  "--log-level",
  "debug",
]);
const controller = await NodeController.open();
try {
  const r = await ready(device);
  o.ready = r;
  const peer: UdpPeer = { address: "127.0.0.1", port: r.port as number };
  const pase = await controller.pase(peer, PASSCODE);
  const steps = await controller.addNocOverPase(pase, fabric, DEVICE_NODE_1);
  o.addNoc = steps.addNoc;
  const case1 = await controller.case(peer, fabric, DEVICE_NODE_1);
  o.complete = await controller.commissioningComplete(case1);
  const label = await controller.ocInvoke(case1, Cmd.UpdateFabricLabel, (t) =>
    UpdateFabricLabelRequest.encodeNode({ label: "kitchen" }, t),
  );
  o.label = statusOf(label);
  o.armForUpdate = await controller.armFailSafe(case1, 300);
  // UpdateNOC before any CSRRequest: NOCResponse MissingCsr, which the device logs by name.
  o.updateWithoutCsr = await controller.updateNoc(case1, steps.chain.noc);
  const chain2 = fabric.ca.issueChain(await controller.csr(case1, true), {
    nodeId: DEVICE_NODE_2,
    fabricId: fabric.fabricId,
  });
  o.updateNoc = await controller.updateNoc(case1, chain2.noc);
  // The node ends the fabric's other sessions after UpdateNOC: CommissioningComplete goes over a new CASE session.
  const case2 = await controller.case(peer, fabric, DEVICE_NODE_2, { resume: false });
  o.completeUpdate = await controller.commissioningComplete(case2);
  o.remove = await controller.removeFabric(case2, steps.addNoc.fabricIndex ?? 0);
  // The window reopens after the last fabric: commission again and let the fail-safe expire (re-armed for 1 s).
  o.windowReopened = await until(() => (device.err().match(/commissioning window open/g) ?? []).length >= 2);
  // The reopened basic window shows the device's codes again on stdout.
  o.codesPrinted = await until(() => (device.out().match(/Manual pairing code:/g) ?? []).length >= 2).then(
    () => (device.out().match(/Manual pairing code:/g) ?? []).length,
  );
  const pase2 = await controller.pase(peer, PASSCODE);
  const again = await controller.addNocOverPase(pase2, fabric, DEVICE_NODE_1);
  o.addNocAgain = again.addNoc;
  // A CSRRequest while the new fabric is pending is refused, which the device logs by name.
  o.csrWhilePending = await controller.csr(pase2).then(
    () => "accepted",
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  );
  o.rearm = await controller.armFailSafe(pase2, 1);
  o.expiryLogged = await until(() => /"fabric-reverted"/.test(device.err()));
  // Last, as a failed attempt holds the window for a while (Busy): a commissioner with another passcode.
  o.windowListens = await until(() => /commissioning window listens again/.test(device.err()));
  o.wrongPasscode = await controller.pase(peer, WRONG_PASSCODE).then(
    () => "established",
    (e: unknown) => (e instanceof Error ? ((e as { code?: string }).code ?? e.message) : String(e)),
  );
} catch (e) {
  o.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
} finally {
  await controller.close();
  o.exit = await stop(device);
  o.stderr = device.err();
}

// 2. OPCREDS_DATA names the data directory; per-module levels: only errors, except attestation's info line.
const envData = join(root, "from-env");
const byEnv = startDevice(["--port", "0", "--log-format", "json", "--log-level", "error,attestation=info"], {
  OPCREDS_DATA: envData,
});
try {
  o.envReady = await ready(byEnv);
} catch (e) {
  o.envError = e instanceof Error ? e.message : String(e);
} finally {
  o.envExit = await stop(byEnv);
  o.envStderr = byEnv.err();
  o.envData = envData;
}

// 3. --data wins over OPCREDS_DATA.
const flagData = join(root, "from-flag");
const byFlag = startDevice(["--port", "0", "--data", flagData, "--log-level", "warn,node=info"], {
  OPCREDS_DATA: envData,
});
try {
  o.flagReady = await ready(byFlag);
} catch (e) {
  o.flagError = e instanceof Error ? e.message : String(e);
} finally {
  o.flagExit = await stop(byFlag);
  o.flagStderr = byFlag.err();
  o.flagData = flagData;
  o.flagDataCreated = existsSync(join(flagData, DATABASE_FILE));
}

rmSync(root, { recursive: true, force: true });
console.log(JSON.stringify(o));
