// Issue 11 item 3: subscriptions are bounded per fabric and in total. A full pool refuses with RESOURCE_EXHAUSTED
// (the SDK's answer), a fabric below the spec's 3 evicts the oldest of the fabric holding the most, and what the
// server holds for 1,500 wildcard subscribe requests on one session stays bounded by the pool.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { type ImResponderExchange, subscriptionPoolSize } from "../../../src/im/engine/interaction-server.ts";
import { DEFAULT_MAX_SUBSCRIPTIONS, MIN_SUBSCRIPTIONS_PER_FABRIC } from "../../../src/im/engine/subscription-pool.ts";
import { ImMessageType } from "../../../src/im/messages/im-message-type.ts";
import { SubscribeRequestMessage } from "../../../src/im/messages/subscribe-request-message.ts";
import { ack, makeNode, session, statusOf } from "./harness.ts";

const wildcard = SubscribeRequestMessage.encode({
  keepSubscriptions: true,
  minIntervalFloor: 0,
  maxIntervalCeiling: 60,
  attributeRequests: [{}],
  isFabricFiltered: false,
});

/** Sends a SubscribeRequest on a new exchange; the first answer and the exchange (left priming, as a silent peer). */
async function request(server: ReturnType<typeof makeNode>["server"], s = session()) {
  const ex = server.openExchange(s);
  const step = await ex.onMessage(ImMessageType.SubscribeRequest, wildcard, 0);
  return { ex, step };
}

async function complete(ex: ImResponderExchange) {
  for (let i = 0; i < 100; i++) {
    const st = await ex.onMessage(ImMessageType.StatusResponse, ack(), 0);
    if (st.done) return st;
  }
  assert.fail("priming did not finish");
}

test("1,500 wildcard subscribe requests on one session: the pool holds, the rest get RESOURCE_EXHAUSTED", async () => {
  const { server } = makeNode();
  assert.equal(server.maxSubscriptions, DEFAULT_MAX_SUBSCRIPTIONS);
  const pending: ImResponderExchange[] = [];
  let refused = 0;
  let primingBytes = 0;
  let refusedBytes = 0;
  for (let i = 0; i < 1500; i++) {
    const { ex, step } = await request(server);
    const bytes = step.send.reduce((n, m) => n + m.payload.length, 0);
    if (step.done) {
      assert.equal(statusOf(step.send[0]!), ImStatus.RESOURCE_EXHAUSTED);
      refused++;
      refusedBytes += bytes;
    } else {
      pending.push(ex);
      primingBytes += bytes;
    }
  }
  assert.equal(server.subscriptions.length, DEFAULT_MAX_SUBSCRIPTIONS);
  assert.equal(pending.length, DEFAULT_MAX_SUBSCRIPTIONS);
  assert.equal(refused, 1500 - DEFAULT_MAX_SUBSCRIPTIONS);
  // What is held is the pool's priming state; a refusal costs one StatusResponse.
  assert.ok(refusedBytes <= refused * 8, `refusals: ${refusedBytes} bytes`);
  assert.ok(primingBytes > 0);
  // The held subscriptions still complete.
  await complete(pending[0]!);
  assert.equal(server.subscriptions.filter((s) => s.state === "active").length, 1);
});

test("a fabric below its minimum takes a slot from the fabric holding the most; one at its minimum is refused", async () => {
  const { server } = makeNode(undefined, { maxSubscriptions: 6 });
  const a = (i: number) => session({ fabricIndex: 1, subjectNodeId: 0xa0n, id: 100 + i });
  const b = session({ fabricIndex: 2, subjectNodeId: 0xb0n, id: 200 });
  for (let i = 0; i < 6; i++) await complete((await request(server, a(i))).ex);
  assert.equal((await request(server, a(6))).step.done, true, "fabric A is refused in a full pool");
  const firstA = server.subscriptions[0]!;
  // Fabric B holds none: the oldest subscription of fabric A makes room.
  for (let i = 0; i < MIN_SUBSCRIPTIONS_PER_FABRIC; i++) {
    const { ex, step } = await request(server, b);
    assert.equal(step.done, false);
    await complete(ex);
  }
  assert.equal(firstA.state, "ended");
  const count = (f: number) => server.subscriptions.filter((s) => s.session.fabricIndex === f).length;
  assert.equal(count(1), 3);
  assert.equal(count(2), 3);
  // Both at the minimum now: neither can take more.
  const refusedB = await request(server, b);
  assert.equal(statusOf(refusedB.step.send[0]!), ImStatus.RESOURCE_EXHAUSTED);
  const refusedA = await request(server, a(9));
  assert.equal(statusOf(refusedA.step.send[0]!), ImStatus.RESOURCE_EXHAUSTED);
  assert.equal(server.subscriptions.length, 6);
});

test("a subscription evicted while priming answers RESOURCE_EXHAUSTED instead of a SubscribeResponse", async () => {
  const { server } = makeNode(undefined, { maxSubscriptions: 4 });
  const a = session({ fabricIndex: 1, id: 1 });
  const held = [];
  for (let i = 0; i < 4; i++) held.push((await request(server, a)).ex);
  await complete((await request(server, session({ fabricIndex: 2, id: 2 }))).ex);
  const last = await complete(held[0]!);
  assert.equal(statusOf(last.send.at(-1)!), ImStatus.RESOURCE_EXHAUSTED);
});

test("the pool for N fabrics is 3 per fabric", () => {
  assert.equal(subscriptionPoolSize(5), 15);
  assert.equal(subscriptionPoolSize(16), DEFAULT_MAX_SUBSCRIPTIONS);
  assert.throws(() => subscriptionPoolSize(0), RangeError);
  assert.throws(() => makeNode(undefined, { maxSubscriptions: 2 }), RangeError);
});
