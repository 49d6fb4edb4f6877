/**
 * Invoke dispatch for one command path (Core 8.8.3.2 "Incoming Invoke Request Action Processing"): the refusals in
 * the order the spec and the reference SDK apply them, request decoding, the handler, and response encoding.
 */
import { InternalError, MalformedError, ProtocolError } from "../bytes/errors.ts";
import { ImStatus } from "../fabric/status-codes.ts";
import { ANONYMOUS, type TlvNode } from "../tlv/tlv-node.ts";
import type { AccessChecker, AfterResponseEffect, ClusterInstance, InvokeContext } from "./data-model.ts";
import { isImStatus } from "./status-code.ts";

/** Result of an invoke: a response command with its encoded fields, or a status; plus effects for after the response. */
export type InvokeOutcome =
  | {
      readonly kind: "response";
      readonly commandId: number;
      /** CommandFields, anonymous-tagged; the message codec re-tags it as CommandDataIB field 1. */
      readonly fields: TlvNode;
      readonly afterResponse: readonly AfterResponseEffect[];
    }
  | {
      readonly kind: "status";
      readonly status: ImStatus;
      readonly clusterStatus?: number;
      readonly afterResponse: readonly AfterResponseEffect[];
      /** The unexpected error a FAILURE status stands for (for the node's log; never sent). */
      readonly error?: unknown;
    };

const EMPTY_STRUCT: TlvNode = { tag: ANONYMOUS, type: "struct", elements: [] };

function status(
  s: ImStatus,
  clusterStatus?: number,
  afterResponse: readonly AfterResponseEffect[] = [],
): InvokeOutcome {
  return clusterStatus === undefined
    ? { kind: "status", status: s, afterResponse }
    : { kind: "status", status: s, clusterStatus, afterResponse };
}

/**
 * Invokes `commandId` on a cluster instance. `fields` is the CommandFields element (absent when the request carried
 * none). Never throws for anything a peer can cause: every refusal is a status outcome.
 */
export async function invokeCommand(
  instance: ClusterInstance,
  commandId: number,
  fields: TlvNode | undefined,
  ctx: InvokeContext,
  access: AccessChecker,
): Promise<InvokeOutcome> {
  const cluster = instance.cluster;
  const def = instance.command(commandId);
  // Core 8.8.3.2: a command the cluster does not accept (incl. response commands) → UNSUPPORTED_COMMAND.
  if (def === undefined) return status(ImStatus.UNSUPPORTED_COMMAND);
  const target = { endpoint: instance.endpoint, cluster: cluster.id };
  // Core 8.8.3.2: if the access check fails for the command's invoke privilege → UNSUPPORTED_ACCESS.
  if (!access(ctx.session, target, def.invokePrivilege)) return status(ImStatus.UNSUPPORTED_ACCESS);
  // Core 7.13.6 / 8.8.3.2: a fabric-scoped command on a session without an accessing fabric → UNSUPPORTED_ACCESS.
  if (def.fabricScoped && ctx.session.fabricIndex === 0) return status(ImStatus.UNSUPPORTED_ACCESS);
  // Core 8.8.3.2: a command that requires a Timed Invoke received outside one → NEEDS_TIMED_INTERACTION.
  if (def.timed && !ctx.timed) return status(ImStatus.NEEDS_TIMED_INTERACTION);

  let request: unknown;
  const path = `${cluster.name}.${def.name}`;
  try {
    if (def.requestSchema === undefined) {
      // A command without fields: an omitted or (possibly non-empty, forward-compatible) struct is accepted.
      if (fields !== undefined && fields.type !== "struct") return status(ImStatus.INVALID_COMMAND);
      request = undefined;
    } else {
      request = def.requestSchema.decodeNode(fields ?? EMPTY_STRUCT, path);
    }
  } catch (e) {
    // Core 8.8.3.2: missing mandatory fields or wrong types → INVALID_COMMAND.
    if (e instanceof MalformedError) return status(ImStatus.INVALID_COMMAND);
    throw e;
  }

  const callCtx: InvokeContext = { ...ctx, endpoint: instance.endpoint };
  let result: Awaited<ReturnType<typeof def.handler>>;
  try {
    result = await def.handler(request, callCtx);
  } catch (e) {
    // A lower layer's ProtocolError carries the IM status to answer with; anything else is a bug → FAILURE.
    if (e instanceof ProtocolError && isImStatus(e.status)) return status(e.status, e.clusterStatus);
    return { kind: "status", status: ImStatus.FAILURE, afterResponse: [], error: e };
  }
  const afterResponse = result.afterResponse ?? [];
  if ("status" in result) return status(result.status, result.clusterStatus, afterResponse);
  if (def.response === undefined)
    throw new InternalError(`${path}: handler returned a response for a status-only command`);
  return {
    kind: "response",
    commandId: def.response.id,
    fields: def.response.schema.encodeNode(result.response, ANONYMOUS),
    afterResponse,
  };
}
