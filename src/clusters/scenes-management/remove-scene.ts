/**
 * RemoveScene (0x02) -> RemoveSceneResponse (Application Cluster spec 1.4.9.6), fabric-scoped, Manage: removes one
 * scene; the fabric's current scene, if it was that one, is no longer valid.
 */

import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import { SceneRequest, SceneResponse, ScenesManagementCluster } from "./scenes-management-commands.ts";
import { type ScenesManagementEnv, sceneResponse } from "./scenes-management-options.ts";

/** The RemoveScene command. */
export function removeSceneCommand(env: ScenesManagementEnv): CommandDefinition<SceneRequest, SceneResponse> {
  return ScenesManagementCluster.command("RemoveScene", "F M", {
    requestSchema: SceneRequest,
    response: ScenesManagementCluster.response("RemoveSceneResponse", SceneResponse),
    handler: async (req, ctx) => {
      const fi = ctx.session.fabricIndex;
      const reply = (status: ImStatus) => sceneResponse(req, status);
      const refused = env.sceneRequestStatus(fi, req.groupId, req.sceneId);
      if (refused !== undefined) return reply(refused);
      if (!(await env.commit(() => env.table.remove(fi, req.groupId, req.sceneId)))) return reply(ImStatus.NOT_FOUND);
      const c = env.current.get(fi);
      const wasCurrent = c !== undefined && c.currentGroup === req.groupId && c.currentScene === req.sceneId;
      env.updateCurrent(fi, wasCurrent ? { sceneValid: false } : {});
      env.configuredBy(ctx.session);
      return reply(ImStatus.SUCCESS);
    },
  });
}
