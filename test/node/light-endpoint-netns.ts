// Runs inside `unshare -n` (spawned by light-endpoint.test.ts): starts a DeviceNode without mDNS several times on one
// data directory and drives endpoint 1's On/Off cluster over its own InteractionServer as a PASE session (which holds
// Administer): On, a StartUpOnOff write, OnWithTimedOff. Prints one JSON line with what each boot saw.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { OnOffCluster } from "../../src/clusters/on-off/on-off-options.ts";
import { OnWithTimedOffRequest } from "../../src/clusters/on-off/on-with-timed-off.ts";
import { ImMessageType } from "../../src/im/messages/im-message-type.ts";
import { InvokeRequestMessage } from "../../src/im/messages/invoke-request-message.ts";
import { InvokeResponseMessage } from "../../src/im/messages/invoke-response-message.ts";
import { WriteRequestMessage } from "../../src/im/messages/write-request-message.ts";
import { WriteResponseMessage } from "../../src/im/messages/write-response-message.ts";
import { DeviceNode } from "../../src/node/device-node.ts";
import { ANONYMOUS, type TlvNode } from "../../src/tlv/tlv-node.ts";
import { tlvNullable, tlvUInt8 } from "../../src/tlv/tlv-schema.ts";
import { pase } from "../im/fixtures.ts";

const ON_OFF = 0x0006;
execFileSync("ip", ["link", "set", "lo", "up"]);
const root = mkdtempSync(join(tmpdir(), "opcreds-light-"));
const dataDir = join(root, "data");

/** Invokes one On/Off command on endpoint 1; returns the IM status of its response. */
async function invoke(node: DeviceNode, command: number, fields?: TlvNode): Promise<number | undefined> {
  const ex = node.interactionServer.openExchange(pase());
  const req = { path: { endpoint: 1, cluster: ON_OFF, command }, ...(fields === undefined ? {} : { fields }) };
  const st = await ex.onMessage(
    ImMessageType.InvokeRequest,
    InvokeRequestMessage.encode({ suppressResponse: false, timedRequest: false, invokeRequests: [req] }),
    performance.now(),
  );
  const m = st.send.find((s) => s.messageType === ImMessageType.InvokeResponse);
  return m === undefined
    ? undefined
    : InvokeResponseMessage.decode(m.payload).invokeResponses[0]?.status?.status.status;
}

/** Writes StartUpOnOff on endpoint 1; returns the IM status. */
async function writeStartUpOnOff(node: DeviceNode, value: number | null): Promise<number | undefined> {
  const ex = node.interactionServer.openExchange(pase());
  const data = tlvNullable(tlvUInt8).encodeNode(value, ANONYMOUS);
  const st = await ex.onMessage(
    ImMessageType.WriteRequest,
    WriteRequestMessage.encode({
      timedRequest: false,
      writeRequests: [
        { path: { endpoint: 1, cluster: ON_OFF, attribute: OnOffCluster.attributes.StartUpOnOff }, data },
      ],
    }),
    performance.now(),
  );
  const m = st.send.find((s) => s.messageType === ImMessageType.WriteResponse);
  return m === undefined ? undefined : WriteResponseMessage.decode(m.payload).writeResponses[0]?.status.status;
}

const boot = () => DeviceNode.start({ dataDir, port: 0, mdns: false });
try {
  const boots: { onOff: boolean; statuses: (number | undefined)[] }[] = [];
  // Boot 1: defaults (off); On, then StartUpOnOff = Toggle.
  let node = await boot();
  boots.push({
    onOff: node.light.onOff(),
    statuses: [await invoke(node, OnOffCluster.commands.On), await writeStartUpOnOff(node, 2)],
  });
  await node.stop();
  // Boot 2: Toggle of the persisted ON = OFF. Boot 3: Toggle again = ON; then StartUpOnOff = null.
  node = await boot();
  boots.push({ onOff: node.light.onOff(), statuses: [] });
  await node.stop();
  node = await boot();
  boots.push({ onOff: node.light.onOff(), statuses: [await writeStartUpOnOff(node, null)] });
  await node.stop();
  // Boot 4: null keeps the previous value (ON). OnWithTimedOff for 0.2 s: the node's timer turns the light off.
  node = await boot();
  const before = node.light.onOff();
  const timed = OnWithTimedOffRequest.encodeNode({ onOffControl: 0, onTime: 2, offWaitTime: 0 }, ANONYMOUS);
  const status = await invoke(node, OnOffCluster.commands.OnWithTimedOff, timed);
  const afterInvoke = node.light.onOff();
  const deadline = Date.now() + 20_000;
  while (node.light.onOff() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  boots.push({ onOff: before, statuses: [status] });
  const timedOff = { afterInvoke, afterTimer: node.light.onOff() };
  await node.stop();
  // Boot 5: the timer's OFF was persisted.
  node = await boot();
  boots.push({ onOff: node.light.onOff(), statuses: [] });
  await node.stop();
  console.log(JSON.stringify({ boots, timedOff }));
} finally {
  rmSync(root, { recursive: true, force: true });
}
