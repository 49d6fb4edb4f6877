/**
 * The Logical Scene Table of one endpoint (Application Cluster spec 1.4.7.5 "Logical Scene Table"): scenes per fabric keyed by
 * (SceneGroupID, SceneID), the capacity rules, and the strict JSON record it is persisted as.
 */
import { MalformedError } from "../../bytes/errors.ts";
import { MAX_FABRIC_INDEX, MIN_FABRIC_INDEX } from "../../fabric/fabric-index.ts";
import type { JsonValue } from "../../storage/storage.ts";
import type { StoredAttributeValue } from "./sceneable-cluster.ts";

/** SceneTableSize when the node does not choose one (the data model default; SDK minimum per endpoint). */
export const DEFAULT_SCENE_TABLE_SIZE = 16;
/** Smallest SceneTableSize accepted (1.4.8.2: at least 16 scenes per endpoint; SDK static_assert). */
const MIN_SCENE_TABLE_SIZE = 16;
/** Largest SceneTableSize accepted: RemainingCapacity (uint8, max 253) must be able to express the per-fabric share. */
const MAX_SCENE_TABLE_SIZE = 507;
/** Longest SceneName, in bytes (1.4.9.2.4: maxLength 16). */
export const MAX_SCENE_NAME_BYTES = 16;
/** Longest TransitionTime, in milliseconds (1.4.9.2.3 / 1.4.9.12.3: max 60 000 000 ms = 1000 s). */
export const MAX_TRANSITION_TIME_MS = 60_000_000;
/** Largest SceneID (1.4.9.2.2: max 254). */
export const MAX_SCENE_ID = 254;
/** The undefined scene identifier (1.4.7.2.2: CurrentScene before any scene was invoked; SDK kUndefinedSceneId). */
export const UNDEFINED_SCENE_ID = 0xff;
/** The global scene: group 0, scene 0 (used by On/Off OffWithEffect and OnWithRecallGlobalScene). */
export const GLOBAL_SCENE_GROUP_ID = 0;
/** Scene id of the global scene. */
export const GLOBAL_SCENE_ID = 0;

/** The values one scene holds for one scene-capable cluster. */
export interface StoredExtensionFieldSet {
  readonly clusterId: number;
  readonly values: readonly StoredAttributeValue[];
}

/** One row of the Logical Scene Table (its fabric is the table's key). */
export interface SceneTableEntry {
  readonly groupId: number;
  readonly sceneId: number;
  readonly sceneName: string;
  readonly transitionTimeMs: number;
  readonly extensionFieldSets: readonly StoredExtensionFieldSet[];
}

/** Version of the persisted record layout. */
const RECORD_VERSION = 1;
const utf8 = new TextEncoder();

/** The scenes of every fabric on one endpoint, with the SDK's capacity accounting. */
export class SceneTable {
  /** SceneTableSize (1.4.8.2): scenes the endpoint holds for all fabrics together. */
  readonly sceneTableSize: number;
  /** Scenes one fabric may hold: (SceneTableSize - 1) / 2 rounded down ("Handling of Fabric-Scoping"; SDK kMaxScenesPerFabric). */
  readonly maxScenesPerFabric: number;
  readonly #fabrics = new Map<number, SceneTableEntry[]>();

  constructor(sceneTableSize: number = DEFAULT_SCENE_TABLE_SIZE) {
    if (
      !Number.isInteger(sceneTableSize) ||
      sceneTableSize < MIN_SCENE_TABLE_SIZE ||
      sceneTableSize > MAX_SCENE_TABLE_SIZE
    )
      throw new RangeError(`sceneTableSize: ${sceneTableSize}`);
    this.sceneTableSize = sceneTableSize;
    this.maxScenesPerFabric = Math.floor((sceneTableSize - 1) / 2);
  }

  /** The scene (groupId, sceneId) of a fabric. */
  get(fabricIndex: number, groupId: number, sceneId: number): SceneTableEntry | undefined {
    return this.#fabrics.get(fabricIndex)?.find((e) => e.groupId === groupId && e.sceneId === sceneId);
  }

  /** Adds or replaces a scene; false (nothing changed) when a new scene does not fit (SDK CHIP_ERROR_NO_MEMORY). */
  set(fabricIndex: number, entry: SceneTableEntry): boolean {
    const list = this.#fabrics.get(fabricIndex) ?? [];
    const i = list.findIndex((e) => e.groupId === entry.groupId && e.sceneId === entry.sceneId);
    if (i >= 0) {
      list[i] = entry;
      return true;
    }
    if (this.remainingCapacity(fabricIndex) === 0) return false;
    list.push(entry);
    this.#fabrics.set(fabricIndex, list);
    return true;
  }

  /** Removes one scene; false if it did not exist. */
  remove(fabricIndex: number, groupId: number, sceneId: number): boolean {
    const list = this.#fabrics.get(fabricIndex);
    const i = list?.findIndex((e) => e.groupId === groupId && e.sceneId === sceneId) ?? -1;
    if (list === undefined || i < 0) return false;
    list.splice(i, 1);
    if (list.length === 0) this.#fabrics.delete(fabricIndex);
    return true;
  }

  /** Removes every scene of a group of a fabric; returns how many were removed. */
  removeGroup(fabricIndex: number, groupId: number): number {
    const list = this.#fabrics.get(fabricIndex);
    if (list === undefined) return 0;
    const kept = list.filter((e) => e.groupId !== groupId);
    if (kept.length === 0) this.#fabrics.delete(fabricIndex);
    else this.#fabrics.set(fabricIndex, kept);
    return list.length - kept.length;
  }

  /** Removes every scene of a fabric; false if it had none. */
  removeFabric(fabricIndex: number): boolean {
    return this.#fabrics.delete(fabricIndex);
  }

  /** The scene ids of a group of a fabric, in table order. */
  sceneIds(fabricIndex: number, groupId: number): number[] {
    return (this.#fabrics.get(fabricIndex) ?? []).filter((e) => e.groupId === groupId).map((e) => e.sceneId);
  }

  /** The scenes of a fabric, in table order. */
  scenes(fabricIndex: number): readonly SceneTableEntry[] {
    return [...(this.#fabrics.get(fabricIndex) ?? [])];
  }

  /** Number of scenes of a fabric (SceneInfoStruct.SceneCount). */
  sceneCount(fabricIndex: number): number {
    return this.#fabrics.get(fabricIndex)?.length ?? 0;
  }

  /** Fabric indices that hold at least one scene, ascending. */
  fabricIndices(): number[] {
    return [...this.#fabrics.keys()].sort((a, b) => a - b);
  }

  /**
   * RemainingCapacity of a fabric (1.4.7.2.5): the lesser of its unused per-fabric share and the unused endpoint table
   * (SDK FabricTableImpl::GetRemainingCapacity); 0 while a table loaded from storage is over either limit.
   */
  remainingCapacity(fabricIndex: number): number {
    let total = 0;
    for (const list of this.#fabrics.values()) total += list.length;
    const global = Math.max(0, this.sceneTableSize - total);
    const fabric = Math.max(0, this.maxScenesPerFabric - this.sceneCount(fabricIndex));
    return Math.min(global, fabric);
  }

  /** The persisted record of the table (64-bit values as decimal strings: JSON has no bigint). */
  toRecord(): JsonValue {
    return {
      version: RECORD_VERSION,
      fabrics: this.fabricIndices().map((fabricIndex) => ({
        fabricIndex,
        scenes: (this.#fabrics.get(fabricIndex) ?? []).map((e) => ({
          groupId: e.groupId,
          sceneId: e.sceneId,
          sceneName: e.sceneName,
          transitionTimeMs: e.transitionTimeMs,
          extensionFieldSets: e.extensionFieldSets.map((s) => ({
            clusterId: s.clusterId,
            values: s.values.map((v) => ({ attributeId: v.attributeId, value: v.value.toString() })),
          })),
        })),
      })),
    };
  }

  /** Rebuilds a table from its record, strictly: any deviation is a MalformedError "scenes.record". */
  static fromRecord(record: unknown, sceneTableSize: number = DEFAULT_SCENE_TABLE_SIZE): SceneTable {
    const table = new SceneTable(sceneTableSize);
    const root = object(record, "scenes");
    if (root.version !== RECORD_VERSION) throw bad("scenes/version", `unknown record version ${String(root.version)}`);
    const seen = new Set<number>();
    for (const [fi, f] of array(root.fabrics, "scenes/fabrics").entries()) {
      const path = `scenes/fabrics[${fi}]`;
      const fabric = object(f, path);
      const fabricIndex = int(fabric.fabricIndex, MIN_FABRIC_INDEX, MAX_FABRIC_INDEX, `${path}/fabricIndex`);
      if (seen.has(fabricIndex)) throw bad(`${path}/fabricIndex`, `fabric ${fabricIndex} appears twice`);
      seen.add(fabricIndex);
      const list: SceneTableEntry[] = [];
      for (const [si, s] of array(fabric.scenes, `${path}/scenes`).entries()) {
        const sp = `${path}/scenes[${si}]`;
        const entry = sceneFromRecord(s, sp);
        if (list.some((e) => e.groupId === entry.groupId && e.sceneId === entry.sceneId))
          throw bad(sp, `scene ${entry.groupId}/${entry.sceneId} appears twice`);
        list.push(entry);
      }
      if (list.length > 0) table.#fabrics.set(fabricIndex, list);
    }
    return table;
  }
}

function sceneFromRecord(value: unknown, path: string): SceneTableEntry {
  const s = object(value, path);
  const sceneName = s.sceneName;
  if (typeof sceneName !== "string" || utf8.encode(sceneName).length > MAX_SCENE_NAME_BYTES)
    throw bad(`${path}/sceneName`, `expected a string of at most ${MAX_SCENE_NAME_BYTES} bytes`);
  return {
    groupId: int(s.groupId, 0, 0xffff, `${path}/groupId`),
    sceneId: int(s.sceneId, 0, MAX_SCENE_ID, `${path}/sceneId`),
    sceneName,
    transitionTimeMs: int(s.transitionTimeMs, 0, MAX_TRANSITION_TIME_MS, `${path}/transitionTimeMs`),
    extensionFieldSets: array(s.extensionFieldSets, `${path}/extensionFieldSets`).map((x, i) => {
      const ep = `${path}/extensionFieldSets[${i}]`;
      const set = object(x, ep);
      return {
        clusterId: int(set.clusterId, 0, 0xffffffff, `${ep}/clusterId`),
        values: array(set.values, `${ep}/values`).map((y, j) => {
          const vp = `${ep}/values[${j}]`;
          const v = object(y, vp);
          const text = v.value;
          // int64 minimum to uint64 maximum: every value an AttributeValuePairStruct can carry.
          if (typeof text !== "string" || !/^(0|-?[1-9][0-9]{0,19})$/.test(text))
            throw bad(`${vp}/value`, "expected a decimal integer string");
          const n = BigInt(text);
          if (n < -(1n << 63n) || n > (1n << 64n) - 1n) throw bad(`${vp}/value`, `${text} out of range`);
          return { attributeId: int(v.attributeId, 0, 0xffffffff, `${vp}/attributeId`), value: n };
        }),
      };
    }),
  };
}

function bad(path: string, message: string): MalformedError {
  return new MalformedError("scenes.record", message, { path });
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad(path, "expected an object");
  return value as Record<string, unknown>;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw bad(path, "expected an array");
  return value;
}

function int(value: unknown, min: number, max: number, path: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    throw bad(path, `expected an integer in [${min}, ${max}]`);
  return value;
}
