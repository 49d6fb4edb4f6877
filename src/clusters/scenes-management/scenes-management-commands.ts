/**
 * Command fields of the Scenes Management cluster (Application Cluster spec 1.4.9, Matter 1.4.2 data model XML).
 * Fields whose constraint the cluster answers with a status in the response (SceneID max 254, TransitionTime max
 * 60 000 000, SceneName maxLength 16) decode over their whole base type, so that a violation is a response, as in the SDK.
 */
import {
  type TlvType,
  tlvArray,
  tlvBitmap8,
  tlvEnum8,
  tlvField,
  tlvNullable,
  tlvOptionalField,
  tlvString,
  tlvStruct,
  tlvUInt8,
  tlvUInt16,
  tlvUInt32,
} from "../../tlv/tlv-schema.ts";
import { ExtensionFieldSetStruct } from "./extension-field-set.ts";
import { MAX_SCENE_NAME_BYTES } from "./scene-table.ts";

/** Command ids (1.4.9); each response command shares the id of its request. */
export const ScenesManagementCommand = {
  AddScene: 0x00,
  ViewScene: 0x01,
  RemoveScene: 0x02,
  RemoveAllScenes: 0x03,
  StoreScene: 0x04,
  RecallScene: 0x05,
  GetSceneMembership: 0x06,
  CopyScene: 0x40,
} as const;

/** CopyModeBitmap (1.4.7.1). */
export const CopyModeBitmap = { CopyAllScenes: 0x01 } as const;

/** AddScene { 0 GroupID, 1 SceneID, 2 TransitionTime ms, 3 SceneName, 4 ExtensionFieldSetStructs }. */
export const AddSceneRequest = tlvStruct({
  groupId: tlvField(0, tlvUInt16),
  sceneId: tlvField(1, tlvUInt8),
  transitionTime: tlvField(2, tlvUInt32),
  sceneName: tlvField(3, tlvString()),
  extensionFieldSetStructs: tlvField(4, tlvArray(ExtensionFieldSetStruct)),
});
export type AddSceneRequest = TlvType<typeof AddSceneRequest>;

/** ViewScene / RemoveScene / StoreScene { 0 GroupID, 1 SceneID }. */
export const SceneRequest = tlvStruct({
  groupId: tlvField(0, tlvUInt16),
  sceneId: tlvField(1, tlvUInt8),
});
export type SceneRequest = TlvType<typeof SceneRequest>;

/** RemoveAllScenes / GetSceneMembership { 0 GroupID }. */
export const GroupRequest = tlvStruct({ groupId: tlvField(0, tlvUInt16) });
export type GroupRequest = TlvType<typeof GroupRequest>;

/** RecallScene { 0 GroupID, 1 SceneID, 2 TransitionTime nullable optional ms }. */
export const RecallSceneRequest = tlvStruct({
  groupId: tlvField(0, tlvUInt16),
  sceneId: tlvField(1, tlvUInt8),
  transitionTime: tlvOptionalField(2, tlvNullable(tlvUInt32)),
});
export type RecallSceneRequest = TlvType<typeof RecallSceneRequest>;

/** CopyScene { 0 Mode, 1 GroupIdentifierFrom, 2 SceneIdentifierFrom, 3 GroupIdentifierTo, 4 SceneIdentifierTo }. */
export const CopySceneRequest = tlvStruct({
  mode: tlvField(0, tlvBitmap8),
  groupIdentifierFrom: tlvField(1, tlvUInt16),
  sceneIdentifierFrom: tlvField(2, tlvUInt8),
  groupIdentifierTo: tlvField(3, tlvUInt16),
  sceneIdentifierTo: tlvField(4, tlvUInt8),
});
export type CopySceneRequest = TlvType<typeof CopySceneRequest>;

/** AddSceneResponse / RemoveSceneResponse / StoreSceneResponse { 0 Status, 1 GroupID, 2 SceneID }. */
export const SceneResponse = tlvStruct({
  status: tlvField(0, tlvEnum8),
  groupId: tlvField(1, tlvUInt16),
  sceneId: tlvField(2, tlvUInt8),
});
export type SceneResponse = TlvType<typeof SceneResponse>;

/** ViewSceneResponse { 0 Status, 1 GroupID, 2 SceneID, 3 TransitionTime?, 4 SceneName?, 5 ExtensionFieldSetStructs? }. */
export const ViewSceneResponse = tlvStruct({
  status: tlvField(0, tlvEnum8),
  groupId: tlvField(1, tlvUInt16),
  sceneId: tlvField(2, tlvUInt8),
  transitionTime: tlvOptionalField(3, tlvUInt32),
  sceneName: tlvOptionalField(4, tlvString({ maxLength: MAX_SCENE_NAME_BYTES })),
  extensionFieldSetStructs: tlvOptionalField(5, tlvArray(ExtensionFieldSetStruct)),
});
export type ViewSceneResponse = TlvType<typeof ViewSceneResponse>;

/** RemoveAllScenesResponse { 0 Status, 1 GroupID }. */
export const RemoveAllScenesResponse = tlvStruct({
  status: tlvField(0, tlvEnum8),
  groupId: tlvField(1, tlvUInt16),
});
export type RemoveAllScenesResponse = TlvType<typeof RemoveAllScenesResponse>;

/** GetSceneMembershipResponse { 0 Status, 1 Capacity nullable uint8, 2 GroupID, 3 SceneList? list[uint8] }. */
export const GetSceneMembershipResponse = tlvStruct({
  status: tlvField(0, tlvEnum8),
  capacity: tlvField(1, tlvNullable(tlvUInt8)),
  groupId: tlvField(2, tlvUInt16),
  sceneList: tlvOptionalField(3, tlvArray(tlvUInt8)),
});
export type GetSceneMembershipResponse = TlvType<typeof GetSceneMembershipResponse>;

/** CopySceneResponse { 0 Status, 1 GroupIdentifierFrom, 2 SceneIdentifierFrom }. */
export const CopySceneResponse = tlvStruct({
  status: tlvField(0, tlvEnum8),
  groupIdentifierFrom: tlvField(1, tlvUInt16),
  sceneIdentifierFrom: tlvField(2, tlvUInt8),
});
export type CopySceneResponse = TlvType<typeof CopySceneResponse>;
