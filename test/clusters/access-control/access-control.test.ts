import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AccessControlEntryChangedEvent,
  AccessControlEntryStruct,
  ChangeType,
  createAccessControl,
} from "../../../src/clusters/access-control/access-control.ts";
import { AccessControlStore, Privilege } from "../../../src/fabric/access-control.ts";
import type { FabricIndex } from "../../../src/fabric/fabric-index.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { readAttribute } from "../../../src/im/attribute-read.ts";
import { writeAttribute } from "../../../src/im/attribute-write.ts";
import { type AccessChecker, ClusterInstance, type SessionInfo } from "../../../src/im/data-model.ts";
import { EventLog } from "../../../src/im/events.ts";
import { MemoryStorage } from "../../../src/storage/memory-storage.ts";
import { ANONYMOUS, type TlvNode } from "../../../src/tlv/tlv-node.ts";
import { tlvArray } from "../../../src/tlv/tlv-schema.ts";

const allow: AccessChecker = () => true;
const sess = (fabricIndex: number, kind: "pase" | "case" = "case", node = 0x1234n): SessionInfo => ({
  kind,
  fabricIndex,
  subjectNodeId: node,
  cats: [],
  attestationChallenge: new Uint8Array(16),
  id: 1,
});
const List = tlvArray(AccessControlEntryStruct);
const admin = (subject: bigint) => ({
  privilege: Privilege.Administer,
  authMode: 2,
  subjects: [subject],
  targets: null,
});

async function setup() {
  const acl = await AccessControlStore.open(new MemoryStorage());
  const events = new EventLog();
  const server = createAccessControl({ acl, events });
  const inst = new ClusterInstance(0, server.cluster, 0);
  // Fabric 1 and 2 each have an admin entry, created as AddNOC does.
  await server.addEntry({ fabricIndex: 1 as FabricIndex, ...admin(0x1234n), authMode: 2 }, sess(0, "pase", 0n), 5);
  await server.addEntry({ fabricIndex: 2 as FabricIndex, ...admin(0x9999n), authMode: 2 }, sess(1), 6);
  const write = (entries: unknown[], s = sess(1), access = allow) =>
    writeAttribute(
      inst,
      0,
      List.encodeNode(entries as never, ANONYMOUS),
      { session: s, timed: false, now: 10 },
      access,
    );
  const read = (s: SessionInfo, fabricFiltered: boolean) => {
    const out = readAttribute(inst, 0, { session: s, now: 0 }, { fabricFiltered }, allow);
    assert.ok(out.kind === "data");
    return out.value;
  };
  return { acl, events, server, inst, write, read };
}

test("AddNOC's admin entry: stored, ACL reported, Added event with AdminPasscodeID 0 over PASE", async () => {
  const { acl, events } = await setup();
  assert.equal(acl.entries(1 as FabricIndex).length, 1);
  const [first, second] = events.events();
  assert.ok(first !== undefined && second !== undefined);
  assert.equal(first.fabricIndex, 1);
  assert.deepEqual(AccessControlEntryChangedEvent.decodeNode(first.data, "e"), {
    adminNodeId: null,
    adminPasscodeId: 0,
    changeType: ChangeType.Added,
    latestValue: { privilege: 5, authMode: 2, subjects: [0x1234n], targets: null, fabricIndex: 1 },
    fabricIndex: 1,
  });
  const e2 = AccessControlEntryChangedEvent.decodeNode(second.data, "e");
  assert.equal(e2.adminNodeId, 0x1234n);
  assert.equal(e2.adminPasscodeId, null);
});

test("ACL reads: filtered = own entries; unfiltered = all, other fabrics' fields omitted but FabricIndex kept", async () => {
  const { read } = await setup();
  assert.deepEqual(List.decodeNode(read(sess(2), true), "a"), [
    { privilege: 5, authMode: 2, subjects: [0x9999n], targets: null, fabricIndex: 2 },
  ]);
  const all = read(sess(2), false) as { elements: { elements: TlvNode[] }[] };
  assert.equal(all.elements.length, 2);
  assert.deepEqual(
    all.elements[0]!.elements.map((f) => (f.tag as { id: number }).id),
    [0xfe],
  );
  assert.equal(all.elements[1]!.elements.length, 5);
});

test("ACL write replaces the accessing fabric's entries; events say what changed", async () => {
  const { write, acl, events } = await setup();
  const before = events.events().length;
  const out = await write([
    admin(0x1234n),
    {
      privilege: Privilege.Operate,
      authMode: 3,
      subjects: [7n],
      targets: [{ cluster: 6, endpoint: 1, deviceType: null }],
    },
  ]);
  assert.equal(out.status, ImStatus.SUCCESS);
  assert.equal(acl.entries(1 as FabricIndex).length, 2);
  assert.equal(acl.entries(2 as FabricIndex).length, 1);
  const added = events.events().slice(before);
  assert.deepEqual(
    added.map((r) => [r.fabricIndex, AccessControlEntryChangedEvent.decodeNode(r.data, "e").changeType]),
    [[1, ChangeType.Added]],
  );
  // Changing the first entry and dropping the second.
  await write([{ ...admin(0x1234n), subjects: [0x1234n, 0x5678n] }]);
  const last = events
    .events()
    .slice(before + 1)
    .map((r) => AccessControlEntryChangedEvent.decodeNode(r.data, "e").changeType);
  assert.deepEqual(last, [ChangeType.Changed, ChangeType.Removed]);
});

test("invalid entries → CONSTRAINT_ERROR and nothing changes", async () => {
  const { write, acl } = await setup();
  const cases: [string, unknown][] = [
    ["PASE auth mode", { ...admin(0x1234n), authMode: 1 }],
    ["unknown auth mode", { ...admin(0x1234n), authMode: 4 }],
    ["Group with Administer", { ...admin(1n), authMode: 3 }],
    ["unknown privilege", { ...admin(0x1234n), privilege: 6 }],
    ["CASE subject 0", admin(0n)],
    ["CASE subject beyond the operational range", admin(0xffff_fff0_0000_0000n)],
    ["CAT with version 0", admin(0xffff_fffd_0001_0000n)],
    ["group subject 0", { privilege: 3, authMode: 3, subjects: [0n], targets: null }],
    ["empty target", { ...admin(0x1234n), targets: [{ cluster: null, endpoint: null, deviceType: null }] }],
    ["endpoint and device type", { ...admin(0x1234n), targets: [{ cluster: null, endpoint: 1, deviceType: 0x100 }] }],
  ];
  for (const [name, entry] of cases) {
    const out = await write([entry]);
    assert.equal(out.status, ImStatus.CONSTRAINT_ERROR, name);
  }
  assert.deepEqual(
    acl.entries(1 as FabricIndex).map((e) => e.subjects),
    [[0x1234n]],
  );
});

test("limits: more entries, subjects or targets than supported → RESOURCE_EXHAUSTED; minima readable", async () => {
  const { write, inst } = await setup();
  assert.equal((await write(Array.from({ length: 5 }, () => admin(0x1234n)))).status, ImStatus.RESOURCE_EXHAUSTED);
  assert.equal((await write([{ ...admin(1n), subjects: [1n, 2n, 3n, 4n, 5n] }])).status, ImStatus.RESOURCE_EXHAUSTED);
  const t = { cluster: 6, endpoint: null, deviceType: null };
  assert.equal((await write([{ ...admin(1n), targets: [t, t, t, t] }])).status, ImStatus.RESOURCE_EXHAUSTED);
  for (const [id, min] of [
    [2, 4],
    [3, 3],
    [4, 4],
  ] as const) {
    const out = readAttribute(inst, id, { session: sess(1), now: 0 }, { fabricFiltered: true }, allow);
    assert.ok(out.kind === "data" && (out.value as { value: bigint }).value >= BigInt(min));
  }
});

test("a write removing every Administer entry of the fabric is allowed (spec), leaving the fabric without admins", async () => {
  const { write, acl } = await setup();
  assert.equal((await write([])).status, ImStatus.SUCCESS);
  assert.deepEqual(acl.entries(1 as FabricIndex), []);
  assert.equal(acl.entries(2 as FabricIndex).length, 1);
});

test("ACL needs Administer to read and write; PASE without a fabric cannot write", async () => {
  const { write, inst } = await setup();
  const manage: AccessChecker = (_s, _t, p) => p <= Privilege.Manage;
  assert.equal((await write([], sess(1), manage)).status, ImStatus.UNSUPPORTED_ACCESS);
  assert.equal((await write([], sess(0, "pase"))).status, ImStatus.UNSUPPORTED_ACCESS);
  assert.deepEqual(readAttribute(inst, 0, { session: sess(1), now: 0 }, { fabricFiltered: true }, manage), {
    kind: "status",
    status: ImStatus.UNSUPPORTED_ACCESS,
  });
});

test("RemoveFabric: the fabric's change events can be purged from the log", async () => {
  const { events, server } = await setup();
  server.fabricRemoved(1);
  assert.equal(events.purgeFabric(1), 1);
  assert.ok(events.events().every((r) => r.fabricIndex === 2));
});
