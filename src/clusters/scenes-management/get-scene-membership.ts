/**
 * GetSceneMembership (0x06) -> GetSceneMembershipResponse (Application Cluster spec 1.4.9.13/1.4.9.14),
 * fabric-scoped, Operate: the fabric's remaining capacity and the scene ids of a group.
 */

import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import {
  type TlvType,
  tlvArray,
  tlvEnum8,
  tlvField,
  tlvNullable,
  tlvOptionalField,
  tlvStruct,
  tlvUInt8,
  tlvUInt16,
} from "../../tlv/tlv-schema.ts";
import { GroupRequest, ScenesManagementCluster } from "./scenes-management-commands.ts";
import type { ScenesManagementEnv } from "./scenes-management-options.ts";

/** GetSceneMembershipResponse { 0 Status, 1 Capacity nullable uint8, 2 GroupID, 3 SceneList? list[uint8] }. */
export const GetSceneMembershipResponse = tlvStruct({
  status: tlvField(0, tlvEnum8),
  capacity: tlvField(1, tlvNullable(tlvUInt8)),
  groupId: tlvField(2, tlvUInt16),
  sceneList: tlvOptionalField(3, tlvArray(tlvUInt8)),
});
export type GetSceneMembershipResponse = TlvType<typeof GetSceneMembershipResponse>;

/** The GetSceneMembership command. */
export function getSceneMembershipCommand(
  env: ScenesManagementEnv,
): CommandDefinition<GroupRequest, GetSceneMembershipResponse> {
  return ScenesManagementCluster.command("GetSceneMembership", "F O", {
    requestSchema: GroupRequest,
    response: ScenesManagementCluster.response("GetSceneMembershipResponse", GetSceneMembershipResponse),
    handler: async (req, ctx) => {
      const fi = ctx.session.fabricIndex;
      // 1.4.9.13/1.4.9.14: an unknown group → INVALID_COMMAND with a null Capacity and no SceneList.
      if (!env.groupOk(fi, req.groupId))
        return { response: { status: ImStatus.INVALID_COMMAND, capacity: null, groupId: req.groupId } };
      return {
        response: {
          status: ImStatus.SUCCESS,
          capacity: env.table.remainingCapacity(fi),
          groupId: req.groupId,
          sceneList: env.table.sceneIds(fi, req.groupId),
        },
      };
    },
  });
}
