import assert from "node:assert/strict";
import { test } from "node:test";
import { CopySceneResponse } from "../../../src/clusters/scenes-management/copy-scene.ts";
import { GetSceneMembershipResponse } from "../../../src/clusters/scenes-management/get-scene-membership.ts";
import { RemoveAllScenesResponse } from "../../../src/clusters/scenes-management/remove-all-scenes.ts";
import { SceneInfoStruct } from "../../../src/clusters/scenes-management/scene-info-struct.ts";
import {
  SceneResponse,
  ScenesManagementCluster,
} from "../../../src/clusters/scenes-management/scenes-management-commands.ts";
import { ViewSceneResponse } from "../../../src/clusters/scenes-management/view-scene.ts";
import { Privilege } from "../../../src/fabric/access-control.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { acceptedCommandList, generatedCommandList } from "../../../src/im/attribute-read.ts";
import {
  tlvAny,
  tlvArray,
  tlvField,
  tlvNullable,
  tlvStruct,
  tlvUInt8,
  tlvUInt16,
  tlvUInt64,
} from "../../../src/tlv/tlv-schema.ts";
import { enc, type Fixture, onOffSet, read, responseOf, sess, setup, statusOf } from "./helpers.ts";

const Cmd = ScenesManagementCluster.commands;
const Attr = ScenesManagementCluster.attributes;

const add = async (f: Fixture, r: Parameters<typeof enc.add>[0], session = sess(1)) =>
  responseOf(await f.invoke(Cmd.AddScene, enc.add(r), session), Cmd.AddScene, SceneResponse).status;
const view = async (f: Fixture, g: number, s: number, session = sess(1)) =>
  responseOf(await f.invoke(Cmd.ViewScene, enc.scene(g, s), session), Cmd.ViewScene, ViewSceneResponse);
const store = async (f: Fixture, g: number, s: number, session = sess(1)) =>
  responseOf(await f.invoke(Cmd.StoreScene, enc.scene(g, s), session), Cmd.StoreScene, SceneResponse).status;
const recall = async (f: Fixture, g: number, s: number, t?: number | null, session = sess(1)) =>
  statusOf(await f.invoke(Cmd.RecallScene, enc.recall(g, s, t), session));
const membership = async (f: Fixture, g: number, session = sess(1)) =>
  responseOf(
    await f.invoke(Cmd.GetSceneMembership, enc.group(g), session),
    Cmd.GetSceneMembership,
    GetSceneMembershipResponse,
  );
const copy = async (f: Fixture, mode: number, gf: number, sf: number, gt: number, st: number) =>
  responseOf(await f.invoke(Cmd.CopyScene, enc.copy(mode, gf, sf, gt, st)), Cmd.CopyScene, CopySceneResponse);
const info = (f: Fixture, session = sess(1)) => read(f.inst, Attr.FabricSceneInfo, tlvArray(SceneInfoStruct), session);
/** SceneInfoStruct without its fabric-sensitive fields, as an unfiltered read shows other fabrics' entries. */
const PublicSceneInfo = tlvStruct({
  sceneCount: tlvField(0, tlvUInt8),
  remainingCapacity: tlvField(4, tlvUInt8),
  fabricIndex: tlvField(0xfe, tlvUInt8),
});
const allInfo = (f: Fixture, session = sess(1)) =>
  read(f.inst, Attr.FabricSceneInfo, tlvArray(PublicSceneInfo), session, false);

test("cluster shape: id, revision, SceneNames feature, commands, privileges, fabric scoping", async () => {
  const f = await setup();
  const c = f.server.cluster;
  assert.equal(c.id, ScenesManagementCluster.id);
  assert.equal(c.revision, 1);
  assert.equal(c.featureMap, 1);
  assert.deepEqual(acceptedCommandList(f.inst), [0, 1, 2, 3, 4, 5, 6, 0x40]);
  assert.deepEqual(generatedCommandList(f.inst), [0, 1, 2, 3, 4, 6, 0x40]);
  const priv = Object.fromEntries(c.commands.map((x) => [x.name, x.invokePrivilege]));
  assert.deepEqual(priv, {
    AddScene: Privilege.Manage,
    ViewScene: Privilege.Operate,
    RemoveScene: Privilege.Manage,
    RemoveAllScenes: Privilege.Manage,
    StoreScene: Privilege.Manage,
    RecallScene: Privilege.Operate,
    GetSceneMembership: Privilege.Operate,
    CopyScene: Privilege.Manage,
  });
  assert.ok(c.commands.every((x) => x.fabricScoped && !x.timed));
  // Fabric-scoped commands over a session without a fabric → UNSUPPORTED_ACCESS (the dispatcher's rule).
  assert.equal(statusOf(await f.invoke(Cmd.ViewScene, enc.scene(0, 1), sess(0, "pase"))), ImStatus.UNSUPPORTED_ACCESS);
  assert.equal(read(f.inst, Attr.SceneTableSize, tlvUInt16), 16);
  assert.equal(read(f.inst, Attr.LastConfiguredBy, tlvNullable(tlvUInt64)), null);
  assert.deepEqual(info(f), []);
});

test("AddScene then ViewScene returns name, transition time and the OnOff extension field set", async () => {
  const f = await setup();
  assert.equal(await add(f, { groupId: 1, sceneId: 3, sceneName: "Evening", transitionTime: 1500 }), ImStatus.SUCCESS);
  const v = await view(f, 1, 3);
  assert.deepEqual(v, {
    status: ImStatus.SUCCESS,
    groupId: 1,
    sceneId: 3,
    transitionTime: 1500,
    sceneName: "Evening",
    extensionFieldSetStructs: [onOffSet(1)],
  });
  assert.equal(read(f.inst, Attr.LastConfiguredBy, tlvNullable(tlvUInt64)), 0x1001n);
  const [i] = info(f);
  // CurrentScene is 0xFF, the undefined scene identifier, until a scene is stored or recalled.
  assert.deepEqual(i, {
    sceneCount: 1,
    currentScene: 0xff,
    currentGroup: 0,
    sceneValid: false,
    remainingCapacity: 6,
    fabricIndex: 1,
  });
  // Replacing a scene keeps the count.
  assert.equal(await add(f, { groupId: 1, sceneId: 3, sceneName: "Night" }), ImStatus.SUCCESS);
  assert.equal((await view(f, 1, 3)).sceneName, "Night");
  assert.equal(info(f)[0]?.sceneCount, 1);
});

test("AddScene constraints: name > 16 bytes, TransitionTime > 60 000 000 ms, SceneID 0xFF → CONSTRAINT_ERROR", async () => {
  const f = await setup();
  assert.equal(await add(f, { groupId: 0, sceneId: 1, sceneName: "x".repeat(17) }), ImStatus.CONSTRAINT_ERROR);
  // 16 bytes but 8 characters: the limit counts bytes.
  assert.equal(await add(f, { groupId: 0, sceneId: 1, sceneName: "é".repeat(9) }), ImStatus.CONSTRAINT_ERROR);
  assert.equal(await add(f, { groupId: 0, sceneId: 1, transitionTime: 60_000_001 }), ImStatus.CONSTRAINT_ERROR);
  assert.equal(await add(f, { groupId: 0, sceneId: 0xff }), ImStatus.CONSTRAINT_ERROR);
  assert.equal(f.server.table.sceneCount(1), 0);
  assert.equal(
    await add(f, { groupId: 0, sceneId: 254, sceneName: "é".repeat(8), transitionTime: 60_000_000 }),
    ImStatus.SUCCESS,
  );
  // The response echoes GroupID and SceneID whatever the status.
  const out = responseOf(
    await f.invoke(Cmd.AddScene, enc.add({ groupId: 7, sceneId: 0xff })),
    Cmd.AddScene,
    SceneResponse,
  );
  assert.deepEqual(out, { status: ImStatus.CONSTRAINT_ERROR, groupId: 7, sceneId: 0xff });
});

test("a non-zero group not in the fabric's group table for the endpoint → INVALID_COMMAND in every command", async () => {
  const f = await setup();
  // Group 2 exists on fabric 1 only; fabric 2 asking for it is refused.
  const s2 = sess(2);
  assert.equal(await add(f, { groupId: 2, sceneId: 1 }, s2), ImStatus.INVALID_COMMAND);
  assert.equal((await view(f, 2, 1, s2)).status, ImStatus.INVALID_COMMAND);
  const rm = responseOf(await f.invoke(Cmd.RemoveScene, enc.scene(2, 1), s2), Cmd.RemoveScene, SceneResponse);
  assert.equal(rm.status, ImStatus.INVALID_COMMAND);
  const ra = responseOf(
    await f.invoke(Cmd.RemoveAllScenes, enc.group(2), s2),
    Cmd.RemoveAllScenes,
    RemoveAllScenesResponse,
  );
  assert.deepEqual(ra, { status: ImStatus.INVALID_COMMAND, groupId: 2 });
  assert.equal(await store(f, 2, 1, s2), ImStatus.INVALID_COMMAND);
  assert.equal(await recall(f, 2, 1, undefined, s2), ImStatus.INVALID_COMMAND);
  assert.deepEqual(await membership(f, 2, s2), { status: ImStatus.INVALID_COMMAND, capacity: null, groupId: 2 });
  assert.equal((await copy(f, 0, 1, 1, 9, 1)).status, ImStatus.INVALID_COMMAND);
  assert.equal((await copy(f, 0, 9, 1, 1, 1)).status, ImStatus.INVALID_COMMAND);
  assert.equal(f.server.table.fabricIndices().length, 0);
  // The same group on its own fabric, and group 0, are accepted.
  assert.equal(await add(f, { groupId: 2, sceneId: 1 }), ImStatus.SUCCESS);
  assert.equal(await add(f, { groupId: 0, sceneId: 1 }, s2), ImStatus.SUCCESS);
});

test("AddScene extension field sets: unknown cluster ignored, unknown attribute INVALID_COMMAND, wrong field FAILURE, value capped", async () => {
  const f = await setup();
  const sets = (...x: object[]) => ({ groupId: 0, sceneId: 1, extensionFieldSetStructs: x as never });
  // A cluster without a scene handler on the endpoint (Level Control 0x0008) is dropped silently (SDK).
  assert.equal(
    await add(f, sets({ clusterId: 8, attributeValueList: [{ attributeId: 0, valueUnsigned8: 9 }] }, onOffSet(0))),
    ImStatus.SUCCESS,
  );
  assert.deepEqual((await view(f, 0, 1)).extensionFieldSetStructs, [onOffSet(0)]);
  // An attribute that is not a scene attribute of On/Off → INVALID_COMMAND (SDK UnsupportedAttribute mapping).
  assert.equal(
    await add(f, sets({ clusterId: 6, attributeValueList: [{ attributeId: 0x4000, valueUnsigned16: 1 }] })),
    ImStatus.INVALID_COMMAND,
  );
  // The value field must be the one of the attribute's type (bool → ValueUnsigned8), and only one → FAILURE (SDK).
  assert.equal(
    await add(f, sets({ clusterId: 6, attributeValueList: [{ attributeId: 0, valueUnsigned16: 1 }] })),
    ImStatus.FAILURE,
  );
  assert.equal(
    await add(f, sets({ clusterId: 6, attributeValueList: [{ attributeId: 0, valueUnsigned8: 1, valueSigned8: 1 }] })),
    ImStatus.FAILURE,
  );
  assert.equal(await add(f, sets({ clusterId: 6, attributeValueList: [{ attributeId: 0 }] })), ImStatus.FAILURE);
  // A bool out of range is capped to 1 (SDK CapAttributeValue<uint8_t, bool>).
  assert.equal(await add(f, { groupId: 0, sceneId: 2, extensionFieldSetStructs: [onOffSet(200)] }), ImStatus.SUCCESS);
  assert.deepEqual((await view(f, 0, 2)).extensionFieldSetStructs, [onOffSet(1)]);
  // A second set for the same cluster replaces the first.
  assert.equal(await add(f, sets(onOffSet(1), onOffSet(0))), ImStatus.SUCCESS);
  assert.deepEqual((await view(f, 0, 1)).extensionFieldSetStructs, [onOffSet(0)]);
  // A malformed field set is a decode failure: INVALID_COMMAND as an IM status, no response.
  const bad = { tag: { form: "anonymous" }, type: "struct", elements: [] } as const;
  assert.equal(statusOf(await f.invoke(Cmd.AddScene, bad as never)), ImStatus.INVALID_COMMAND);
});

test("capacity: (SceneTableSize - 1) / 2 per fabric, the table shared; RESOURCE_EXHAUSTED when full", async () => {
  const f = await setup();
  for (let s = 1; s <= 7; s++) assert.equal(await add(f, { groupId: 0, sceneId: s }), ImStatus.SUCCESS);
  assert.equal(info(f)[0]?.remainingCapacity, 0);
  assert.equal(await add(f, { groupId: 0, sceneId: 8 }), ImStatus.RESOURCE_EXHAUSTED);
  // SDK: with no capacity left even replacing an existing scene is refused.
  assert.equal(await add(f, { groupId: 0, sceneId: 7 }), ImStatus.RESOURCE_EXHAUSTED);
  assert.equal(await store(f, 0, 8), ImStatus.RESOURCE_EXHAUSTED);
  // Storing over an existing scene needs no new row.
  assert.equal(await store(f, 0, 7), ImStatus.SUCCESS);
  assert.equal((await membership(f, 0)).capacity, 0);
  for (let s = 1; s <= 7; s++) assert.equal(await add(f, { groupId: 0, sceneId: s }, sess(2)), ImStatus.SUCCESS);
  // Fabric 3: 16 - 14 = 2 rows left in the endpoint table, fewer than its share of 7.
  assert.equal((await membership(f, 0, sess(3))).capacity, 2);
  assert.equal(await add(f, { groupId: 0, sceneId: 1 }, sess(3)), ImStatus.SUCCESS);
  assert.equal(await add(f, { groupId: 0, sceneId: 2 }, sess(3)), ImStatus.SUCCESS);
  assert.equal(await add(f, { groupId: 0, sceneId: 3 }, sess(3)), ImStatus.RESOURCE_EXHAUSTED);
  assert.deepEqual(
    allInfo(f).map((i) => [i.fabricIndex, i.sceneCount, i.remainingCapacity]),
    [
      [1, 7, 0],
      [2, 7, 0],
      [3, 2, 0],
    ],
  );
  // Removing a scene of fabric 1 frees a row for fabric 1 and, through the table, for fabric 3.
  const rm = responseOf(await f.invoke(Cmd.RemoveScene, enc.scene(0, 1)), Cmd.RemoveScene, SceneResponse);
  assert.equal(rm.status, ImStatus.SUCCESS);
  assert.equal((await membership(f, 0)).capacity, 1);
  assert.equal((await membership(f, 0, sess(3))).capacity, 1);
});

test("a larger SceneTableSize gives each fabric (size - 1) / 2 rows", async () => {
  const f = await setup({ sceneTableSize: 32 });
  assert.equal(read(f.inst, Attr.SceneTableSize, tlvUInt16), 32);
  assert.equal((await membership(f, 0)).capacity, 15);
  await assert.rejects(setup({ sceneTableSize: 15 }), RangeError);
});

test("ViewScene / RemoveScene / RecallScene: unknown scene → NOT_FOUND, SceneID 0xFF → CONSTRAINT_ERROR", async () => {
  const f = await setup();
  assert.equal((await view(f, 0, 4)).status, ImStatus.NOT_FOUND);
  assert.deepEqual(await view(f, 0, 0xff), { status: ImStatus.CONSTRAINT_ERROR, groupId: 0, sceneId: 0xff });
  const rm = (g: number, s: number) => f.invoke(Cmd.RemoveScene, enc.scene(g, s));
  assert.equal(responseOf(await rm(0, 4), Cmd.RemoveScene, SceneResponse).status, ImStatus.NOT_FOUND);
  assert.equal(responseOf(await rm(0, 0xff), Cmd.RemoveScene, SceneResponse).status, ImStatus.CONSTRAINT_ERROR);
  assert.equal(await store(f, 0, 0xff), ImStatus.CONSTRAINT_ERROR);
  assert.equal(await recall(f, 0, 4), ImStatus.NOT_FOUND);
  assert.equal(await recall(f, 0, 0xff), ImStatus.CONSTRAINT_ERROR);
  assert.equal(await add(f, { groupId: 0, sceneId: 4 }), ImStatus.SUCCESS);
  // RecallScene's TransitionTime has the same 60 000 000 ms maximum.
  assert.equal(await recall(f, 0, 4, 60_000_001), ImStatus.CONSTRAINT_ERROR);
  assert.equal(await recall(f, 0, 4, 60_000_000), ImStatus.SUCCESS);
  assert.equal(responseOf(await rm(0, 4), Cmd.RemoveScene, SceneResponse).status, ImStatus.SUCCESS);
  assert.equal((await view(f, 0, 4)).status, ImStatus.NOT_FOUND);
});

test("RemoveAllScenes removes only the group's scenes of the accessing fabric", async () => {
  const f = await setup();
  await add(f, { groupId: 1, sceneId: 1 });
  await add(f, { groupId: 1, sceneId: 2 });
  await add(f, { groupId: 2, sceneId: 1 });
  await add(f, { groupId: 1, sceneId: 1 }, sess(2));
  const out = responseOf(
    await f.invoke(Cmd.RemoveAllScenes, enc.group(1)),
    Cmd.RemoveAllScenes,
    RemoveAllScenesResponse,
  );
  assert.deepEqual(out, { status: ImStatus.SUCCESS, groupId: 1 });
  assert.deepEqual((await membership(f, 1)).sceneList, []);
  assert.deepEqual((await membership(f, 2)).sceneList, [1]);
  assert.deepEqual((await membership(f, 1, sess(2))).sceneList, [1]);
  // An empty group is still SUCCESS.
  const again = responseOf(
    await f.invoke(Cmd.RemoveAllScenes, enc.group(1)),
    Cmd.RemoveAllScenes,
    RemoveAllScenesResponse,
  );
  assert.equal(again.status, ImStatus.SUCCESS);
});

test("GetSceneMembership lists the group's scene ids and the remaining capacity", async () => {
  const f = await setup();
  await add(f, { groupId: 1, sceneId: 5 });
  await add(f, { groupId: 1, sceneId: 2 });
  await add(f, { groupId: 0, sceneId: 9 });
  assert.deepEqual(await membership(f, 1), { status: ImStatus.SUCCESS, capacity: 4, groupId: 1, sceneList: [5, 2] });
  assert.deepEqual(await membership(f, 0), { status: ImStatus.SUCCESS, capacity: 4, groupId: 0, sceneList: [9] });
});

test("StoreScene and RecallScene round trip through the On/Off light; FabricSceneInfo tracks the current scene", async () => {
  const f = await setup();
  f.light.onOff = true;
  assert.equal(await store(f, 1, 1), ImStatus.SUCCESS);
  assert.deepEqual(info(f)[0], {
    sceneCount: 1,
    currentScene: 1,
    currentGroup: 1,
    sceneValid: true,
    remainingCapacity: 6,
    fabricIndex: 1,
  });
  // A new stored scene has an empty name and no transition time.
  const v = await view(f, 1, 1);
  assert.equal(v.sceneName, "");
  assert.equal(v.transitionTime, 0);
  assert.deepEqual(v.extensionFieldSetStructs, [onOffSet(1)]);
  f.light.onOff = false;
  f.server.makeSceneInvalidForAllFabrics();
  assert.equal(info(f)[0]?.sceneValid, false);
  assert.equal(await recall(f, 1, 1), ImStatus.SUCCESS);
  assert.equal(f.light.onOff, true);
  assert.equal(info(f)[0]?.sceneValid, true);
  // StoreScene over an AddScene'd scene keeps its name and transition time and captures the state.
  await add(f, { groupId: 0, sceneId: 2, sceneName: "Dim", transitionTime: 700, extensionFieldSetStructs: [] });
  f.light.onOff = false;
  assert.equal(await store(f, 0, 2), ImStatus.SUCCESS);
  const v2 = await view(f, 0, 2);
  assert.deepEqual([v2.sceneName, v2.transitionTime, v2.extensionFieldSetStructs], ["Dim", 700, [onOffSet(0)]]);
  f.light.onOff = true;
  f.light.transitions.length = 0;
  assert.equal(await recall(f, 0, 2), ImStatus.SUCCESS);
  assert.equal(await recall(f, 0, 2, null), ImStatus.SUCCESS);
  assert.equal(await recall(f, 0, 2, 250), ImStatus.SUCCESS);
  // The scene's own time, null = the scene's own time, then the request's.
  assert.deepEqual(f.light.transitions, [700, 700, 250]);
  assert.equal(f.light.onOff, false);
  assert.deepEqual([info(f)[0]?.currentGroup, info(f)[0]?.currentScene], [0, 2]);
});

test("SceneValid: a recall invalidates other fabrics; removing the current scene or its group invalidates it", async () => {
  const f = await setup();
  await store(f, 1, 1);
  await store(f, 0, 1, sess(2));
  assert.deepEqual(
    allInfo(f).map((i) => i.fabricIndex),
    [1, 2],
  );
  assert.equal(info(f, sess(2))[0]?.sceneValid, true);
  assert.equal(await recall(f, 1, 1), ImStatus.SUCCESS);
  assert.equal(info(f, sess(2))[0]?.sceneValid, false);
  assert.equal(info(f)[0]?.sceneValid, true);
  // A failed recall still invalidates (SDK order), here for fabric 1 too.
  assert.equal(await recall(f, 1, 9), ImStatus.NOT_FOUND);
  assert.equal(info(f)[0]?.sceneValid, false);
  await recall(f, 1, 1);
  await f.invoke(Cmd.RemoveScene, enc.scene(1, 1));
  assert.equal(info(f)[0]?.sceneValid, false);
  await store(f, 1, 2);
  await f.invoke(Cmd.RemoveAllScenes, enc.group(1));
  assert.equal(info(f)[0]?.sceneValid, false);
  await store(f, 1, 3);
  await f.server.removeGroupScenes(1, 1);
  assert.deepEqual([info(f)[0]?.sceneValid, info(f)[0]?.sceneCount], [false, 0]);
});

test("CopyScene: one scene, all scenes of a group, NOT_FOUND, 0xFF and a full table", async () => {
  const f = await setup();
  await add(f, { groupId: 1, sceneId: 1, sceneName: "A", transitionTime: 10 });
  await add(f, { groupId: 1, sceneId: 2, sceneName: "B" });
  assert.deepEqual(await copy(f, 0, 1, 1, 2, 9), {
    status: ImStatus.SUCCESS,
    groupIdentifierFrom: 1,
    sceneIdentifierFrom: 1,
  });
  const v = await view(f, 2, 9);
  assert.deepEqual([v.sceneName, v.transitionTime], ["A", 10]);
  assert.equal((await copy(f, 1, 1, 0, 0, 0)).status, ImStatus.SUCCESS);
  assert.deepEqual((await membership(f, 0)).sceneList, [1, 2]);
  assert.equal((await copy(f, 0, 1, 7, 2, 7)).status, ImStatus.NOT_FOUND);
  // SDK: a scene identifier of 0xFF → RESOURCE_EXHAUSTED.
  assert.equal((await copy(f, 0, 1, 0xff, 2, 1)).status, ImStatus.RESOURCE_EXHAUSTED);
  assert.equal((await copy(f, 0, 1, 1, 2, 0xff)).status, ImStatus.RESOURCE_EXHAUSTED);
  // 5 scenes now; fill to 7 and copy-all a group of 2 into a third group: the table fills after none fit.
  await add(f, { groupId: 0, sceneId: 3 });
  await add(f, { groupId: 0, sceneId: 4 });
  assert.equal((await copy(f, 1, 1, 0, 2, 0)).status, ImStatus.RESOURCE_EXHAUSTED);
  await f.invoke(Cmd.RemoveScene, enc.scene(0, 4));
  // One row free: the first copy lands, the second does not.
  assert.equal((await copy(f, 1, 1, 0, 2, 0)).status, ImStatus.RESOURCE_EXHAUSTED);
  assert.deepEqual((await membership(f, 2)).sceneList, [9, 1]);
});

test("CopyScene of a whole group is one table write; copies kept when the table fills are written too, an empty copy is none", async () => {
  const f = await setup();
  for (const sceneId of [1, 2, 3]) await add(f, { groupId: 1, sceneId });
  const before = f.storage.writes;
  assert.equal((await copy(f, 1, 1, 0, 2, 0)).status, ImStatus.SUCCESS);
  assert.equal(f.storage.writes, before + 1);
  // Copying an empty group copies nothing and writes nothing.
  assert.equal((await copy(f, 1, 0, 0, 2, 0)).status, ImStatus.SUCCESS);
  assert.equal(f.storage.writes, before + 1);
  // 6 of 7 rows used: copying the group again into group 0 fits one copy, answers RESOURCE_EXHAUSTED, keeps it.
  assert.equal((await copy(f, 1, 1, 0, 0, 0)).status, ImStatus.RESOURCE_EXHAUSTED);
  assert.equal(f.storage.writes, before + 2);
  const again = await setup({ storage: f.storage });
  assert.deepEqual(again.server.table.sceneIds(1, 0), [1]);
});

test("fabric isolation: fabric 2 never sees fabric 1's scenes or current scene", async () => {
  const f = await setup();
  await add(f, { groupId: 1, sceneId: 1, sceneName: "Private" });
  await store(f, 1, 1);
  const s2 = sess(2);
  // Group 1 of fabric 2 is another group than group 1 of fabric 1: it holds no scene.
  assert.equal((await view(f, 1, 1, s2)).status, ImStatus.NOT_FOUND);
  assert.equal((await view(f, 0, 1, s2)).status, ImStatus.NOT_FOUND);
  assert.deepEqual((await membership(f, 1, s2)).sceneList, []);
  // Fabric-filtered read: fabric 2 has no entry; unfiltered: fabric 1's entry without its fabric-sensitive fields.
  assert.deepEqual(info(f, s2), []);
  const r = read(f.inst, Attr.FabricSceneInfo, tlvArray(tlvAny), s2, false);
  assert.equal(r.length, 1);
  const entry = r[0];
  assert.ok(entry?.type === "struct");
  assert.deepEqual(
    entry.elements.map((e) => (e.tag.form === "context" ? e.tag.id : -1)),
    [0, 4, 0xfe],
  );
  // A (failed) recall on fabric 2 gives it its own entry (SDK: SceneValid false for all fabrics), nothing of fabric 1.
  assert.equal(await recall(f, 0, 1, undefined, s2), ImStatus.NOT_FOUND);
  assert.deepEqual(
    info(f, s2).map((i) => [i.fabricIndex, i.sceneCount, i.currentGroup, i.currentScene]),
    [[2, 0, 0, 0xff]],
  );
  // Fabric 2's own scenes do not show up for fabric 1.
  await add(f, { groupId: 0, sceneId: 1 }, s2);
  assert.deepEqual((await membership(f, 0)).sceneList, []);
  assert.equal(info(f)[0]?.sceneCount, 1);
});

test("removeFabric drops the fabric's scenes and SceneInfoStruct and persists", async () => {
  const f = await setup();
  await add(f, { groupId: 1, sceneId: 1 });
  await add(f, { groupId: 0, sceneId: 1 }, sess(2));
  await f.server.removeFabric(1);
  assert.deepEqual(
    allInfo(f, sess(2)).map((i) => i.fabricIndex),
    [2],
  );
  assert.equal(f.server.table.sceneCount(1), 0);
  const reopened = await setup({ storage: f.storage });
  assert.equal(reopened.server.table.sceneCount(1), 0);
  assert.equal(reopened.server.table.sceneCount(2), 1);
});

test("pruneFabrics drops the scenes of fabrics outside the kept set, persisted, and names them", async () => {
  const f = await setup();
  await add(f, { groupId: 0, sceneId: 1 });
  await add(f, { groupId: 0, sceneId: 2 }, sess(2));
  assert.deepEqual(await f.server.pruneFabrics(new Set([2])), [1]);
  assert.equal(f.server.table.sceneCount(1), 0);
  assert.equal(f.server.table.sceneCount(2), 1);
  assert.deepEqual(await f.server.pruneFabrics(new Set([2])), []);
  const reopened = await setup({ storage: f.storage });
  assert.deepEqual(reopened.server.table.fabricIndices(), [2]);
});

test("global scene: storeGlobalScene / recallGlobalScene use group 0, scene 0 of the fabric", async () => {
  const f = await setup();
  assert.equal(await f.server.recallGlobalScene(1), ImStatus.NOT_FOUND);
  f.light.onOff = true;
  assert.equal(await f.server.storeGlobalScene(1), ImStatus.SUCCESS);
  assert.deepEqual((await view(f, 0, 0)).extensionFieldSetStructs, [onOffSet(1)]);
  f.light.onOff = false;
  assert.equal(await f.server.recallGlobalScene(1), ImStatus.SUCCESS);
  assert.equal(f.light.onOff, true);
  assert.equal(await f.server.recallGlobalScene(2), ImStatus.NOT_FOUND);
});

test("the hook entry points take effect before they return (On/Off and Groups call them synchronously)", async () => {
  const f = await setup();
  f.light.onOff = true;
  // OffWithEffect: store the global scene, then turn off, which makes every scene invalid (SDK order).
  const stored = f.server.storeGlobalScene(1);
  assert.deepEqual(f.server.table.sceneIds(1, 0), [0]);
  f.light.onOff = false;
  f.server.makeSceneInvalidForAllFabrics();
  assert.equal(await stored, ImStatus.SUCCESS);
  assert.deepEqual([info(f)[0]?.currentScene, info(f)[0]?.sceneValid], [0, false]);
  // OnWithRecallGlobalScene: the light is on when the call returns.
  void f.server.recallGlobalScene(1);
  assert.equal(f.light.onOff, true);
  // RemoveAllGroups: the global scene (group 0) is gone when the call returns.
  const removed = f.server.removeGroupScenes(1, 0);
  assert.deepEqual(f.server.table.sceneIds(1, 0), []);
  await removed;
  assert.equal(f.errors.length, 0);
});

test("a scene-capable cluster that throws: commands answer FAILURE, the global-scene hooks report to onError", async () => {
  const f = await setup();
  await f.server.storeGlobalScene(1);
  const broken = new Error("broken light");
  f.light.sceneable.capture = () => {
    throw broken;
  };
  f.light.sceneable.apply = () => {
    throw broken;
  };
  assert.equal(await f.server.storeGlobalScene(1), ImStatus.FAILURE);
  assert.equal(await f.server.recallGlobalScene(1), ImStatus.FAILURE);
  assert.deepEqual(f.errors, [broken, broken]);
  const out = await f.invoke(Cmd.StoreScene, enc.scene(0, 1));
  assert.ok(out.kind === "status" && out.status === ImStatus.FAILURE && out.error === broken);
  assert.equal(await f.server.storeGlobalScene(0), ImStatus.UNSUPPORTED_ACCESS);
});

test("LastConfiguredBy: the CASE node that changed the table last; null over PASE", async () => {
  const f = await setup();
  await add(f, { groupId: 0, sceneId: 1 }, sess(2));
  assert.equal(read(f.inst, Attr.LastConfiguredBy, tlvNullable(tlvUInt64)), 0x1002n);
  await store(f, 0, 2);
  assert.equal(read(f.inst, Attr.LastConfiguredBy, tlvNullable(tlvUInt64)), 0x1001n);
  // A refused command changes nothing.
  await add(f, { groupId: 0, sceneId: 0xff }, sess(3));
  assert.equal(read(f.inst, Attr.LastConfiguredBy, tlvNullable(tlvUInt64)), 0x1001n);
  await add(f, { groupId: 0, sceneId: 1 }, { ...sess(3), kind: "pase" });
  assert.equal(read(f.inst, Attr.LastConfiguredBy, tlvNullable(tlvUInt64)), null);
});

test("attribute changes bump the data version", async () => {
  const f = await setup();
  const v0 = f.inst.dataVersion;
  await add(f, { groupId: 0, sceneId: 1 });
  assert.ok(f.inst.dataVersion !== v0);
  const v1 = f.inst.dataVersion;
  // A read changes nothing.
  info(f);
  assert.equal(f.inst.dataVersion, v1);
});
