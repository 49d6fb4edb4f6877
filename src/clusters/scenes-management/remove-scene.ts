/**
 * RemoveScene (0x02) -> RemoveSceneResponse (Application Cluster spec 1.4.9.6), fabric-scoped, Manage: removes one
 * scene; the fabric's current scene, if it was that one, is no longer valid.
 */

import { ImStatus } from "../../fabric/status-codes.ts";
import { type CommandDefinition, command } from "../../im/data-model.ts";
import { MAX_SCENE_ID } from "./scene-table.ts";
import { MANAGE_SCENES, SceneRequest, SceneResponse, ScenesManagementCommand } from "./scenes-management-commands.ts";
import type { ScenesManagementEnv } from "./scenes-management-options.ts";

/** The RemoveScene command. */
export function removeSceneCommand(env: ScenesManagementEnv): CommandDefinition<SceneRequest, SceneResponse> {
  return command({
    id: ScenesManagementCommand.RemoveScene,
    name: "RemoveScene",
    requestSchema: SceneRequest,
    response: { id: ScenesManagementCommand.RemoveScene, name: "RemoveSceneResponse", schema: SceneResponse },
    ...MANAGE_SCENES,
    handler: async (req, ctx) => {
      const fi = ctx.session.fabricIndex;
      const reply = (status: ImStatus) => ({ response: { status, groupId: req.groupId, sceneId: req.sceneId } });
      if (req.sceneId > MAX_SCENE_ID) return reply(ImStatus.CONSTRAINT_ERROR);
      if (!env.groupOk(fi, req.groupId)) return reply(ImStatus.INVALID_COMMAND);
      if (!(await env.commit(() => env.table.remove(fi, req.groupId, req.sceneId)))) return reply(ImStatus.NOT_FOUND);
      const c = env.current.get(fi);
      const wasCurrent = c !== undefined && c.currentGroup === req.groupId && c.currentScene === req.sceneId;
      env.updateCurrent(fi, wasCurrent ? { sceneValid: false } : {});
      env.configuredBy(ctx.session);
      return reply(ImStatus.SUCCESS);
    },
  });
}
