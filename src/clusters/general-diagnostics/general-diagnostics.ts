/**
 * General Diagnostics cluster 0x0033, revision 2 (Core spec 11.12, Matter 1.4.2 data model XML) without the DMTEST
 * feature: the mandatory attributes (NetworkInterfaces, RebootCount, UpTime, TestEventTriggersEnabled), the mandatory
 * TestEventTrigger and TimeSnapshot commands, and the mandatory BootReason event.
 */

import { Privilege } from "../../fabric/access-control.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import { AttributeChangeEmitter, type Cluster, clusterSpec, EventPriority } from "../../im/data-model.ts";
import type { EventLog } from "../../im/events.ts";
import {
  type TlvType,
  tlvArray,
  tlvBool,
  tlvBytes,
  tlvEnum8,
  tlvField,
  tlvNullable,
  tlvString,
  tlvStruct,
  tlvUInt16,
  tlvUInt64,
} from "../../tlv/tlv-schema.ts";

/** Length of the TestEventTrigger enable key (Core 11.12.7.1: EnableKey octstr, 16 bytes). */
const TEST_EVENT_TRIGGER_KEY_BYTES = 16;
/** NetworkInterfaces holds at most 8 entries (Core 11.12.6.1). */
const MAX_NETWORK_INTERFACES = 8;

/** The General Diagnostics cluster (Core 11.12) as the Matter 1.4.2 data model defines it. */
export const GeneralDiagnosticsCluster = clusterSpec({
  id: 0x0033,
  name: "GeneralDiagnostics",
  // This revision in the Matter 1.4.2 data model: "UpTime mandatory, TimeSnapshot added".
  revision: 2,
  // Attribute ids (Core 11.12.6).
  attributes: { NetworkInterfaces: 0x0000, RebootCount: 0x0001, UpTime: 0x0002, TestEventTriggersEnabled: 0x0008 },
  // Command ids (Core 11.12.7).
  commands: { TestEventTrigger: 0x00, TimeSnapshot: 0x01, TimeSnapshotResponse: 0x02 },
  // Event ids (Core 11.12.8).
  events: { HardwareFaultChange: 0x00, RadioFaultChange: 0x01, NetworkFaultChange: 0x02, BootReason: 0x03 },
});

/** BootReasonEnum (Core 11.12.5.x). */
export const BootReason = {
  Unspecified: 0,
  PowerOnReboot: 1,
  BrownOutReset: 2,
  SoftwareWatchdogReset: 3,
  HardwareWatchdogReset: 4,
  SoftwareUpdateCompleted: 5,
  SoftwareReset: 6,
} as const;
/** One BootReasonEnum value. */
export type BootReason = (typeof BootReason)[keyof typeof BootReason];

/** InterfaceTypeEnum (Core 11.12.5.x). */
export const InterfaceType = { Unspecified: 0, WiFi: 1, Ethernet: 2, Cellular: 3, Thread: 4 } as const;

/**
 * NetworkInterface struct (Core 11.12.5.x): { 0 Name string ≤32, 1 IsOperational bool, 2/3 OffPremiseServicesReachable
 * IPv4/IPv6 nullable bool, 4 HardwareAddress hwadr (6 or 8 bytes), 5 IPv4Addresses list[4 B] ≤4, 6 IPv6Addresses
 * list[16 B] ≤8, 7 Type InterfaceTypeEnum }.
 */
export const NetworkInterfaceStruct = tlvStruct({
  name: tlvField(0, tlvString({ maxLength: 32 })),
  isOperational: tlvField(1, tlvBool),
  offPremiseServicesReachableIPv4: tlvField(2, tlvNullable(tlvBool)),
  offPremiseServicesReachableIPv6: tlvField(3, tlvNullable(tlvBool)),
  hardwareAddress: tlvField(4, tlvBytes({ minLength: 6, maxLength: 8 })),
  iPv4Addresses: tlvField(5, tlvArray(tlvBytes({ length: 4 }), { maxLength: 4 })),
  iPv6Addresses: tlvField(6, tlvArray(tlvBytes({ length: 16 }), { maxLength: 8 })),
  type: tlvField(7, tlvEnum8),
});
export type NetworkInterfaceStruct = TlvType<typeof NetworkInterfaceStruct>;

/** TestEventTrigger { 0 EnableKey octstr ≤16, 1 EventTrigger uint64 } (Core 11.12.7.1). */
export const TestEventTriggerRequest = tlvStruct({
  enableKey: tlvField(0, tlvBytes({ maxLength: TEST_EVENT_TRIGGER_KEY_BYTES })),
  eventTrigger: tlvField(1, tlvUInt64),
});

/** TimeSnapshotResponse { 0 SystemTimeMs systime-ms, 1 PosixTimeMs posix-ms nullable } (Core 11.12.7.3). */
export const TimeSnapshotResponse = tlvStruct({
  systemTimeMs: tlvField(0, tlvUInt64),
  posixTimeMs: tlvField(1, tlvNullable(tlvUInt64)),
});
export type TimeSnapshotResponse = TlvType<typeof TimeSnapshotResponse>;

/** BootReason { 0 BootReason BootReasonEnum } (critical, Core 11.12.8.4). */
export const bootReasonEvent = GeneralDiagnosticsCluster.event("BootReason", {
  priority: EventPriority.Critical,
  readPrivilege: Privilege.View,
  fabricSensitive: false,
  schema: tlvStruct({ bootReason: tlvField(0, tlvEnum8) }),
});

/** What the cluster needs from the node. */
export interface GeneralDiagnosticsOptions {
  readonly events: EventLog;
  /** The node's interfaces now (at most 8). */
  readonly networkInterfaces: () => readonly NetworkInterfaceStruct[];
  /** RebootCount: the node persists and increments it at each boot. */
  readonly rebootCount: number;
  /** When the node booted, on the invoke/read clock (ms); UpTime and SystemTimeMs count from it. Default 0. */
  readonly bootTimeMs?: number;
  /**
   * The 16-byte test event trigger enable key; absent or all zeros = test event triggers disabled (the SDK's
   * rule: TestEventTriggersEnabled is false while the key is all zeros).
   */
  readonly testEventTriggerKey?: Uint8Array;
  /** Handles an enabled, correctly keyed trigger; false = not a trigger the node supports (INVALID_COMMAND). */
  readonly onTestEventTrigger?: (eventTrigger: bigint) => boolean;
  /** POSIX time in ms when the node knows it (Time Synchronization), else null. */
  readonly posixTimeMs?: () => bigint | null;
  readonly endpoint?: number;
}

/** The cluster and the node's entry points. */
export interface GeneralDiagnosticsServer {
  readonly cluster: Cluster;
  /** Records the BootReason event (at boot, Core 11.12.8.4). */
  recordBootReason(reason: BootReason, now: number): void;
  /** The interfaces changed: report NetworkInterfaces. */
  networkInterfacesChanged(): void;
}

/** Compares two equal-length byte strings without an early exit. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Creates the General Diagnostics cluster server. */
export function createGeneralDiagnostics(options: GeneralDiagnosticsOptions): GeneralDiagnosticsServer {
  const endpoint = options.endpoint ?? 0;
  const bootTimeMs = options.bootTimeMs ?? 0;
  if (!Number.isInteger(options.rebootCount) || options.rebootCount < 0 || options.rebootCount > 0xffff)
    throw new RangeError(`RebootCount: ${options.rebootCount}`);
  const key = options.testEventTriggerKey?.slice();
  if (key !== undefined && key.length !== TEST_EVENT_TRIGGER_KEY_BYTES)
    throw new RangeError(`testEventTriggerKey must be ${TEST_EVENT_TRIGGER_KEY_BYTES} bytes`);
  const triggersEnabled = key?.some((b) => b !== 0) === true;
  const changes = new AttributeChangeEmitter();
  const sinceBootMs = (now: number) => Math.max(0, Math.floor(now - bootTimeMs));

  const cluster = GeneralDiagnosticsCluster.server({
    featureMap: 0,
    changes,
    attributes: [
      GeneralDiagnosticsCluster.attribute("NetworkInterfaces", {
        schema: tlvArray(NetworkInterfaceStruct, { maxLength: MAX_NETWORK_INTERFACES }),
        readPrivilege: Privilege.View,
        read: () => [...options.networkInterfaces()],
      }),
      GeneralDiagnosticsCluster.attribute("RebootCount", {
        schema: tlvUInt16,
        readPrivilege: Privilege.View,
        read: () => options.rebootCount,
      }),
      GeneralDiagnosticsCluster.attribute("UpTime", {
        schema: tlvUInt64,
        readPrivilege: Privilege.View,
        // Quality "C": UpTime changes every second without being reported.
        changesOmitted: true,
        read: (ctx) => BigInt(Math.floor(sinceBootMs(ctx.now) / 1000)),
      }),
      GeneralDiagnosticsCluster.attribute("TestEventTriggersEnabled", {
        schema: tlvBool,
        readPrivilege: Privilege.View,
        read: () => triggersEnabled,
      }),
    ],
    commands: [
      GeneralDiagnosticsCluster.command("TestEventTrigger", "M", {
        requestSchema: TestEventTriggerRequest,
        handler: async (req) => {
          // 11.12.7.1: an EnableKey that does not match the device's key, or TestEventTriggersEnabled false →
          // CONSTRAINT_ERROR (the SDK checks the 16-byte length first, with the same status).
          if (!triggersEnabled || key === undefined || !sameBytes(req.enableKey, key))
            return { status: ImStatus.CONSTRAINT_ERROR };
          // 11.12.7.1: an EventTrigger the device does not support → INVALID_COMMAND.
          if (options.onTestEventTrigger?.(req.eventTrigger) !== true) return { status: ImStatus.INVALID_COMMAND };
          return { status: ImStatus.SUCCESS };
        },
      }),
      GeneralDiagnosticsCluster.command("TimeSnapshot", "O", {
        response: GeneralDiagnosticsCluster.response("TimeSnapshotResponse", TimeSnapshotResponse),
        // 11.12.7.2: SystemTimeMs is the time since boot; PosixTimeMs is null when the node does not know the time.
        handler: async (_req, ctx) => ({
          response: {
            systemTimeMs: BigInt(sinceBootMs(ctx.now)),
            posixTimeMs: options.posixTimeMs?.() ?? null,
          },
        }),
      }),
    ],
    events: [bootReasonEvent],
  });

  return {
    cluster,
    recordBootReason: (reason, now) => {
      if (!Object.values(BootReason).includes(reason)) throw new RangeError(`BootReason: ${reason}`);
      options.events.record({
        endpoint,
        cluster: GeneralDiagnosticsCluster.id,
        event: bootReasonEvent,
        value: { bootReason: reason },
        timestamp: { kind: "system-ms", value: BigInt(sinceBootMs(now)) },
      });
    },
    networkInterfacesChanged: () => changes.emit(GeneralDiagnosticsCluster.attributes.NetworkInterfaces),
  };
}
