/**
 * The Interaction Model data model (Core spec 7.x, 8.x): clusters as plain objects of attributes, commands and events,
 * the accessing session an action runs on, per-instance data versions (Core 7.10.3) and attribute-change listeners.
 * The read/write/invoke dispatchers live next to this file (attribute-read.ts, attribute-write.ts, invoke.ts).
 * Deviation from STYLE rule 3 (sync IM core): command and write handlers are async, because what they change must be
 * persisted (Storage is async) before the response is sent; reads stay synchronous over in-memory state.
 */
import { InternalError } from "../bytes/errors.ts";
import { Privilege } from "../fabric/access-control.ts";
import type { ImStatus } from "../fabric/status-codes.ts";
import type { TlvNode, TlvTag } from "../tlv/tlv-node.ts";

/**
 * A TLV codec for one value, as every schema of src/tlv/tlv-schema.ts provides it. The data model only needs the
 * node-level half, so it takes this structural type instead of a concrete schema class.
 */
export interface TlvCodec<T> {
  encodeNode(value: T, tag: TlvTag): TlvNode;
  decodeNode(node: TlvNode, path: string): T;
}

/** The secure session an action arrives on (Core 4.13 / 6.6.2: the "accessing subject descriptor"). */
export interface SessionInfo {
  readonly kind: "pase" | "case";
  /** The accessing fabric index; 0 = none (a PASE session before AddNOC). */
  readonly fabricIndex: number;
  /** Peer operational node id (CASE) or 0 / passcode id (PASE). */
  readonly subjectNodeId: bigint;
  /** CASE Authenticated Tags of the peer NOC (32-bit each). */
  readonly cats: readonly number[];
  /** 16-byte attestation challenge of the session (Core 4.13.2.5 / 4.14.2.6). */
  readonly attestationChallenge: Uint8Array;
  /** Local session id; effects name sessions by it. */
  readonly id: number;
}

/** The target of an access check (Core 6.6.2.3 "Request"). */
export interface AccessTarget {
  readonly endpoint: number;
  readonly cluster: number;
}

/**
 * The access control check (Core 6.6.6 "Access Control Privilege Granting Algorithm"), injected by the node (it wraps
 * the fabric layer's ACL). Over PASE the implicit subject holds Administer (Core 6.6.2.9).
 */
export type AccessChecker = (session: SessionInfo, target: AccessTarget, privilege: Privilege) => boolean;

/** Context of one command invocation. `now` is the node's monotonic clock in ms. */
export interface InvokeContext {
  readonly session: SessionInfo;
  /** True when the invoke is part of a Timed Invoke interaction (Core 8.7.2.2). */
  readonly timed: boolean;
  readonly now: number;
  /** Endpoint of the path; set by the dispatcher. */
  readonly endpoint?: number;
}

/** Context of an attribute read. */
export interface ReadContext {
  readonly session: SessionInfo;
  readonly now: number;
  readonly endpoint?: number;
}

/** Context of an attribute write. */
export interface WriteContext {
  readonly session: SessionInfo;
  readonly timed: boolean;
  readonly now: number;
  readonly endpoint?: number;
}

/**
 * Work the transport must do after the response to an action has been delivered (Core 11.18.6.x): cleanup a cluster
 * cannot do itself because it must not cut the session that carries its own response.
 */
export type AfterResponseEffect =
  /** Expire every secure session (and exchange) of a fabric, including the one the response went out on. */
  | { readonly type: "expire-fabric-sessions"; readonly fabricIndex: number }
  /** Abort every other session and exchange of a fabric; `keepSessionId` stays until the response is delivered. */
  | { readonly type: "abort-other-fabric-communication"; readonly fabricIndex: number; readonly keepSessionId: number }
  /** The operational identity (NOC, node id, fabric set) changed: re-advertise `_matter._tcp`. */
  | { readonly type: "restart-operational-advertising" }
  /** Commissioning completed: close the commissioning window if it is open. */
  | { readonly type: "close-commissioning-window" }
  /** Commissioning completed: end every PASE session (the SDK's ExpireAllPASESessions). */
  | { readonly type: "expire-pase-sessions" }
  /** A critical or urgent event was logged: flush event reports now rather than at the next max interval. */
  | { readonly type: "flush-urgent-events" }
  /** The fail-safe timer must (re)fire at `at` (ms, the InvokeContext clock), or be cancelled (`at` null). */
  | { readonly type: "fail-safe-timer"; readonly at: number | null };

/** What a command handler returns: a response payload or a status, and effects to run after the response. */
export type CommandResult<R> =
  | { readonly response: R; readonly afterResponse?: readonly AfterResponseEffect[] }
  | {
      readonly status: ImStatus;
      readonly clusterStatus?: number;
      readonly afterResponse?: readonly AfterResponseEffect[];
    };

/** A cluster command (Core 7.11 / the cluster's command table). */
export interface CommandDefinition<Q = unknown, R = unknown> {
  readonly id: number;
  readonly name: string;
  /** Request fields; absent = a command without fields (the CommandFields element may be omitted or empty). */
  readonly requestSchema?: TlvCodec<Q>;
  /** Response command id and schema; absent = the command answers with a status only. */
  readonly response?: { readonly id: number; readonly name: string; readonly schema: TlvCodec<R> };
  readonly invokePrivilege: Privilege;
  /** Fabric-scoped command (access quality "F"): refused with UNSUPPORTED_ACCESS on a session without a fabric. */
  readonly fabricScoped: boolean;
  /** Timed invoke required (access quality "T"). */
  readonly timed: boolean;
  /** Async because handlers persist through Storage (fabric table commit, ACL, key sets) before they answer. */
  readonly handler: (request: Q, ctx: InvokeContext) => Promise<CommandResult<R>>;
}

/** A command's access as the spec's command tables write it: "F " when fabric-scoped, the privilege, " T" when timed. */
export type InvokeAccess = `${"" | "F "}${"O" | "M" | "A"}${"" | " T"}`;

const INVOKE_PRIVILEGE = { O: Privilege.Operate, M: Privilege.Manage, A: Privilege.Administer } as const;

/** The access fields of a CommandDefinition, from the spec's Access column: `invokeAccess("F A")`. */
function invokeAccess(access: InvokeAccess): Pick<CommandDefinition, "invokePrivilege" | "fabricScoped" | "timed"> {
  const privilege = access.replace("F ", "").replace(" T", "") as keyof typeof INVOKE_PRIVILEGE;
  return {
    invokePrivilege: INVOKE_PRIVILEGE[privilege],
    fabricScoped: access.startsWith("F "),
    timed: access.endsWith(" T"),
  };
}

/** Result of an attribute write handler. */
export interface WriteResult {
  readonly status: ImStatus;
  readonly clusterStatus?: number;
  readonly afterResponse?: readonly AfterResponseEffect[];
}

/** A cluster attribute (Core 7.13 and the cluster's attribute table). */
export interface AttributeDefinition<T = unknown> {
  readonly id: number;
  readonly name: string;
  readonly schema: TlvCodec<T>;
  readonly readPrivilege: Privilege;
  /** Absent = read-only: a write gets UNSUPPORTED_WRITE. */
  readonly writePrivilege?: Privilege;
  /** Timed write required (access quality "T"). */
  readonly timedWrite?: boolean;
  /**
   * Fabric-scoped list (access quality "F"): a list of structs carrying FabricIndex in field 0xFE. Reads are filtered
   * per Core 7.13.6; a write replaces only the accessing fabric's entries.
   */
  readonly fabricScoped?: boolean;
  /** Context tags of the fabric-sensitive fields of each entry (omitted for other fabrics in unfiltered reads). */
  readonly fabricSensitiveFields?: readonly number[];
  /** Quality "C" (changes omitted): changes do not trigger reports. */
  readonly changesOmitted?: boolean;
  readonly read: (ctx: ReadContext) => T;
  /**
   * Writes the new value. For a fabric-scoped list `value` holds only the accessing fabric's entries, each with
   * FabricIndex already set to the accessing fabric (Core 7.13.6: the server overwrites the client's value).
   */
  readonly write?: (value: T, ctx: WriteContext) => Promise<WriteResult>;
}

/** Event priority (Core 7.18.2.3). */
export const EventPriority = { Debug: 0, Info: 1, Critical: 2 } as const;
/** One event priority value. */
export type EventPriority = (typeof EventPriority)[keyof typeof EventPriority];

/** A cluster event (Core 7.14 and the cluster's event table). */
export interface EventDefinition<T = unknown> {
  readonly id: number;
  readonly name: string;
  readonly priority: EventPriority;
  readonly readPrivilege: Privilege;
  /** Fabric-sensitive event: only delivered to readers on the fabric it was recorded for. */
  readonly fabricSensitive: boolean;
  readonly schema: TlvCodec<T>;
}

/** Listener of attribute changes of one cluster instance. */
export type AttributeChangeListener = (change: AttributeChange) => void;

/** A change of one attribute: the instance's data version after the bump. */
export interface AttributeChange {
  readonly endpoint: number;
  readonly cluster: number;
  readonly attribute: number;
  readonly dataVersion: number;
  /** Quality "C": the change does not trigger a report by itself. */
  readonly changesOmitted: boolean;
}

/**
 * The cluster's own change signal: its implementation emits the attribute id whenever a value changes (in a handler
 * or because lower layers changed, e.g. the fabric table); a ClusterInstance turns it into a data version bump.
 */
export class AttributeChangeEmitter {
  readonly #listeners = new Set<(attributeId: number) => void>();

  /** Reports that `attributeId` changed. */
  emit(attributeId: number): void {
    for (const l of [...this.#listeners]) l(attributeId);
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: (attributeId: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** A cluster server: a plain object of its definition and behaviour (Core 7.10). */
export interface Cluster {
  readonly id: number;
  readonly name: string;
  readonly revision: number;
  readonly featureMap: number;
  // biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list; each element is typed where it is defined.
  readonly attributes: readonly AttributeDefinition<any>[];
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  readonly commands: readonly CommandDefinition<any, any>[];
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  readonly events: readonly EventDefinition<any>[];
  readonly changes?: AttributeChangeEmitter;
}

/** What an attribute definition states beyond the id and name its cluster's spec table gives. */
export type AttributeParts<T> = Omit<AttributeDefinition<T>, "id" | "name">;
/** What a command definition states beyond its id, name and the access its spec table gives. */
export type CommandParts<Q, R> = Omit<
  CommandDefinition<Q, R>,
  "id" | "name" | "invokePrivilege" | "fabricScoped" | "timed"
>;
/** What an event definition states beyond the id and name its cluster's spec table gives. */
export type EventParts<T> = Omit<EventDefinition<T>, "id" | "name">;

/** A cluster as its spec section identifies it: cluster id, name, ClusterRevision, attribute, command and event ids. */
export interface ClusterSpec<
  A extends Record<string, number>,
  C extends Record<string, number>,
  E extends Record<string, number>,
> {
  readonly id: number;
  readonly name: string;
  readonly revision: number;
  readonly attributes: A;
  readonly commands: C;
  readonly events: E;
  /** The attribute `name` of the spec's attribute table, with its schema, access and behaviour. */
  attribute<T>(name: keyof A & string, parts: AttributeParts<T>): AttributeDefinition<T>;
  /** The command `name` of the spec's command table, with its Access column as written there (`"F A"`). */
  command<Q, R>(name: keyof C & string, access: InvokeAccess, parts: CommandParts<Q, R>): CommandDefinition<Q, R>;
  /** The response command `name` of the spec's command table and its fields, for a command's `response`. */
  response<R>(name: keyof C & string, schema: TlvCodec<R>): NonNullable<CommandDefinition<unknown, R>["response"]>;
  /** The event `name` of the spec's event table, with its priority, access and fields. */
  event<T>(name: keyof E & string, parts: EventParts<T>): EventDefinition<T>;
  /** The cluster server: this identity with the server's feature map, definitions and change signal. */
  server(parts: Omit<Cluster, "id" | "name" | "revision">): Cluster;
}

/**
 * Declares a cluster's identity once, so that its definitions take each id and name from the spec's tables instead
 * of restating them: `AccessControlCluster.attribute("ACL", { schema, ... })`.
 */
export function clusterSpec<
  const A extends Record<string, number>,
  const C extends Record<string, number>,
  const E extends Record<string, number>,
>(spec: Omit<ClusterSpec<A, C, E>, "attribute" | "command" | "response" | "event" | "server">): ClusterSpec<A, C, E> {
  return {
    ...spec,
    // The names are keys of the tables (the parameter types say so), so each id is there.
    attribute: (name, parts) => ({ id: spec.attributes[name]!, name, ...parts }),
    command: (name, access, parts) => ({ id: spec.commands[name]!, name, ...invokeAccess(access), ...parts }),
    response: (name, schema) => ({ id: spec.commands[name]!, name, schema }),
    event: (name, parts) => ({ id: spec.events[name]!, name, ...parts }),
    server: (parts) => ({ id: spec.id, name: spec.name, revision: spec.revision, ...parts }),
  };
}

/** Helps define a command outside a ClusterSpec, with its request/response types inferred from the schemas. */
export function command<Q, R>(def: CommandDefinition<Q, R>): CommandDefinition<Q, R> {
  return def;
}

/** Helps define an attribute outside a ClusterSpec, with its type inferred from the schema. */
export function attribute<T>(def: AttributeDefinition<T>): AttributeDefinition<T> {
  return def;
}

/** Helps define an event outside a ClusterSpec, with its type inferred from the schema. */
export function event<T>(def: EventDefinition<T>): EventDefinition<T> {
  return def;
}

/** Global attribute ids (Core 7.13). EventList (0xFFFA) is deprecated in Matter 1.4 ("D" conformance) and not served. */
export const GlobalAttribute = {
  GeneratedCommandList: 0xfff8,
  AcceptedCommandList: 0xfff9,
  AttributeList: 0xfffb,
  FeatureMap: 0xfffc,
  ClusterRevision: 0xfffd,
} as const;

/** Largest data version value (uint32); the next version after it wraps to 0 (Core 7.10.3). */
export const MAX_DATA_VERSION = 0xffffffff;

/** One cluster on one endpoint, with its data version (Core 7.10.3) and change listeners. */
export class ClusterInstance {
  readonly endpoint: number;
  readonly cluster: Cluster;
  #dataVersion: number;
  readonly #listeners = new Set<AttributeChangeListener>();

  /** `initialDataVersion` should be random (Core 7.10.3: "SHOULD be initialized to a random value"). */
  constructor(endpoint: number, cluster: Cluster, initialDataVersion: number) {
    if (!Number.isInteger(endpoint) || endpoint < 0 || endpoint > 0xfffe) throw new RangeError(`endpoint: ${endpoint}`);
    if (!Number.isInteger(initialDataVersion) || initialDataVersion < 0 || initialDataVersion > MAX_DATA_VERSION)
      throw new RangeError(`data version: ${initialDataVersion}`);
    const ids = new Set<number>();
    for (const a of cluster.attributes) {
      if (ids.has(a.id) || Object.values(GlobalAttribute).includes(a.id as never))
        throw new InternalError(`${cluster.name}: duplicate or global attribute id 0x${a.id.toString(16)}`);
      ids.add(a.id);
    }
    this.endpoint = endpoint;
    this.cluster = cluster;
    this.#dataVersion = initialDataVersion;
    cluster.changes?.subscribe((attributeId) => this.attributeChanged(attributeId));
  }

  /** The current data version (uint32). */
  get dataVersion(): number {
    return this.#dataVersion;
  }

  /** Bumps the data version (wrapping at 2^32) and notifies listeners. */
  attributeChanged(attributeId: number): void {
    // Core 7.10.3: the data version SHALL be incremented on every change of an attribute of the cluster instance.
    this.#dataVersion = this.#dataVersion === MAX_DATA_VERSION ? 0 : this.#dataVersion + 1;
    const def = this.cluster.attributes.find((a) => a.id === attributeId);
    const change: AttributeChange = {
      endpoint: this.endpoint,
      cluster: this.cluster.id,
      attribute: attributeId,
      dataVersion: this.#dataVersion,
      changesOmitted: def?.changesOmitted === true,
    };
    for (const l of [...this.#listeners]) l(change);
  }

  /** Subscribes to attribute changes; returns the unsubscribe function. */
  onAttributeChange(listener: AttributeChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Attribute definition by id (cluster attributes only, not the globals). */
  attribute(id: number): AttributeDefinition | undefined {
    return this.cluster.attributes.find((a) => a.id === id);
  }

  /** Command definition by id (accepted commands only). */
  command(id: number): CommandDefinition | undefined {
    return this.cluster.commands.find((c) => c.id === id);
  }
}
