/**
 * What the Scenes Management cluster (Application Cluster spec 1.4) needs from the node, and the state every command
 * handler shares: the persisted scene table, each fabric's current scene (RAM only, as in the SDK) and
 * LastConfiguredBy. Dependencies are arguments (STYLE rule 10).
 */
import { ImStatus } from "../../fabric/status-codes.ts";
import { AttributeChangeEmitter, type SessionInfo } from "../../im/data-model.ts";
import type { JsonValue, StorageValue } from "../../storage/storage.ts";
import {
  DEFAULT_SCENE_TABLE_SIZE,
  MAX_SCENE_ID,
  SceneTable,
  type StoredExtensionFieldSet,
  UNDEFINED_SCENE_ID,
} from "./scene-table.ts";
import { fromSceneValue, type SceneableCluster } from "./sceneable-cluster.ts";
import type { SceneRequest, SceneResponse } from "./scenes-management-commands.ts";
import { ScenesManagementCluster } from "./scenes-management-commands.ts";

/** The slice of the node's Storage the cluster uses (a Storage satisfies it). */
export interface ScenesStorage {
  get(key: string): Promise<StorageValue | undefined>;
  set(key: string, value: JsonValue): Promise<void>;
}

/** What the cluster needs from the node. */
export interface ScenesManagementOptions {
  /** The endpoint the cluster serves (group membership is asked for it). */
  readonly endpoint: number;
  /** Where the scene table is persisted, under `storageKey`. */
  readonly storage: ScenesStorage;
  /** Storage key of the scene table; default `scenes-management/<endpoint>`. */
  readonly storageKey?: string;
  /** Whether the group exists in the fabric's group table with `endpoint` in it (Groups / Group Key Management). */
  readonly groupExists: (fabricIndex: number, groupId: number, endpoint: number) => boolean;
  /** Committed fabric indices (a RecallScene makes SceneValid false for every fabric, as the SDK does). */
  readonly fabricIndices: () => readonly number[];
  /** The scene-capable clusters of the endpoint. */
  readonly sceneableClusters: readonly SceneableCluster[];
  /** SceneTableSize; default 16. */
  readonly sceneTableSize?: number;
  /**
   * Receives a storage failure of the synchronous-hook entry points (storeGlobalScene, recallGlobalScene,
   * removeGroupScenes, removeFabric), which never reject; command handlers answer FAILURE instead.
   */
  readonly onError?: (error: unknown) => void;
}

/** The current-scene part of a fabric's SceneInfoStruct (SceneCount and RemainingCapacity are computed on read). */
export interface CurrentScene {
  currentScene: number;
  currentGroup: number;
  sceneValid: boolean;
}

/**
 * A fabric's current scene before any was invoked. Deviation from the SDK (which starts CurrentScene at 0): 1.4.7.2.2
 * says the field SHALL be 0xFF, the undefined scene identifier, when no scene has been invoked.
 */
export const NO_CURRENT_SCENE: Readonly<CurrentScene> = {
  currentScene: UNDEFINED_SCENE_ID,
  currentGroup: 0,
  sceneValid: false,
};

/** The options plus the cluster's state, as every attribute and command handler sees them. */
export class ScenesManagementEnv {
  readonly options: ScenesManagementOptions;
  readonly changes = new AttributeChangeEmitter();
  /** The scene-capable clusters of the endpoint, by cluster id. */
  readonly sceneables: ReadonlyMap<number, SceneableCluster>;
  /** SDK: FabricSceneInfo's current scene lives in RAM only (the data model marks no persistence for it). */
  readonly current = new Map<number, CurrentScene>();
  /** LastConfiguredBy (1.4.8.1). */
  lastConfiguredBy: bigint | null = null;
  readonly #sceneTableSize: number;
  readonly #storageKey: string;
  #table: SceneTable;
  // The record of the table as it stands: the table changes only through `change`, so each change serializes it
  // once, and a change that changes nothing serializes nothing.
  #record: JsonValue;
  #generation = 0;

  private constructor(options: ScenesManagementOptions, sceneTableSize: number, storageKey: string, table: SceneTable) {
    this.options = options;
    this.sceneables = new Map(options.sceneableClusters.map((c) => [c.clusterId, c] as const));
    this.#sceneTableSize = sceneTableSize;
    this.#storageKey = storageKey;
    this.#table = table;
    this.#record = table.toRecord();
  }

  /** Opens the scene table from storage. */
  static async open(options: ScenesManagementOptions): Promise<ScenesManagementEnv> {
    const sceneTableSize = options.sceneTableSize ?? DEFAULT_SCENE_TABLE_SIZE;
    const storageKey = options.storageKey ?? `scenes-management/${options.endpoint}`;
    const stored = await options.storage.get(storageKey);
    const table = stored === undefined ? new SceneTable(sceneTableSize) : SceneTable.fromRecord(stored, sceneTableSize);
    return new ScenesManagementEnv(options, sceneTableSize, storageKey, table);
  }

  /** The scene table as it stands (replaced when a failed write restores the previous one). */
  get table(): SceneTable {
    return this.#table;
  }

  /** Group 0, or a group of the fabric's group table with this endpoint in it. */
  groupOk(fabricIndex: number, groupId: number): boolean {
    return groupId === 0 || this.options.groupExists(fabricIndex, groupId, this.options.endpoint);
  }

  /**
   * The first check of a command on one scene of a group (1.4.9): SceneID over 254 is CONSTRAINT_ERROR, a group that
   * fails `groupOk` INVALID_COMMAND; undefined when the request passes both.
   */
  sceneRequestStatus(fabricIndex: number, groupId: number, sceneId: number): ImStatus | undefined {
    if (sceneId > MAX_SCENE_ID) return ImStatus.CONSTRAINT_ERROR;
    return this.groupOk(fabricIndex, groupId) ? undefined : ImStatus.INVALID_COMMAND;
  }

  /**
   * Applies a table change at once and returns the write of the whole table, or undefined when nothing changed. A
   * failed write restores the table unless a later change came since (its write carries this one too).
   */
  change(mutate: () => boolean): Promise<void> | undefined {
    const before = this.#record;
    if (!mutate()) return undefined;
    const mine = ++this.#generation;
    const after = this.#table.toRecord();
    this.#record = after;
    this.changes.emit(ScenesManagementCluster.attributes.FabricSceneInfo);
    return (async () => this.options.storage.set(this.#storageKey, after))().catch((e: unknown) => {
      if (this.#generation === mine) {
        this.#table = SceneTable.fromRecord(before, this.#sceneTableSize);
        this.#record = before;
        this.changes.emit(ScenesManagementCluster.attributes.FabricSceneInfo);
      }
      throw e;
    });
  }

  /**
   * Writes the scene table without fabric `fabricIndex` into `tx` (the storage transaction that deletes the fabric's
   * record), or nothing when the fabric has no scenes. The table in memory is unchanged: `removeFabric` follows it once
   * the removal is final, so a failed removal keeps the fabric's scenes.
   */
  async removeFabricWrites(tx: Pick<ScenesStorage, "set">, fabricIndex: number): Promise<void> {
    const without = SceneTable.fromRecord(this.#record, this.#sceneTableSize);
    if (!without.removeFabric(fabricIndex)) return;
    await tx.set(this.#storageKey, without.toRecord());
  }

  /** `change` for a command handler: false when nothing changed; a failed write rejects (the answer is FAILURE). */
  async commit(mutate: () => boolean): Promise<boolean> {
    const written = this.change(mutate);
    if (written === undefined) return false;
    await written;
    return true;
  }

  /** Settles a hook's write: a storage failure goes to `onError`, the hook's promise never rejects. */
  async settle<T>(written: Promise<unknown> | undefined, value: T, failed: T): Promise<T> {
    try {
      await written;
      return value;
    } catch (e) {
      this.options.onError?.(e);
      return failed;
    }
  }

  /** SDK UpdateFabricSceneInfo: creates the fabric's entry if missing, then sets the given fields. */
  updateCurrent(fabricIndex: number, update: Partial<CurrentScene> = {}): void {
    const existing = this.current.get(fabricIndex);
    const next: CurrentScene = { ...NO_CURRENT_SCENE, ...existing, ...update };
    if (
      existing !== undefined &&
      existing.currentScene === next.currentScene &&
      existing.currentGroup === next.currentGroup &&
      existing.sceneValid === next.sceneValid
    )
      return;
    this.current.set(fabricIndex, next);
    this.changes.emit(ScenesManagementCluster.attributes.FabricSceneInfo);
  }

  /** A scene attribute changed outside a recall: SceneValid becomes false for every fabric (1.4.7.2.4). */
  makeSceneInvalidForAllFabrics(): void {
    for (const fi of new Set([...this.options.fabricIndices(), ...this.current.keys()]))
      this.updateCurrent(fi, { sceneValid: false });
  }

  /** Records the node that configured a scene in LastConfiguredBy. */
  configuredBy(session: SessionInfo): void {
    // 1.4.8.1: null when the configuring node is not known (a PASE session has no operational node id).
    const next = session.kind === "case" ? session.subjectNodeId : null;
    if (next === this.lastConfiguredBy) return;
    this.lastConfiguredBy = next;
    this.changes.emit(ScenesManagementCluster.attributes.LastConfiguredBy);
  }

  /** SDK SceneSaveEFS: the current values of every scene-capable cluster. */
  capture(): StoredExtensionFieldSet[] {
    return [...this.sceneables.values()].map((cluster) => ({
      clusterId: cluster.clusterId,
      values: cluster.capture().map((pair) => {
        const attr = cluster.attributes.find((a) => a.id === pair.attributeId);
        if (attr === undefined)
          throw new TypeError(
            `cluster 0x${cluster.clusterId.toString(16)} captured unknown attribute ${pair.attributeId}`,
          );
        return { attributeId: pair.attributeId, value: fromSceneValue(attr, pair.value) };
      }),
    }));
  }
}

/** The answer to a request on one scene (and ViewScene's answer without a scene): the status, its GroupID and SceneID. */
export function sceneResponse(req: SceneRequest, status: ImStatus): { response: SceneResponse } {
  return { response: { status, groupId: req.groupId, sceneId: req.sceneId } };
}
