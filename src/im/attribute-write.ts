/**
 * Attribute write for one concrete path (Core 8.7.3.2 "Incoming Write Request Action Processing"): refusals in the
 * reference SDK's order, decoding, fabric-scoped list replacement and list-entry append (Core 8.7.3.3 list writes).
 */
import { MalformedError, ProtocolError } from "../bytes/errors.ts";
import { ImStatus } from "../fabric/status-codes.ts";
import { ANONYMOUS, type TlvNode } from "../tlv/tlv-node.ts";
import {
  type AccessChecker,
  type AfterResponseEffect,
  type ClusterInstance,
  GlobalAttribute,
  type WriteContext,
} from "./data-model.ts";
import { ownEntries, withFabricIndex } from "./fabric-scoped.ts";
import { isImStatus } from "./status-code.ts";

/** Result of writing one attribute path. */
export interface AttributeWriteOutcome {
  readonly status: ImStatus;
  readonly clusterStatus?: number;
  readonly afterResponse: readonly AfterResponseEffect[];
  /** The unexpected error a FAILURE status stands for (for the node's log; never sent). */
  readonly error?: unknown;
}

/** Options of a write: `append` = the AttributePathIB had ListIndex null (append one entry, Core 8.7.3.3). */
export interface WriteOptions {
  readonly append?: boolean;
}

const refuse = (status: ImStatus): AttributeWriteOutcome => ({ status, afterResponse: [] });

/**
 * Writes one attribute. `value` is the Data element: the whole list (or value), or one entry when `append` is set.
 * Never throws for anything a peer can cause.
 */
export async function writeAttribute(
  instance: ClusterInstance,
  attributeId: number,
  value: TlvNode,
  ctx: WriteContext,
  access: AccessChecker,
  options: WriteOptions = {},
): Promise<AttributeWriteOutcome> {
  const cluster = instance.cluster;
  const def = instance.attribute(attributeId);
  if (def === undefined) {
    // Global attributes exist but are read-only.
    const global = (Object.values(GlobalAttribute) as number[]).includes(attributeId);
    return refuse(global ? ImStatus.UNSUPPORTED_WRITE : ImStatus.UNSUPPORTED_ATTRIBUTE);
  }
  // The SDK answers UNSUPPORTED_WRITE for an existing read-only attribute before running the ACL check
  // (WriteHandler::CheckWriteAllowed; TC_OPCREDS_3_1 step 27 expects it for NOCs).
  if (def.write === undefined || def.writePrivilege === undefined) return refuse(ImStatus.UNSUPPORTED_WRITE);
  const target = { endpoint: instance.endpoint, cluster: cluster.id };
  // Core 8.7.3.2: the access check for the attribute's write privilege fails → UNSUPPORTED_ACCESS.
  if (!access(ctx.session, target, def.writePrivilege)) return refuse(ImStatus.UNSUPPORTED_ACCESS);
  // Core 7.13.6: writing fabric-scoped data requires an accessing fabric.
  if (def.fabricScoped === true && ctx.session.fabricIndex === 0) return refuse(ImStatus.UNSUPPORTED_ACCESS);
  // Core 8.7.3.2: an attribute that requires a Timed Write outside one → NEEDS_TIMED_INTERACTION.
  if (def.timedWrite === true && !ctx.timed) return refuse(ImStatus.NEEDS_TIMED_INTERACTION);

  const path = `${cluster.name}.${def.name}`;
  let node = value;
  if (options.append === true) {
    if (def.fabricScoped !== true) {
      // Appending needs the current list; for plain lists rebuild it from the current value.
      const current = def.schema.encodeNode(def.read({ session: ctx.session, now: ctx.now }), ANONYMOUS);
      if (current.type !== "array" && current.type !== "list") return refuse(ImStatus.INVALID_ACTION);
      node = { ...current, elements: [...current.elements, { ...value, tag: ANONYMOUS }] } as TlvNode;
    } else {
      const current = def.schema.encodeNode(def.read({ session: ctx.session, now: ctx.now }), ANONYMOUS);
      const own = ownEntries(current, ctx.session.fabricIndex, path);
      node = { tag: ANONYMOUS, type: "array", elements: [...own, { ...value, tag: ANONYMOUS }] } as TlvNode;
    }
  }
  if (def.fabricScoped === true) {
    if (node.type !== "array" && node.type !== "list") return refuse(ImStatus.INVALID_DATA_TYPE);
    const fi = ctx.session.fabricIndex;
    node = { ...node, elements: node.elements.map((e) => withFabricIndex(e, fi)) } as TlvNode;
  }
  let decoded: unknown;
  try {
    decoded = def.schema.decodeNode(node, path);
  } catch (e) {
    // A value that does not fit the attribute's type or constraints (Core 8.7.3.2) → CONSTRAINT_ERROR.
    if (e instanceof MalformedError) return refuse(ImStatus.CONSTRAINT_ERROR);
    throw e;
  }
  try {
    const result = await def.write(decoded, { ...ctx, endpoint: instance.endpoint });
    return result.clusterStatus === undefined
      ? { status: result.status, afterResponse: result.afterResponse ?? [] }
      : { status: result.status, clusterStatus: result.clusterStatus, afterResponse: result.afterResponse ?? [] };
  } catch (e) {
    // A lower layer's ProtocolError carries the IM status to answer with; anything else is a bug → FAILURE.
    if (e instanceof ProtocolError && isImStatus(e.status))
      return e.clusterStatus === undefined
        ? refuse(e.status)
        : { status: e.status, clusterStatus: e.clusterStatus, afterResponse: [] };
    return { status: ImStatus.FAILURE, afterResponse: [], error: e };
  }
}
