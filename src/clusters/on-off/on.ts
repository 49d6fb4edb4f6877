/** On (0x01) (Application Cluster spec 1.5.7.2), answered with a status: OnOff TRUE, GlobalSceneControl TRUE. */
import type { CommandDefinition } from "../../im/data-model.ts";
import { ON_OFF_SUCCESS, OnOffCluster, type OnOffEnv } from "./on-off-options.ts";

/** The On command. */
export function onCommand(env: OnOffEnv): CommandDefinition {
  return OnOffCluster.command("On", "O", {
    handler: async () => {
      env.on();
      return ON_OFF_SUCCESS;
    },
  });
}
