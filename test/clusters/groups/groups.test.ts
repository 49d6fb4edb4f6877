import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  createGroupKeyManagement,
  GroupInfoMapStruct,
  GroupKeyManagementCluster,
} from "../../../src/clusters/group-key-management/group-key-management.ts";
import {
  AddGroupRequest,
  CAPACITY_AT_LEAST_ONE,
  createGroups,
  GetGroupMembershipRequest,
  GetGroupMembershipResponse,
  GroupIdRequest,
  GroupStatusResponse,
  GroupsCluster,
  ViewGroupResponse,
} from "../../../src/clusters/groups/groups.ts";
import { Privilege } from "../../../src/fabric/access-control.ts";
import type { FabricIndex } from "../../../src/fabric/fabric-index.ts";
import { GroupKeyStore } from "../../../src/fabric/group-keys.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { readAttribute } from "../../../src/im/attribute-read.ts";
import { type AccessChecker, ClusterInstance, type SessionInfo } from "../../../src/im/data-model.ts";
import { type InvokeOutcome, invokeCommand } from "../../../src/im/invoke.ts";
import { MemoryStorage } from "../../../src/storage/memory-storage.ts";
import { encodeTlv } from "../../../src/tlv/tlv-encoder.ts";
import { ANONYMOUS, type TlvNode } from "../../../src/tlv/tlv-node.ts";
import { tlvArray, tlvUInt32 } from "../../../src/tlv/tlv-schema.ts";
import { decodeFieldsOrMalformed, randomOrMutated } from "../../support/command-fuzz.ts";

const allow: AccessChecker = () => true;
const upTo =
  (max: Privilege): AccessChecker =>
  (_s, _t, p) =>
    p <= max;
const sess = (fabricIndex: number, kind: "pase" | "case" = "case"): SessionInfo => ({
  kind,
  fabricIndex,
  subjectNodeId: 1n,
  cats: [],
  attestationChallenge: new Uint8Array(16),
  id: 1,
});
const f1 = 1 as FabricIndex;
const f2 = 2 as FabricIndex;
const KEY_SET = 0x01a1;
const G1 = 0x0101;
const G2 = 0x0102;
const G3 = 0x0103;
const G4 = 0x0104;
const G5 = 0x0105;

async function setup() {
  const groupKeys = await GroupKeyStore.open(new MemoryStorage());
  await groupKeys.setIpk(f1, new Uint8Array(16).fill(0xaa));
  await groupKeys.writeKeySet(f1, {
    groupKeySetId: KEY_SET,
    groupKeySecurityPolicy: 0,
    epochKey0: new Uint8Array(16).fill(1),
    epochStartTime0: 100n,
    epochKey1: null,
    epochStartTime1: null,
    epochKey2: null,
    epochStartTime2: null,
  });
  await groupKeys.setGroupKeyMap(
    f1,
    [G1, G2, G3, G4].map((groupId) => ({ groupId, groupKeySetId: KEY_SET })),
  );
  let identifying = false;
  const removedScenes: [number, number][] = [];
  const gkm = new ClusterInstance(0, createGroupKeyManagement({ groupKeys, fabricIndices: () => [1, 2] }), 500);
  const groups = createGroups({
    groupKeys,
    isIdentifying: () => identifying,
    onGroupTableChanged: () => gkm.cluster.changes?.emit(GroupKeyManagementCluster.attributes.GroupTable),
    scenes: { removeGroupScenes: (fi, g) => removedScenes.push([fi, g]) },
  });
  const ep1 = new ClusterInstance(1, groups.cluster, 100);
  const ep2 = new ClusterInstance(2, createGroups({ groupKeys, isIdentifying: () => false }).cluster, 200);
  const invoke = (
    id: number,
    fields: TlvNode | undefined,
    o: { s?: SessionInfo; inst?: ClusterInstance; access?: AccessChecker } = {},
  ) => invokeCommand(o.inst ?? ep1, id, fields, { session: o.s ?? sess(1), timed: false, now: 0 }, o.access ?? allow);
  const add = (groupId: number, groupName = "", o: Parameters<typeof invoke>[2] = {}) =>
    invoke(GroupsCluster.commands.AddGroup, AddGroupRequest.encodeNode({ groupId, groupName }, ANONYMOUS), o);
  const byId = (cmd: number, groupId: number, o: Parameters<typeof invoke>[2] = {}) =>
    invoke(cmd, GroupIdRequest.encodeNode({ groupId }, ANONYMOUS), o);
  const membership = (groupList: number[], o: Parameters<typeof invoke>[2] = {}) =>
    invoke(
      GroupsCluster.commands.GetGroupMembership,
      GetGroupMembershipRequest.encodeNode({ groupList }, ANONYMOUS),
      o,
    );
  const groupTable = () => {
    const out = readAttribute(
      gkm,
      GroupKeyManagementCluster.attributes.GroupTable,
      { session: sess(1), now: 0 },
      { fabricFiltered: false },
      allow,
    );
    assert.ok(out.kind === "data");
    return tlvArray(GroupInfoMapStruct).decodeNode(out.value, "t");
  };
  return {
    groupKeys,
    groups,
    ep1,
    ep2,
    gkm,
    invoke,
    add,
    byId,
    membership,
    groupTable,
    removedScenes,
    setIdentifying: (v: boolean) => {
      identifying = v;
    },
  };
}

const statusOf = (out: InvokeOutcome) => (out.kind === "status" ? out.status : "response");
function groupStatus(out: InvokeOutcome) {
  assert.ok(out.kind === "response", `expected a response, got status ${out.kind === "status" && out.status}`);
  return GroupStatusResponse.decodeNode(out.fields, "r");
}
function view(out: InvokeOutcome) {
  assert.ok(out.kind === "response");
  assert.equal(out.commandId, GroupsCluster.commands.ViewGroup);
  return ViewGroupResponse.decodeNode(out.fields, "r");
}
function members(out: InvokeOutcome) {
  assert.ok(out.kind === "response");
  assert.equal(out.commandId, GroupsCluster.commands.GetGroupMembership);
  return GetGroupMembershipResponse.decodeNode(out.fields, "r");
}

test("globals: revision 4, GroupNames feature, NameSupport 0x80, six commands accepted, four responses generated", async () => {
  const { ep1 } = await setup();
  const read = (id: number) => {
    const out = readAttribute(ep1, id, { session: sess(1), now: 0 }, { fabricFiltered: true }, allow);
    assert.ok(out.kind === "data");
    return out.value;
  };
  const u32s = (n: TlvNode) => tlvArray(tlvUInt32).decodeNode(n, "l");
  assert.equal((read(0xfffd) as { value: bigint }).value, 4n);
  assert.equal((read(0xfffc) as { value: bigint }).value, 1n);
  assert.equal((read(GroupsCluster.attributes.NameSupport) as { value: bigint }).value, 0x80n);
  assert.deepEqual(u32s(read(0xfff9)), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(u32s(read(0xfff8)), [0, 1, 2, 3]);
  assert.deepEqual(u32s(read(0xfffb)), [0, 0xfff8, 0xfff9, 0xfffb, 0xfffc, 0xfffd]);
});

test("AddGroup adds the endpoint to the fabric's group table; Group Key Management's GroupTable shows it and bumps its version", async () => {
  const { add, byId, groupTable, gkm } = await setup();
  const versions: number[] = [];
  gkm.onAttributeChange((c) => versions.push(c.attribute));
  assert.deepEqual(groupStatus(await add(G1, "Kitchen")), { status: ImStatus.SUCCESS, groupId: G1 });
  assert.deepEqual(groupTable(), [{ groupId: G1, endpoints: [1], groupName: "Kitchen", fabricIndex: 1 }]);
  assert.deepEqual(versions, [GroupKeyManagementCluster.attributes.GroupTable]);
  assert.deepEqual(view(await byId(GroupsCluster.commands.ViewGroup, G1)), {
    status: ImStatus.SUCCESS,
    groupId: G1,
    groupName: "Kitchen",
  });
  // A second AddGroup of the same group replaces its name (SDK SetGroupInfo), a 16-byte name is the longest accepted.
  assert.equal(groupStatus(await add(G1, "x".repeat(16))).status, ImStatus.SUCCESS);
  assert.equal(view(await byId(GroupsCluster.commands.ViewGroup, G1)).groupName, "x".repeat(16));
  assert.equal(groupTable().length, 1);
});

test("AddGroup statuses: group 0 and a name over 16 bytes are CONSTRAINT_ERROR, an unkeyed group UNSUPPORTED_ACCESS, a full table RESOURCE_EXHAUSTED", async () => {
  const { add, groupKeys, groupTable, gkm } = await setup();
  const changes: number[] = [];
  gkm.onAttributeChange((c) => changes.push(c.attribute));
  assert.deepEqual(groupStatus(await add(0, "a")), { status: ImStatus.CONSTRAINT_ERROR, groupId: 0 });
  assert.equal(groupStatus(await add(G1, "x".repeat(17))).status, ImStatus.CONSTRAINT_ERROR);
  // The limit counts UTF-8 bytes: 9 two-byte characters are 18 bytes.
  assert.equal(groupStatus(await add(G1, "é".repeat(9))).status, ImStatus.CONSTRAINT_ERROR);
  assert.deepEqual(groupStatus(await add(G5, "a")), { status: ImStatus.UNSUPPORTED_ACCESS, groupId: G5 });
  // A map entry whose key set is gone does not count (SDK KeyExists).
  await groupKeys.removeKeySet(f1, KEY_SET);
  assert.equal(groupStatus(await add(G1)).status, ImStatus.UNSUPPORTED_ACCESS);
  assert.deepEqual(groupTable(), []);
  assert.deepEqual(changes, [], "refused commands change nothing");
});

test("AddGroup on a full group table is RESOURCE_EXHAUSTED; adding another endpoint to an existing group is not", async () => {
  const { add, groupKeys, groupTable, ep2 } = await setup();
  for (const g of [G1, G2, G3, G4]) assert.equal(groupStatus(await add(g)).status, ImStatus.SUCCESS);
  // Re-key: G5 now has a key, but the table (MaxGroupsPerFabric = 4) is full.
  await groupKeys.setGroupKeyMap(f1, [
    { groupId: G1, groupKeySetId: KEY_SET },
    { groupId: G5, groupKeySetId: KEY_SET },
  ]);
  assert.deepEqual(groupStatus(await add(G5, "five")), { status: ImStatus.RESOURCE_EXHAUSTED, groupId: G5 });
  assert.equal(groupStatus(await add(G1, "", { inst: ep2 })).status, ImStatus.SUCCESS);
  assert.deepEqual(
    groupTable().map((g) => [g.groupId, g.endpoints]),
    [
      [G1, [1, 2]],
      [G2, [1]],
      [G3, [1]],
      [G4, [1]],
    ],
  );
});

test("ViewGroup: NOT_FOUND for a group not on this endpoint or on another fabric; CONSTRAINT_ERROR for group 0", async () => {
  const { add, byId, groupKeys } = await setup();
  await add(G1, "One");
  await add(G2, "Two", {});
  assert.deepEqual(view(await byId(GroupsCluster.commands.ViewGroup, G3)), {
    status: ImStatus.NOT_FOUND,
    groupId: G3,
    groupName: "",
  });
  assert.equal(view(await byId(GroupsCluster.commands.ViewGroup, 0)).status, ImStatus.CONSTRAINT_ERROR);
  // The group exists, but only on endpoint 2.
  await groupKeys.addGroup(f1, G3, 2, "Elsewhere");
  assert.equal(view(await byId(GroupsCluster.commands.ViewGroup, G3)).status, ImStatus.NOT_FOUND);
  // Fabric 2 does not see fabric 1's groups.
  assert.equal(view(await byId(GroupsCluster.commands.ViewGroup, G1, { s: sess(2) })).status, ImStatus.NOT_FOUND);
});

test("GetGroupMembership: empty list = all groups of the endpoint, otherwise the requested ones; Capacity = groups left", async () => {
  const { add, membership, groupKeys } = await setup();
  assert.deepEqual(members(await membership([])), { capacity: 4, groupList: [] });
  await add(G1);
  await add(G2);
  await add(G3);
  await groupKeys.addGroup(f1, G4, 2, "");
  assert.deepEqual(members(await membership([])), { capacity: 0, groupList: [G1, G2, G3] });
  assert.deepEqual(members(await membership([G3, G1, G4, G5, 0])), { capacity: 0, groupList: [G1, G3] });
  assert.deepEqual(members(await membership([], { s: sess(2) })), { capacity: 4, groupList: [] });
  assert.ok(CAPACITY_AT_LEAST_ONE === 0xfe);
});

test("RemoveGroup: removes this endpoint only, drops the group's scenes, reports GroupTable; NOT_FOUND / CONSTRAINT_ERROR otherwise", async () => {
  const { add, byId, groupTable, gkm, ep2, removedScenes } = await setup();
  await add(G1, "One");
  await add(G1, "One", { inst: ep2 });
  const changes: number[] = [];
  gkm.onAttributeChange((c) => changes.push(c.attribute));
  assert.deepEqual(groupStatus(await byId(GroupsCluster.commands.RemoveGroup, G1)), {
    status: ImStatus.SUCCESS,
    groupId: G1,
  });
  assert.equal(groupStatus(await byId(GroupsCluster.commands.RemoveGroup, G1)).status, ImStatus.NOT_FOUND);
  assert.equal(groupStatus(await byId(GroupsCluster.commands.RemoveGroup, 0)).status, ImStatus.CONSTRAINT_ERROR);
  assert.deepEqual(groupTable(), [{ groupId: G1, endpoints: [2], groupName: "One", fabricIndex: 1 }]);
  assert.deepEqual(changes, [GroupKeyManagementCluster.attributes.GroupTable]);
  // The scenes of the group go with it (as the SDK: also when the endpoint was no longer a member); never for group 0.
  assert.deepEqual(removedScenes, [
    [1, G1],
    [1, G1],
  ]);
  // The last endpoint's removal drops the group from the table.
  assert.equal(groupStatus(await byId(GroupsCluster.commands.RemoveGroup, G1, { inst: ep2 })).status, ImStatus.SUCCESS);
  assert.deepEqual(groupTable(), []);
});

test("RemoveAllGroups: this endpoint leaves every group of the accessing fabric; scenes of those groups and the global scene go", async () => {
  const { add, invoke, groupKeys, groupTable, removedScenes, gkm } = await setup();
  await add(G1);
  await add(G2);
  await groupKeys.addGroup(f1, G2, 2, "");
  await groupKeys.addGroup(f1, G3, 2, "");
  await groupKeys.addGroup(f2, G1, 1, "");
  const changes: number[] = [];
  gkm.onAttributeChange((c) => changes.push(c.attribute));
  assert.equal(statusOf(await invoke(GroupsCluster.commands.RemoveAllGroups, undefined)), ImStatus.SUCCESS);
  assert.deepEqual(
    groupTable().map((g) => [g.fabricIndex, g.groupId, g.endpoints]),
    [
      [1, G2, [2]],
      [1, G3, [2]],
      [2, G1, [1]],
    ],
  );
  assert.deepEqual(removedScenes, [
    [1, G1],
    [1, G2],
    [1, 0],
  ]);
  assert.deepEqual(changes, [GroupKeyManagementCluster.attributes.GroupTable]);
  // Nothing left to remove: SUCCESS, and no GroupTable change.
  assert.equal(statusOf(await invoke(GroupsCluster.commands.RemoveAllGroups, undefined)), ImStatus.SUCCESS);
  assert.deepEqual(changes, [GroupKeyManagementCluster.attributes.GroupTable]);
});

test("AddGroupIfIdentifying: SUCCESS without a change when not identifying; adds (or answers AddGroup's status) while identifying", async () => {
  const { invoke, groupTable, setIdentifying } = await setup();
  const addIf = (groupId: number, groupName = "") =>
    invoke(GroupsCluster.commands.AddGroupIfIdentifying, AddGroupRequest.encodeNode({ groupId, groupName }, ANONYMOUS));
  assert.equal(statusOf(await addIf(G1, "One")), ImStatus.SUCCESS);
  assert.deepEqual(groupTable(), []);
  // Not identifying: even a bad request is ignored with SUCCESS (SDK).
  assert.equal(statusOf(await addIf(0)), ImStatus.SUCCESS);
  setIdentifying(true);
  assert.equal(statusOf(await addIf(G1, "One")), ImStatus.SUCCESS);
  assert.deepEqual(groupTable(), [{ groupId: G1, endpoints: [1], groupName: "One", fabricIndex: 1 }]);
  assert.equal(statusOf(await addIf(0)), ImStatus.CONSTRAINT_ERROR);
  assert.equal(statusOf(await addIf(G2, "x".repeat(17))), ImStatus.CONSTRAINT_ERROR);
  assert.equal(statusOf(await addIf(G5)), ImStatus.UNSUPPORTED_ACCESS);
});

test("privileges: Add/Remove*/AddGroupIfIdentifying need Manage, View/GetGroupMembership Operate; all need a fabric", async () => {
  const { add, byId, membership, invoke, groupTable } = await setup();
  const operate = { access: upTo(Privilege.Operate) };
  assert.equal(statusOf(await add(G1, "", operate)), ImStatus.UNSUPPORTED_ACCESS);
  assert.equal(statusOf(await byId(GroupsCluster.commands.RemoveGroup, G1, operate)), ImStatus.UNSUPPORTED_ACCESS);
  assert.equal(
    statusOf(await invoke(GroupsCluster.commands.RemoveAllGroups, undefined, operate)),
    ImStatus.UNSUPPORTED_ACCESS,
  );
  const addIf = AddGroupRequest.encodeNode({ groupId: G1, groupName: "" }, ANONYMOUS);
  assert.equal(
    statusOf(await invoke(GroupsCluster.commands.AddGroupIfIdentifying, addIf, operate)),
    ImStatus.UNSUPPORTED_ACCESS,
  );
  assert.equal(statusOf(await byId(GroupsCluster.commands.ViewGroup, G1, operate)), "response");
  assert.equal(statusOf(await membership([], operate)), "response");
  const viewOnly = { access: upTo(Privilege.View) };
  assert.equal(statusOf(await byId(GroupsCluster.commands.ViewGroup, G1, viewOnly)), ImStatus.UNSUPPORTED_ACCESS);
  assert.equal(statusOf(await membership([], viewOnly)), ImStatus.UNSUPPORTED_ACCESS);
  assert.equal(statusOf(await add(G1, "", { access: upTo(Privilege.Manage) })), "response");
  // A PASE session before AddNOC has no accessing fabric: fabric-scoped commands are refused.
  assert.equal(statusOf(await membership([], { s: sess(0, "pase") })), ImStatus.UNSUPPORTED_ACCESS);
  assert.equal(groupTable().length, 1);
});

test("robustness: random CommandFields for every command decode into a status or response, never an unexpected error", async () => {
  const { invoke, setIdentifying } = await setup();
  setIdentifying(true);
  const base = encodeTlv(AddGroupRequest.encodeNode({ groupId: G1, groupName: "Kitchen" }, ANONYMOUS));
  await fc.assert(
    fc.asyncProperty(randomOrMutated(base, 48), fc.constantFrom(0, 1, 2, 3, 4, 5), async (bytes, commandId) => {
      const fields = decodeFieldsOrMalformed(bytes);
      if (fields === undefined) return;
      const out = await invoke(commandId, fields);
      assert.ok(out.kind === "response" || out.kind === "status");
      if (out.kind === "status") assert.equal(out.error, undefined, `unexpected error: ${String(out.error)}`);
    }),
    { numRuns: 400 },
  );
});

test("GetGroupMembership Capacity is 0xFE (at least one more) when more than 0xFE groups could still be added", async () => {
  const groupKeys = await GroupKeyStore.open(new MemoryStorage(), { maxGroupsPerFabric: 300 });
  const inst = new ClusterInstance(1, createGroups({ groupKeys, isIdentifying: () => false }).cluster, 100);
  const membership = () =>
    invokeCommand(
      inst,
      GroupsCluster.commands.GetGroupMembership,
      GetGroupMembershipRequest.encodeNode({ groupList: [] }, ANONYMOUS),
      { session: sess(1), timed: false, now: 0 },
      allow,
    );
  assert.deepEqual(members(await membership()), { capacity: CAPACITY_AT_LEAST_ONE, groupList: [] });
  for (let g = 1; g <= 46; g++) await groupKeys.addGroup(f1, g, 2, "");
  assert.deepEqual(members(await membership()), { capacity: 0xfe, groupList: [] }, "254 left");
  await groupKeys.addGroup(f1, 47, 2, "");
  assert.deepEqual(members(await membership()), { capacity: 253, groupList: [] });
});
