/**
 * The On/Off cluster (0x0006) as a scene-capable cluster (Application Cluster spec 1.5.6: OnOff carries the "S"
 * quality): its OnOff attribute is stored in scenes as a bool, carried as ValueUnsigned8 0/1.
 */

import { OnOffCluster } from "../on-off/on-off-options.ts";
import type { SceneableCluster } from "./sceneable-cluster.ts";

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
    clusterId: OnOffCluster.id,
    attributes: [{ id: OnOffCluster.attributes.OnOff, type: "bool" }],
    capture: () => [{ attributeId: OnOffCluster.attributes.OnOff, value: target.onOff() }],
    apply: (pairs) => {
      for (const p of pairs) if (p.attributeId === OnOffCluster.attributes.OnOff) target.setOnOff(p.value === true);
    },
  };
}
