/**
 * The device node's data model (Core 9.2 Root Node, 7.10 Descriptor): the root endpoint's clusters, the declared
 * application endpoints with the clusters of their device types, a Descriptor on each, and the Interaction Model server
 * over them.
 */
import { createAdministratorCommissioning } from "../clusters/administrator-commissioning/administrator-commissioning.ts";
import {
  createDescriptor,
  DescriptorCluster,
  DeviceType,
  type EndpointDescription,
} from "../clusters/descriptor/descriptor.ts";
import {
  createGeneralDiagnostics,
  type GeneralDiagnosticsServer,
} from "../clusters/general-diagnostics/general-diagnostics.ts";
import { GroupKeyManagementCluster } from "../clusters/group-key-management/group-key-management.ts";
import { createEthernetNetworkCommissioning } from "../clusters/network-commissioning/network-commissioning.ts";
import { type Cluster, ClusterInstance } from "../im/data-model.ts";
import { InteractionServer, subscriptionPoolSize } from "../im/engine/interaction-server.ts";
import type { EndpointModel } from "../im/engine/node-model.ts";
import type { CommissioningWindowState } from "../sc/commissioning-window-state.ts";
import { type ApplicationEndpoint, buildApplicationEndpoint } from "./application-endpoint.ts";
import type { CommissioningWindow } from "./commissioning-window.ts";
import { DEVICE_TYPES } from "./device-library.ts";
import { fabricScenesLifecycle } from "./fabric-scenes-lifecycle.ts";
import { hostNetworkInterfaces } from "./host-network-interfaces.ts";
import type { LifecycleLog } from "./lifecycle-log.ts";
import type { NodeContext } from "./node-context.ts";
import type { NodeState } from "./node-state.ts";
import type { RootNodeComposition } from "./root-node-composition.ts";

/** The data model as built, with the IM server over it. */
export interface NodeDataModel {
  readonly server: InteractionServer;
  /** Every endpoint, root first, with its cluster instances. */
  readonly endpoints: readonly EndpointModel[];
  /** The application endpoints by id, in declaration order. */
  readonly applicationEndpoints: ReadonlyMap<number, ApplicationEndpoint>;
  readonly generalDiagnostics: GeneralDiagnosticsServer;
}

/** What the root endpoint's clusters are built over besides the commissioning core. */
export interface RootEndpointParts {
  readonly state: NodeState;
  readonly windowState: CommissioningWindowState;
  readonly window: CommissioningWindow;
  readonly lifecycle: LifecycleLog;
}

/** Builds the endpoints and the IM server over them; a fabric gone takes its subscriptions and admin fields along. */
export async function buildDataModel(
  ctx: NodeContext,
  core: RootNodeComposition,
  parts: RootEndpointParts,
): Promise<NodeDataModel> {
  const { generalDiagnostics, clusters: root } = rootClusters(ctx, core, parts);
  const applicationEndpoints = await buildApplicationEndpoints(ctx, core);
  const applications = [...applicationEndpoints.values()];
  // Scenes of a removed fabric are deleted in the storage transaction that deletes its record (lifecycle participant).
  core.fabrics.participate(fabricScenesLifecycle(applications, ctx.report("scenes")));
  const dataVersion = randomDataVersion(ctx);
  const { endpoints, deviceTypesOf } = endpointModels(root, applications, dataVersion);
  const server = new InteractionServer({
    node: { endpoints },
    access: core.accessChecker(deviceTypesOf),
    events: parts.state.events,
    firstSubscriptionId: (dataVersion() & 0x7fffffff) + 1,
    maxSubscriptions: subscriptionPoolSize(ctx.config.supportedFabrics),
  });
  // The fabric's subscriptions end with it.
  core.onFabricGone((fi) => server.fabricRemoved(fi));
  return { server, endpoints, applicationEndpoints, generalDiagnostics };
}

/** The root endpoint's clusters (Descriptor aside), in the order the Descriptor lists them. */
function rootClusters(
  ctx: NodeContext,
  core: RootNodeComposition,
  parts: RootEndpointParts,
): { clusters: Cluster[]; generalDiagnostics: GeneralDiagnosticsServer } {
  const { fabrics, failSafe } = core;
  const { windowState, window, state, lifecycle } = parts;
  const admin = createAdministratorCommissioning({ window: windowState, controller: window, failSafe, fabrics });
  // A fabric gone (removed, or a pending addition the fail-safe reverted) leaves the window's admin fields.
  core.onFabricGone((fi) => windowState.fabricRemoved(fi));
  const generalDiagnostics = createGeneralDiagnostics({
    events: state.events,
    networkInterfaces: hostNetworkInterfaces,
    rebootCount: state.rebootCount,
    bootTimeMs: ctx.clock(),
    posixTimeMs: () => BigInt(Date.now()),
  });
  const ethernetName = hostNetworkInterfaces().find((i) => i.name !== "lo")?.name ?? "eth0";
  const networkCommissioning = createEthernetNetworkCommissioning({
    networkId: new TextEncoder().encode(ethernetName),
  });
  const clusters: Cluster[] = [
    core.accessControl.cluster,
    state.basicInformation.cluster,
    lifecycle.observe(core.generalCommissioning.cluster),
    networkCommissioning.cluster,
    generalDiagnostics.cluster,
    admin,
    lifecycle.observe(core.operationalCredentials.cluster),
    core.groupKeyManagement,
  ];
  return { clusters, generalDiagnostics };
}

/** The declared application endpoints, each with the clusters of its device type. */
async function buildApplicationEndpoints(
  ctx: NodeContext,
  core: RootNodeComposition,
): Promise<Map<number, ApplicationEndpoint>> {
  const { fabrics, groupKeys, groupKeyManagement } = core;
  const built = new Map<number, ApplicationEndpoint>();
  for (const declaration of ctx.config.endpoints) {
    const endpoint = await buildApplicationEndpoint(declaration, {
      storage: ctx.storage,
      groupKeys,
      fabricIndices: () => fabrics.fabrics().map((f) => f.fabricIndex),
      later: (at, fn) => ctx.timers.at(at, fn),
      log: ctx.log,
      onGroupTableChanged: () => groupKeyManagement.changes?.emit(GroupKeyManagementCluster.attributes.GroupTable),
      onError: (what, e) => ctx.report(what)(e),
    });
    built.set(declaration.id, endpoint);
  }
  return built;
}

/** Draws a random 32-bit value: each cluster instance's first DataVersion, and the first SubscriptionId. */
function randomDataVersion(ctx: NodeContext): () => number {
  return () => {
    const b = ctx.crypto.randomBytes(4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  };
}

/**
 * Root and application endpoints with a Descriptor each (added here, not by the endpoint builders, as every endpoint
 * serves it); `deviceTypesOf` for the ACL's device-type checks.
 */
function endpointModels(
  root: readonly Cluster[],
  applications: readonly ApplicationEndpoint[],
  dataVersion: () => number,
): { endpoints: EndpointModel[]; deviceTypesOf: (endpoint: number) => number[] } {
  const descriptions: EndpointDescription[] = [
    {
      endpoint: 0,
      deviceTypes: [DeviceType.RootNode],
      serverClusters: [DescriptorCluster.id, ...root.map((x) => x.id)],
      clientClusters: [],
    },
    ...applications.map((a) => ({
      endpoint: a.id,
      deviceTypes: [DEVICE_TYPES[a.deviceType].deviceType],
      serverClusters: [DescriptorCluster.id, ...a.clusters.map((x) => x.id)],
      clientClusters: [],
    })),
  ];
  const descriptorModel = { endpoints: () => descriptions };
  const instances = (endpoint: number, clusters: readonly Cluster[]) =>
    [createDescriptor({ endpoint, node: descriptorModel }).cluster, ...clusters].map(
      (cl) => new ClusterInstance(endpoint, cl, dataVersion()),
    );
  const endpoints: EndpointModel[] = [
    {
      id: 0,
      deviceTypes: [{ type: DeviceType.RootNode.deviceType, revision: DeviceType.RootNode.revision }],
      clusters: instances(0, root),
    },
    ...applications.map((a) => {
      const { deviceType, revision } = DEVICE_TYPES[a.deviceType].deviceType;
      return { id: a.id, deviceTypes: [{ type: deviceType, revision }], clusters: instances(a.id, a.clusters) };
    }),
  ];
  const deviceTypesOf = (ep: number) =>
    descriptions.find((d) => d.endpoint === ep)?.deviceTypes.map((d) => d.deviceType) ?? [];
  return { endpoints, deviceTypesOf };
}
