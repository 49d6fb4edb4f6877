/**
 * Network Commissioning cluster 0x0031, revision 2 (Core spec 11.9, Matter 1.4.2 data model XML) for an Ethernet
 * interface (feature ET, bit 2): one always-present network, InterfaceEnabled, and the Last* status attributes.
 * Ethernet has no commands (ScanNetworks, AddOrUpdate…, ConnectNetwork are Wi-Fi/Thread only).
 */

import { Privilege } from "../../fabric/access-control.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import { AttributeChangeEmitter, type Cluster, clusterSpec, type TlvCodec } from "../../im/data-model.ts";
import {
  type TlvType,
  tlvArray,
  tlvBool,
  tlvBytes,
  tlvEnum8,
  tlvField,
  tlvInt32,
  tlvNullable,
  tlvStruct,
  tlvUInt8,
} from "../../tlv/tlv-schema.ts";

/** Feature bits (Core 11.9.4). */
const NetworkCommissioningFeature = {
  WiFiNetworkInterface: 1 << 0,
  ThreadNetworkInterface: 1 << 1,
  EthernetNetworkInterface: 1 << 2,
} as const;

/** Shortest NetworkID (NetworkInfoStruct.NetworkID: octstr 1..32 bytes). */
const MIN_NETWORK_ID_BYTES = 1;
/** Longest NetworkID (NetworkInfoStruct.NetworkID: octstr 1..32 bytes). */
const MAX_NETWORK_ID_BYTES = 32;

/** The Network Commissioning cluster (Core 11.9) as the Matter 1.4.2 data model defines it. */
export const NetworkCommissioningCluster = clusterSpec({
  id: 0x0031,
  name: "NetworkCommissioning",
  revision: 2,
  // Attribute ids (Core 11.9.6).
  attributes: {
    MaxNetworks: 0x0000,
    Networks: 0x0001,
    InterfaceEnabled: 0x0004,
    LastNetworkingStatus: 0x0005,
    LastNetworkID: 0x0006,
    LastConnectErrorValue: 0x0007,
  },
  commands: {},
  events: {},
});

/** NetworkInfoStruct { 0 NetworkID octstr 1..32, 1 Connected bool } (Core 11.9.5.x). */
export const NetworkInfoStruct = tlvStruct({
  networkId: tlvField(0, tlvBytes({ minLength: MIN_NETWORK_ID_BYTES, maxLength: MAX_NETWORK_ID_BYTES })),
  connected: tlvField(1, tlvBool),
});
export type NetworkInfoStruct = TlvType<typeof NetworkInfoStruct>;

/** What the cluster needs from the node. */
export interface EthernetNetworkCommissioningOptions {
  /** The NetworkID of the Ethernet network: the interface name, as the SDK's Ethernet drivers use it ("eth0"). */
  readonly networkId: Uint8Array;
  /** Whether the interface is connected now; default always true. */
  readonly connected?: () => boolean;
  /** InterfaceEnabled at start (persisted, default true). */
  readonly interfaceEnabled?: boolean;
  /** Called after a write of InterfaceEnabled changes it, so the node persists it and applies it to the interface. */
  readonly onInterfaceEnabledChanged?: (enabled: boolean) => Promise<void>;
}

/** The cluster and the hook the node calls when the link state changes. */
export interface NetworkCommissioningServer {
  readonly cluster: Cluster;
  /** The node saw the link go up or down: report Networks. */
  connectionChanged(): void;
}

/** Creates the Network Commissioning cluster server for one Ethernet interface. */
export function createEthernetNetworkCommissioning(
  options: EthernetNetworkCommissioningOptions,
): NetworkCommissioningServer {
  const id = options.networkId.slice();
  if (id.length < MIN_NETWORK_ID_BYTES || id.length > MAX_NETWORK_ID_BYTES)
    throw new RangeError(`networkId must be ${MIN_NETWORK_ID_BYTES}..${MAX_NETWORK_ID_BYTES} bytes`);
  const connected = options.connected ?? (() => true);
  let interfaceEnabled = options.interfaceEnabled ?? true;
  const changes = new AttributeChangeEmitter();
  /** A read-only attribute only an administrator may read. */
  const adminRead = <T>(
    name: keyof typeof NetworkCommissioningCluster.attributes,
    schema: TlvCodec<T>,
    read: () => T,
  ) => NetworkCommissioningCluster.attribute(name, { schema, readPrivilege: Privilege.Administer, read });

  const cluster = NetworkCommissioningCluster.server({
    featureMap: NetworkCommissioningFeature.EthernetNetworkInterface,
    changes,
    attributes: [
      // 11.9.6.1: MaxNetworks ≥ 1; an Ethernet interface has exactly its one network.
      adminRead("MaxNetworks", tlvUInt8, () => 1),
      adminRead("Networks", tlvArray(NetworkInfoStruct, { maxLength: 1 }), () => [
        { networkId: id, connected: connected() },
      ]),
      NetworkCommissioningCluster.attribute("InterfaceEnabled", {
        schema: tlvBool,
        readPrivilege: Privilege.View,
        writePrivilege: Privilege.Administer,
        read: () => interfaceEnabled,
        write: async (value) => {
          if (value !== interfaceEnabled) {
            await options.onInterfaceEnabledChanged?.(value);
            interfaceEnabled = value;
            changes.emit(NetworkCommissioningCluster.attributes.InterfaceEnabled);
          }
          return { status: ImStatus.SUCCESS };
        },
      }),
      // 11.9.6.6-8: null until a ScanNetworks/ConnectNetwork ran; Ethernet has neither, so they stay null.
      adminRead("LastNetworkingStatus", tlvNullable(tlvEnum8), () => null),
      adminRead(
        "LastNetworkID",
        tlvNullable(tlvBytes({ minLength: MIN_NETWORK_ID_BYTES, maxLength: MAX_NETWORK_ID_BYTES })),
        () => null,
      ),
      adminRead("LastConnectErrorValue", tlvNullable(tlvInt32), () => null),
    ],
    commands: [],
    events: [],
  });

  return {
    cluster,
    connectionChanged: () => changes.emit(NetworkCommissioningCluster.attributes.Networks),
  };
}
