// Subscribe interactions with a fake clock: priming reports and the StatusResponse flow, SubscribeResponse with the
// negotiated MaxInterval, change reports after MinInterval, keep-alives at MaxInterval, replacement and teardown.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { ImMessageType } from "../../../src/im/messages/im-message-type.ts";
import { SubscribeRequestMessage } from "../../../src/im/messages/subscribe-request-message.ts";
import { SubscribeResponseMessage } from "../../../src/im/messages/subscribe-response-message.ts";
import { ack, makeNode, report, session, statusOf, TOY } from "./harness.ts";

const subscribe = (o: Partial<Parameters<typeof SubscribeRequestMessage.encode>[0]> = {}) =>
  SubscribeRequestMessage.encode({
    keepSubscriptions: true,
    minIntervalFloor: 2,
    maxIntervalCeiling: 30,
    attributeRequests: [{ endpoint: 0, cluster: TOY, attribute: 0 }],
    isFabricFiltered: true,
    ...o,
  });

async function establish(server: ReturnType<typeof makeNode>["server"], payload = subscribe(), now = 0, s = session()) {
  const ex = server.openExchange(s);
  const priming = await ex.onMessage(ImMessageType.SubscribeRequest, payload, now);
  assert.equal(priming.done, false);
  const r = report(priming.send[0]!);
  assert.equal(r.suppressResponse, undefined);
  const done = await ex.onMessage(ImMessageType.StatusResponse, ack(), now);
  assert.equal(done.done, true);
  assert.equal(done.send[0]!.messageType, ImMessageType.SubscribeResponse);
  return { priming: r, response: SubscribeResponseMessage.decode(done.send[0]!.payload) };
}

test("priming report, then SubscribeResponse with the subscription id and MaxInterval", async () => {
  const { server } = makeNode();
  const { priming, response } = await establish(server);
  assert.equal(priming.subscriptionId, 0x1000);
  assert.equal(priming.attributeReports![0]!.attributeData!.dataVersion, 100);
  assert.deepEqual(
    { ...response, interactionModelRevision: undefined },
    {
      subscriptionId: 0x1000,
      maxInterval: 30,
      interactionModelRevision: undefined,
    },
  );
  assert.equal(server.subscriptions[0]!.state, "active");
  // A preferred MaxInterval is clamped to [floor, max(60 min, ceiling)].
  const { server: s2 } = makeNode(undefined, { preferredMaxIntervalS: 99999 });
  assert.equal((await establish(s2)).response.maxInterval, 3600);
});

test("a change is reported once MinInterval has passed; unrelated changes are not", async () => {
  const { server, toy0 } = makeNode();
  await establish(server, subscribe(), 1000);
  assert.equal(server.nextDeadline(), 1000 + 30_000);
  toy0.changes.emit(1); // Entries: not subscribed
  assert.equal(server.nextDeadline(), 31_000);
  toy0.state.counter = 77n;
  toy0.changes.emit(0);
  assert.equal(server.nextDeadline(), 3000);
  assert.deepEqual(server.poll(2999), []);
  const [job] = server.poll(3000);
  const r = report(job!.first);
  assert.equal(r.subscriptionId, 0x1000);
  const data = r.attributeReports![0]!.attributeData!;
  assert.equal(data.dataVersion, 102);
  assert.ok(data.data.type === "uint" && data.data.value === 77n);
  assert.equal(server.nextDeadline(), undefined, "no new report while one is in flight");
  assert.equal(job!.onMessage(ImMessageType.StatusResponse, ack()).done, true);
  assert.equal(server.nextDeadline(), 33_000);
});

test("keep-alive: an empty report at MaxInterval; a failed delivery or a non-success answer ends the subscription", async () => {
  const { server } = makeNode();
  await establish(server);
  const [keepAlive] = server.poll(30_000);
  const r = report(keepAlive!.first);
  assert.equal(r.attributeReports, undefined);
  assert.equal(r.eventReports, undefined);
  assert.equal(r.subscriptionId, 0x1000);
  keepAlive!.onMessage(ImMessageType.StatusResponse, ack(ImStatus.INVALID_SUBSCRIPTION));
  assert.equal(server.subscriptions.length, 0);

  await establish(server);
  const [next] = server.poll(30_000);
  next!.fail();
  assert.equal(server.subscriptions.length, 0);
});

test("urgent events are reported at MinInterval, non-urgent ones wait for the next report", async () => {
  const { server, events, toy0 } = makeNode();
  await establish(server, subscribe({ attributeRequests: [], eventRequests: [{ endpoint: 0, isUrgent: true }] }));
  const happened = toy0.cluster.events[0]!;
  events.record({
    endpoint: 0,
    cluster: TOY,
    event: happened,
    value: { n: 5 },
    timestamp: { kind: "system-ms", value: 1n },
  });
  assert.equal(server.nextDeadline(), 2000);
  const [job] = server.poll(2000);
  const ev = report(job!.first).eventReports!;
  assert.deepEqual(
    ev.map((e) => e.eventData!.eventNumber),
    [0n],
  );
  job!.onMessage(ImMessageType.StatusResponse, ack());
  const { server: s2, events: e2, toy0: t2 } = makeNode();
  await establish(s2, subscribe({ attributeRequests: [], eventRequests: [{ endpoint: 0 }] }));
  e2.record({
    endpoint: 0,
    cluster: TOY,
    event: t2.cluster.events[0]!,
    value: { n: 5 },
    timestamp: { kind: "system-ms", value: 1n },
  });
  assert.equal(s2.nextDeadline(), 30_000);
  assert.equal(report(s2.poll(30_000)[0]!.first).eventReports!.length, 1);
});

test("KeepSubscriptions false replaces the subscriber's subscriptions; teardown by session and fabric", async () => {
  const { server } = makeNode();
  await establish(server);
  await establish(server);
  assert.equal(server.subscriptions.length, 2);
  await establish(server, subscribe({ keepSubscriptions: false }));
  assert.deepEqual(
    server.subscriptions.map((s) => s.id),
    [0x1002],
  );
  await establish(server, subscribe(), 0, session({ fabricIndex: 2, id: 9 }));
  server.sessionClosed(7);
  assert.deepEqual(
    server.subscriptions.map((s) => s.session.fabricIndex),
    [2],
  );
  server.fabricRemoved(2);
  assert.equal(server.subscriptions.length, 0);
});

test("invalid subscribe requests and an aborted priming leave no subscription", async () => {
  const { server } = makeNode();
  for (const bad of [
    subscribe({ minIntervalFloor: 10, maxIntervalCeiling: 5 }),
    subscribe({ attributeRequests: [] }),
  ]) {
    const ex = server.openExchange(session());
    const st = await ex.onMessage(ImMessageType.SubscribeRequest, bad, 0);
    assert.equal(statusOf(st.send[0]!), ImStatus.INVALID_ACTION);
    assert.equal(st.done, true);
  }
  const ex = server.openExchange(session());
  await ex.onMessage(ImMessageType.SubscribeRequest, subscribe(), 0);
  assert.equal(server.subscriptions.length, 1);
  const st = await ex.onMessage(ImMessageType.StatusResponse, ack(ImStatus.FAILURE), 0);
  assert.deepEqual([st.done, st.send.length, server.subscriptions.length], [true, 0, 0]);
});
