/**
 * Scenes Management cluster 0x0062, revision 1, feature SceneNames (Application Cluster spec 1.4, Matter 1.4.2 data
 * model XML), with the optional LastConfiguredBy attribute and CopyScene command: assembles the three attributes and
 * the eight commands, and gives On/Off, Groups and the node their hooks. Statuses and their order follow
 * connectedhomeip's scenes-server where the spec leaves them open; deviations are named where they are made.
 */
import { isFabricIndex } from "../../fabric/fabric-index.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import type { Cluster } from "../../im/data-model.ts";
import { addSceneCommand } from "./add-scene.ts";
import { copySceneCommand } from "./copy-scene.ts";
import { getSceneMembershipCommand } from "./get-scene-membership.ts";
import { recallGlobalScene, recallSceneCommand } from "./recall-scene.ts";
import { removeAllScenesCommand } from "./remove-all-scenes.ts";
import { removeSceneCommand } from "./remove-scene.ts";
import type { SceneTable } from "./scene-table.ts";
import { scenesManagementAttributes } from "./scenes-management-attributes.ts";
import { ScenesManagementCluster } from "./scenes-management-commands.ts";
import { ScenesManagementEnv, type ScenesManagementOptions, type ScenesStorage } from "./scenes-management-options.ts";
import { storeGlobalScene, storeSceneCommand } from "./store-scene.ts";
import { viewSceneCommand } from "./view-scene.ts";

/** Feature bits (1.4.4). */
const ScenesManagementFeature = { SceneNames: 0x01 } as const;

/**
 * The cluster and the entry points other clusters and the node call. The four entry points take effect before they
 * return (the On/Off and Groups hooks are synchronous); their promises settle once the table is persisted and never
 * reject (a storage failure goes to `onError`).
 */
export interface ScenesManagementServer {
  readonly cluster: Cluster;
  /**
   * Stores the current state in the fabric's global scene (group 0, scene 0), e.g. for On/Off OffWithEffect.
   * Fabric index 0 (no fabric) changes nothing and gives UNSUPPORTED_ACCESS; a storage failure gives FAILURE.
   */
  storeGlobalScene(fabricIndex: number): Promise<ImStatus>;
  /** Recalls the fabric's global scene, e.g. for On/Off OnWithRecallGlobalScene; NOT_FOUND if none was stored. */
  recallGlobalScene(fabricIndex: number): Promise<ImStatus>;
  /** Drops the scenes of a group of a fabric (Groups RemoveGroup / RemoveAllGroups; group 0 = the global scene). */
  removeGroupScenes(fabricIndex: number, groupId: number): Promise<void>;
  /** Drops the scenes and SceneInfoStruct of a removed fabric. */
  removeFabric(fabricIndex: number): Promise<void>;
  /** Writes the scene table without the fabric into `tx`, the storage transaction that removes the fabric. */
  removeFabricWrites(tx: Pick<ScenesStorage, "set">, fabricIndex: number): Promise<void>;
  /** Start-up: drops the scenes of every fabric index not in `keep` (never committed); returns the indices dropped. */
  pruneFabrics(keep: ReadonlySet<number>): Promise<number[]>;
  /** A scene attribute changed outside a recall: SceneValid becomes false for every fabric (1.4.7.2.4). */
  makeSceneInvalidForAllFabrics(): void;
  /** The scene table (read-only use: tests and diagnostics). */
  readonly table: SceneTable;
}

/** Opens the scene table from storage and creates the Scenes Management cluster server. */
export async function createScenesManagement(options: ScenesManagementOptions): Promise<ScenesManagementServer> {
  const env = await ScenesManagementEnv.open(options);

  const cluster = ScenesManagementCluster.server({
    featureMap: ScenesManagementFeature.SceneNames,
    changes: env.changes,
    attributes: scenesManagementAttributes(env),
    commands: [
      addSceneCommand(env),
      viewSceneCommand(env),
      removeSceneCommand(env),
      removeAllScenesCommand(env),
      storeSceneCommand(env),
      recallSceneCommand(env),
      getSceneMembershipCommand(env),
      copySceneCommand(env),
    ],
    events: [],
  });

  const removeFabric = (fabricIndex: number): Promise<void> => {
    if (!isFabricIndex(fabricIndex)) return Promise.resolve();
    if (env.current.delete(fabricIndex)) env.changes.emit(ScenesManagementCluster.attributes.FabricSceneInfo);
    return env.settle(
      env.change(() => env.table.removeFabric(fabricIndex)),
      undefined,
      undefined,
    );
  };
  return {
    cluster,
    get table() {
      return env.table;
    },
    // Scenes are fabric-scoped: the hooks ignore a session without a fabric (On/Off's commands are not fabric-scoped,
    // so OffWithEffect over PASE before AddNOC arrives with fabric index 0) and any value that is no fabric index.
    storeGlobalScene: (fabricIndex) => {
      if (!isFabricIndex(fabricIndex)) return Promise.resolve(ImStatus.UNSUPPORTED_ACCESS);
      return storeGlobalScene(env, fabricIndex);
    },
    recallGlobalScene: async (fabricIndex) => {
      if (!isFabricIndex(fabricIndex)) return ImStatus.UNSUPPORTED_ACCESS;
      return recallGlobalScene(env, fabricIndex);
    },
    removeGroupScenes: (fabricIndex, groupId) => {
      if (!isFabricIndex(fabricIndex)) return Promise.resolve();
      // SDK GroupWillBeRemoved: the current scene of a removed group cannot stay valid.
      if (env.current.get(fabricIndex)?.currentGroup === groupId) env.updateCurrent(fabricIndex, { sceneValid: false });
      return env.settle(
        env.change(() => env.table.removeGroup(fabricIndex, groupId) > 0),
        undefined,
        undefined,
      );
    },
    removeFabric,
    removeFabricWrites: async (tx, fabricIndex) => {
      if (isFabricIndex(fabricIndex)) await env.removeFabricWrites(tx, fabricIndex);
    },
    async pruneFabrics(keep) {
      const dropped = env.table.fabricIndices().filter((i) => !keep.has(i));
      for (const i of dropped) await removeFabric(i);
      return dropped;
    },
    makeSceneInvalidForAllFabrics: () => env.makeSceneInvalidForAllFabrics(),
  };
}
