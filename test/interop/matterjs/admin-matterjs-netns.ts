// Runs inside the private namespace of admin-matterjs-device.test.ts (via `ip netns exec`): our Administrator against
// the matter.js reference device at 127.0.0.1. Phase "commission": commission (strict development attestation),
// fabrics, label, rotate-noc (then a fresh CASE reads the NOCs), open-window. Phase "after" (once the matter.js
// controller joined through the window): fabrics, remove-fabric of the other admin, decommission. Phase "probe": PASE
// with the device's passcode and its CommissionedFabrics. Prints one JSON line.

import { Administrator } from "../../../src/admin/administrator.ts";
import { bytesEqual } from "../../../src/bytes/bytes.ts";

const [phase, dataDir, portText, pairingCode, passcode = "20202021"] = process.argv.slice(2);
if (phase === undefined || dataDir === undefined || portText === undefined) {
  throw new TypeError("usage: admin-matterjs-netns.ts commission|after|probe <dataDir> <port> [code] [passcode]");
}
const port = Number(portText);
const o: Record<string, unknown> = {};
const admin = await Administrator.open({ dataDir, requestTimeoutMs: 10_000 });
const fabricsOf = async (id: bigint) => {
  const f = await admin.fabrics(id);
  return {
    supported: f.supportedFabrics,
    commissioned: f.commissionedFabrics,
    fabrics: f.fabrics.map((d) => ({ i: d.fabricIndex, label: d.label, ours: d.ours, vendorId: d.vendorId })),
  };
};
/** The node's NOCs attribute (unfiltered) read over a fresh, non-resumed CASE session. */
const nocsOverFreshCase = async (id: bigint) => {
  const record = (await admin.nodes()).find((n) => n.nodeId === id);
  if (record?.address == null) throw new TypeError(`node ${id} has no address`);
  const session = await admin.client.case(
    { address: record.address.ip, port: record.address.port },
    admin.fabric.caseFabric,
    id,
    { resume: false },
  );
  try {
    const f = await admin.commands.fabrics(session, false);
    return { currentFabricIndex: f.currentFabricIndex, nocs: f.nocs };
  } finally {
    admin.client.closeSession(session);
  }
};
/** PASE with the device's own passcode (bounded retries: the device reopens its window asynchronously). */
const commissionableAgain = async (code: number) => {
  let last: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const pase = await admin.client.pase({ address: "127.0.0.1", port }, code);
      try {
        const info = await admin.commands.commissioningInfo(pase);
        return { pase: true, commissionedFabrics: info.commissionedFabrics };
      } finally {
        admin.client.closeSession(pase);
      }
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  return { pase: false, error: (last as Error).message };
};
try {
  if (phase === "commission") {
    const steps: string[] = [];
    const r = await admin.commission(pairingCode ?? "", { ip: "127.0.0.1", port, onStep: (s) => steps.push(s.step) });
    o.commission = {
      nodeId: String(r.nodeId),
      fabricIndex: r.fabricIndex,
      vendorId: r.vendorId,
      productId: r.productId,
      testPaa: r.attestation.testPaa,
      steps,
    };
    const id = r.nodeId;
    o.nodes = (await admin.nodes()).map((n) => String(n.nodeId));
    o.fabrics1 = await fabricsOf(id);
    await admin.label(id, "kitchen");
    o.labelled = await fabricsOf(id);
    o.registryLabel = (await admin.nodes())[0]?.label;
    const before = await admin.nodes();
    const oldNoc = before[0]!.noc;
    const nocsBefore = await nocsOverFreshCase(id);
    o.nocBeforeIsRegistered = nocsBefore.nocs.some((n) => bytesEqual(n.noc, oldNoc));
    const rot = await admin.rotateNoc(id);
    o.rotated = rot.steps.map((s) => s.step);
    const registered = (await admin.nodes())[0]!;
    const newNoc = registered.noc;
    o.registryNocChanged = !bytesEqual(newNoc, oldNoc);
    const after = await nocsOverFreshCase(id);
    o.afterRotate = {
      currentFabricIndex: after.currentFabricIndex,
      count: after.nocs.length,
      holdsNew: after.nocs.some((n) => n.fabricIndex === r.fabricIndex && bytesEqual(n.noc, newNoc)),
      holdsOld: after.nocs.some((n) => bytesEqual(n.noc, oldNoc)),
      // The chain as issued: the ICAC (or its absence, when the fabric issues from the root) is the registry's.
      icacMatchesRegistry: after.nocs.every((n) =>
        n.icac === null || registered.icac === null ? n.icac === registered.icac : bytesEqual(n.icac, registered.icac),
      ),
    };
    o.onOff = await admin.onOff(id, "on").then(
      async () => {
        const v = await admin.read(id, { endpoint: 1, cluster: 6, attribute: 0 });
        return v.type === "bool" ? v.value : null;
      },
      (e: unknown) => `error: ${(e as Error).message}`,
    );
    const w = await admin.openWindow(id, { timeoutSeconds: 180 });
    o.window = { manualPairingCode: w.manualPairingCode, qr: w.qrPairingCode, discriminator: w.discriminator };
  } else if (phase === "after") {
    const id = (await admin.nodes())[0]!.nodeId;
    const both = await fabricsOf(id);
    o.fabrics2 = both;
    const other = both.fabrics.find((f) => !f.ours);
    if (other === undefined) throw new TypeError("no second fabric on the node");
    try {
      await admin.removeFabric(id, both.fabrics.find((f) => f.ours)!.i);
    } catch (e) {
      o.removeOwn = (e as Error).message;
    }
    await admin.removeFabric(id, other.i);
    o.afterRemove = await fabricsOf(id);
    o.decommission = await admin.decommission(id);
    o.nodesAfter = (await admin.nodes()).length;
  } else if (phase === "probe") {
    // PASE with the device's own passcode and a read of its fabrics (after the device restarted).
    o.probe = await commissionableAgain(Number(passcode));
  } else {
    throw new TypeError(`unknown phase ${phase}`);
  }
  o.ok = true;
} catch (e) {
  o.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
} finally {
  await admin.close();
}
console.log(JSON.stringify(o));
