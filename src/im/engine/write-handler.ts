/**
 * Write processing (Core spec 8.7.3.2 "Incoming Write Request Action Processing"): concrete paths only (a wildcard
 * makes the whole request INVALID_ACTION, as the SDK's non-group writes), DataVersion check, list writes as a
 * replace of the whole list followed by appends (ListIndex null, Core 8.7.3.3), one AttributeStatusIB per
 * AttributeDataIB. Chunked writes call this once per WriteRequest chunk.
 */

import { ImStatus } from "../../fabric/status-codes.ts";
import { type AttributeWriteOutcome, writeAttribute } from "../attribute-write.ts";
import type { AccessChecker, AfterResponseEffect, SessionInfo } from "../data-model.ts";
import type { AttributeDataIB } from "../messages/attribute-data-ib.ts";
import type { AttributeStatusIB } from "../messages/attribute-status-ib.ts";
import { findCluster, findEndpoint, type NodeModel } from "./node-model.ts";

/** Result of one WriteRequest (chunk): the statuses, or a status for the whole request. */
export type WriteRequestOutcome =
  | {
      readonly kind: "statuses";
      readonly statuses: AttributeStatusIB[];
      readonly afterResponse: AfterResponseEffect[];
      /** Unexpected errors FAILURE statuses stand for (for the node's log). */
      readonly errors: unknown[];
    }
  | { readonly kind: "status-response"; readonly status: ImStatus };

/** Everything a write needs besides the data. */
export interface WriteScope {
  readonly node: NodeModel;
  readonly access: AccessChecker;
  readonly session: SessionInfo;
  readonly now: number;
  readonly timed: boolean;
}

/** Applies the AttributeDataIBs of one WriteRequest in order. */
export async function processWriteRequests(
  scope: WriteScope,
  writes: readonly AttributeDataIB[],
): Promise<WriteRequestOutcome> {
  // Wildcard writes are only defined for group writes; on a unicast session the request is malformed.
  if (
    writes.some((w) => w.path.endpoint === undefined || w.path.cluster === undefined || w.path.attribute === undefined)
  )
    return { kind: "status-response", status: ImStatus.INVALID_ACTION };
  const statuses: AttributeStatusIB[] = [];
  const afterResponse: AfterResponseEffect[] = [];
  const errors: unknown[] = [];
  for (const w of writes) {
    const path = { endpoint: w.path.endpoint!, cluster: w.path.cluster!, attribute: w.path.attribute! };
    const push = (status: number, clusterStatus?: number) =>
      statuses.push({ path, status: clusterStatus === undefined ? { status } : { status, clusterStatus } });
    const endpoint = findEndpoint(scope.node, path.endpoint);
    if (endpoint === undefined) {
      push(ImStatus.UNSUPPORTED_ENDPOINT);
      continue;
    }
    const instance = findCluster(endpoint, path.cluster);
    if (instance === undefined) {
      push(ImStatus.UNSUPPORTED_CLUSTER);
      continue;
    }
    // Only "append" (ListIndex null) is defined for writes in Matter 1.x; a numeric ListIndex is refused.
    if (w.path.listIndex !== undefined && w.path.listIndex !== null) {
      push(ImStatus.INVALID_ACTION);
      continue;
    }
    // Core 8.7.3.2: a DataVersion that does not match the cluster instance's → DATA_VERSION_MISMATCH.
    if (w.dataVersion !== undefined && w.dataVersion !== instance.dataVersion) {
      push(ImStatus.DATA_VERSION_MISMATCH);
      continue;
    }
    const outcome: AttributeWriteOutcome = await writeAttribute(
      instance,
      path.attribute,
      w.data,
      { session: scope.session, timed: scope.timed, now: scope.now },
      scope.access,
      { append: w.path.listIndex === null },
    );
    push(outcome.status, outcome.clusterStatus);
    afterResponse.push(...outcome.afterResponse);
    if (outcome.error !== undefined) errors.push(outcome.error);
  }
  return { kind: "statuses", statuses, afterResponse, errors };
}
