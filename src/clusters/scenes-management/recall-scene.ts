/**
 * RecallScene (0x05) (Application Cluster spec 1.4.9.12), fabric-scoped, Operate, answered with a status: applies a
 * stored scene to the scene-capable clusters; also the processing behind On/Off's global scene recall.
 */

import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import {
  type TlvType,
  tlvField,
  tlvNullable,
  tlvOptionalField,
  tlvStruct,
  tlvUInt8,
  tlvUInt16,
  tlvUInt32,
} from "../../tlv/tlv-schema.ts";
import { GLOBAL_SCENE_GROUP_ID, GLOBAL_SCENE_ID, MAX_SCENE_ID, MAX_TRANSITION_TIME_MS } from "./scene-table.ts";
import { toSceneValue } from "./sceneable-cluster.ts";
import { ScenesManagementCluster } from "./scenes-management-commands.ts";
import type { ScenesManagementEnv } from "./scenes-management-options.ts";

/** RecallScene { 0 GroupID, 1 SceneID, 2 TransitionTime nullable optional ms }. */
export const RecallSceneRequest = tlvStruct({
  groupId: tlvField(0, tlvUInt16),
  sceneId: tlvField(1, tlvUInt8),
  transitionTime: tlvOptionalField(2, tlvNullable(tlvUInt32)),
});
export type RecallSceneRequest = TlvType<typeof RecallSceneRequest>;

/** RecallScene processing (1.4.9.12; SDK RecallSceneParse), shared with recallGlobalScene. */
function recallScene(
  env: ScenesManagementEnv,
  fabricIndex: number,
  groupId: number,
  sceneId: number,
  transitionTime: number | null | undefined,
): ImStatus {
  // SDK: SceneValid becomes false for every fabric before the recall, even if it then fails.
  env.makeSceneInvalidForAllFabrics();
  if (!env.groupOk(fabricIndex, groupId)) return ImStatus.INVALID_COMMAND;
  const entry = env.table.get(fabricIndex, groupId, sceneId);
  if (entry === undefined) return ImStatus.NOT_FOUND;
  // 1.4.9.12.3: a TransitionTime present and not null overrides the scene's own.
  const ms = transitionTime ?? entry.transitionTimeMs;
  for (const set of entry.extensionFieldSets) {
    const cluster = env.sceneables.get(set.clusterId);
    if (cluster === undefined) continue;
    const pairs = set.values.flatMap((v) => {
      const attr = cluster.attributes.find((a) => a.id === v.attributeId);
      return attr === undefined ? [] : [{ attributeId: v.attributeId, value: toSceneValue(attr, v.value) }];
    });
    cluster.apply(pairs, ms);
  }
  env.updateCurrent(fabricIndex, { currentGroup: groupId, currentScene: sceneId, sceneValid: true });
  return ImStatus.SUCCESS;
}

/** Recalls the fabric's global scene, e.g. for On/Off OnWithRecallGlobalScene; never rejects. */
export async function recallGlobalScene(env: ScenesManagementEnv, fabricIndex: number): Promise<ImStatus> {
  try {
    return recallScene(env, fabricIndex, GLOBAL_SCENE_GROUP_ID, GLOBAL_SCENE_ID, undefined);
  } catch (e) {
    env.options.onError?.(e);
    return ImStatus.FAILURE;
  }
}

/** The RecallScene command. */
export function recallSceneCommand(env: ScenesManagementEnv): CommandDefinition<RecallSceneRequest> {
  return ScenesManagementCluster.command("RecallScene", "F O", {
    requestSchema: RecallSceneRequest,
    handler: async (req, ctx) => {
      if (req.sceneId > MAX_SCENE_ID) return { status: ImStatus.CONSTRAINT_ERROR };
      // 1.4.9.12.3: TransitionTime max 60 000 000 ms. Deviation: the SDK does not check it; the spec constraint is
      // enforced here so that a recall never runs a transition longer than any scene can store.
      const t = req.transitionTime;
      if (t !== undefined && t !== null && t > MAX_TRANSITION_TIME_MS) return { status: ImStatus.CONSTRAINT_ERROR };
      return { status: recallScene(env, ctx.session.fabricIndex, req.groupId, req.sceneId, t) };
    },
  });
}
