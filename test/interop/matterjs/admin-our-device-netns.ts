// Runs inside the lo-mcast namespace of admin-our-device.test.ts (via `ip netns exec`): what the CLI does not show,
// read through the administrator library. Phase "nocs": the node's NOCs attribute (unfiltered) over a fresh,
// non-resumed CASE session at the registry's address, with the registry's NOC and ICAC, all as hex. Prints one JSON
// line.

import { Administrator } from "../../../src/admin/administrator.ts";

const [phase, dataDir, nodeIdText] = process.argv.slice(2);
if (phase !== "nocs" || dataDir === undefined || nodeIdText === undefined) {
  throw new TypeError("usage: admin-our-device-netns.ts nocs <adminDataDir> <nodeId>");
}
const hex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString("hex"));
const o: Record<string, unknown> = {};
const admin = await Administrator.open({ dataDir, requestTimeoutMs: 10_000 });
try {
  const id = BigInt(nodeIdText);
  const record = (await admin.nodes()).find((n) => n.nodeId === id);
  if (record?.address == null) throw new TypeError(`node ${id} has no address in the registry`);
  const session = await admin.client.case(
    { address: record.address.ip, port: record.address.port },
    admin.fabric.caseFabric,
    id,
    { resume: false },
  );
  try {
    const f = await admin.commands.fabrics(session, false);
    o.currentFabricIndex = f.currentFabricIndex;
    o.nocs = f.nocs.map((n) => ({ fabricIndex: n.fabricIndex, noc: hex(n.noc), icac: hex(n.icac) }));
  } finally {
    admin.client.closeSession(session);
  }
  o.registry = { fabricIndex: record.fabricIndex, noc: hex(record.noc), icac: hex(record.icac) };
  o.ok = true;
} catch (e) {
  o.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
} finally {
  await admin.close();
}
console.log(JSON.stringify(o));
