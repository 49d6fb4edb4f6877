/**
 * AddScene (0x00) -> AddSceneResponse (Application Cluster spec 1.4.9.2), fabric-scoped, Manage: adds or replaces a
 * scene with the given extension field sets, name and transition time.
 */

import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import {
  type TlvType,
  tlvArray,
  tlvField,
  tlvString,
  tlvStruct,
  tlvUInt8,
  tlvUInt16,
  tlvUInt32,
} from "../../tlv/tlv-schema.ts";
import { ExtensionFieldSetStruct } from "./extension-field-set.ts";
import { MAX_SCENE_NAME_BYTES, MAX_TRANSITION_TIME_MS, type StoredExtensionFieldSet } from "./scene-table.ts";
import { checkExtensionFieldSet } from "./sceneable-cluster.ts";
import { SceneResponse, ScenesManagementCluster } from "./scenes-management-commands.ts";
import { type ScenesManagementEnv, sceneResponse } from "./scenes-management-options.ts";

/** AddScene { 0 GroupID, 1 SceneID, 2 TransitionTime ms, 3 SceneName, 4 ExtensionFieldSetStructs }. */
export const AddSceneRequest = tlvStruct({
  groupId: tlvField(0, tlvUInt16),
  sceneId: tlvField(1, tlvUInt8),
  transitionTime: tlvField(2, tlvUInt32),
  sceneName: tlvField(3, tlvString()),
  extensionFieldSetStructs: tlvField(4, tlvArray(ExtensionFieldSetStruct)),
});
export type AddSceneRequest = TlvType<typeof AddSceneRequest>;

const utf8 = new TextEncoder();

/** The AddScene command. */
export function addSceneCommand(env: ScenesManagementEnv): CommandDefinition<AddSceneRequest, SceneResponse> {
  return ScenesManagementCluster.command("AddScene", "F M", {
    requestSchema: AddSceneRequest,
    response: ScenesManagementCluster.response("AddSceneResponse", SceneResponse),
    handler: async (req, ctx) => {
      const fi = ctx.session.fabricIndex;
      const reply = (status: ImStatus) => sceneResponse(req, status);
      // 1.4.9.2: TransitionTime max 60 000 000 ms, SceneName maxLength 16, SceneID max 254 → CONSTRAINT_ERROR.
      if (req.transitionTime > MAX_TRANSITION_TIME_MS || utf8.encode(req.sceneName).length > MAX_SCENE_NAME_BYTES)
        return reply(ImStatus.CONSTRAINT_ERROR);
      const refused = env.sceneRequestStatus(fi, req.groupId, req.sceneId);
      if (refused !== undefined) return reply(refused);
      const sets: StoredExtensionFieldSet[] = [];
      for (const efs of req.extensionFieldSetStructs) {
        const sceneable = env.sceneables.get(efs.clusterId);
        // SDK: an extension field set for a cluster without a scene handler on the endpoint is ignored.
        if (sceneable === undefined) continue;
        const check = checkExtensionFieldSet(sceneable, efs);
        if (!check.ok) return reply(check.status);
        // SDK InsertFieldSet: a second set for the same cluster replaces the first.
        const set = { clusterId: efs.clusterId, values: check.values };
        const i = sets.findIndex((s) => s.clusterId === efs.clusterId);
        if (i >= 0) sets[i] = set;
        else sets.push(set);
      }
      // SDK: no remaining capacity → RESOURCE_EXHAUSTED, even when the scene would replace an existing one.
      if (env.table.remainingCapacity(fi) === 0) return reply(ImStatus.RESOURCE_EXHAUSTED);
      const entry = {
        groupId: req.groupId,
        sceneId: req.sceneId,
        sceneName: req.sceneName,
        transitionTimeMs: req.transitionTime,
        extensionFieldSets: sets,
      };
      if (!(await env.commit(() => env.table.set(fi, entry)))) return reply(ImStatus.RESOURCE_EXHAUSTED);
      env.updateCurrent(fi);
      env.configuredBy(ctx.session);
      return reply(ImStatus.SUCCESS);
    },
  });
}
