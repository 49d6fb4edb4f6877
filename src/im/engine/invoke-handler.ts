/**
 * Invoke processing (Core spec 8.8.3.2 "Incoming Invoke Request Action Processing"): request-level checks (no paths,
 * more than MaxPathsPerInvoke, a wildcard endpoint, a batch without unique CommandRefs or with duplicate paths →
 * INVALID_ACTION), then per path UNSUPPORTED_ENDPOINT / UNSUPPORTED_CLUSTER and the data-model dispatcher.
 */

import { ImStatus } from "../../fabric/status-codes.ts";
import type { AccessChecker, AfterResponseEffect, SessionInfo } from "../data-model.ts";
import { invokeCommand } from "../invoke.ts";
import type { CommandDataIB } from "../messages/command-data-ib.ts";
import type { InvokeResponseIB } from "../messages/invoke-response-ib.ts";
import { findCluster, findEndpoint, type NodeModel } from "./node-model.ts";

/** Default MaxPathsPerInvoke (the SDK's CHIP_CONFIG_MAX_PATHS_PER_INVOKE); the node advertises it in Basic Information. */
export const DEFAULT_MAX_PATHS_PER_INVOKE = 1;

/** Result of one InvokeRequest. */
export type InvokeRequestOutcome =
  | {
      readonly kind: "responses";
      readonly responses: InvokeResponseIB[];
      readonly afterResponse: AfterResponseEffect[];
      readonly errors: unknown[];
    }
  | { readonly kind: "status-response"; readonly status: ImStatus };

/** Everything an invoke needs besides the commands. */
export interface InvokeScope {
  readonly node: NodeModel;
  readonly access: AccessChecker;
  readonly session: SessionInfo;
  readonly now: number;
  readonly timed: boolean;
  readonly maxPathsPerInvoke: number;
}

/** Invokes every CommandDataIB of one InvokeRequest in order. */
export async function processInvokeRequests(
  scope: InvokeScope,
  requests: readonly CommandDataIB[],
): Promise<InvokeRequestOutcome> {
  const invalid = { kind: "status-response", status: ImStatus.INVALID_ACTION } as const;
  if (requests.length === 0 || requests.length > scope.maxPathsPerInvoke) return invalid;
  if (requests.some((r) => r.path.endpoint === undefined)) return invalid;
  if (requests.length > 1) {
    // Core 8.8.2: in a batch every CommandDataIB carries a unique CommandRef, and paths are unique.
    const refs = new Set(requests.map((r) => r.ref));
    if (refs.has(undefined) || refs.size !== requests.length) return invalid;
    const paths = new Set(requests.map((r) => `${r.path.endpoint}/${r.path.cluster}/${r.path.command}`));
    if (paths.size !== requests.length) return invalid;
  }
  const responses: InvokeResponseIB[] = [];
  const afterResponse: AfterResponseEffect[] = [];
  const errors: unknown[] = [];
  for (const r of requests) {
    const path = { endpoint: r.path.endpoint!, cluster: r.path.cluster, command: r.path.command };
    const ref = r.ref === undefined ? {} : { ref: r.ref };
    const status = (s: number, clusterStatus?: number): InvokeResponseIB => ({
      status: { path, status: clusterStatus === undefined ? { status: s } : { status: s, clusterStatus }, ...ref },
    });
    const endpoint = findEndpoint(scope.node, path.endpoint);
    if (endpoint === undefined) {
      responses.push(status(ImStatus.UNSUPPORTED_ENDPOINT));
      continue;
    }
    const instance = findCluster(endpoint, path.cluster);
    if (instance === undefined) {
      responses.push(status(ImStatus.UNSUPPORTED_CLUSTER));
      continue;
    }
    const outcome = await invokeCommand(
      instance,
      path.command,
      r.fields,
      { session: scope.session, timed: scope.timed, now: scope.now },
      scope.access,
    );
    afterResponse.push(...outcome.afterResponse);
    if (outcome.kind === "response") {
      responses.push({
        command: { path: { ...path, command: outcome.commandId }, fields: outcome.fields, ...ref },
      });
    } else {
      if (outcome.error !== undefined) errors.push(outcome.error);
      responses.push(status(outcome.status, outcome.clusterStatus));
    }
  }
  return { kind: "responses", responses, afterResponse, errors };
}
