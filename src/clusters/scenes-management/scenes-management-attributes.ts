/**
 * The Scenes Management attributes (Application Cluster spec 1.4.8): LastConfiguredBy, SceneTableSize and the
 * fabric-scoped FabricSceneInfo, whose SceneCount and RemainingCapacity are computed from the scene table on read.
 */

import { Privilege } from "../../fabric/access-control.ts";
import type { AttributeDefinition } from "../../im/data-model.ts";
import { tlvArray, tlvNullable, tlvUInt16, tlvUInt64 } from "../../tlv/tlv-schema.ts";
import { SCENE_INFO_FABRIC_SENSITIVE_FIELDS, SceneInfoStruct } from "./scene-info-struct.ts";
import { ScenesManagementCluster } from "./scenes-management-commands.ts";
import { type CurrentScene, NO_CURRENT_SCENE, type ScenesManagementEnv } from "./scenes-management-options.ts";

/** The attribute definitions, in id order. */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list; each element is typed where it is defined.
export function scenesManagementAttributes(env: ScenesManagementEnv): AttributeDefinition<any>[] {
  return [
    ScenesManagementCluster.attribute("LastConfiguredBy", {
      schema: tlvNullable(tlvUInt64),
      readPrivilege: Privilege.View,
      read: () => env.lastConfiguredBy,
    }),
    ScenesManagementCluster.attribute("SceneTableSize", {
      schema: tlvUInt16,
      readPrivilege: Privilege.View,
      read: () => env.table.sceneTableSize,
    }),
    ScenesManagementCluster.attribute("FabricSceneInfo", {
      schema: tlvArray(SceneInfoStruct),
      readPrivilege: Privilege.View,
      fabricScoped: true,
      fabricSensitiveFields: SCENE_INFO_FABRIC_SENSITIVE_FIELDS,
      read: () =>
        [...new Set([...env.current.keys(), ...env.table.fabricIndices()])]
          .sort((a, b) => a - b)
          .map((fabricIndex) => {
            const c: Readonly<CurrentScene> = env.current.get(fabricIndex) ?? NO_CURRENT_SCENE;
            return {
              sceneCount: env.table.sceneCount(fabricIndex),
              currentScene: c.currentScene,
              currentGroup: c.currentGroup,
              sceneValid: c.sceneValid,
              remainingCapacity: env.table.remainingCapacity(fabricIndex),
              fabricIndex,
            };
          }),
    }),
  ];
}
