/**
 * OnWithRecallGlobalScene (0x41) (Application Cluster spec 1.5.7.5), answered with a status: discarded while
 * GlobalSceneControl is TRUE; otherwise recalls the global scene and turns on.
 */
import type { CommandDefinition } from "../../im/data-model.ts";
import { ON_OFF_SUCCESS, OnOffCluster, type OnOffEnv } from "./on-off-options.ts";

/** The OnWithRecallGlobalScene command. */
export function onWithRecallGlobalSceneCommand(env: OnOffEnv): CommandDefinition {
  return OnOffCluster.command("OnWithRecallGlobalScene", "O", {
    handler: async (_req, ctx) => {
      // 1.5.7.5: "If GlobalSceneControl is TRUE, the server SHALL discard the command" (SUCCESS, as the SDK).
      if (env.globalSceneControl) return ON_OFF_SUCCESS;
      // Otherwise recall the global scene, then turn on (which sets GlobalSceneControl to TRUE).
      env.options.scenes?.recallGlobalScene(ctx.session.fabricIndex);
      env.on();
      return ON_OFF_SUCCESS;
    },
  });
}
