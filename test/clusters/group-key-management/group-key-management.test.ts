import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createGroupKeyManagement,
  GroupKeyMapStruct,
  type GroupKeySetStruct,
  KeySetIdRequest,
  KeySetReadAllIndicesResponse,
  KeySetReadResponse,
  KeySetWriteRequest,
} from "../../../src/clusters/group-key-management/group-key-management.ts";
import type { FabricIndex } from "../../../src/fabric/fabric-index.ts";
import { GroupKeyStore } from "../../../src/fabric/group-keys.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { readAttribute } from "../../../src/im/attribute-read.ts";
import { writeAttribute } from "../../../src/im/attribute-write.ts";
import { type AccessChecker, ClusterInstance, type SessionInfo } from "../../../src/im/data-model.ts";
import { type InvokeOutcome, invokeCommand } from "../../../src/im/invoke.ts";
import { MemoryStorage } from "../../../src/storage/memory-storage.ts";
import { ANONYMOUS, type TlvNode } from "../../../src/tlv/tlv-node.ts";
import { tlvArray } from "../../../src/tlv/tlv-schema.ts";

const allow: AccessChecker = () => true;
const sess = (fabricIndex: number, kind: "pase" | "case" = "case"): SessionInfo => ({
  kind,
  fabricIndex,
  subjectNodeId: 1n,
  cats: [],
  attestationChallenge: new Uint8Array(16),
  id: 1,
});
const key = (b: number) => new Uint8Array(16).fill(b);
const set = (id: number, over: Partial<GroupKeySetStruct> = {}): GroupKeySetStruct => ({
  groupKeySetId: id,
  groupKeySecurityPolicy: 0,
  epochKey0: key(1),
  epochStartTime0: 100n,
  epochKey1: key(2),
  epochStartTime1: 200n,
  epochKey2: null,
  epochStartTime2: null,
  ...over,
});

async function setup() {
  const groupKeys = await GroupKeyStore.open(new MemoryStorage());
  await groupKeys.setIpk(1 as FabricIndex, key(0xaa));
  await groupKeys.setIpk(2 as FabricIndex, key(0xbb));
  const inst = new ClusterInstance(0, createGroupKeyManagement({ groupKeys, fabricIndices: () => [1, 2] }), 0);
  const invoke = (id: number, fields: TlvNode | undefined, s = sess(1)) =>
    invokeCommand(inst, id, fields, { session: s, timed: false, now: 0 }, allow);
  const write = (s: GroupKeySetStruct, session = sess(1)) =>
    invoke(0, KeySetWriteRequest.encodeNode({ groupKeySet: s }, ANONYMOUS), session);
  const byId = (cmd: number, groupKeySetId: number, s = sess(1)) =>
    invoke(cmd, KeySetIdRequest.encodeNode({ groupKeySetId }, ANONYMOUS), s);
  return { groupKeys, inst, invoke, write, byId };
}

const statusOf = (out: InvokeOutcome) => (out.kind === "status" ? out.status : "response");

test("KeySetWrite stores a valid set; KeySetRead returns it with null keys", async () => {
  const { write, byId, groupKeys } = await setup();
  assert.equal(statusOf(await write(set(5))), ImStatus.SUCCESS);
  assert.deepEqual(groupKeys.keySet(1 as FabricIndex, 5)?.epochKey1, key(2));
  const out = await byId(1, 5);
  assert.ok(out.kind === "response");
  assert.equal(out.commandId, 2);
  assert.deepEqual(KeySetReadResponse.decodeNode(out.fields, "r").groupKeySet, {
    ...set(5),
    epochKey0: null,
    epochKey1: null,
  });
});

test("KeySetRead of the IPK (key set 0) works after AddNOC and never returns the key", async () => {
  const { byId } = await setup();
  const out = await byId(1, 0);
  assert.ok(out.kind === "response");
  const s = KeySetReadResponse.decodeNode(out.fields, "r").groupKeySet;
  assert.equal(s.epochKey0, null);
  assert.equal(s.epochStartTime0, 0n);
});

test("KeySetWrite refusals: key set 0 and bad epoch pairs → INVALID_COMMAND, key length and CacheAndSync → CONSTRAINT_ERROR", async () => {
  const { write, groupKeys } = await setup();
  assert.equal(statusOf(await write(set(0))), ImStatus.INVALID_COMMAND);
  assert.equal(statusOf(await write(set(3, { epochStartTime0: 0n }))), ImStatus.INVALID_COMMAND);
  assert.equal(statusOf(await write(set(3, { epochKey1: null }))), ImStatus.INVALID_COMMAND);
  assert.equal(statusOf(await write(set(3, { epochStartTime1: 50n }))), ImStatus.INVALID_COMMAND);
  assert.equal(statusOf(await write(set(3, { epochKey0: new Uint8Array(15) }))), ImStatus.CONSTRAINT_ERROR);
  assert.equal(statusOf(await write(set(3, { groupKeySecurityPolicy: 1 }))), ImStatus.CONSTRAINT_ERROR);
  assert.equal(groupKeys.keySet(1 as FabricIndex, 3), undefined);
  // A missing mandatory field is a decode failure.
  const { invoke } = await setup();
  assert.equal(statusOf(await invoke(0, { tag: ANONYMOUS, type: "struct", elements: [] })), ImStatus.INVALID_COMMAND);
});

test("KeySetWrite beyond MaxGroupKeysPerFabric → RESOURCE_EXHAUSTED", async () => {
  const { write, groupKeys } = await setup();
  let id = 1;
  while (groupKeys.keySets(1 as FabricIndex).length < groupKeys.maxGroupKeysPerFabric)
    assert.equal(statusOf(await write(set(id++))), ImStatus.SUCCESS);
  assert.equal(statusOf(await write(set(id))), ImStatus.RESOURCE_EXHAUSTED);
});

test("KeySetRemove: 0 → INVALID_COMMAND, unknown → NOT_FOUND, known → removed (per fabric)", async () => {
  const { write, byId, groupKeys } = await setup();
  await write(set(7));
  assert.equal(statusOf(await byId(3, 0)), ImStatus.INVALID_COMMAND);
  assert.equal(statusOf(await byId(3, 9)), ImStatus.NOT_FOUND);
  assert.equal(statusOf(await byId(3, 7, sess(2))), ImStatus.NOT_FOUND);
  assert.equal(statusOf(await byId(3, 7)), ImStatus.SUCCESS);
  assert.equal(groupKeys.keySet(1 as FabricIndex, 7), undefined);
  assert.equal(statusOf(await byId(1, 7)), ImStatus.NOT_FOUND);
});

test("KeySetReadAllIndices lists the accessing fabric's ids, IPK included", async () => {
  const { write, invoke } = await setup();
  await write(set(4));
  await write(set(2));
  await write(set(9), sess(2));
  const out = await invoke(4, undefined);
  assert.ok(out.kind === "response");
  assert.equal(out.commandId, 5);
  assert.deepEqual(KeySetReadAllIndicesResponse.decodeNode(out.fields, "r").groupKeySetIds, [0, 2, 4]);
});

test("every command is fabric-scoped: over PASE without a fabric → UNSUPPORTED_ACCESS", async () => {
  const { invoke } = await setup();
  for (const id of [0, 1, 3, 4])
    assert.equal(statusOf(await invoke(id, undefined, sess(0, "pase"))), ImStatus.UNSUPPORTED_ACCESS);
  assert.equal(statusOf(await invoke(2, undefined)), ImStatus.UNSUPPORTED_COMMAND);
});

test("GroupKeyMap: write replaces the accessing fabric's entries; reads are fabric-filtered", async () => {
  const { write, inst, groupKeys } = await setup();
  await write(set(3));
  const list = tlvArray(GroupKeyMapStruct).encodeNode([{ groupId: 0x10, groupKeySetId: 3, fabricIndex: 2 }], ANONYMOUS);
  const w = await writeAttribute(inst, 0, list, { session: sess(1), timed: false, now: 0 }, allow);
  assert.equal(w.status, ImStatus.SUCCESS);
  // The client's FabricIndex (2) is replaced by the accessing fabric (1).
  assert.deepEqual(groupKeys.groupKeyMap(1 as FabricIndex), [{ groupId: 0x10, groupKeySetId: 3 }]);
  assert.deepEqual(groupKeys.groupKeyMap(2 as FabricIndex), []);
  const r = readAttribute(inst, 0, { session: sess(2), now: 0 }, { fabricFiltered: true }, allow);
  assert.ok(r.kind === "data");
  assert.deepEqual(tlvArray(GroupKeyMapStruct).decodeNode(r.value, "m"), []);
  const r1 = readAttribute(inst, 0, { session: sess(2), now: 0 }, { fabricFiltered: false }, allow);
  assert.ok(r1.kind === "data");
  assert.deepEqual(tlvArray(GroupKeyMapStruct).decodeNode(r1.value, "m"), [
    { groupId: 0x10, groupKeySetId: 3, fabricIndex: 1 },
  ]);
  // An unknown key set id → CONSTRAINT_ERROR.
  const bad = tlvArray(GroupKeyMapStruct).encodeNode([{ groupId: 0x11, groupKeySetId: 77 }], ANONYMOUS);
  assert.equal(
    (await writeAttribute(inst, 0, bad, { session: sess(1), timed: false, now: 0 }, allow)).status,
    ImStatus.CONSTRAINT_ERROR,
  );
});

test("limits are readable; GroupTable is read-only", async () => {
  const { inst, groupKeys } = await setup();
  const r = readAttribute(inst, 3, { session: sess(1), now: 0 }, { fabricFiltered: true }, allow);
  assert.ok(r.kind === "data" && (r.value as { value: bigint }).value === BigInt(groupKeys.maxGroupKeysPerFabric));
  const w = await writeAttribute(
    inst,
    1,
    { tag: ANONYMOUS, type: "array", elements: [] },
    { session: sess(1), timed: false, now: 0 },
    allow,
  );
  assert.equal(w.status, ImStatus.UNSUPPORTED_WRITE);
});
