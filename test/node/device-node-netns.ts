// Runs inside `unshare -n` (spawned by device-node.test.ts): starts a DeviceNode on an ephemeral port without mDNS,
// checks its data directory and lock, a second start on the same directory, stop and restart. Prints one JSON line.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataDirLockedError, LOCK_FILE } from "../../src/node/data-dir-lock.ts";
import { DATABASE_FILE, DeviceNode } from "../../src/node/device-node.ts";
import { ATTESTATION_DIR } from "../../src/node/node-state.ts";

execFileSync("ip", ["link", "set", "lo", "up"]);
const root = mkdtempSync(join(tmpdir(), "opcreds-node-"));
const dataDir = join(root, "data");
const logs: string[] = [];
try {
  const node = await DeviceNode.start({ dataDir, port: 0, mdns: false, logger: (l, m) => logs.push(`${l} ${m}`) });
  const mode = (p: string) => statSync(p).mode & 0o777;
  let second = "";
  try {
    await DeviceNode.start({ dataDir, port: 0, mdns: false });
  } catch (e) {
    second = e instanceof DataDirLockedError ? `locked by ${e.pid === process.pid ? "self" : e.pid}` : String(e);
  }
  let badConfig = "";
  try {
    await DeviceNode.start({ dataDir: join(root, "other"), passcode: 12345678, mdns: false });
  } catch (e) {
    badConfig = (e as Error).name;
  }
  const first = {
    port: node.port,
    window: node.commissioningWindow ?? null,
    onboarding: node.onboarding,
    fabrics: node.fabrics.fabrics().length,
    dirMode: mode(dataDir),
    dbMode: mode(join(dataDir, DATABASE_FILE)),
    attestationDirMode: mode(join(dataDir, ATTESTATION_DIR)),
    lockPid: readFileSync(join(dataDir, LOCK_FILE), "utf8").trim(),
    onOff: node.light.onOff(),
  };
  await node.stop();
  await node.stop(); // idempotent
  const lockAfterStop = existsSync(join(dataDir, LOCK_FILE));
  const again = await DeviceNode.start({ dataDir, port: 0, mdns: false });
  const restarted = { window: again.commissioningWindow ?? null, fabrics: again.fabrics.fabrics().length };
  await again.stop();
  console.log(
    JSON.stringify({
      first,
      second,
      badConfig,
      lockAfterStop,
      restarted,
      pid: process.pid,
      logs,
      created: !existsSync(join(root, "other")),
    }),
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
