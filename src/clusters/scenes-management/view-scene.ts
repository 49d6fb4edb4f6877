/**
 * ViewScene (0x01) -> ViewSceneResponse (Application Cluster spec 1.4.9.4), fabric-scoped, Operate: a scene's name,
 * transition time and the extension field sets of the clusters the endpoint still has.
 */

import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import {
  type TlvType,
  tlvArray,
  tlvEnum8,
  tlvField,
  tlvOptionalField,
  tlvString,
  tlvStruct,
  tlvUInt8,
  tlvUInt16,
  tlvUInt32,
} from "../../tlv/tlv-schema.ts";
import { ExtensionFieldSetStruct } from "./extension-field-set.ts";
import { MAX_SCENE_NAME_BYTES, type StoredExtensionFieldSet } from "./scene-table.ts";
import { toAttributeValuePairStruct } from "./sceneable-cluster.ts";
import { SceneRequest, ScenesManagementCluster } from "./scenes-management-commands.ts";
import { type ScenesManagementEnv, sceneResponse } from "./scenes-management-options.ts";

/** ViewSceneResponse { 0 Status, 1 GroupID, 2 SceneID, 3 TransitionTime?, 4 SceneName?, 5 ExtensionFieldSetStructs? }. */
export const ViewSceneResponse = tlvStruct({
  status: tlvField(0, tlvEnum8),
  groupId: tlvField(1, tlvUInt16),
  sceneId: tlvField(2, tlvUInt8),
  transitionTime: tlvOptionalField(3, tlvUInt32),
  sceneName: tlvOptionalField(4, tlvString({ maxLength: MAX_SCENE_NAME_BYTES })),
  extensionFieldSetStructs: tlvOptionalField(5, tlvArray(ExtensionFieldSetStruct)),
});
export type ViewSceneResponse = TlvType<typeof ViewSceneResponse>;

/** The stored sets as ExtensionFieldSetStructs, for the clusters and attributes the endpoint still has. */
function viewSets(env: ScenesManagementEnv, sets: readonly StoredExtensionFieldSet[]): ExtensionFieldSetStruct[] {
  return sets.flatMap((set) => {
    const cluster = env.sceneables.get(set.clusterId);
    if (cluster === undefined) return [];
    const attributeValueList = set.values.flatMap((v) => {
      const attr = cluster.attributes.find((a) => a.id === v.attributeId);
      return attr === undefined ? [] : [toAttributeValuePairStruct(attr, v)];
    });
    return [{ clusterId: set.clusterId, attributeValueList }];
  });
}

/** The ViewScene command. */
export function viewSceneCommand(env: ScenesManagementEnv): CommandDefinition<SceneRequest, ViewSceneResponse> {
  return ScenesManagementCluster.command("ViewScene", "F O", {
    requestSchema: SceneRequest,
    response: ScenesManagementCluster.response("ViewSceneResponse", ViewSceneResponse),
    handler: async (req, ctx) => {
      const fi = ctx.session.fabricIndex;
      const reply = (status: ImStatus) => sceneResponse(req, status);
      const refused = env.sceneRequestStatus(fi, req.groupId, req.sceneId);
      if (refused !== undefined) return reply(refused);
      const entry = env.table.get(fi, req.groupId, req.sceneId);
      if (entry === undefined) return reply(ImStatus.NOT_FOUND);
      return {
        response: {
          status: ImStatus.SUCCESS,
          groupId: req.groupId,
          sceneId: req.sceneId,
          transitionTime: entry.transitionTimeMs,
          sceneName: entry.sceneName,
          extensionFieldSetStructs: viewSets(env, entry.extensionFieldSets),
        },
      };
    },
  });
}
