/**
 * RemoveAllScenes (0x03) -> RemoveAllScenesResponse (Application Cluster spec 1.4.9.8), fabric-scoped, Manage: removes
 * every scene of a group; the fabric's current scene, if in that group, is no longer valid.
 */

import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import { type TlvType, tlvEnum8, tlvField, tlvStruct, tlvUInt16 } from "../../tlv/tlv-schema.ts";
import { GroupRequest, ScenesManagementCluster } from "./scenes-management-commands.ts";
import type { ScenesManagementEnv } from "./scenes-management-options.ts";

/** RemoveAllScenesResponse { 0 Status, 1 GroupID }. */
export const RemoveAllScenesResponse = tlvStruct({
  status: tlvField(0, tlvEnum8),
  groupId: tlvField(1, tlvUInt16),
});
export type RemoveAllScenesResponse = TlvType<typeof RemoveAllScenesResponse>;

/** The RemoveAllScenes command. */
export function removeAllScenesCommand(
  env: ScenesManagementEnv,
): CommandDefinition<GroupRequest, RemoveAllScenesResponse> {
  return ScenesManagementCluster.command("RemoveAllScenes", "F M", {
    requestSchema: GroupRequest,
    response: ScenesManagementCluster.response("RemoveAllScenesResponse", RemoveAllScenesResponse),
    handler: async (req, ctx) => {
      const fi = ctx.session.fabricIndex;
      const reply = (status: ImStatus) => ({ response: { status, groupId: req.groupId } });
      if (!env.groupOk(fi, req.groupId)) return reply(ImStatus.INVALID_COMMAND);
      await env.commit(() => env.table.removeGroup(fi, req.groupId) > 0);
      env.updateCurrent(fi, env.current.get(fi)?.currentGroup === req.groupId ? { sceneValid: false } : {});
      env.configuredBy(ctx.session);
      return reply(ImStatus.SUCCESS);
    },
  });
}
