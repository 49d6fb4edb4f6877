/**
 * Basic Information cluster 0x0028, revision 5 (Core spec 11.1, Matter 1.4.2 data model XML): the mandatory attributes
 * with values the node passes in, writable NodeLabel/Location, and the StartUp / ShutDown / Leave events. The
 * Operational Credentials cluster emits Leave before RemoveFabric deletes a fabric (conformance §6 item 19).
 */

import { Privilege } from "../../fabric/access-control.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import {
  type AfterResponseEffect,
  AttributeChangeEmitter,
  type Cluster,
  clusterSpec,
  EventPriority,
  type TlvCodec,
} from "../../im/data-model.ts";
import type { EventLog } from "../../im/events.ts";
import {
  type TlvType,
  tlvFabricIndexValue,
  tlvField,
  tlvString,
  tlvStruct,
  tlvUInt16,
  tlvUInt32,
} from "../../tlv/tlv-schema.ts";

/** SpecificationVersion of Matter 1.4.2 (Core 11.1.5.22: major.minor.dot.reserved bytes). */
export const SPECIFICATION_VERSION_1_4_2 = 0x01040200;

/** The Basic Information cluster (Core 11.1) as the Matter 1.4.2 data model defines it. */
export const BasicInformationCluster = clusterSpec({
  id: 0x0028,
  name: "BasicInformation",
  // Revision 5 ("Added ConfigurationVersion") is still provisional in the Matter 1.4.2 data model.
  revision: 5,
  // Attribute ids (Core 11.1.5).
  attributes: {
    DataModelRevision: 0x0000,
    VendorName: 0x0001,
    VendorID: 0x0002,
    ProductName: 0x0003,
    ProductID: 0x0004,
    NodeLabel: 0x0005,
    Location: 0x0006,
    HardwareVersion: 0x0007,
    HardwareVersionString: 0x0008,
    SoftwareVersion: 0x0009,
    SoftwareVersionString: 0x000a,
    SerialNumber: 0x000f,
    UniqueID: 0x0012,
    CapabilityMinima: 0x0013,
    SpecificationVersion: 0x0015,
    MaxPathsPerInvoke: 0x0016,
  },
  commands: {},
  // Event ids (Core 11.1.6).
  events: { StartUp: 0x00, ShutDown: 0x01, Leave: 0x02, ReachableChanged: 0x03 },
});

/** CapabilityMinimaStruct (Core 11.1.4.1): both ≥ 3. */
export const CapabilityMinimaStruct = tlvStruct({
  caseSessionsPerFabric: tlvField(0, tlvUInt16),
  subscriptionsPerFabric: tlvField(1, tlvUInt16),
});
export type CapabilityMinimaStruct = TlvType<typeof CapabilityMinimaStruct>;

/** StartUp { 0 SoftwareVersion uint32 } (critical). */
const startUpEvent = BasicInformationCluster.event("StartUp", {
  priority: EventPriority.Critical,
  readPrivilege: Privilege.View,
  fabricSensitive: false,
  schema: tlvStruct({ softwareVersion: tlvField(0, tlvUInt32) }),
});
/** ShutDown {} (critical). */
const shutDownEvent = BasicInformationCluster.event("ShutDown", {
  priority: EventPriority.Critical,
  readPrivilege: Privilege.View,
  fabricSensitive: false,
  schema: tlvStruct({}),
});
/** Leave { 0 FabricIndex 1..254 } (info). Not fabric-sensitive: every reader may see that a fabric left. */
export const leaveEvent = BasicInformationCluster.event("Leave", {
  priority: EventPriority.Info,
  readPrivilege: Privilege.View,
  fabricSensitive: false,
  schema: tlvStruct({ fabricIndex: tlvField(0, tlvFabricIndexValue) }),
});

/** The fixed identity values the node passes in (Core 11.1.5; constraints checked at construction). */
export interface BasicInformationValues {
  readonly vendorName: string;
  readonly vendorId: number;
  readonly productName: string;
  readonly productId: number;
  readonly hardwareVersion: number;
  readonly hardwareVersionString: string;
  readonly softwareVersion: number;
  readonly softwareVersionString: string;
  readonly uniqueId: string;
  /** SerialNumber (Core 11.1.5.16, optional, at most 32 characters): served only when given. */
  readonly serialNumber?: string;
  readonly nodeLabel?: string;
  readonly location?: string;
  readonly capabilityMinima?: CapabilityMinimaStruct;
  /** DataModelRevision (Core 7.1.1): the SDK's CHIP_DEVICE_DATA_MODEL_REVISION of the target release; required. */
  readonly dataModelRevision: number;
  readonly specificationVersion?: number;
  readonly maxPathsPerInvoke?: number;
}

/** What the cluster needs from the node. */
export interface BasicInformationOptions {
  readonly values: BasicInformationValues;
  readonly events: EventLog;
  readonly endpoint?: number;
  /** Called after NodeLabel/Location writes so the node can persist them. */
  readonly onConfigChanged?: (config: { nodeLabel: string; location: string }) => void;
}

/** The cluster and the event entry points. */
export interface BasicInformationServer {
  readonly cluster: Cluster;
  /** Records StartUp (at boot). */
  startUp(now: number): void;
  /** Records ShutDown (orderly stop). */
  shutDown(now: number): void;
  /** Records Leave for `fabricIndex` (before RemoveFabric deletes it); returns the urgent-flush effect. */
  leave(fabricIndex: number, now: number): readonly AfterResponseEffect[];
}

function checkString(name: string, value: string, min: number, max: number): void {
  if (value.length < min || value.length > max) throw new RangeError(`${name} must be ${min}..${max} characters`);
}

/** Creates the Basic Information cluster server. */
export function createBasicInformation(options: BasicInformationOptions): BasicInformationServer {
  const v = options.values;
  const endpoint = options.endpoint ?? 0;
  checkString("VendorName", v.vendorName, 0, 32);
  checkString("ProductName", v.productName, 0, 32);
  checkString("HardwareVersionString", v.hardwareVersionString, 1, 64);
  checkString("SoftwareVersionString", v.softwareVersionString, 1, 64);
  checkString("UniqueID", v.uniqueId, 0, 32);
  if (v.serialNumber !== undefined) checkString("SerialNumber", v.serialNumber, 0, 32);
  const minima = v.capabilityMinima ?? { caseSessionsPerFabric: 3, subscriptionsPerFabric: 3 };
  if (minima.caseSessionsPerFabric < 3 || minima.subscriptionsPerFabric < 3)
    throw new RangeError("CapabilityMinima fields must be at least 3");
  const maxPathsPerInvoke = v.maxPathsPerInvoke ?? 1;
  if (maxPathsPerInvoke < 1) throw new RangeError("MaxPathsPerInvoke must be at least 1");
  let nodeLabel = v.nodeLabel ?? "";
  let location = v.location ?? "XX";
  checkString("NodeLabel", nodeLabel, 0, 32);
  checkString("Location", location, 2, 2);
  const changes = new AttributeChangeEmitter();
  const ts = (now: number) => ({ kind: "system-ms", value: BigInt(Math.max(0, Math.floor(now))) }) as const;
  /** A fixed attribute: read View, the value the node was configured with. */
  const fixed = <T>(name: keyof typeof BasicInformationCluster.attributes, schema: TlvCodec<T>, value: T) =>
    BasicInformationCluster.attribute(name, { schema, readPrivilege: Privilege.View, read: () => value });

  const cluster = BasicInformationCluster.server({
    featureMap: 0,
    changes,
    attributes: [
      fixed("DataModelRevision", tlvUInt16, v.dataModelRevision),
      fixed("VendorName", tlvString({ maxLength: 32 }), v.vendorName),
      fixed("VendorID", tlvUInt16, v.vendorId),
      fixed("ProductName", tlvString({ maxLength: 32 }), v.productName),
      fixed("ProductID", tlvUInt16, v.productId),
      BasicInformationCluster.attribute("NodeLabel", {
        schema: tlvString({ maxLength: 32 }),
        readPrivilege: Privilege.View,
        writePrivilege: Privilege.Manage,
        read: () => nodeLabel,
        write: async (value) => {
          if (value !== nodeLabel) {
            nodeLabel = value;
            changes.emit(BasicInformationCluster.attributes.NodeLabel);
            options.onConfigChanged?.({ nodeLabel, location });
          }
          return { status: ImStatus.SUCCESS };
        },
      }),
      BasicInformationCluster.attribute("Location", {
        schema: tlvString({ minLength: 2, maxLength: 2 }),
        readPrivilege: Privilege.View,
        writePrivilege: Privilege.Administer,
        read: () => location,
        write: async (value) => {
          if (value !== location) {
            location = value;
            changes.emit(BasicInformationCluster.attributes.Location);
            options.onConfigChanged?.({ nodeLabel, location });
          }
          return { status: ImStatus.SUCCESS };
        },
      }),
      fixed("HardwareVersion", tlvUInt16, v.hardwareVersion),
      fixed("HardwareVersionString", tlvString({ minLength: 1, maxLength: 64 }), v.hardwareVersionString),
      fixed("SoftwareVersion", tlvUInt32, v.softwareVersion),
      fixed("SoftwareVersionString", tlvString({ minLength: 1, maxLength: 64 }), v.softwareVersionString),
      ...(v.serialNumber === undefined ? [] : [fixed("SerialNumber", tlvString({ maxLength: 32 }), v.serialNumber)]),
      fixed("UniqueID", tlvString({ maxLength: 32 }), v.uniqueId),
      fixed("CapabilityMinima", CapabilityMinimaStruct, minima),
      fixed("SpecificationVersion", tlvUInt32, v.specificationVersion ?? SPECIFICATION_VERSION_1_4_2),
      fixed("MaxPathsPerInvoke", tlvUInt16, maxPathsPerInvoke),
    ],
    commands: [],
    events: [startUpEvent, shutDownEvent, leaveEvent],
  });

  return {
    cluster,
    startUp: (now) => {
      options.events.record({
        endpoint,
        cluster: BasicInformationCluster.id,
        event: startUpEvent,
        value: { softwareVersion: v.softwareVersion },
        timestamp: ts(now),
      });
    },
    shutDown: (now) => {
      options.events.record({
        endpoint,
        cluster: BasicInformationCluster.id,
        event: shutDownEvent,
        value: {},
        timestamp: ts(now),
      });
    },
    leave: (fabricIndex, now) => {
      if (!Number.isInteger(fabricIndex) || fabricIndex < 1 || fabricIndex > 254)
        throw new RangeError(`Leave: fabric index ${fabricIndex}`);
      options.events.record({
        endpoint,
        cluster: BasicInformationCluster.id,
        event: leaveEvent,
        value: { fabricIndex },
        timestamp: ts(now),
      });
      // The SDK schedules urgent delivery of Leave so subscribers hear it before the fabric's sessions go.
      return [{ type: "flush-urgent-events" }];
    },
  };
}
