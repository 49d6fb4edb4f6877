/**
 * SceneInfoStruct (Application Cluster spec 1.4.7.2, Matter 1.4.2 data model XML), the fabric-scoped entry of the
 * FabricSceneInfo attribute: a fabric's scene count, current scene and group, validity and remaining capacity.
 */
import {
  type TlvType,
  tlvBool,
  tlvFabricIndex,
  tlvField,
  tlvStruct,
  tlvUInt8,
  tlvUInt16,
} from "../../tlv/tlv-schema.ts";

/** Context tags of SceneInfoStruct. */
const SceneInfoField = {
  SceneCount: 0,
  CurrentScene: 1,
  CurrentGroup: 2,
  SceneValid: 3,
  RemainingCapacity: 4,
} as const;

/** Fields of SceneInfoStruct that are fabric-sensitive (omitted for other fabrics in unfiltered reads, Core 7.13.7). */
export const SCENE_INFO_FABRIC_SENSITIVE_FIELDS: readonly number[] = [
  SceneInfoField.CurrentScene,
  SceneInfoField.CurrentGroup,
  SceneInfoField.SceneValid,
];

/**
 * SceneInfoStruct { 0 SceneCount uint8, 1 CurrentScene uint8 (F-sensitive), 2 CurrentGroup group-id (F-sensitive),
 * 3 SceneValid bool (F-sensitive), 4 RemainingCapacity uint8 max 253, 0xFE FabricIndex }.
 */
export const SceneInfoStruct = tlvStruct({
  sceneCount: tlvField(SceneInfoField.SceneCount, tlvUInt8),
  currentScene: tlvField(SceneInfoField.CurrentScene, tlvUInt8),
  currentGroup: tlvField(SceneInfoField.CurrentGroup, tlvUInt16),
  sceneValid: tlvField(SceneInfoField.SceneValid, tlvBool),
  remainingCapacity: tlvField(SceneInfoField.RemainingCapacity, tlvUInt8),
  fabricIndex: tlvFabricIndex,
});
/** One decoded SceneInfoStruct. */
export type SceneInfoStruct = TlvType<typeof SceneInfoStruct>;
