/**
 * One declared application endpoint (Core 9.2 endpoint composition; Device Library 4.1, 5.1): the server clusters its
 * device type requires (Identify, Groups, On/Off with Lighting, Scenes Management), wired to each other, to the node's
 * timers and to storage, plus the application's own clusters. The application reads and sets its state here.
 */
import { createGroups } from "../clusters/groups/groups.ts";
import { createIdentify } from "../clusters/identify/identify.ts";
import { createOnOff, type OnOffServer } from "../clusters/on-off/on-off.ts";
import { isStartUpOnOff, startUpOnOffValue } from "../clusters/on-off/on-off-data-types.ts";
import { createOnOffSceneable } from "../clusters/scenes-management/on-off-scenes.ts";
import {
  createScenesManagement,
  type ScenesManagementServer,
} from "../clusters/scenes-management/scenes-management.ts";
import type { FabricIndex } from "../fabric/fabric-index.ts";
import type { GroupKeyStore } from "../fabric/group-keys.ts";
import type { Cluster } from "../im/data-model.ts";
import type { Storage, StorageTransaction } from "../storage/storage.ts";
import { DEVICE_TYPES, type DeviceTypeName } from "./device-library.ts";
import type { EndpointDeclaration, NodeLogger } from "./node-config.ts";

/** Application attributes the application can set and observe, by cluster and attribute name. */
export interface ApplicationAttributes {
  readonly OnOff: { readonly OnOff: boolean };
}

/** A change of an application attribute; `source` "application" when `setAttribute` made it, else "node". */
export type ApplicationAttributeChange = {
  [C in keyof ApplicationAttributes]: {
    [A in keyof ApplicationAttributes[C]]: {
      readonly endpoint: number;
      readonly cluster: C;
      readonly attribute: A;
      readonly value: ApplicationAttributes[C][A];
      /** "node": a command from a controller, a timer (OnWithTimedOff) or a scene recall. */
      readonly source: "application" | "node";
    };
  }[keyof ApplicationAttributes[C]];
}[keyof ApplicationAttributes];

/** What an application endpoint needs from the node. */
interface ApplicationEndpointContext {
  readonly storage: Storage;
  readonly groupKeys: GroupKeyStore;
  /** Committed fabric indices. */
  readonly fabricIndices: () => readonly number[];
  /** Runs `fn` at `at` (node clock, ms) with a time never before `at`. */
  readonly later: (at: number, fn: (now: number) => void) => NodeJS.Timeout;
  readonly log: NodeLogger;
  /** Group Key Management reports GroupTable after a Groups command changed it. */
  readonly onGroupTableChanged: () => void;
  /** Receives a storage failure of a change that was already made in memory. */
  readonly onError: (what: string, error: unknown) => void;
}

/** A built application endpoint. */
export interface ApplicationEndpoint {
  readonly id: number;
  readonly deviceType: DeviceTypeName;
  /** Its server clusters (Descriptor aside, which the node adds). */
  readonly clusters: readonly Cluster[];
  /** The On/Off server (every declarable device type has one). */
  readonly onOff: OnOffServer;
  /** Sets an application attribute from the application (a local control): reported to subscribers. */
  setAttribute<C extends keyof ApplicationAttributes, A extends keyof ApplicationAttributes[C]>(
    cluster: C,
    attribute: A,
    value: ApplicationAttributes[C][A],
  ): void;
  /** The current value of an application attribute. */
  getAttribute<C extends keyof ApplicationAttributes, A extends keyof ApplicationAttributes[C]>(
    cluster: C,
    attribute: A,
  ): ApplicationAttributes[C][A];
  /** Calls `listener` after each change of an application attribute; returns the unsubscribe function. */
  onAttributeChange(listener: (change: ApplicationAttributeChange) => void): () => void;
  /** A fabric was removed: its scenes go. */
  removeFabric(fabricIndex: FabricIndex): Promise<void>;
  /** Writes the scene table without the fabric into `tx`, the storage transaction that removes the fabric. */
  removeFabricWrites(tx: StorageTransaction, fabricIndex: FabricIndex): Promise<void>;
  /** Start-up: drops the scenes of fabrics that were never committed; returns their indices. */
  pruneFabrics(keep: ReadonlySet<number>): Promise<number[]>;
}

/**
 * Storage keys of an endpoint's On/Off state. Endpoint 1 keeps the keys of the single-light node that came before
 * declared endpoints, so that an existing data directory keeps its light's state.
 */
function onOffKeys(endpoint: number): { onOff: string; startUpOnOff: string } {
  return endpoint === 1
    ? { onOff: "node/on-off", startUpOnOff: "node/on-off-start-up" }
    : { onOff: `node/on-off/${endpoint}`, startUpOnOff: `node/on-off-start-up/${endpoint}` };
}

const checkAttribute = (cluster: unknown, attribute: unknown): void => {
  if (cluster !== "OnOff") throw new TypeError(`unknown application cluster ${String(cluster)} (known: OnOff)`);
  if (attribute !== "OnOff") throw new TypeError(`unknown OnOff attribute ${String(attribute)} (known: OnOff)`);
};

/** Builds the clusters of one declared endpoint, with its persisted state applied (On/Off 1.5.6.5 StartUpOnOff). */
export async function buildApplicationEndpoint(
  declaration: EndpointDeclaration,
  ctx: ApplicationEndpointContext,
): Promise<ApplicationEndpoint> {
  const { id: endpoint, deviceType } = declaration;
  const { storage, log } = ctx;
  const keys = onOffKeys(endpoint);
  const fail = (what: string) => (e: unknown) => ctx.onError(`endpoint ${endpoint} ${what}`, e);
  const listeners = new Set<(change: ApplicationAttributeChange) => void>();
  let applying = false;

  const storedOnOff = (await storage.get(keys.onOff)) === true;
  const storedStartUpOnOff = await storage.get(keys.startUpOnOff);
  const startUpOnOff = isStartUpOnOff(storedStartUpOnOff) ? storedStartUpOnOff : null;
  // On/Off 1.5.6.5: at power-up StartUpOnOff decides OnOff from the value persisted before; the result is persisted.
  const initialOnOff = startUpOnOffValue(startUpOnOff, storedOnOff);
  if (initialOnOff !== storedOnOff) await storage.set(keys.onOff, initialOnOff);

  let identifyTimer: NodeJS.Timeout | undefined;
  const identify = createIdentify({
    onIdentify: (active) =>
      log("info", `endpoint ${endpoint}: identify ${active ? "start" : "stop"}`, "app", { endpoint }),
    onTimer: (at) => {
      if (identifyTimer !== undefined) clearTimeout(identifyTimer);
      identifyTimer = at === null ? undefined : ctx.later(at, (now) => identify.timerFired(now));
    },
  });
  // Scenes Management's On/Off adapter reads `onOff` only when a scene is stored or recalled, after `onOff` exists;
  // On/Off and Groups take the server as their scene hooks.
  const scenes: ScenesManagementServer = await createScenesManagement({
    endpoint,
    storage,
    groupExists: (fi, groupId, ep) => ctx.groupKeys.hasGroupEndpoint(fi as FabricIndex, groupId, ep),
    fabricIndices: ctx.fabricIndices,
    sceneableClusters: [createOnOffSceneable({ onOff: () => onOff.onOff, setOnOff: (v) => onOff.setOnOff(v) })],
    onError: fail("scenes"),
  });
  let onOffTimer: NodeJS.Timeout | undefined;
  const onOff = createOnOff({
    scenes,
    onOff: initialOnOff,
    startUpOnOff,
    onChange: (value) => {
      log("info", `endpoint ${endpoint} (${deviceType}) is now ${value ? "ON" : "OFF"}`, "app", {
        endpoint,
        onOff: value,
      });
      void storage.set(keys.onOff, value).catch(fail("on/off"));
      // SceneInfoStruct.SceneValid: a scene attribute changed (a recall sets it back to true right after).
      scenes.makeSceneInvalidForAllFabrics();
      const change: ApplicationAttributeChange = {
        endpoint,
        cluster: "OnOff",
        attribute: "OnOff",
        value,
        source: applying ? "application" : "node",
      };
      for (const l of [...listeners]) {
        try {
          l(change);
        } catch (e) {
          ctx.onError(`endpoint ${endpoint} attribute listener`, e);
        }
      }
    },
    onStartUpOnOffChange: (v) => void storage.set(keys.startUpOnOff, v).catch(fail("on/off start-up")),
    onTimer: (at) => {
      if (onOffTimer !== undefined) clearTimeout(onOffTimer);
      onOffTimer = at === null ? undefined : ctx.later(at, (now) => onOff.timerFired(now));
    },
  });
  const groups = createGroups({
    groupKeys: ctx.groupKeys,
    isIdentifying: (now) => identify.identifyTime(now) > 0,
    onGroupTableChanged: ctx.onGroupTableChanged,
    scenes,
  });
  const built: Record<(typeof DEVICE_TYPES)[DeviceTypeName]["serverClusters"][number], Cluster> = {
    Identify: identify.cluster,
    Groups: groups.cluster,
    OnOff: onOff.cluster,
    ScenesManagement: scenes.cluster,
  };

  return {
    id: endpoint,
    deviceType,
    clusters: [...DEVICE_TYPES[deviceType].serverClusters.map((name) => built[name]), ...(declaration.clusters ?? [])],
    onOff,
    setAttribute(cluster, attribute, value) {
      checkAttribute(cluster, attribute);
      if (typeof value !== "boolean") throw new TypeError(`OnOff.OnOff must be a boolean, got ${typeof value}`);
      applying = true;
      try {
        onOff.setOnOff(value);
      } finally {
        applying = false;
      }
    },
    getAttribute(cluster, attribute) {
      checkAttribute(cluster, attribute);
      return onOff.onOff as ApplicationAttributes[typeof cluster][typeof attribute];
    },
    onAttributeChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    removeFabric: (fi) => scenes.removeFabric(fi),
    removeFabricWrites: (tx, fi) => scenes.removeFabricWrites(tx, fi),
    pruneFabrics: (keep) => scenes.pruneFabrics(keep),
  };
}
