/**
 * The application device types a device can declare (Matter 1.4.2 Device Library): each one's DeviceTypeStruct and
 * the server clusters it requires on its endpoint, which the node builds for it. The root node (endpoint 0) is not
 * one of them: the node adds it itself.
 */
import { DeviceType, type DeviceTypeStruct } from "../clusters/descriptor/descriptor.ts";
import { GroupsCluster } from "../clusters/groups/groups.ts";
import { IdentifyCluster } from "../clusters/identify/identify.ts";
import { OnOffCluster } from "../clusters/on-off/on-off-options.ts";
import { ScenesManagementCluster } from "../clusters/scenes-management/scenes-management-commands.ts";

/** The application server clusters the node can build on a declared endpoint (Descriptor aside), with their ids. */
export const APPLICATION_CLUSTER_IDS = {
  Identify: IdentifyCluster.id,
  Groups: GroupsCluster.id,
  OnOff: OnOffCluster.id,
  ScenesManagement: ScenesManagementCluster.id,
} as const;

/** One application server cluster, by its spec name. */
type ApplicationClusterName = keyof typeof APPLICATION_CLUSTER_IDS;

/** A device type of the Device Library with the server clusters it requires. */
interface DeviceTypeDefinition {
  readonly deviceType: DeviceTypeStruct;
  /** Required server clusters (Descriptor aside), in the order the node builds them. */
  readonly serverClusters: readonly ApplicationClusterName[];
}

/**
 * The declarable device types. Both require Identify, Groups, On/Off with the Lighting feature and Scenes Management
 * (Device Library 4.1 On/Off Light, 5.1 On/Off Plug-in Unit).
 */
export const DEVICE_TYPES = {
  OnOffLight: {
    deviceType: DeviceType.OnOffLight,
    serverClusters: ["Identify", "Groups", "OnOff", "ScenesManagement"],
  },
  OnOffPlugInUnit: {
    deviceType: DeviceType.OnOffPlugInUnit,
    serverClusters: ["Identify", "Groups", "OnOff", "ScenesManagement"],
  },
} as const satisfies Record<string, DeviceTypeDefinition>;

/** The name of a declarable device type. */
export type DeviceTypeName = keyof typeof DEVICE_TYPES;

/** True when `name` is a declarable device type. */
export function isDeviceTypeName(name: unknown): name is DeviceTypeName {
  return typeof name === "string" && Object.hasOwn(DEVICE_TYPES, name);
}
