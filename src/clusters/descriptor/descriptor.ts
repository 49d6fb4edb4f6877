/**
 * Descriptor cluster 0x001D, revision 2 (Core spec 9.5, Matter 1.4.2 data model XML) without the TagList feature:
 * DeviceTypeList, ServerList, ClientList and PartsList, all computed from a node model the node passes in, so that
 * PartsList follows endpoint composition (Core 9.2.1 root node, 9.12 tree and full-family patterns).
 */
import { InternalError } from "../../bytes/errors.ts";
import { Privilege } from "../../fabric/access-control.ts";
import { AttributeChangeEmitter, type Cluster, clusterSpec } from "../../im/data-model.ts";
import { type TlvType, tlvArray, tlvField, tlvStruct, tlvUInt16, tlvUInt32 } from "../../tlv/tlv-schema.ts";

/** The root node endpoint (Core 9.2.1). */
const ROOT_ENDPOINT = 0;

/** The Descriptor cluster (Core 9.5) as the Matter 1.4.2 data model defines it. */
export const DescriptorCluster = clusterSpec({
  id: 0x001d,
  name: "Descriptor",
  // This revision in the Matter 1.4.2 data model: "Semantic tag list; TagList feature".
  revision: 2,
  // Attribute ids (Core 9.5.6).
  attributes: { DeviceTypeList: 0x0000, ServerList: 0x0001, ClientList: 0x0002, PartsList: 0x0003 },
  commands: {},
  events: {},
});

/** DeviceTypeStruct { 0 DeviceType devtype-id, 1 Revision uint16 ≥ 1 } (Core 9.5.5.1). */
export const DeviceTypeStruct = tlvStruct({
  deviceType: tlvField(0, tlvUInt32),
  revision: tlvField(1, tlvUInt16),
});
export type DeviceTypeStruct = TlvType<typeof DeviceTypeStruct>;

/** Device types of this stack with their Matter 1.4.2 Device Library revisions. */
export const DeviceType = {
  /** Root Node 0x0016 rev 3 ("Added restriction on Managed Device feature of Access Control cluster"). */
  RootNode: { deviceType: 0x0016, revision: 3 },
  /** On/Off Light 0x0100 rev 3 ("Updated the Scenes cluster to Scenes Management"). */
  OnOffLight: { deviceType: 0x0100, revision: 3 },
  /** On/Off Plug-in Unit 0x010A rev 4 (the Matter 1.4.2 Device Library revision, as matter.js 0.17.9 declares it). */
  OnOffPlugInUnit: { deviceType: 0x010a, revision: 4 },
} as const satisfies Record<string, DeviceTypeStruct>;

/** Endpoint composition (Core 9.12): PartsList holds direct children (tree) or all descendants (full-family). */
export type CompositionPattern = "tree" | "full-family";

/** One endpoint as the node model describes it. */
export interface EndpointDescription {
  readonly endpoint: number;
  /** DeviceTypeList: at least one entry (Core 9.5.6.1, minCount 1). */
  readonly deviceTypes: readonly DeviceTypeStruct[];
  /** Server cluster ids on the endpoint (Descriptor itself included). */
  readonly serverClusters: readonly number[];
  /** Client cluster ids on the endpoint. */
  readonly clientClusters: readonly number[];
  /** Parent endpoint in the composition tree; absent = a top-level endpoint (a child of the root node). */
  readonly parent?: number;
  /** How this endpoint lists its parts; default full-family, the SDK's default for an endpoint. */
  readonly composition?: CompositionPattern;
}

/** The node model: the endpoints as they are now (a bridge may add and remove endpoints at run time). */
export interface DescribedNode {
  endpoints(): readonly EndpointDescription[];
}

/** What the cluster needs from the node. */
export interface DescriptorOptions {
  /** The endpoint this Descriptor instance describes. */
  readonly endpoint: number;
  readonly node: DescribedNode;
}

/** The cluster and the hook the node calls when its endpoint structure changes. */
export interface DescriptorServer {
  readonly cluster: Cluster;
  /** The node added or removed endpoints or clusters: report ServerList, ClientList and PartsList. */
  structureChanged(): void;
}

function checkEndpoint(e: EndpointDescription): void {
  if (!Number.isInteger(e.endpoint) || e.endpoint < 0 || e.endpoint > 0xfffe)
    throw new RangeError(`endpoint: ${e.endpoint}`);
  // Core 9.5.6.1: DeviceTypeList has at least one entry; DeviceTypeStruct.Revision is at least 1.
  if (e.deviceTypes.length === 0) throw new RangeError(`endpoint ${e.endpoint}: DeviceTypeList is empty`);
  for (const d of e.deviceTypes)
    if (d.revision < 1) throw new RangeError(`endpoint ${e.endpoint}: device type revision must be at least 1`);
}

/**
 * PartsList of `endpoint` in `endpoints` (Core 9.5.6.4). The root node lists every other endpoint of the node
 * (Core 9.2.1); another endpoint lists its direct children (tree) or every descendant (full-family).
 */
export function partsList(endpoints: readonly EndpointDescription[], endpoint: number): number[] {
  const byId = new Map(endpoints.map((e) => [e.endpoint, e]));
  const self = byId.get(endpoint);
  if (self === undefined) throw new InternalError(`Descriptor: endpoint ${endpoint} is not in the node model`);
  if (endpoint === ROOT_ENDPOINT)
    return endpoints
      .map((e) => e.endpoint)
      .filter((id) => id !== ROOT_ENDPOINT)
      .sort((a, b) => a - b);
  const parentOf = (e: EndpointDescription) => e.parent ?? ROOT_ENDPOINT;
  const children = (id: number) =>
    endpoints.filter((e) => e.endpoint !== id && parentOf(e) === id).map((e) => e.endpoint);
  if ((self.composition ?? "full-family") === "tree") return children(endpoint).sort((a, b) => a - b);
  const out: number[] = [];
  const seen = new Set<number>([endpoint]);
  const queue = children(endpoint);
  while (queue.length > 0) {
    const id = queue.shift() as number;
    // A cycle in the parent links is a broken node model, not something to loop on.
    if (seen.has(id)) throw new InternalError(`Descriptor: endpoint ${id} is its own ancestor`);
    seen.add(id);
    out.push(id);
    queue.push(...children(id));
  }
  return out.sort((a, b) => a - b);
}

/** Creates the Descriptor cluster server of one endpoint. */
export function createDescriptor(options: DescriptorOptions): DescriptorServer {
  const { endpoint, node } = options;
  const changes = new AttributeChangeEmitter();
  const self = (): EndpointDescription => {
    const e = node.endpoints().find((x) => x.endpoint === endpoint);
    if (e === undefined) throw new InternalError(`Descriptor: endpoint ${endpoint} is not in the node model`);
    checkEndpoint(e);
    return e;
  };
  self();
  const sorted = (ids: readonly number[]) => [...new Set(ids)].sort((a, b) => a - b);

  const cluster = DescriptorCluster.server({
    featureMap: 0,
    changes,
    attributes: [
      DescriptorCluster.attribute("DeviceTypeList", {
        schema: tlvArray(DeviceTypeStruct, { minLength: 1 }),
        readPrivilege: Privilege.View,
        read: () => self().deviceTypes.map((d) => ({ deviceType: d.deviceType, revision: d.revision })),
      }),
      DescriptorCluster.attribute("ServerList", {
        schema: tlvArray(tlvUInt32),
        readPrivilege: Privilege.View,
        read: () => sorted(self().serverClusters),
      }),
      DescriptorCluster.attribute("ClientList", {
        schema: tlvArray(tlvUInt32),
        readPrivilege: Privilege.View,
        read: () => sorted(self().clientClusters),
      }),
      DescriptorCluster.attribute("PartsList", {
        schema: tlvArray(tlvUInt16),
        readPrivilege: Privilege.View,
        read: () => {
          const all = node.endpoints();
          for (const e of all) checkEndpoint(e);
          return partsList(all, endpoint);
        },
      }),
    ],
    commands: [],
    events: [],
  });

  return {
    cluster,
    structureChanged: () => {
      changes.emit(DescriptorCluster.attributes.ServerList);
      changes.emit(DescriptorCluster.attributes.ClientList);
      changes.emit(DescriptorCluster.attributes.PartsList);
    },
  };
}
