/**
 * Read processing (Core spec 8.4.3.2 "Incoming Read Request Action Processing", 8.9.2 path expansion): attribute and
 * event paths, concrete or wildcard, expanded over the node model; concrete paths that miss report
 * UNSUPPORTED_ENDPOINT / UNSUPPORTED_CLUSTER / UNSUPPORTED_ATTRIBUTE / UNSUPPORTED_EVENT / UNSUPPORTED_ACCESS, wildcard
 * expansion silently skips what the access check refuses; DataVersionFilters, EventFilters and fabric filtering apply.
 */

import { ImStatus } from "../../fabric/status-codes.ts";
import { attributeList, readAttribute } from "../attribute-read.ts";
import { type AccessChecker, type ClusterInstance, GlobalAttribute, type SessionInfo } from "../data-model.ts";
import type { EventLog, EventRecord } from "../events.ts";
import type { AttributePathIB } from "../messages/attribute-path-ib.ts";
import { WildcardPathFlags } from "../messages/attribute-path-ib.ts";
import type { AttributeReportIB } from "../messages/attribute-report-ib.ts";
import type { DataVersionFilterIB } from "../messages/data-version-filter-ib.ts";
import type { EventDataIB } from "../messages/event-data-ib.ts";
import type { EventFilterIB } from "../messages/event-filter-ib.ts";
import type { EventPathIB } from "../messages/event-path-ib.ts";
import type { EventReportIB } from "../messages/event-report-ib.ts";
import { findCluster, findEndpoint, type NodeModel, sortedClusters, sortedEndpoints } from "./node-model.ts";

/** Everything a read needs besides the paths. */
export interface ReadScope {
  readonly node: NodeModel;
  readonly access: AccessChecker;
  readonly session: SessionInfo;
  readonly now: number;
  readonly fabricFiltered: boolean;
  readonly events?: EventLog;
}

/** A concrete attribute path. */
export interface ConcreteAttribute {
  readonly endpoint: number;
  readonly cluster: number;
  readonly attribute: number;
}

const GLOBAL_IDS: readonly number[] = Object.values(GlobalAttribute);

/**
 * The request-level check of attribute paths (Core 8.4.3.2 / the SDK's malformed-path rules): an attribute id with a
 * wildcard cluster must be a global attribute, and reads carry no ListIndex. A violation answers the whole request
 * with INVALID_ACTION.
 */
export function attributePathsValid(paths: readonly AttributePathIB[]): boolean {
  return paths.every(
    (p) =>
      p.listIndex === undefined &&
      !(p.cluster === undefined && p.attribute !== undefined && !GLOBAL_IDS.includes(p.attribute)),
  );
}

/** Event paths: an event id with a wildcard cluster is meaningless and refused with INVALID_ACTION. */
export function eventPathsValid(paths: readonly EventPathIB[]): boolean {
  return paths.every((p) => !(p.cluster === undefined && p.event !== undefined));
}

const isCustomCluster = (id: number) => id >>> 16 !== 0 || (id & 0xffff) >= 0xfc00;
const isCustomAttribute = (id: number) => id >>> 16 !== 0;

function skippedByFlags(flags: number, instance: ClusterInstance, attributeId: number): boolean {
  if (flags & WildcardPathFlags.SkipRootNode && instance.endpoint === 0) return true;
  if (
    flags & WildcardPathFlags.SkipCustomElements &&
    (isCustomCluster(instance.cluster.id) || isCustomAttribute(attributeId))
  )
    return true;
  if (flags & WildcardPathFlags.SkipGlobalAttributes && GLOBAL_IDS.includes(attributeId)) return true;
  if (flags & WildcardPathFlags.SkipAttributeList && attributeId === GlobalAttribute.AttributeList) return true;
  if (
    flags & WildcardPathFlags.SkipCommandLists &&
    (attributeId === GlobalAttribute.AcceptedCommandList || attributeId === GlobalAttribute.GeneratedCommandList)
  )
    return true;
  if (
    flags & WildcardPathFlags.SkipChangesOmittedAttributes &&
    instance.attribute(attributeId)?.changesOmitted === true
  )
    return true;
  return false;
}

const key = (e: number, c: number, a: number) => `${e}/${c}/${a}`;

function statusReport(path: ConcreteAttribute, status: number, clusterStatus?: number): AttributeReportIB {
  return {
    attributeStatus: {
      path: { endpoint: path.endpoint, cluster: path.cluster, attribute: path.attribute },
      status: clusterStatus === undefined ? { status } : { status, clusterStatus },
    },
  };
}

/** Options of readAttributes. */
export interface AttributeReadOptions {
  readonly dataVersionFilters?: readonly DataVersionFilterIB[];
  /** Only these concrete attributes (a subscription's changed set); others are skipped silently. */
  readonly only?: (path: ConcreteAttribute) => boolean;
}

/**
 * Reads every path in order and returns the AttributeReportIBs, each concrete attribute at most once. Paths must
 * have passed attributePathsValid.
 */
export function readAttributes(
  scope: ReadScope,
  paths: readonly AttributePathIB[],
  options: AttributeReadOptions = {},
): AttributeReportIB[] {
  const reports: AttributeReportIB[] = [];
  const seen = new Set<string>();
  const filtered = (instance: ClusterInstance) =>
    options.dataVersionFilters?.some(
      (f) =>
        f.path.endpoint === instance.endpoint &&
        f.path.cluster === instance.cluster.id &&
        f.dataVersion === instance.dataVersion,
    ) === true;

  const emit = (instance: ClusterInstance, attributeId: number, wildcard: boolean) => {
    const path = { endpoint: instance.endpoint, cluster: instance.cluster.id, attribute: attributeId };
    const k = key(path.endpoint, path.cluster, path.attribute);
    if (seen.has(k) || (options.only !== undefined && !options.only(path))) return;
    // Core 8.4.3.2: a DataVersionFilter matching the instance's current version suppresses its attribute data.
    if (filtered(instance)) return;
    const outcome = readAttribute(
      instance,
      attributeId,
      { session: scope.session, now: scope.now },
      { fabricFiltered: scope.fabricFiltered },
      scope.access,
    );
    if (outcome.kind === "status") {
      // Core 8.9.2: wildcard expansion omits paths the subject has no access to (and attributes that do not exist).
      if (
        wildcard &&
        (outcome.status === ImStatus.UNSUPPORTED_ACCESS || outcome.status === ImStatus.UNSUPPORTED_ATTRIBUTE)
      )
        return;
      seen.add(k);
      reports.push(statusReport(path, outcome.status, outcome.clusterStatus));
      return;
    }
    seen.add(k);
    reports.push({ attributeData: { dataVersion: outcome.dataVersion, path, data: outcome.value } });
  };

  for (const p of paths) {
    const concrete = p.endpoint !== undefined && p.cluster !== undefined && p.attribute !== undefined;
    if (concrete) {
      const path = { endpoint: p.endpoint!, cluster: p.cluster!, attribute: p.attribute! };
      if (options.only !== undefined && !options.only(path)) continue;
      const endpoint = findEndpoint(scope.node, path.endpoint);
      if (endpoint === undefined) {
        reports.push(statusReport(path, ImStatus.UNSUPPORTED_ENDPOINT));
        continue;
      }
      const instance = findCluster(endpoint, path.cluster);
      if (instance === undefined) {
        reports.push(statusReport(path, ImStatus.UNSUPPORTED_CLUSTER));
        continue;
      }
      emit(instance, path.attribute, false);
      continue;
    }
    const flags = p.wildcardPathFlags ?? 0;
    for (const endpoint of sortedEndpoints(scope.node)) {
      if (p.endpoint !== undefined && endpoint.id !== p.endpoint) continue;
      for (const instance of sortedClusters(endpoint)) {
        if (p.cluster !== undefined && instance.cluster.id !== p.cluster) continue;
        const ids = p.attribute !== undefined ? [p.attribute] : attributeList(instance);
        for (const id of ids) if (!skippedByFlags(flags, instance, id)) emit(instance, id, true);
      }
    }
  }
  return reports;
}

/** The smallest event number a request wants (the largest EventMin of its EventFilters), or 0. */
export function eventMinOf(filters: readonly EventFilterIB[] | undefined): bigint {
  let min = 0n;
  for (const f of filters ?? []) if (f.eventMin > min) min = f.eventMin;
  return min;
}

function pathMatches(p: EventPathIB, r: EventRecord): boolean {
  return (
    (p.endpoint === undefined || p.endpoint === r.endpoint) &&
    (p.cluster === undefined || p.cluster === r.cluster) &&
    (p.event === undefined || p.event === r.event)
  );
}

/** The EventDataIB of a record; epoch timestamps go out in ms (see event-data-ib.ts). */
function eventData(r: EventRecord): EventDataIB {
  const base = {
    path: { endpoint: r.endpoint, cluster: r.cluster, event: r.event },
    eventNumber: r.eventNumber,
    priority: r.priority,
    data: r.data,
  };
  return r.timestamp.kind === "epoch-us"
    ? { ...base, epochTimestamp: r.timestamp.value / 1000n }
    : { ...base, systemTimestamp: r.timestamp.value };
}

/** Result of readEvents. */
export interface EventReadResult {
  readonly reports: EventReportIB[];
  /** The highest event number looked at (delivered or not), so a subscription can continue after it. */
  readonly lastEventNumber: bigint | undefined;
}

/**
 * Reads the event log for `paths` (Core 8.4.3.2, 8.9.3): concrete paths that miss get an EventStatusIB, records below
 * `minEventNumber`, refused by the access check or of another fabric (fabric-sensitive events) are skipped.
 */
export function readEvents(
  scope: ReadScope,
  paths: readonly EventPathIB[],
  minEventNumber: bigint,
  includeStatuses = true,
): EventReadResult {
  const reports: EventReportIB[] = [];
  const usable: EventPathIB[] = [];
  for (const p of paths) {
    if (p.endpoint === undefined || p.cluster === undefined || p.event === undefined) {
      usable.push(p);
      continue;
    }
    const endpoint = findEndpoint(scope.node, p.endpoint);
    const instance = endpoint === undefined ? undefined : findCluster(endpoint, p.cluster);
    const def = instance?.cluster.events.find((e) => e.id === p.event);
    let status: number | undefined;
    if (endpoint === undefined) status = ImStatus.UNSUPPORTED_ENDPOINT;
    else if (instance === undefined) status = ImStatus.UNSUPPORTED_CLUSTER;
    else if (def === undefined) status = ImStatus.UNSUPPORTED_EVENT;
    else if (!scope.access(scope.session, { endpoint: p.endpoint, cluster: p.cluster }, def.readPrivilege))
      status = ImStatus.UNSUPPORTED_ACCESS;
    if (status === undefined) usable.push(p);
    else if (includeStatuses)
      reports.push({
        eventStatus: { path: { endpoint: p.endpoint, cluster: p.cluster, event: p.event }, status: { status } },
      });
  }
  let last: bigint | undefined;
  if (scope.events === undefined || usable.length === 0) return { reports, lastEventNumber: last };
  for (const r of scope.events.events({ minEventNumber })) {
    last = r.eventNumber;
    if (!usable.some((p) => pathMatches(p, r))) continue;
    const endpoint = findEndpoint(scope.node, r.endpoint);
    const instance = endpoint === undefined ? undefined : findCluster(endpoint, r.cluster);
    const def = instance?.cluster.events.find((e) => e.id === r.event);
    if (def === undefined) continue;
    if (!scope.access(scope.session, { endpoint: r.endpoint, cluster: r.cluster }, def.readPrivilege)) continue;
    // Core 7.14.x: a fabric-sensitive event is only reported to a reader on the fabric it was recorded for.
    if (r.fabricIndex !== undefined && r.fabricIndex !== scope.session.fabricIndex) continue;
    reports.push({ eventData: eventData(r) });
  }
  return { reports, lastEventNumber: last };
}
