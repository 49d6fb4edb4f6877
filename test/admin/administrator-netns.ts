// Runs inside `unshare -n` (spawned by administrator.test.ts): our Administrator commissions our DeviceNode over UDP on
// loopback (known address, no mDNS), then administers it: fabrics, label, rotate-noc, open-window and a second
// administrator joining, remove-fabric of the other, verify-vid, read, on/off, decommission. Prints one JSON line.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AdminError, Administrator } from "../../src/admin/administrator.ts";
import type { Discovery } from "../../src/admin/discovery.ts";
import { DeviceNode } from "../../src/node/device-node.ts";
import { encodeManualPairingCode } from "../../src/node/onboarding/manual-pairing-code.ts";

execFileSync("ip", ["link", "set", "lo", "up"]);
const root = mkdtempSync(join(tmpdir(), "opcreds-admin-"));
const o: Record<string, unknown> = {};
const node = await DeviceNode.start({ dataDir: join(root, "device"), port: 0, mdns: false, logger: () => {} });
const port = node.port;
/**
 * This namespace has no multicast route, so DNS-SD could only wait out its browse time before saying what this says at
 * once: the node is nowhere else (the steps against a gone peer fall back to it). Every address here is given. The
 * first administrator's operational lookups are counted: a node whose stored address answers is reached without one.
 */
let operationalLookups = 0;
const noDnssd = (count: boolean): Discovery => ({
  findCommissionable: () => Promise.reject(new RangeError("every commissioning here gives the address")),
  resolveOperational: () => {
    if (count) operationalLookups++;
    return Promise.resolve(undefined);
  },
  close: () => Promise.resolve(),
});
const discovery = noDnssd(true);
let admin = await Administrator.open({ dataDir: join(root, "admin"), requestTimeoutMs: 8000, discovery });
const second = await Administrator.open({
  dataDir: join(root, "admin2"),
  create: { label: "second" },
  requestTimeoutMs: 8000,
  discovery: noDnssd(false),
});
try {
  const code = encodeManualPairingCode({ discriminator: 3840, passcode: 20202021 });
  const steps: string[] = [];
  const result = await admin.commission(code, { ip: "127.0.0.1", port, onStep: (s) => steps.push(s.step) });
  o.commission = { nodeId: String(result.nodeId), fabricIndex: result.fabricIndex, vendorId: result.vendorId, steps };
  const id = result.nodeId;
  o.nodes = (await admin.nodes()).map((n) => String(n.nodeId));
  const f1 = await admin.fabrics(id);
  o.fabrics1 = f1.fabrics.map((f) => ({ i: f.fabricIndex, label: f.label, ours: f.ours }));
  await admin.label(id, "kitchen");
  o.labelled = (await admin.fabrics(id)).fabrics.map((f) => f.label);
  const rot = await admin.rotateNoc(id);
  o.rotated = rot.steps.map((s) => s.step);
  const w = await admin.openWindow(id, { timeoutSeconds: 180 });
  o.window = { manual: w.manualPairingCode.length, qr: w.qrPairingCode.startsWith("MT:") };
  const r2 = await second.commission(w.manualPairingCode, { ip: "localhost", port });
  o.second = { fabricIndex: r2.fabricIndex };
  const f2 = await admin.fabrics(id);
  o.fabrics2 = f2.fabrics.map((f) => ({ i: f.fabricIndex, label: f.label, ours: f.ours }));
  o.vid = (await admin.verifyVid(id)).vendorId;
  o.vidOther = (await admin.verifyVid(id, { fabricIndex: r2.fabricIndex })).vendorId;
  await admin.onOff(id, "on");
  const onOff = await admin.read(id, { endpoint: 1, cluster: 6, attribute: 0 });
  o.onOff = onOff.type === "bool" ? onOff.value : null;
  try {
    await admin.removeFabric(id, result.fabricIndex);
  } catch (e) {
    o.removeOwn = (e as Error).message;
  }
  await admin.removeFabric(id, r2.fabricIndex);
  o.afterRemove = (await admin.fabrics(id)).commissionedFabrics;
  // The second administrator's fabric is gone: the node refuses its CASE (NoSharedTrustRoots), so decommission only
  // clears its registry.
  o.alreadyGone = { ...(await second.decommission(r2.nodeId)), left: (await second.nodes()).length };
  o.decommission = await admin.decommission(id);
  o.nodesAfter = (await admin.nodes()).length;
  // A registered node that no longer answers: decommission fails and keeps it; --forget drops it.
  const again = await admin.commission(encodeManualPairingCode({ discriminator: 3840, passcode: 20202021 }), {
    ip: "127.0.0.1",
    port,
  });
  o.operationalLookups = operationalLookups;
  await node.stop();
  // A gone node is known only once a request bound runs out: a short one here (the outcome is the same as when MRP
  // gives up, ~6 s with the default parameters, and each of the two attempts below would wait that out).
  await admin.close();
  admin = await Administrator.open({ dataDir: join(root, "admin"), requestTimeoutMs: 1000, discovery });
  try {
    await admin.decommission(again.nodeId);
  } catch (e) {
    o.unreachable = { code: (e as AdminError).code, message: (e as Error).message, kept: (await admin.nodes()).length };
  }
  o.forgotten = { ...(await admin.decommission(again.nodeId, { forget: true })), left: (await admin.nodes()).length };
  // Its stored address did not answer, so each attempt asked DNS-SD whether it had moved.
  o.operationalLookupsAfterGone = operationalLookups - (o.operationalLookups as number);
  o.ok = true;
} catch (e) {
  o.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
} finally {
  await admin.close();
  await second.close();
  await node.stop();
  rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify(o));
