/** Toggle (0x02) (Application Cluster spec 1.5.7.3), answered with a status: On when OnOff is FALSE, else Off. */
import type { CommandDefinition } from "../../im/data-model.ts";
import { ON_OFF_SUCCESS, OnOffCluster, type OnOffEnv } from "./on-off-options.ts";

/** The Toggle command. */
export function toggleCommand(env: OnOffEnv): CommandDefinition {
  return OnOffCluster.command("Toggle", "O", {
    // 1.5.7.3: Toggle behaves as On when OnOff is FALSE and as Off when it is TRUE.
    handler: async () => {
      if (env.onOff) env.off();
      else env.on();
      return ON_OFF_SUCCESS;
    },
  });
}
