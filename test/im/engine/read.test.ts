// Read interactions: concrete and wildcard paths, every status, fabric filtering, DataVersionFilters, events,
// chunking with the StatusResponse flow.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromHex } from "../../../src/bytes/bytes.ts";
import { Privilege } from "../../../src/fabric/access-control.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import type { ImOutgoing } from "../../../src/im/engine/im-step.ts";
import { chunkReports } from "../../../src/im/engine/report-chunker.ts";
import { ImMessageType } from "../../../src/im/messages/im-message-type.ts";
import { ReadRequestMessage } from "../../../src/im/messages/read-request-message.ts";
import { StatusResponseMessage } from "../../../src/im/messages/status-response-message.ts";
import { grantUpTo } from "../fixtures.ts";
import { interact, makeNode, report, session, statusOf, TOY } from "./harness.ts";

const read = (m: Parameters<typeof ReadRequestMessage.encode>[0]) => ReadRequestMessage.encode(m);
const StatusOk = StatusResponseMessage.encode({ status: 0 });

test("concrete paths: data with the data version, and each refusal status", async () => {
  const { server } = makeNode(grantUpTo(Privilege.View));
  const sent = await interact(
    server,
    session(),
    ImMessageType.ReadRequest,
    read({
      attributeRequests: [
        { endpoint: 0, cluster: TOY, attribute: 0 },
        { endpoint: 9, cluster: TOY, attribute: 0 },
        { endpoint: 0, cluster: 6, attribute: 0 },
        { endpoint: 0, cluster: TOY, attribute: 0x77 },
        { endpoint: 0, cluster: TOY, attribute: 2 },
        { endpoint: 0, cluster: TOY, attribute: 3 },
      ],
      isFabricFiltered: true,
    }),
  );
  assert.equal(sent.length, 1);
  const r = report(sent[0]!);
  assert.equal(r.suppressResponse, true);
  assert.equal(r.moreChunkedMessages, undefined);
  const reports = r.attributeReports!;
  assert.equal(reports[0]!.attributeData!.dataVersion, 100);
  assert.equal(reports[0]!.attributeData!.data.type === "uint" && reports[0]!.attributeData!.data.value, 5n);
  assert.deepEqual(
    reports.slice(1).map((x) => x.attributeStatus!.status.status),
    [
      ImStatus.UNSUPPORTED_ENDPOINT,
      ImStatus.UNSUPPORTED_CLUSTER,
      ImStatus.UNSUPPORTED_ATTRIBUTE,
      ImStatus.UNSUPPORTED_ACCESS,
      ImStatus.INVALID_IN_STATE,
    ],
  );
});

test("wildcard read: endpoints ascending, globals included, refused attributes silently skipped", async () => {
  const { server } = makeNode(grantUpTo(Privilege.View));
  const sent = await interact(
    server,
    session(),
    ImMessageType.ReadRequest,
    read({ attributeRequests: [{}], isFabricFiltered: true }),
  );
  const all = sent.flatMap((m) => report(m).attributeReports ?? []);
  const data = all.filter((x) => x.attributeData !== undefined).map((x) => x.attributeData!.path);
  assert.deepEqual([...new Set(data.map((p) => p.endpoint))], [0, 1]);
  const ep0 = data.filter((p) => p.endpoint === 0).map((p) => p.attribute);
  assert.deepEqual(ep0, [0, 1, 0xfff8, 0xfff9, 0xfffb, 0xfffc, 0xfffd]);
  // AdminOnly (2) needs Administer: skipped without a status. Broken (3) reports its status.
  const statuses = all.filter((x) => x.attributeStatus !== undefined).map((x) => x.attributeStatus!);
  assert.deepEqual(
    statuses.map((s) => [s.path.endpoint, s.path.attribute, s.status.status]),
    [
      [0, 3, ImStatus.INVALID_IN_STATE],
      [1, 3, ImStatus.INVALID_IN_STATE],
    ],
  );
});

test("WildcardPathFlags: SkipRootNode and SkipGlobalAttributes", async () => {
  const { server } = makeNode();
  const sent = await interact(
    server,
    session(),
    ImMessageType.ReadRequest,
    read({ attributeRequests: [{ wildcardPathFlags: 0b11 }], isFabricFiltered: true }),
  );
  const paths = sent
    .flatMap((m) => report(m).attributeReports ?? [])
    .map((x) => (x.attributeData ?? x.attributeStatus)!.path);
  assert.ok(paths.every((p) => p.endpoint === 1 && p.attribute! < 0xf000));
  assert.deepEqual(
    paths.map((p) => p.attribute),
    [0, 1, 2, 3],
  );
});

test("fabric filtering of a fabric-scoped list", async () => {
  const { server } = makeNode();
  const path = { endpoint: 0, cluster: TOY, attribute: 1 };
  const entries = async (isFabricFiltered: boolean) => {
    const [m] = await interact(
      server,
      session(),
      ImMessageType.ReadRequest,
      read({ attributeRequests: [path], isFabricFiltered }),
    );
    const node = report(m!).attributeReports![0]!.attributeData!.data;
    assert.equal(node.type, "array");
    return node.type === "array" ? node.elements : [];
  };
  assert.equal((await entries(true)).length, 2);
  const all = await entries(false);
  assert.equal(all.length, 3);
  // The other fabric's entry lost its fabric-sensitive field 2.
  const other = all[1]!;
  assert.ok(other.type === "struct" && !other.elements.some((e) => e.tag.form === "context" && e.tag.id === 2));
});

test("DataVersionFilter: the matching cluster's data is omitted, a stale version is not", async () => {
  const { server } = makeNode();
  const go = async (dataVersion: number) =>
    (
      await interact(
        server,
        session(),
        ImMessageType.ReadRequest,
        read({
          attributeRequests: [{ cluster: TOY, attribute: 0xfffd }],
          dataVersionFilters: [{ path: { endpoint: 0, cluster: TOY }, dataVersion }],
          isFabricFiltered: true,
        }),
      )
    ).flatMap((m) => report(m).attributeReports ?? []);
  assert.deepEqual(
    (await go(100)).map((r) => r.attributeData!.path.endpoint),
    [1],
  );
  assert.deepEqual(
    (await go(99)).map((r) => r.attributeData!.path.endpoint),
    [0, 1],
  );
});

test("INVALID_ACTION: no paths, ListIndex in a read, non-global attribute under a wildcard cluster, bad bytes", async () => {
  const { server } = makeNode();
  for (const payload of [
    read({ isFabricFiltered: true }),
    read({ attributeRequests: [{ endpoint: 0, cluster: TOY, attribute: 1, listIndex: 0 }], isFabricFiltered: true }),
    read({ attributeRequests: [{ endpoint: 0, attribute: 1 }], isFabricFiltered: true }),
    fromHex("1536001518"),
  ]) {
    const [m, ...rest] = await interact(server, session(), ImMessageType.ReadRequest, payload);
    assert.equal(statusOf(m!), ImStatus.INVALID_ACTION);
    assert.equal(rest.length, 0);
  }
  const [m] = await interact(server, session(), ImMessageType.WriteResponse, read({ isFabricFiltered: true }));
  assert.equal(statusOf(m!), ImStatus.INVALID_ACTION);
});

test("events: wildcard and concrete paths, EventMin, fabric-sensitive events, UNSUPPORTED_EVENT", async () => {
  const { server, events, toy0 } = makeNode(grantUpTo(Privilege.Administer));
  const [happened, secret] = toy0.cluster.events;
  const ts = { kind: "epoch-us", value: 1_700_000_000_000_000n } as const;
  events.record({ endpoint: 0, cluster: TOY, event: happened!, value: { n: 1 }, timestamp: ts });
  events.record({ endpoint: 0, cluster: TOY, event: secret!, value: { n: 2 }, timestamp: ts, fabricIndex: 2 });
  events.record({ endpoint: 0, cluster: TOY, event: secret!, value: { n: 3 }, timestamp: ts, fabricIndex: 1 });
  events.record({
    endpoint: 1,
    cluster: TOY,
    event: happened!,
    value: { n: 4 },
    timestamp: { kind: "system-ms", value: 9n },
  });
  const go = async (m: Parameters<typeof read>[0]) =>
    (await interact(server, session(), ImMessageType.ReadRequest, read(m))).flatMap(
      (x) => report(x).eventReports ?? [],
    );
  const all = await go({ eventRequests: [{}], isFabricFiltered: true });
  assert.deepEqual(
    all.map((r) => r.eventData!.eventNumber),
    [0n, 2n, 3n],
  );
  assert.equal(all[0]!.eventData!.epochTimestamp, 1_700_000_000_000n);
  assert.equal(all[2]!.eventData!.systemTimestamp, 9n);
  const later = await go({
    eventRequests: [{ endpoint: 0 }],
    eventFilters: [{ eventMin: 1n }],
    isFabricFiltered: true,
  });
  assert.deepEqual(
    later.map((r) => r.eventData!.eventNumber),
    [2n],
  );
  const bad = await go({
    eventRequests: [
      { endpoint: 0, cluster: TOY, event: 9 },
      { endpoint: 5, cluster: TOY, event: 0 },
    ],
    isFabricFiltered: true,
  });
  assert.deepEqual(
    bad.map((r) => r.eventStatus!.status.status),
    [ImStatus.UNSUPPORTED_EVENT, ImStatus.UNSUPPORTED_ENDPOINT],
  );
  const { server: viewOnly, events: ev2, toy0: t2 } = makeNode(grantUpTo(Privilege.View));
  ev2.record({
    endpoint: 0,
    cluster: TOY,
    event: t2.cluster.events[1]!,
    value: { n: 1 },
    timestamp: ts,
    fabricIndex: 1,
  });
  const denied = (
    await interact(
      viewOnly,
      session(),
      ImMessageType.ReadRequest,
      read({ eventRequests: [{ endpoint: 0, cluster: TOY, event: 1 }, {}], isFabricFiltered: true }),
    )
  ).flatMap((x) => report(x).eventReports ?? []);
  assert.deepEqual(
    denied.map((r) => r.eventStatus?.status.status),
    [ImStatus.UNSUPPORTED_ACCESS],
  );
});

test("chunking: every chunk fits the budget, MoreChunkedMessages until the last, which suppresses the response", async () => {
  const { server: big } = makeNode();
  const { server: small } = makeNode(undefined, { payloadBudget: 160 });
  const req = read({ attributeRequests: [{}], isFabricFiltered: false });
  const whole = await interact(big, session(), ImMessageType.ReadRequest, req);
  assert.equal(whole.length, 1);
  const ex = small.openExchange(session());
  const chunks: ImOutgoing[] = [];
  let st = await ex.onMessage(ImMessageType.ReadRequest, req, 0);
  chunks.push(...st.send);
  while (!st.done) {
    assert.equal(report(chunks.at(-1)!).moreChunkedMessages, true);
    st = await ex.onMessage(ImMessageType.StatusResponse, StatusOk, 0);
    chunks.push(...st.send);
  }
  assert.ok(chunks.length > 3);
  for (const c of chunks) assert.ok(c.payload.length <= 160, `chunk of ${c.payload.length} bytes`);
  const last = report(chunks.at(-1)!);
  assert.equal(last.suppressResponse, true);
  assert.equal(last.moreChunkedMessages, undefined);
  const paths = (ms: typeof chunks) =>
    ms
      .flatMap((m) => report(m).attributeReports ?? [])
      .map((x) => {
        const p = (x.attributeData ?? x.attributeStatus)!.path;
        return `${p.endpoint}/${p.attribute}`;
      });
  assert.deepEqual([...new Set(paths(chunks))], paths(whole));
});

test("a list too big for one chunk is sent as an empty list then appends (ListIndex null)", () => {
  const entry = (i: number) => ({
    tag: { form: "anonymous" } as const,
    type: "struct" as const,
    elements: [
      { tag: { form: "context", id: 1 } as const, type: "utf8" as const, value: `entry-${i}-${"x".repeat(20)}` },
    ],
  });
  const path = { endpoint: 0, cluster: 6, attribute: 1 };
  const chunks = chunkReports(
    [
      {
        attributeData: {
          dataVersion: 4,
          path,
          data: { tag: { form: "anonymous" }, type: "array", elements: Array.from({ length: 12 }, (_, i) => entry(i)) },
        },
      },
    ],
    [],
    { kind: "subscription", subscriptionId: 7, budget: 200 },
  );
  assert.ok(chunks.length > 1);
  const reports = chunks.flatMap(
    (c) => report({ messageType: ImMessageType.ReportData, payload: c.payload }).attributeReports!,
  );
  assert.equal(reports.length, 13);
  const first = reports[0]!.attributeData!;
  assert.ok(first.data.type === "array" && first.data.elements.length === 0);
  assert.equal(first.path.listIndex, undefined);
  for (const r of reports.slice(1)) {
    assert.equal(r.attributeData!.path.listIndex, null);
    assert.equal(r.attributeData!.dataVersion, 4);
  }
  assert.ok(chunks.every((c) => c.expectsStatusResponse));
});
