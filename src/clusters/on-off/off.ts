/** Off (0x00) (Application Cluster spec 1.5.7.1), answered with a status: OnOff FALSE and OnTime 0. */
import { type CommandDefinition, command } from "../../im/data-model.ts";
import { ON_OFF_SUCCESS, OnOffCluster, type OnOffEnv, OPERATE_ON_OFF } from "./on-off-options.ts";

/** The Off command. */
export function offCommand(env: OnOffEnv): CommandDefinition {
  return command({
    ...OnOffCluster.command("Off"),
    ...OPERATE_ON_OFF,
    handler: async () => {
      env.off();
      return ON_OFF_SUCCESS;
    },
  });
}
