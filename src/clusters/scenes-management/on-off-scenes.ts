/**
 * The On/Off cluster (0x0006) as a scene-capable cluster (Application Cluster spec 1.5.6: OnOff carries the "S"
 * quality): its OnOff attribute is stored in scenes as a bool, carried as ValueUnsigned8 0/1.
 */
import type { SceneableCluster } from "./sceneable-cluster.ts";

/** On/Off cluster id (Application Cluster spec 1.5). */
const ON_OFF_SCENE_CLUSTER_ID = 0x0006;
/** OnOff attribute id (1.5.6.2). */
const ON_OFF_SCENE_ATTRIBUTE_ID = 0x0000;

/** What the adapter needs from the On/Off cluster server. */
export interface OnOffSceneTarget {
  /** The current OnOff value. */
  readonly onOff: () => boolean;
  /** Sets OnOff (the server reports the change); a recalled scene has no transition without the Lighting feature. */
  readonly setOnOff: (value: boolean) => void;
}

/** Adapts an On/Off cluster server to the SceneableCluster interface. */
export function createOnOffSceneable(target: OnOffSceneTarget): SceneableCluster {
  return {
    clusterId: ON_OFF_SCENE_CLUSTER_ID,
    attributes: [{ id: ON_OFF_SCENE_ATTRIBUTE_ID, type: "bool" }],
    capture: () => [{ attributeId: ON_OFF_SCENE_ATTRIBUTE_ID, value: target.onOff() }],
    apply: (pairs) => {
      for (const p of pairs) if (p.attributeId === ON_OFF_SCENE_ATTRIBUTE_ID) target.setOnOff(p.value === true);
    },
  };
}
