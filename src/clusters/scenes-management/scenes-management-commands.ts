/**
 * What the Scenes Management commands (Application Cluster spec 1.4.9, Matter 1.4.2 data model XML) share: their ids,
 * access, and the request and response fields several commands use. Fields whose constraint the cluster answers with a
 * status in the response (SceneID max 254, TransitionTime max 60 000 000, SceneName maxLength 16) decode over their
 * whole base type, so that a violation is a response, as in the SDK; each command's own fields are in its file.
 */
import { clusterSpec } from "../../im/data-model.ts";
import { type TlvType, tlvEnum8, tlvField, tlvStruct, tlvUInt8, tlvUInt16 } from "../../tlv/tlv-schema.ts";

/** The Scenes Management cluster (Application Cluster spec 1.4) as the Matter 1.4.2 data model defines it. */
export const ScenesManagementCluster = clusterSpec({
  id: 0x0062,
  name: "ScenesManagement",
  revision: 1,
  // Attribute ids (1.4.8).
  attributes: { LastConfiguredBy: 0x0000, SceneTableSize: 0x0001, FabricSceneInfo: 0x0002 },
  // Command ids (1.4.9); each response command shares the id of its request.
  commands: {
    AddScene: 0x00,
    AddSceneResponse: 0x00,
    ViewScene: 0x01,
    ViewSceneResponse: 0x01,
    RemoveScene: 0x02,
    RemoveSceneResponse: 0x02,
    RemoveAllScenes: 0x03,
    RemoveAllScenesResponse: 0x03,
    StoreScene: 0x04,
    StoreSceneResponse: 0x04,
    RecallScene: 0x05,
    GetSceneMembership: 0x06,
    GetSceneMembershipResponse: 0x06,
    CopyScene: 0x40,
    CopySceneResponse: 0x40,
  },
  events: {},
});

/** ViewScene / RemoveScene / StoreScene { 0 GroupID, 1 SceneID }. */
export const SceneRequest = tlvStruct({
  groupId: tlvField(0, tlvUInt16),
  sceneId: tlvField(1, tlvUInt8),
});
export type SceneRequest = TlvType<typeof SceneRequest>;

/** RemoveAllScenes / GetSceneMembership { 0 GroupID }. */
export const GroupRequest = tlvStruct({ groupId: tlvField(0, tlvUInt16) });
export type GroupRequest = TlvType<typeof GroupRequest>;

/** AddSceneResponse / RemoveSceneResponse / StoreSceneResponse { 0 Status, 1 GroupID, 2 SceneID }. */
export const SceneResponse = tlvStruct({
  status: tlvField(0, tlvEnum8),
  groupId: tlvField(1, tlvUInt16),
  sceneId: tlvField(2, tlvUInt8),
});
export type SceneResponse = TlvType<typeof SceneResponse>;
