/**
 * The node the IM engine serves (Core spec 9.2 "Endpoints", 7.10 "Cluster instances"): endpoints in ascending order,
 * each with its device types and cluster instances. Wildcard paths expand over this model.
 */
import type { ClusterInstance } from "../data-model.ts";

/** A device type on an endpoint (Descriptor DeviceTypeStruct: device type id and revision). */
export interface DeviceTypeRef {
  readonly type: number;
  readonly revision: number;
}

/** One endpoint of the node. */
export interface EndpointModel {
  readonly id: number;
  readonly deviceTypes: readonly DeviceTypeRef[];
  readonly clusters: readonly ClusterInstance[];
}

/** The node: its endpoints. */
export interface NodeModel {
  readonly endpoints: readonly EndpointModel[];
}

/** Endpoints in ascending id order (wildcard expansion order, Core 8.9.2.x). */
export function sortedEndpoints(node: NodeModel): EndpointModel[] {
  return [...node.endpoints].sort((a, b) => a.id - b.id);
}

/** Cluster instances of an endpoint in ascending cluster id order. */
export function sortedClusters(endpoint: EndpointModel): ClusterInstance[] {
  return [...endpoint.clusters].sort((a, b) => a.cluster.id - b.cluster.id);
}

/** The endpoint with `id`, if the node has it. */
export function findEndpoint(node: NodeModel, id: number): EndpointModel | undefined {
  return node.endpoints.find((e) => e.id === id);
}

/** The cluster instance at (endpoint, cluster), if present. */
export function findCluster(endpoint: EndpointModel, clusterId: number): ClusterInstance | undefined {
  return endpoint.clusters.find((c) => c.cluster.id === clusterId);
}

/** Every cluster instance of the node. */
export function allClusterInstances(node: NodeModel): ClusterInstance[] {
  return node.endpoints.flatMap((e) => e.clusters);
}
