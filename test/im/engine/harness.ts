// A node with the toy cluster of test/im/fixtures.ts on endpoints 0 and 1, an event log, and helpers to drive an
// InteractionServer exchange in memory.
import assert from "node:assert/strict";
import { type AccessChecker, ClusterInstance, type SessionInfo } from "../../../src/im/data-model.ts";
import type { ImOutgoing } from "../../../src/im/engine/im-step.ts";
import { InteractionServer, type InteractionServerOptions } from "../../../src/im/engine/interaction-server.ts";
import { EventLog } from "../../../src/im/events.ts";
import { ImMessageType } from "../../../src/im/messages/im-message-type.ts";
import { ReportDataMessage } from "../../../src/im/messages/report-data-message.ts";
import { StatusResponseMessage } from "../../../src/im/messages/status-response-message.ts";
import { allowAll, session, toyCluster } from "../fixtures.ts";

export const TOY = 0xfff1fc01;

export function makeNode(access: AccessChecker = allowAll, options: Partial<InteractionServerOptions> = {}) {
  const toy0 = toyCluster();
  const toy1 = toyCluster();
  const i0 = new ClusterInstance(0, toy0.cluster, 100);
  const i1 = new ClusterInstance(1, toy1.cluster, 200);
  const events = new EventLog();
  const node = {
    endpoints: [
      { id: 1, deviceTypes: [{ type: 0x100, revision: 3 }], clusters: [i1] },
      { id: 0, deviceTypes: [{ type: 0x16, revision: 2 }], clusters: [i0] },
    ],
  };
  const server = new InteractionServer({ node, access, events, firstSubscriptionId: 0x1000, ...options });
  return { server, toy0, toy1, i0, i1, events, node };
}

export const ack = (status = 0) => StatusResponseMessage.encode({ status });

export function statusOf(m: ImOutgoing): number {
  assert.equal(m.messageType, ImMessageType.StatusResponse);
  return StatusResponseMessage.decode(m.payload).status;
}

export function report(m: ImOutgoing) {
  assert.equal(m.messageType, ImMessageType.ReportData);
  return ReportDataMessage.decode(m.payload);
}

/** Sends one request on a new exchange and acknowledges every chunk; returns all messages the server sent. */
export async function interact(
  server: InteractionServer,
  s: SessionInfo,
  type: number,
  payload: Uint8Array,
  now = 0,
): Promise<ImOutgoing[]> {
  const ex = server.openExchange(s);
  const sent: ImOutgoing[] = [];
  let st = await ex.onMessage(type, payload, now);
  sent.push(...st.send);
  for (let i = 0; !st.done && i < 100; i++) {
    st = await ex.onMessage(ImMessageType.StatusResponse, ack(), now);
    sent.push(...st.send);
  }
  assert.ok(st.done, "exchange did not finish");
  return sent;
}

export { session };
