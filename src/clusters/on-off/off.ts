/** Off (0x00) (Application Cluster spec 1.5.7.1), answered with a status: OnOff FALSE and OnTime 0. */
import type { CommandDefinition } from "../../im/data-model.ts";
import { ON_OFF_SUCCESS, OnOffCluster, type OnOffEnv } from "./on-off-options.ts";

/** The Off command. */
export function offCommand(env: OnOffEnv): CommandDefinition {
  return OnOffCluster.command("Off", "O", {
    handler: async () => {
      env.off();
      return ON_OFF_SUCCESS;
    },
  });
}
