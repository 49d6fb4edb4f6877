// Write and Invoke interactions: statuses, DataVersion, chunked list writes, timed interactions, batches,
// SuppressResponse.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Privilege } from "../../../src/fabric/access-control.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { ImMessageType } from "../../../src/im/messages/im-message-type.ts";
import { InvokeRequestMessage } from "../../../src/im/messages/invoke-request-message.ts";
import { InvokeResponseMessage } from "../../../src/im/messages/invoke-response-message.ts";
import { TimedRequestMessage } from "../../../src/im/messages/timed-request-message.ts";
import { WriteRequestMessage } from "../../../src/im/messages/write-request-message.ts";
import { WriteResponseMessage } from "../../../src/im/messages/write-response-message.ts";
import { ANONYMOUS, ctx } from "../../../src/tlv/tlv-node.ts";
import { tlvUInt64 } from "../../../src/tlv/tlv-schema.ts";
import { EchoRequest, EchoResponse, Entry, grantUpTo, Ping } from "../fixtures.ts";
import { ack, interact, makeNode, session, statusOf, TOY } from "./harness.ts";

const u64 = (v: bigint) => tlvUInt64.encodeNode(v, ANONYMOUS);
const writeStatuses = (payload: Uint8Array) =>
  WriteResponseMessage.decode(payload).writeResponses.map((w) => w.status.status);

test("write: success bumps the data version; DATA_VERSION_MISMATCH, UNSUPPORTED_WRITE, missing endpoint/cluster", async () => {
  const { server, toy0, i0 } = makeNode();
  const [m] = await interact(
    server,
    session(),
    ImMessageType.WriteRequest,
    WriteRequestMessage.encode({
      timedRequest: false,
      writeRequests: [
        { dataVersion: 100, path: { endpoint: 0, cluster: TOY, attribute: 0 }, data: u64(42n) },
        { dataVersion: 100, path: { endpoint: 0, cluster: TOY, attribute: 0 }, data: u64(43n) },
        { path: { endpoint: 0, cluster: TOY, attribute: 2 }, data: u64(1n) },
        { path: { endpoint: 7, cluster: TOY, attribute: 0 }, data: u64(1n) },
        { path: { endpoint: 0, cluster: 8, attribute: 0 }, data: u64(1n) },
        { path: { endpoint: 0, cluster: TOY, attribute: 0, listIndex: 3 }, data: u64(1n) },
      ],
    }),
  );
  assert.equal(m!.messageType, ImMessageType.WriteResponse);
  assert.deepEqual(writeStatuses(m!.payload), [
    ImStatus.SUCCESS,
    ImStatus.DATA_VERSION_MISMATCH,
    ImStatus.UNSUPPORTED_WRITE,
    ImStatus.UNSUPPORTED_ENDPOINT,
    ImStatus.UNSUPPORTED_CLUSTER,
    ImStatus.INVALID_ACTION,
  ]);
  assert.equal(toy0.state.counter, 42n);
  assert.equal(i0.dataVersion, 101);
});

test("write: a wildcard path makes the request INVALID_ACTION; TimedRequest flag without a Timed Request → mismatch", async () => {
  const { server } = makeNode();
  const [a] = await interact(
    server,
    session(),
    ImMessageType.WriteRequest,
    WriteRequestMessage.encode({
      timedRequest: false,
      writeRequests: [{ path: { cluster: TOY, attribute: 0 }, data: u64(1n) }],
    }),
  );
  assert.equal(statusOf(a!), ImStatus.INVALID_ACTION);
  const [b] = await interact(
    server,
    session(),
    ImMessageType.WriteRequest,
    WriteRequestMessage.encode({
      timedRequest: true,
      writeRequests: [{ path: { endpoint: 0, cluster: TOY, attribute: 0 }, data: u64(1n) }],
    }),
  );
  assert.equal(statusOf(b!), ImStatus.TIMED_REQUEST_MISMATCH);
});

test("chunked list write: replace with an empty list, then appends in the next chunk", async () => {
  const { server, toy0 } = makeNode();
  const path = { endpoint: 0, cluster: TOY, attribute: 1 };
  const entry = (name: string) => Entry.encodeNode({ name, secret: Uint8Array.of(9) }, ANONYMOUS);
  const ex = server.openExchange(session());
  const first = await ex.onMessage(
    ImMessageType.WriteRequest,
    WriteRequestMessage.encode({
      timedRequest: false,
      writeRequests: [
        { path, data: { tag: ANONYMOUS, type: "array", elements: [] } },
        { path: { ...path, listIndex: null }, data: entry("x") },
      ],
      moreChunkedMessages: true,
    }),
    0,
  );
  assert.equal(first.done, false);
  assert.deepEqual(writeStatuses(first.send[0]!.payload), [0, 0]);
  const second = await ex.onMessage(
    ImMessageType.WriteRequest,
    WriteRequestMessage.encode({
      timedRequest: false,
      writeRequests: [{ path: { ...path, listIndex: null }, data: entry("y") }],
    }),
    0,
  );
  assert.equal(second.done, true);
  assert.deepEqual(
    toy0.state.entries.map((e) => [e.name, e.fabricIndex]),
    [
      ["b", 2],
      ["x", 1],
      ["y", 1],
    ],
  );
});

const invoke = (
  invokeRequests: Parameters<typeof InvokeRequestMessage.encode>[0]["invokeRequests"],
  o: { timed?: boolean; suppress?: boolean } = {},
) =>
  InvokeRequestMessage.encode({
    suppressResponse: o.suppress ?? false,
    timedRequest: o.timed ?? false,
    invokeRequests,
  });
const echo = (value: number, ref?: number) => ({
  path: { endpoint: 0, cluster: TOY, command: 0 },
  fields: EchoRequest.encodeNode({ value }, ctx(1)),
  ...(ref === undefined ? {} : { ref }),
});

test("invoke: a response command, and each per-path status", async () => {
  const { server } = makeNode(grantUpTo(Privilege.Operate), { maxPathsPerInvoke: 5 });
  const [m] = await interact(
    server,
    session(),
    ImMessageType.InvokeRequest,
    invoke([
      echo(1, 1),
      { path: { endpoint: 3, cluster: TOY, command: 0 }, ref: 2 },
      { path: { endpoint: 0, cluster: 6, command: 0 }, ref: 3 },
      { path: { endpoint: 0, cluster: TOY, command: 9 }, ref: 4 },
      { path: { endpoint: 0, cluster: TOY, command: 2 }, ref: 5 },
    ]),
  );
  const r = InvokeResponseMessage.decode(m!.payload).invokeResponses;
  const cmd = r[0]!.command!;
  assert.deepEqual([cmd.path.command, cmd.ref], [1, 1]);
  assert.equal(EchoResponse.decodeNode(cmd.fields!, "r").value, 2);
  assert.deepEqual(
    r.slice(1).map((x) => [x.status!.ref, x.status!.status.status]),
    [
      [2, ImStatus.UNSUPPORTED_ENDPOINT],
      [3, ImStatus.UNSUPPORTED_CLUSTER],
      [4, ImStatus.UNSUPPORTED_COMMAND],
      [5, ImStatus.UNSUPPORTED_ACCESS],
    ],
  );
});

test("invoke: batch rules (MaxPathsPerInvoke, refs) and SuppressResponse", async () => {
  const { server, toy0 } = makeNode(undefined, { maxPathsPerInvoke: 2 });
  for (const bad of [
    invoke([]),
    invoke([echo(1, 1), echo(2, 2), echo(3, 3)]),
    invoke([echo(1), echo(2)]),
    invoke([echo(1, 1), echo(2, 1)]),
  ]) {
    const [m] = await interact(server, session(), ImMessageType.InvokeRequest, bad);
    assert.equal(statusOf(m!), ImStatus.INVALID_ACTION);
  }
  const calls = toy0.state.calls;
  const sent = await interact(server, session(), ImMessageType.InvokeRequest, invoke([echo(5)], { suppress: true }));
  assert.equal(sent.length, 0);
  assert.equal(toy0.state.calls, calls + 1);
});

test("timed invoke: NEEDS_TIMED_INTERACTION without, SUCCESS within the timeout, TIMEOUT after, mismatch on a false flag", async () => {
  const { server, toy0 } = makeNode();
  const scoped = { path: { endpoint: 0, cluster: TOY, command: 2 } };
  const [plain] = await interact(server, session(), ImMessageType.InvokeRequest, invoke([scoped]));
  assert.equal(
    InvokeResponseMessage.decode(plain!.payload).invokeResponses[0]!.status!.status.status,
    ImStatus.NEEDS_TIMED_INTERACTION,
  );

  const timed = async (at: number, flag: boolean) => {
    const ex = server.openExchange(session());
    const t = await ex.onMessage(ImMessageType.TimedRequest, TimedRequestMessage.encode({ timeout: 500 }), 1000);
    assert.equal(statusOf(t.send[0]!), ImStatus.SUCCESS);
    assert.equal(t.done, false);
    return ex.onMessage(ImMessageType.InvokeRequest, invoke([scoped], { timed: flag }), at);
  };
  const ok = await timed(1500, true);
  assert.equal(
    InvokeResponseMessage.decode(ok.send[0]!.payload).invokeResponses[0]!.status!.status.status,
    ImStatus.SUCCESS,
  );
  assert.deepEqual(ok.afterResponse, [{ type: "restart-operational-advertising" }]);
  const calls = toy0.state.calls;
  assert.equal(statusOf((await timed(1501, true)).send[0]!), ImStatus.TIMEOUT);
  assert.equal(statusOf((await timed(1100, false)).send[0]!), ImStatus.TIMED_REQUEST_MISMATCH);
  assert.equal(toy0.state.calls, calls);
});

test("invoke responses above the budget are chunked, each but the last acknowledged", async () => {
  const { server } = makeNode(undefined, { maxPathsPerInvoke: 20, payloadBudget: 60 });
  const ex = server.openExchange(session());
  // Four distinct paths (batch paths must be unique): Echo and PingPong on endpoints 0 and 1.
  const requests = [0, 1].flatMap((endpoint) => [
    { ...echo(endpoint), path: { endpoint, cluster: TOY, command: 0 }, ref: endpoint * 2 },
    { path: { endpoint, cluster: TOY, command: 3 }, fields: Ping.encodeNode({ n: 7 }, ctx(1)), ref: endpoint * 2 + 1 },
  ]);
  let st = await ex.onMessage(ImMessageType.InvokeRequest, invoke(requests), 0);
  const msgs = [...st.send];
  while (!st.done) {
    st = await ex.onMessage(ImMessageType.StatusResponse, ack(), 0);
    msgs.push(...st.send);
  }
  assert.ok(msgs.length > 1);
  const decoded = msgs.map((m) => InvokeResponseMessage.decode(m.payload));
  assert.deepEqual(
    decoded.map((d) => d.moreChunkedMessages ?? false),
    [...Array(msgs.length - 1).fill(true), false],
  );
  assert.deepEqual(
    decoded.flatMap((d) => d.invokeResponses.map((r) => r.command!.ref)),
    [0, 1, 2, 3],
  );
});
