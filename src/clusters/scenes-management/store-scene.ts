/**
 * StoreScene (0x04) -> StoreSceneResponse (Application Cluster spec 1.4.9.10), fabric-scoped, Manage: stores the
 * current values of the scene-capable clusters in a scene; also the processing behind On/Off's global scene store.
 */

import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import { GLOBAL_SCENE_GROUP_ID, GLOBAL_SCENE_ID, MAX_SCENE_ID } from "./scene-table.ts";
import { SceneRequest, SceneResponse, ScenesManagementCluster } from "./scenes-management-commands.ts";
import { type ScenesManagementEnv, sceneResponse } from "./scenes-management-options.ts";

/**
 * StoreScene processing (1.4.9.10; SDK StoreSceneParse), shared with storeGlobalScene: the scene and the fabric's
 * current scene change before it returns; the promise is the table write.
 */
function storeScene(
  env: ScenesManagementEnv,
  fabricIndex: number,
  groupId: number,
  sceneId: number,
): { status: ImStatus; written?: Promise<void> } {
  // SDK: the fabric's SceneValid becomes false before anything else, even if the store then fails.
  env.updateCurrent(fabricIndex, { sceneValid: false });
  // 1.4.9.10: a GroupID other than 0 not in the Group Table for this endpoint → INVALID_COMMAND (SDK).
  if (!env.groupOk(fabricIndex, groupId)) return { status: ImStatus.INVALID_COMMAND };
  const existing = env.table.get(fabricIndex, groupId, sceneId);
  // An existing scene keeps its name and transition time; a new one gets "" and 0 ms.
  const entry = {
    groupId,
    sceneId,
    sceneName: existing?.sceneName ?? "",
    transitionTimeMs: existing?.transitionTimeMs ?? 0,
    extensionFieldSets: env.capture(),
  };
  const written = env.change(() => env.table.set(fabricIndex, entry));
  if (written === undefined) return { status: ImStatus.RESOURCE_EXHAUSTED };
  // Synchronously, so that an On/Off change right after OffWithEffect's store invalidates the scene again (SDK).
  env.updateCurrent(fabricIndex, { currentGroup: groupId, currentScene: sceneId, sceneValid: true });
  return { status: ImStatus.SUCCESS, written };
}

/** Stores the fabric's global scene (group 0, scene 0), e.g. for On/Off OffWithEffect; never rejects. */
export function storeGlobalScene(env: ScenesManagementEnv, fabricIndex: number): Promise<ImStatus> {
  try {
    const { status, written } = storeScene(env, fabricIndex, GLOBAL_SCENE_GROUP_ID, GLOBAL_SCENE_ID);
    return env.settle(written, status, ImStatus.FAILURE);
  } catch (e) {
    // A scene-capable cluster's capture() failed: the hook still must not throw into On/Off's handler.
    env.options.onError?.(e);
    return Promise.resolve(ImStatus.FAILURE);
  }
}

/** The StoreScene command. */
export function storeSceneCommand(env: ScenesManagementEnv): CommandDefinition<SceneRequest, SceneResponse> {
  return ScenesManagementCluster.command("StoreScene", "F M", {
    requestSchema: SceneRequest,
    response: ScenesManagementCluster.response("StoreSceneResponse", SceneResponse),
    handler: async (req, ctx) => {
      const reply = (status: ImStatus) => sceneResponse(req, status);
      if (req.sceneId > MAX_SCENE_ID) return reply(ImStatus.CONSTRAINT_ERROR);
      const { status, written } = storeScene(env, ctx.session.fabricIndex, req.groupId, req.sceneId);
      await written;
      if (status === ImStatus.SUCCESS) env.configuredBy(ctx.session);
      return reply(status);
    },
  });
}
