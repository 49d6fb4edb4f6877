// Scenes Management wired to the real On/Off (Lighting) and Groups servers of endpoint 1, as the device node wires
// them: the sceneable adapter drives On/Off, On/Off's global-scene hooks and Groups' scene removal call the server.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AddGroupRequest,
  createGroups,
  GroupIdRequest,
  type GroupScenes,
  GroupStatusResponse,
  GroupsCluster,
} from "../../../src/clusters/groups/groups.ts";
import { OffWithEffectRequest } from "../../../src/clusters/on-off/off-with-effect.ts";
import { createOnOff, type OnOffServer } from "../../../src/clusters/on-off/on-off.ts";
import { type GlobalSceneHooks, OnOffCluster } from "../../../src/clusters/on-off/on-off-options.ts";
import { GetSceneMembershipResponse } from "../../../src/clusters/scenes-management/get-scene-membership.ts";
import { createOnOffSceneable } from "../../../src/clusters/scenes-management/on-off-scenes.ts";
import { SceneInfoStruct } from "../../../src/clusters/scenes-management/scene-info-struct.ts";
import { createScenesManagement } from "../../../src/clusters/scenes-management/scenes-management.ts";
import {
  SceneResponse,
  ScenesManagementCluster,
} from "../../../src/clusters/scenes-management/scenes-management-commands.ts";
import type { FabricIndex } from "../../../src/fabric/fabric-index.ts";
import { GroupKeyStore } from "../../../src/fabric/group-keys.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { ClusterInstance, type SessionInfo } from "../../../src/im/data-model.ts";
import { invokeCommand } from "../../../src/im/invoke.ts";
import { MemoryStorage } from "../../../src/storage/memory-storage.ts";
import { ANONYMOUS, type TlvNode } from "../../../src/tlv/tlv-node.ts";
import { tlvArray } from "../../../src/tlv/tlv-schema.ts";
import { allow, enc, read, responseOf, sess } from "./helpers.ts";

const Cmd = ScenesManagementCluster.commands;

async function node() {
  const storage = new MemoryStorage();
  const groupKeys = await GroupKeyStore.open(storage);
  let onOff: OnOffServer | undefined;
  const scenes = await createScenesManagement({
    endpoint: 1,
    storage,
    groupExists: (fi, g, ep) => groupKeys.hasGroupEndpoint(fi as FabricIndex, g, ep),
    fabricIndices: () => [1, 2],
    sceneableClusters: [
      createOnOffSceneable({ onOff: () => onOff?.onOff === true, setOnOff: (v) => onOff?.setOnOff(v) }),
    ],
  });
  // The server is what On/Off and Groups take as their hooks.
  const hooks: GlobalSceneHooks & GroupScenes = scenes;
  onOff = createOnOff({ scenes: hooks, onChange: () => scenes.makeSceneInvalidForAllFabrics() });
  const groups = createGroups({ groupKeys, isIdentifying: () => false, scenes: hooks });
  const instances = {
    scenes: new ClusterInstance(1, scenes.cluster, 0),
    onOff: new ClusterInstance(1, onOff.cluster, 0),
    groups: new ClusterInstance(1, groups.cluster, 0),
  };
  const invoke = (cluster: keyof typeof instances, id: number, fields?: TlvNode, session: SessionInfo = sess(1)) =>
    invokeCommand(instances[cluster], id, fields, { session, timed: false, now: 0 }, allow);
  return { scenes, onOff, instances, invoke, groupKeys };
}

test("OffWithEffect stores the global scene; OnWithRecallGlobalScene recalls it through the On/Off adapter", async () => {
  const n = await node();
  assert.equal((await n.invoke("onOff", OnOffCluster.commands.On)).kind, "status");
  const off = OffWithEffectRequest.encodeNode({ effectIdentifier: 0, effectVariant: 0 }, ANONYMOUS);
  const out = await n.invoke("onOff", OnOffCluster.commands.OffWithEffect, off);
  assert.ok(out.kind === "status" && out.status === ImStatus.SUCCESS);
  assert.equal(n.onOff.onOff, false);
  assert.deepEqual(n.scenes.table.sceneIds(1, 0), [0]);
  // The light went off after the store: the global scene is no longer the current state.
  const [i] = read(n.instances.scenes, ScenesManagementCluster.attributes.FabricSceneInfo, tlvArray(SceneInfoStruct));
  assert.deepEqual([i?.currentScene, i?.sceneValid], [0, false]);
  await n.invoke("onOff", OnOffCluster.commands.OnWithRecallGlobalScene);
  assert.equal(n.onOff.onOff, true);
  const [j] = read(n.instances.scenes, ScenesManagementCluster.attributes.FabricSceneInfo, tlvArray(SceneInfoStruct));
  assert.equal(j?.sceneValid, true);
});

test("OffWithEffect over PASE before AddNOC (fabric index 0) stores nothing", async () => {
  const n = await node();
  await n.invoke("onOff", OnOffCluster.commands.On, undefined, sess(0, "pase"));
  const off = OffWithEffectRequest.encodeNode({ effectIdentifier: 0, effectVariant: 0 }, ANONYMOUS);
  await n.invoke("onOff", OnOffCluster.commands.OffWithEffect, off, sess(0, "pase"));
  assert.deepEqual(n.scenes.table.fabricIndices(), []);
});

test("scenes of a group need the group on the endpoint and go with RemoveGroup / RemoveAllGroups", async () => {
  const n = await node();
  // Groups needs a key set mapped to a group before AddGroup (1.3.7.1).
  const key = new Uint8Array(16).fill(7);
  await n.groupKeys.writeKeySet(1 as FabricIndex, {
    groupKeySetId: 1,
    groupKeySecurityPolicy: 0,
    epochKey0: key,
    epochStartTime0: 1n,
    epochKey1: null,
    epochStartTime1: null,
    epochKey2: null,
    epochStartTime2: null,
  });
  await n.groupKeys.setGroupKeyMap(1 as FabricIndex, [
    { groupId: 5, groupKeySetId: 1 },
    { groupId: 6, groupKeySetId: 1 },
  ]);
  const addScene = async (g: number, s: number) =>
    responseOf(await n.invoke("scenes", Cmd.AddScene, enc.add({ groupId: g, sceneId: s })), Cmd.AddScene, SceneResponse)
      .status;
  assert.equal(await addScene(5, 1), ImStatus.INVALID_COMMAND);
  for (const groupId of [5, 6]) {
    const r = await n.invoke(
      "groups",
      GroupsCluster.commands.AddGroup,
      AddGroupRequest.encodeNode({ groupId, groupName: "" }, ANONYMOUS),
    );
    assert.equal(responseOf(r, GroupsCluster.commands.AddGroup, GroupStatusResponse).status, ImStatus.SUCCESS);
  }
  assert.equal(await addScene(5, 1), ImStatus.SUCCESS);
  assert.equal(await addScene(6, 1), ImStatus.SUCCESS);
  assert.equal(await addScene(0, 1), ImStatus.SUCCESS);
  await n.invoke("groups", GroupsCluster.commands.RemoveGroup, GroupIdRequest.encodeNode({ groupId: 5 }, ANONYMOUS));
  const m = responseOf(
    await n.invoke("scenes", Cmd.GetSceneMembership, enc.group(6)),
    Cmd.GetSceneMembership,
    GetSceneMembershipResponse,
  );
  assert.deepEqual(m.sceneList, [1]);
  assert.deepEqual(n.scenes.table.sceneIds(1, 5), []);
  // RemoveAllGroups drops the remaining groups' scenes and the group-0 scenes (SDK).
  await n.invoke("groups", GroupsCluster.commands.RemoveAllGroups);
  assert.deepEqual(n.scenes.table.fabricIndices(), []);
});
