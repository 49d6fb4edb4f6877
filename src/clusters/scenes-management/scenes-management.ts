/**
 * Scenes Management cluster 0x0062, revision 1, feature SceneNames (Application Cluster spec 1.4, Matter 1.4.2 data
 * model XML), with the optional LastConfiguredBy attribute and CopyScene command. Statuses and their order follow
 * connectedhomeip's scenes-server where the spec leaves them open; deviations are named where they are made.
 */

import { isFabricIndex } from "../../fabric/fabric-index.ts";
import type { SessionInfo } from "../../im/data-model.ts";
import { AttributeChangeEmitter, attribute, type Cluster, command, Privilege } from "../../im/data-model.ts";
import { ImStatus } from "../../im/status-code.ts";
import type { JsonValue, StorageValue } from "../../storage/storage.ts";
import { tlvArray, tlvNullable, tlvUInt16, tlvUInt64 } from "../../tlv/tlv-schema.ts";
import type { ExtensionFieldSetStruct } from "./extension-field-set.ts";
import { SCENE_INFO_FABRIC_SENSITIVE_FIELDS, SceneInfoStruct } from "./scene-info-struct.ts";
import {
  DEFAULT_SCENE_TABLE_SIZE,
  GLOBAL_SCENE_GROUP_ID,
  GLOBAL_SCENE_ID,
  MAX_SCENE_ID,
  MAX_SCENE_NAME_BYTES,
  MAX_TRANSITION_TIME_MS,
  SceneTable,
  type StoredExtensionFieldSet,
  UNDEFINED_SCENE_ID,
} from "./scene-table.ts";
import {
  checkExtensionFieldSet,
  fromSceneValue,
  type SceneableCluster,
  toAttributeValuePairStruct,
  toSceneValue,
} from "./sceneable-cluster.ts";
import {
  AddSceneRequest,
  CopyModeBitmap,
  CopySceneRequest,
  CopySceneResponse,
  GetSceneMembershipResponse,
  GroupRequest,
  RecallSceneRequest,
  RemoveAllScenesResponse,
  SceneRequest,
  SceneResponse,
  ScenesManagementCommand,
  ViewSceneResponse,
} from "./scenes-management-commands.ts";

/** Cluster id (Application Cluster spec 1.4). */
export const SCENES_MANAGEMENT_CLUSTER_ID = 0x0062;
/** ClusterRevision in the Matter 1.4.2 data model. */
export const SCENES_MANAGEMENT_REVISION = 1;
/** Feature bits (1.4.4). */
export const ScenesManagementFeature = { SceneNames: 0x01 } as const;

/** Attribute ids (1.4.8). */
export const ScenesManagementAttribute = {
  LastConfiguredBy: 0x0000,
  SceneTableSize: 0x0001,
  FabricSceneInfo: 0x0002,
} as const;

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
  /** Start-up: drops the scenes of every fabric index not in `keep` (never committed); returns the indices dropped. */
  pruneFabrics(keep: ReadonlySet<number>): Promise<number[]>;
  /** A scene attribute changed outside a recall: SceneValid becomes false for every fabric (1.4.7.2.4). */
  makeSceneInvalidForAllFabrics(): void;
  /** The scene table (read-only use: tests and diagnostics). */
  readonly table: SceneTable;
}

/** The current-scene part of a fabric's SceneInfoStruct (SceneCount and RemainingCapacity are computed on read). */
interface CurrentScene {
  currentScene: number;
  currentGroup: number;
  sceneValid: boolean;
}

/**
 * A fabric's current scene before any was invoked. Deviation from the SDK (which starts CurrentScene at 0): 1.4.7.2.2
 * says the field SHALL be 0xFF, the undefined scene identifier, when no scene has been invoked.
 */
const NO_CURRENT_SCENE: Readonly<CurrentScene> = {
  currentScene: UNDEFINED_SCENE_ID,
  currentGroup: 0,
  sceneValid: false,
};

const utf8 = new TextEncoder();

/** Opens the scene table from storage and creates the Scenes Management cluster server. */
export async function createScenesManagement(options: ScenesManagementOptions): Promise<ScenesManagementServer> {
  const { endpoint, storage } = options;
  const sceneTableSize = options.sceneTableSize ?? DEFAULT_SCENE_TABLE_SIZE;
  const storageKey = options.storageKey ?? `scenes-management/${endpoint}`;
  const stored = await storage.get(storageKey);
  let table = stored === undefined ? new SceneTable(sceneTableSize) : SceneTable.fromRecord(stored, sceneTableSize);
  const sceneables = new Map(options.sceneableClusters.map((c) => [c.clusterId, c] as const));
  const changes = new AttributeChangeEmitter();
  // SDK: FabricSceneInfo's current scene lives in RAM only (the data model marks no persistence for it).
  const current = new Map<number, CurrentScene>();
  let lastConfiguredBy: bigint | null = null;

  const groupOk = (fabricIndex: number, groupId: number) =>
    groupId === 0 || options.groupExists(fabricIndex, groupId, endpoint);

  let generation = 0;
  // The record of `table` as it stands: the table changes only through `change`, so each change serializes it once,
  // and a change that changes nothing serializes nothing.
  let record = table.toRecord();
  /**
   * Applies a table change at once and returns the write of the whole table, or undefined when nothing changed. A
   * failed write restores the table unless a later change came since (its write carries this one too).
   */
  const change = (mutate: () => boolean): Promise<void> | undefined => {
    const before = record;
    if (!mutate()) return undefined;
    const mine = ++generation;
    const after = table.toRecord();
    record = after;
    changes.emit(ScenesManagementAttribute.FabricSceneInfo);
    return (async () => storage.set(storageKey, after))().catch((e: unknown) => {
      if (generation === mine) {
        table = SceneTable.fromRecord(before, sceneTableSize);
        record = before;
        changes.emit(ScenesManagementAttribute.FabricSceneInfo);
      }
      throw e;
    });
  };
  /** `change` for a command handler: false when nothing changed; a failed write rejects (the answer is FAILURE). */
  const commit = async (mutate: () => boolean): Promise<boolean> => {
    const written = change(mutate);
    if (written === undefined) return false;
    await written;
    return true;
  };
  /** Settles a hook's write: a storage failure goes to `onError`, the hook's promise never rejects. */
  const settle = async <T>(written: Promise<unknown> | undefined, value: T, failed: T): Promise<T> => {
    try {
      await written;
      return value;
    } catch (e) {
      options.onError?.(e);
      return failed;
    }
  };

  /** SDK UpdateFabricSceneInfo: creates the fabric's entry if missing, then sets the given fields. */
  const updateCurrent = (fabricIndex: number, update: Partial<CurrentScene> = {}): void => {
    const existing = current.get(fabricIndex);
    const next: CurrentScene = { ...NO_CURRENT_SCENE, ...existing, ...update };
    if (
      existing !== undefined &&
      existing.currentScene === next.currentScene &&
      existing.currentGroup === next.currentGroup &&
      existing.sceneValid === next.sceneValid
    )
      return;
    current.set(fabricIndex, next);
    changes.emit(ScenesManagementAttribute.FabricSceneInfo);
  };

  const makeSceneInvalidForAllFabrics = (): void => {
    for (const fi of new Set([...options.fabricIndices(), ...current.keys()])) updateCurrent(fi, { sceneValid: false });
  };

  const configuredBy = (session: SessionInfo): void => {
    // 1.4.8.1: null when the configuring node is not known (a PASE session has no operational node id).
    const next = session.kind === "case" ? session.subjectNodeId : null;
    if (next === lastConfiguredBy) return;
    lastConfiguredBy = next;
    changes.emit(ScenesManagementAttribute.LastConfiguredBy);
  };

  /** SDK SceneSaveEFS: the current values of every scene-capable cluster. */
  const capture = (): StoredExtensionFieldSet[] =>
    [...sceneables.values()].map((cluster) => ({
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

  /**
   * StoreScene processing (1.4.9.10; SDK StoreSceneParse), shared with storeGlobalScene: the scene and the fabric's
   * current scene change before it returns; the promise is the table write.
   */
  const storeScene = (
    fabricIndex: number,
    groupId: number,
    sceneId: number,
  ): { status: ImStatus; written?: Promise<void> } => {
    // SDK: the fabric's SceneValid becomes false before anything else, even if the store then fails.
    updateCurrent(fabricIndex, { sceneValid: false });
    // 1.4.9.10: a GroupID other than 0 not in the Group Table for this endpoint → INVALID_COMMAND (SDK).
    if (!groupOk(fabricIndex, groupId)) return { status: ImStatus.INVALID_COMMAND };
    const existing = table.get(fabricIndex, groupId, sceneId);
    // An existing scene keeps its name and transition time; a new one gets "" and 0 ms.
    const entry = {
      groupId,
      sceneId,
      sceneName: existing?.sceneName ?? "",
      transitionTimeMs: existing?.transitionTimeMs ?? 0,
      extensionFieldSets: capture(),
    };
    const written = change(() => table.set(fabricIndex, entry));
    if (written === undefined) return { status: ImStatus.RESOURCE_EXHAUSTED };
    // Synchronously, so that an On/Off change right after OffWithEffect's store invalidates the scene again (SDK).
    updateCurrent(fabricIndex, { currentGroup: groupId, currentScene: sceneId, sceneValid: true });
    return { status: ImStatus.SUCCESS, written };
  };

  /** RecallScene processing (1.4.9.12; SDK RecallSceneParse), shared with recallGlobalScene. */
  const recallScene = (
    fabricIndex: number,
    groupId: number,
    sceneId: number,
    transitionTime: number | null | undefined,
  ): ImStatus => {
    // SDK: SceneValid becomes false for every fabric before the recall, even if it then fails.
    makeSceneInvalidForAllFabrics();
    if (!groupOk(fabricIndex, groupId)) return ImStatus.INVALID_COMMAND;
    const entry = table.get(fabricIndex, groupId, sceneId);
    if (entry === undefined) return ImStatus.NOT_FOUND;
    // 1.4.9.12.3: a TransitionTime present and not null overrides the scene's own.
    const ms = transitionTime ?? entry.transitionTimeMs;
    for (const set of entry.extensionFieldSets) {
      const cluster = sceneables.get(set.clusterId);
      if (cluster === undefined) continue;
      const pairs = set.values.flatMap((v) => {
        const attr = cluster.attributes.find((a) => a.id === v.attributeId);
        return attr === undefined ? [] : [{ attributeId: v.attributeId, value: toSceneValue(attr, v.value) }];
      });
      cluster.apply(pairs, ms);
    }
    updateCurrent(fabricIndex, { currentGroup: groupId, currentScene: sceneId, sceneValid: true });
    return ImStatus.SUCCESS;
  };

  const viewSets = (sets: readonly StoredExtensionFieldSet[]): ExtensionFieldSetStruct[] =>
    sets.flatMap((set) => {
      const cluster = sceneables.get(set.clusterId);
      if (cluster === undefined) return [];
      const attributeValueList = set.values.flatMap((v) => {
        const attr = cluster.attributes.find((a) => a.id === v.attributeId);
        return attr === undefined ? [] : [toAttributeValuePairStruct(attr, v)];
      });
      return [{ clusterId: set.clusterId, attributeValueList }];
    });

  const manage = { invokePrivilege: Privilege.Manage, fabricScoped: true, timed: false } as const;
  const operate = { invokePrivilege: Privilege.Operate, fabricScoped: true, timed: false } as const;

  const cluster: Cluster = {
    id: SCENES_MANAGEMENT_CLUSTER_ID,
    name: "ScenesManagement",
    revision: SCENES_MANAGEMENT_REVISION,
    featureMap: ScenesManagementFeature.SceneNames,
    changes,
    attributes: [
      attribute({
        id: ScenesManagementAttribute.LastConfiguredBy,
        name: "LastConfiguredBy",
        schema: tlvNullable(tlvUInt64),
        readPrivilege: Privilege.View,
        read: () => lastConfiguredBy,
      }),
      attribute({
        id: ScenesManagementAttribute.SceneTableSize,
        name: "SceneTableSize",
        schema: tlvUInt16,
        readPrivilege: Privilege.View,
        read: () => table.sceneTableSize,
      }),
      attribute({
        id: ScenesManagementAttribute.FabricSceneInfo,
        name: "FabricSceneInfo",
        schema: tlvArray(SceneInfoStruct),
        readPrivilege: Privilege.View,
        fabricScoped: true,
        fabricSensitiveFields: SCENE_INFO_FABRIC_SENSITIVE_FIELDS,
        read: () =>
          [...new Set([...current.keys(), ...table.fabricIndices()])]
            .sort((a, b) => a - b)
            .map((fabricIndex) => {
              const c = current.get(fabricIndex) ?? NO_CURRENT_SCENE;
              return {
                sceneCount: table.sceneCount(fabricIndex),
                currentScene: c.currentScene,
                currentGroup: c.currentGroup,
                sceneValid: c.sceneValid,
                remainingCapacity: table.remainingCapacity(fabricIndex),
                fabricIndex,
              };
            }),
      }),
    ],
    commands: [
      command({
        id: ScenesManagementCommand.AddScene,
        name: "AddScene",
        requestSchema: AddSceneRequest,
        response: { id: ScenesManagementCommand.AddScene, name: "AddSceneResponse", schema: SceneResponse },
        ...manage,
        handler: async (req, ctx) => {
          const fi = ctx.session.fabricIndex;
          const reply = (status: ImStatus) => ({ response: { status, groupId: req.groupId, sceneId: req.sceneId } });
          // 1.4.9.2: TransitionTime max 60 000 000 ms, SceneName maxLength 16, SceneID max 254 → CONSTRAINT_ERROR.
          if (
            req.transitionTime > MAX_TRANSITION_TIME_MS ||
            utf8.encode(req.sceneName).length > MAX_SCENE_NAME_BYTES ||
            req.sceneId > MAX_SCENE_ID
          )
            return reply(ImStatus.CONSTRAINT_ERROR);
          if (!groupOk(fi, req.groupId)) return reply(ImStatus.INVALID_COMMAND);
          const sets: StoredExtensionFieldSet[] = [];
          for (const efs of req.extensionFieldSetStructs) {
            const sceneable = sceneables.get(efs.clusterId);
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
          if (table.remainingCapacity(fi) === 0) return reply(ImStatus.RESOURCE_EXHAUSTED);
          const entry = {
            groupId: req.groupId,
            sceneId: req.sceneId,
            sceneName: req.sceneName,
            transitionTimeMs: req.transitionTime,
            extensionFieldSets: sets,
          };
          if (!(await commit(() => table.set(fi, entry)))) return reply(ImStatus.RESOURCE_EXHAUSTED);
          updateCurrent(fi);
          configuredBy(ctx.session);
          return reply(ImStatus.SUCCESS);
        },
      }),
      command({
        id: ScenesManagementCommand.ViewScene,
        name: "ViewScene",
        requestSchema: SceneRequest,
        response: { id: ScenesManagementCommand.ViewScene, name: "ViewSceneResponse", schema: ViewSceneResponse },
        ...operate,
        handler: async (req, ctx) => {
          const fi = ctx.session.fabricIndex;
          const reply = (status: ImStatus) => ({ response: { status, groupId: req.groupId, sceneId: req.sceneId } });
          if (req.sceneId > MAX_SCENE_ID) return reply(ImStatus.CONSTRAINT_ERROR);
          if (!groupOk(fi, req.groupId)) return reply(ImStatus.INVALID_COMMAND);
          const entry = table.get(fi, req.groupId, req.sceneId);
          if (entry === undefined) return reply(ImStatus.NOT_FOUND);
          return {
            response: {
              status: ImStatus.SUCCESS,
              groupId: req.groupId,
              sceneId: req.sceneId,
              transitionTime: entry.transitionTimeMs,
              sceneName: entry.sceneName,
              extensionFieldSetStructs: viewSets(entry.extensionFieldSets),
            },
          };
        },
      }),
      command({
        id: ScenesManagementCommand.RemoveScene,
        name: "RemoveScene",
        requestSchema: SceneRequest,
        response: { id: ScenesManagementCommand.RemoveScene, name: "RemoveSceneResponse", schema: SceneResponse },
        ...manage,
        handler: async (req, ctx) => {
          const fi = ctx.session.fabricIndex;
          const reply = (status: ImStatus) => ({ response: { status, groupId: req.groupId, sceneId: req.sceneId } });
          if (req.sceneId > MAX_SCENE_ID) return reply(ImStatus.CONSTRAINT_ERROR);
          if (!groupOk(fi, req.groupId)) return reply(ImStatus.INVALID_COMMAND);
          if (!(await commit(() => table.remove(fi, req.groupId, req.sceneId)))) return reply(ImStatus.NOT_FOUND);
          const c = current.get(fi);
          const wasCurrent = c !== undefined && c.currentGroup === req.groupId && c.currentScene === req.sceneId;
          updateCurrent(fi, wasCurrent ? { sceneValid: false } : {});
          configuredBy(ctx.session);
          return reply(ImStatus.SUCCESS);
        },
      }),
      command({
        id: ScenesManagementCommand.RemoveAllScenes,
        name: "RemoveAllScenes",
        requestSchema: GroupRequest,
        response: {
          id: ScenesManagementCommand.RemoveAllScenes,
          name: "RemoveAllScenesResponse",
          schema: RemoveAllScenesResponse,
        },
        ...manage,
        handler: async (req, ctx) => {
          const fi = ctx.session.fabricIndex;
          const reply = (status: ImStatus) => ({ response: { status, groupId: req.groupId } });
          if (!groupOk(fi, req.groupId)) return reply(ImStatus.INVALID_COMMAND);
          await commit(() => table.removeGroup(fi, req.groupId) > 0);
          updateCurrent(fi, current.get(fi)?.currentGroup === req.groupId ? { sceneValid: false } : {});
          configuredBy(ctx.session);
          return reply(ImStatus.SUCCESS);
        },
      }),
      command({
        id: ScenesManagementCommand.StoreScene,
        name: "StoreScene",
        requestSchema: SceneRequest,
        response: { id: ScenesManagementCommand.StoreScene, name: "StoreSceneResponse", schema: SceneResponse },
        ...manage,
        handler: async (req, ctx) => {
          const reply = (status: ImStatus) => ({ response: { status, groupId: req.groupId, sceneId: req.sceneId } });
          if (req.sceneId > MAX_SCENE_ID) return reply(ImStatus.CONSTRAINT_ERROR);
          const { status, written } = storeScene(ctx.session.fabricIndex, req.groupId, req.sceneId);
          await written;
          if (status === ImStatus.SUCCESS) configuredBy(ctx.session);
          return reply(status);
        },
      }),
      command({
        id: ScenesManagementCommand.RecallScene,
        name: "RecallScene",
        requestSchema: RecallSceneRequest,
        ...operate,
        handler: async (req, ctx) => {
          if (req.sceneId > MAX_SCENE_ID) return { status: ImStatus.CONSTRAINT_ERROR };
          // 1.4.9.12.3: TransitionTime max 60 000 000 ms. Deviation: the SDK does not check it; the spec constraint is
          // enforced here so that a recall never runs a transition longer than any scene can store.
          const t = req.transitionTime;
          if (t !== undefined && t !== null && t > MAX_TRANSITION_TIME_MS) return { status: ImStatus.CONSTRAINT_ERROR };
          return { status: recallScene(ctx.session.fabricIndex, req.groupId, req.sceneId, t) };
        },
      }),
      command({
        id: ScenesManagementCommand.GetSceneMembership,
        name: "GetSceneMembership",
        requestSchema: GroupRequest,
        response: {
          id: ScenesManagementCommand.GetSceneMembership,
          name: "GetSceneMembershipResponse",
          schema: GetSceneMembershipResponse,
        },
        ...operate,
        handler: async (req, ctx) => {
          const fi = ctx.session.fabricIndex;
          // 1.4.9.13/1.4.9.14: an unknown group → INVALID_COMMAND with a null Capacity and no SceneList.
          if (!groupOk(fi, req.groupId))
            return { response: { status: ImStatus.INVALID_COMMAND, capacity: null, groupId: req.groupId } };
          return {
            response: {
              status: ImStatus.SUCCESS,
              capacity: table.remainingCapacity(fi),
              groupId: req.groupId,
              sceneList: table.sceneIds(fi, req.groupId),
            },
          };
        },
      }),
      command({
        id: ScenesManagementCommand.CopyScene,
        name: "CopyScene",
        requestSchema: CopySceneRequest,
        response: { id: ScenesManagementCommand.CopyScene, name: "CopySceneResponse", schema: CopySceneResponse },
        ...manage,
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
          if (!groupOk(fi, req.groupIdentifierFrom) || !groupOk(fi, req.groupIdentifierTo))
            return reply(ImStatus.INVALID_COMMAND);
          if (table.remainingCapacity(fi) === 0) return reply(ImStatus.RESOURCE_EXHAUSTED);
          const from = req.groupIdentifierFrom;
          const to = req.groupIdentifierTo;
          // 1.4.9.15: CopyAllScenes copies every scene of GroupIdentifierFrom, keeping scene ids; scene ids are ignored.
          const copies =
            (req.mode & CopyModeBitmap.CopyAllScenes) !== 0
              ? table.sceneIds(fi, from).map((sceneId) => ({ sceneId, toSceneId: sceneId }))
              : [{ sceneId: req.sceneIdentifierFrom, toSceneId: req.sceneIdentifierTo }];
          // All copies in one pass and one table write.
          let status: ImStatus = ImStatus.SUCCESS;
          const copied = await commit(() => {
            let any = false;
            for (const { sceneId, toSceneId } of copies) {
              const source = table.get(fi, from, sceneId);
              if (source === undefined) {
                status = ImStatus.NOT_FOUND;
                break;
              }
              // SDK: copies made before the table fills stay; the response is RESOURCE_EXHAUSTED.
              if (!table.set(fi, { ...source, groupId: to, sceneId: toSceneId })) {
                status = ImStatus.RESOURCE_EXHAUSTED;
                break;
              }
              any = true;
            }
            return any;
          });
          if (copied) updateCurrent(fi);
          if (status === ImStatus.SUCCESS) configuredBy(ctx.session);
          return reply(status);
        },
      }),
    ],
    events: [],
  };

  const removeFabric = (fabricIndex: number): Promise<void> => {
    if (!isFabricIndex(fabricIndex)) return Promise.resolve();
    if (current.delete(fabricIndex)) changes.emit(ScenesManagementAttribute.FabricSceneInfo);
    return settle(
      change(() => table.removeFabric(fabricIndex)),
      undefined,
      undefined,
    );
  };
  return {
    cluster,
    get table() {
      return table;
    },
    // Scenes are fabric-scoped: the hooks ignore a session without a fabric (On/Off's commands are not fabric-scoped,
    // so OffWithEffect over PASE before AddNOC arrives with fabric index 0) and any value that is no fabric index.
    storeGlobalScene: (fabricIndex) => {
      if (!isFabricIndex(fabricIndex)) return Promise.resolve(ImStatus.UNSUPPORTED_ACCESS);
      try {
        const { status, written } = storeScene(fabricIndex, GLOBAL_SCENE_GROUP_ID, GLOBAL_SCENE_ID);
        return settle(written, status, ImStatus.FAILURE);
      } catch (e) {
        // A scene-capable cluster's capture() failed: the hook still must not throw into On/Off's handler.
        options.onError?.(e);
        return Promise.resolve(ImStatus.FAILURE);
      }
    },
    recallGlobalScene: async (fabricIndex) => {
      if (!isFabricIndex(fabricIndex)) return ImStatus.UNSUPPORTED_ACCESS;
      try {
        return recallScene(fabricIndex, GLOBAL_SCENE_GROUP_ID, GLOBAL_SCENE_ID, undefined);
      } catch (e) {
        options.onError?.(e);
        return ImStatus.FAILURE;
      }
    },
    removeGroupScenes: (fabricIndex, groupId) => {
      if (!isFabricIndex(fabricIndex)) return Promise.resolve();
      // SDK GroupWillBeRemoved: the current scene of a removed group cannot stay valid.
      if (current.get(fabricIndex)?.currentGroup === groupId) updateCurrent(fabricIndex, { sceneValid: false });
      return settle(
        change(() => table.removeGroup(fabricIndex, groupId) > 0),
        undefined,
        undefined,
      );
    },
    removeFabric,
    async pruneFabrics(keep) {
      const dropped = table.fabricIndices().filter((i) => !keep.has(i));
      for (const i of dropped) await removeFabric(i);
      return dropped;
    },
    makeSceneInvalidForAllFabrics,
  };
}
