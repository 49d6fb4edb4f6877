// Runs inside `unshare -n` (spawned by table-full.test.ts): our device with SupportedFabrics 5 gets five
// administrators (the first commissions it, the others join through windows it opens), then a sixth tries. Prints
// one JSON line with the sixth's error and what the device holds afterwards.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdminError, Administrator } from "../../src/admin/administrator.ts";
import { DeviceNode } from "../../src/node/device-node.ts";
import { encodeManualPairingCode } from "../../src/node/onboarding/manual-pairing-code.ts";

execFileSync("ip", ["link", "set", "lo", "up"]);
const root = mkdtempSync(join(tmpdir(), "opcreds-table-full-"));
const o: Record<string, unknown> = {};
const node = await DeviceNode.start({
  dataDir: join(root, "device"),
  port: 0,
  mdns: false,
  supportedFabrics: 5,
  logger: () => {},
});
const ip = "127.0.0.1";
const port = node.port;
const admins: Administrator[] = [];
try {
  const first = await Administrator.open({ dataDir: join(root, "a0"), create: { label: "admin 0" } });
  admins.push(first);
  const { nodeId } = await first.commission(encodeManualPairingCode({ discriminator: 3840, passcode: 20202021 }), {
    ip,
    port,
  });
  for (let i = 1; i <= 5; i++) {
    const admin = await Administrator.open({ dataDir: join(root, `a${i}`), create: { label: `admin ${i}` } });
    admins.push(admin);
    const window = await first.openWindow(nodeId, { timeoutSeconds: 180 });
    try {
      await admin.commission(window.manualPairingCode, { ip, port });
    } catch (e) {
      o.sixth = {
        index: i,
        code: e instanceof AdminError ? e.code : undefined,
        step: e instanceof AdminError ? e.step : undefined,
        message: (e as Error).message,
      };
      o.sixthNodes = (await admin.nodes()).length;
    }
  }
  o.after = (await first.fabrics(nodeId)).fabrics.map((f) => f.label);
} catch (e) {
  o.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
} finally {
  for (const a of admins) await a.close();
  await node.stop();
  rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify(o));
