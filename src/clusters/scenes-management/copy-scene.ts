/**
 * CopyScene (0x40) -> CopySceneResponse (Application Cluster spec 1.4.9.15/1.4.9.16), fabric-scoped, Manage: copies
 * one scene, or every scene of a group, to another group and scene id, in one table write.
 */

import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import { type TlvType, tlvBitmap8, tlvEnum8, tlvField, tlvStruct, tlvUInt8, tlvUInt16 } from "../../tlv/tlv-schema.ts";
import { MAX_SCENE_ID } from "./scene-table.ts";
import { ScenesManagementCluster } from "./scenes-management-commands.ts";
import type { ScenesManagementEnv } from "./scenes-management-options.ts";

/** CopyModeBitmap (1.4.7.1). */
const CopyModeBitmap = { CopyAllScenes: 0x01 } as const;

/** CopyScene { 0 Mode, 1 GroupIdentifierFrom, 2 SceneIdentifierFrom, 3 GroupIdentifierTo, 4 SceneIdentifierTo }. */
export const CopySceneRequest = tlvStruct({
  mode: tlvField(0, tlvBitmap8),
  groupIdentifierFrom: tlvField(1, tlvUInt16),
  sceneIdentifierFrom: tlvField(2, tlvUInt8),
  groupIdentifierTo: tlvField(3, tlvUInt16),
  sceneIdentifierTo: tlvField(4, tlvUInt8),
});
export type CopySceneRequest = TlvType<typeof CopySceneRequest>;

/** CopySceneResponse { 0 Status, 1 GroupIdentifierFrom, 2 SceneIdentifierFrom }. */
export const CopySceneResponse = tlvStruct({
  status: tlvField(0, tlvEnum8),
  groupIdentifierFrom: tlvField(1, tlvUInt16),
  sceneIdentifierFrom: tlvField(2, tlvUInt8),
});
export type CopySceneResponse = TlvType<typeof CopySceneResponse>;

/** The CopyScene command. */
export function copySceneCommand(env: ScenesManagementEnv): CommandDefinition<CopySceneRequest, CopySceneResponse> {
  return ScenesManagementCluster.command("CopyScene", "F M", {
    requestSchema: CopySceneRequest,
    response: ScenesManagementCluster.response("CopySceneResponse", CopySceneResponse),
    handler: async (req, ctx) => {
      const fi = ctx.session.fabricIndex;
      const reply = (status: ImStatus) => ({
        response: {
          status,
          groupIdentifierFrom: req.groupIdentifierFrom,
          sceneIdentifierFrom: req.sceneIdentifierFrom,
        },
      });
      // SDK: a SceneIdentifier of 0xFF (above the max of 254) is answered RESOURCE_EXHAUSTED, even in copy-all mode.
      if (req.sceneIdentifierFrom > MAX_SCENE_ID || req.sceneIdentifierTo > MAX_SCENE_ID)
        return reply(ImStatus.RESOURCE_EXHAUSTED);
      if (!env.groupOk(fi, req.groupIdentifierFrom) || !env.groupOk(fi, req.groupIdentifierTo))
        return reply(ImStatus.INVALID_COMMAND);
      if (env.table.remainingCapacity(fi) === 0) return reply(ImStatus.RESOURCE_EXHAUSTED);
      const from = req.groupIdentifierFrom;
      const to = req.groupIdentifierTo;
      // 1.4.9.15: CopyAllScenes copies every scene of GroupIdentifierFrom, keeping scene ids; scene ids are ignored.
      const copies =
        (req.mode & CopyModeBitmap.CopyAllScenes) !== 0
          ? env.table.sceneIds(fi, from).map((sceneId) => ({ sceneId, toSceneId: sceneId }))
          : [{ sceneId: req.sceneIdentifierFrom, toSceneId: req.sceneIdentifierTo }];
      // All copies in one pass and one table write.
      let status: ImStatus = ImStatus.SUCCESS;
      const copied = await env.commit(() => {
        let any = false;
        for (const { sceneId, toSceneId } of copies) {
          const source = env.table.get(fi, from, sceneId);
          if (source === undefined) {
            status = ImStatus.NOT_FOUND;
            break;
          }
          // SDK: copies made before the table fills stay; the response is RESOURCE_EXHAUSTED.
          if (!env.table.set(fi, { ...source, groupId: to, sceneId: toSceneId })) {
            status = ImStatus.RESOURCE_EXHAUSTED;
            break;
          }
          any = true;
        }
        return any;
      });
      if (copied) env.updateCurrent(fi);
      if (status === ImStatus.SUCCESS) env.configuredBy(ctx.session);
      return reply(status);
    },
  });
}
