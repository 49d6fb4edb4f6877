/**
 * Attribute read for one concrete path (Core 8.4.3.2 "Incoming Read Request Action Processing"), including the global
 * attributes (Core 7.13) and fabric filtering of fabric-scoped lists (Core 7.13.6, 7.13.7).
 */

import { ProtocolError } from "../bytes/errors.ts";
import { Privilege } from "../fabric/access-control.ts";
import { ImStatus } from "../fabric/status-codes.ts";
import { ANONYMOUS, type TlvNode } from "../tlv/tlv-node.ts";
import { type AccessChecker, type ClusterInstance, GlobalAttribute, type ReadContext } from "./data-model.ts";
import { filterFabricScopedList } from "./fabric-scoped.ts";
import { isImStatus } from "./status-code.ts";

/** Result of reading one attribute path: data (with the instance's data version) or a status. */
export type AttributeReadOutcome =
  | { readonly kind: "data"; readonly dataVersion: number; readonly value: TlvNode }
  | { readonly kind: "status"; readonly status: ImStatus; readonly clusterStatus?: number };

/** Options of a read: `fabricFiltered` is the ReadRequest's isFabricFiltered flag (Core 8.4.2). */
export interface ReadOptions {
  readonly fabricFiltered: boolean;
}

const uint = (v: number): TlvNode => ({ tag: ANONYMOUS, type: "uint", value: BigInt(v) });
const uintArray = (vs: readonly number[]): TlvNode => ({ tag: ANONYMOUS, type: "array", elements: vs.map(uint) });

/** The ids of every attribute the instance serves, cluster attributes first, ascending (AttributeList, Core 7.13.4). */
export function attributeList(instance: ClusterInstance): number[] {
  const own = instance.cluster.attributes.map((a) => a.id).sort((a, b) => a - b);
  return [...own, ...Object.values(GlobalAttribute).sort((a, b) => a - b)];
}

/** AcceptedCommandList (Core 7.13.2): every command the cluster accepts, ascending. */
export function acceptedCommandList(instance: ClusterInstance): number[] {
  return instance.cluster.commands.map((c) => c.id).sort((a, b) => a - b);
}

/** GeneratedCommandList (Core 7.13.3): every response command the accepted commands can generate, ascending. */
export function generatedCommandList(instance: ClusterInstance): number[] {
  const ids = new Set<number>();
  for (const c of instance.cluster.commands) if (c.response !== undefined) ids.add(c.response.id);
  return [...ids].sort((a, b) => a - b);
}

function globalValue(instance: ClusterInstance, attributeId: number): TlvNode | undefined {
  switch (attributeId) {
    case GlobalAttribute.ClusterRevision:
      return uint(instance.cluster.revision);
    case GlobalAttribute.FeatureMap:
      return uint(instance.cluster.featureMap);
    case GlobalAttribute.AttributeList:
      return uintArray(attributeList(instance));
    case GlobalAttribute.AcceptedCommandList:
      return uintArray(acceptedCommandList(instance));
    case GlobalAttribute.GeneratedCommandList:
      return uintArray(generatedCommandList(instance));
    default:
      return undefined;
  }
}

/** Reads one attribute of a cluster instance for the session in `ctx`. Refusals are status outcomes. */
export function readAttribute(
  instance: ClusterInstance,
  attributeId: number,
  ctx: ReadContext,
  options: ReadOptions,
  access: AccessChecker,
): AttributeReadOutcome {
  const target = { endpoint: instance.endpoint, cluster: instance.cluster.id };
  const global = globalValue(instance, attributeId);
  if (global !== undefined) {
    // Global attributes carry View read access (Core 7.13).
    if (!access(ctx.session, target, Privilege.View)) return { kind: "status", status: ImStatus.UNSUPPORTED_ACCESS };
    return { kind: "data", dataVersion: instance.dataVersion, value: global };
  }
  const def = instance.attribute(attributeId);
  if (def === undefined) return { kind: "status", status: ImStatus.UNSUPPORTED_ATTRIBUTE };
  // Core 8.4.3.2: the access check for the attribute's read privilege fails → UNSUPPORTED_ACCESS.
  if (!access(ctx.session, target, def.readPrivilege)) return { kind: "status", status: ImStatus.UNSUPPORTED_ACCESS };
  let node: TlvNode;
  // The version is taken before the value: a change made during the read makes the version stale, never too new.
  const dataVersion = instance.dataVersion;
  try {
    node = def.schema.encodeNode(def.read({ ...ctx, endpoint: instance.endpoint }), ANONYMOUS);
  } catch (e) {
    if (e instanceof ProtocolError && isImStatus(e.status))
      return e.clusterStatus === undefined
        ? { kind: "status", status: e.status }
        : { kind: "status", status: e.status, clusterStatus: e.clusterStatus };
    throw e;
  }
  if (def.fabricScoped === true) {
    node = filterFabricScopedList(
      node,
      ctx.session.fabricIndex,
      options.fabricFiltered,
      def.fabricSensitiveFields ?? [],
      `${instance.cluster.name}.${def.name}`,
    );
  }
  return { kind: "data", dataVersion, value: node };
}
