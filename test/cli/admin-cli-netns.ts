// Runs inside `unshare -n` (spawned by admin-cli.test.ts) with multicast on loopback: `opcreds start` runs the device
// with mDNS on lo, and the administrator's CLI commissions it from the QR payload the device printed (found by
// DNS-SD), then administers it, each command through the real bin. Prints one JSON line of exit codes and outputs.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { encodeManualPairingCode } from "../../src/node/onboarding/manual-pairing-code.ts";

const REPO = resolve(import.meta.dirname, "..", "..");
const BIN = join(REPO, "bin", "opcreds.js");
execFileSync("ip", ["link", "set", "lo", "up"]);
execFileSync("ip", ["link", "set", "lo", "multicast", "on"]);
execFileSync("ip", ["route", "add", "224.0.0.0/4", "dev", "lo"]);

const root = mkdtempSync(join(tmpdir(), "opcreds-admin-cli-"));
const data = join(root, "admin");
const o: Record<string, unknown> = {};
const device = spawn(process.execPath, [BIN, "start", "--interface", "lo", "--data", join(root, "device")], {
  stdio: ["ignore", "pipe", "pipe"],
});
let deviceOut = "";
device.stdout.on("data", (d: Buffer) => {
  deviceOut += d.toString();
});

/** One CLI run: exit code, stdout, stderr. */
function cli(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args, "--data", data], { encoding: "utf8", timeout: 90_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

try {
  const deadline = Date.now() + 30_000;
  while (!/MT:[0-9A-Z.-]+/.test(deviceOut) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const qr = /MT:[0-9A-Z.-]+/.exec(deviceOut)?.[0];
  if (qr === undefined) throw new Error(`the device printed no QR payload: ${deviceOut}`);
  o.init = cli("admin", "init", "--icac", "--label", "home", "--vendor-id", "0xFFF2");
  o.reinit = cli("admin", "init");
  o.commission = cli("commission", qr, "--json");
  o.nodes = cli("nodes", "--json");
  o.fabrics = cli("node", "1", "fabrics", "--json");
  o.label = cli("node", "0x1", "label", "kitchen");
  o.fabricsAfterLabel = cli("node", "1", "fabrics", "--json");
  o.read = cli("node", "1", "read", "0/BasicInformation/VendorID", "--json");
  o.readMissing = cli("node", "1", "read", "0/0x28/0x9999");
  o.on = cli("node", "1", "on");
  o.readOnOff = cli("node", "1", "read", "1/OnOff/OnOff", "--json");
  o.verifyVid = cli("node", "1", "verify-vid", "--json");
  o.rotate = cli("node", "1", "rotate-noc", "--json");
  o.window = cli("node", "1", "open-window", "--json");
  o.removeOwn = cli("node", "1", "remove-fabric", "1");
  o.unknownNode = cli("node", "7", "fabrics");
  o.badAction = cli("node", "1", "explode");
  o.decommission = cli("node", "1", "decommission", "--json");
  o.nodesAfter = cli("nodes", "--json");
  // The device reopened its window after its last fabric left: a wrong passcode fails at PASE.
  const wrong = encodeManualPairingCode({ discriminator: 3840, passcode: 20202022 });
  o.wrongPasscode = cli("commission", wrong, "--ip", "127.0.0.1");
  o.nodesAfterWrong = cli("nodes", "--json");
  o.ok = true;
} catch (e) {
  o.error = e instanceof Error ? e.message : String(e);
} finally {
  device.kill("SIGTERM");
  await new Promise((r) => device.once("exit", r));
  rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify(o));
