// Runs inside `unshare -n` (spawned by root-node-wildcard-read.test.ts): starts a DeviceNode without mDNS and reads, over its
// own InteractionServer as a PASE session, every attribute and every event with wildcard paths. Prints one JSON line:
// { attributes: {"ep/cluster": [attribute ids]}, serverLists: {ep: [cluster ids]}, partsList, events: ["ep/cluster/event"] }.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImMessageType } from "../../src/im/messages/im-message-type.ts";
import { ReadRequestMessage } from "../../src/im/messages/read-request-message.ts";
import { ReportDataMessage } from "../../src/im/messages/report-data-message.ts";
import { StatusResponseMessage } from "../../src/im/messages/status-response-message.ts";
import { DeviceNode } from "../../src/node/device-node.ts";
import type { TlvNode } from "../../src/tlv/tlv-node.ts";
import { pase } from "../im/fixtures.ts";

execFileSync("ip", ["link", "set", "lo", "up"]);
const root = mkdtempSync(join(tmpdir(), "opcreds-root-audit-"));
const uints = (n: TlvNode): number[] =>
  n.type === "array" ? n.elements.map((e) => Number((e as { value: bigint }).value)) : [];
try {
  const node = await DeviceNode.start({ dataDir: join(root, "data"), port: 0, mdns: false });
  try {
    const ex = node.interactionServer.openExchange(pase());
    const reports: ReturnType<typeof ReportDataMessage.decode>[] = [];
    let st = await ex.onMessage(
      ImMessageType.ReadRequest,
      ReadRequestMessage.encode({ attributeRequests: [{}], eventRequests: [{}], isFabricFiltered: false }),
      Date.now(),
    );
    for (let i = 0; i < 200; i++) {
      for (const m of st.send)
        if (m.messageType === ImMessageType.ReportData) reports.push(ReportDataMessage.decode(m.payload));
      if (st.done) break;
      st = await ex.onMessage(ImMessageType.StatusResponse, StatusResponseMessage.encode({ status: 0 }), Date.now());
    }
    const attributes: Record<string, number[]> = {};
    const serverLists: Record<string, number[]> = {};
    let partsList: number[] = [];
    const events: string[] = [];
    for (const r of reports) {
      for (const a of r.attributeReports ?? []) {
        const d = a.attributeData;
        if (d === undefined) continue;
        const { endpoint, cluster, attribute } = d.path;
        const key = `${endpoint}/${cluster}`;
        // A list too big for one chunk arrives as an empty list then appends (ListIndex null): count it once.
        const ids = attributes[key] ?? [];
        attributes[key] = ids;
        if (!ids.includes(attribute!)) ids.push(attribute!);
        if (cluster === 0x1d && attribute === 1 && d.path.listIndex === undefined)
          serverLists[endpoint!] = uints(d.data);
        if (cluster === 0x1d && attribute === 3 && endpoint === 0 && d.path.listIndex === undefined)
          partsList = uints(d.data);
      }
      for (const e of r.eventReports ?? []) {
        const d = e.eventData;
        if (d !== undefined) events.push(`${d.path.endpoint}/${d.path.cluster}/${d.path.event}`);
      }
    }
    console.log(JSON.stringify({ attributes, serverLists, partsList, events, reports: reports.length }));
  } finally {
    await node.stop();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
