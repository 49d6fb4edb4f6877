/**
 * Access Control cluster 0x001F, revision 2 (Core spec 9.10, Matter 1.4.2 data model XML), without the Extension and
 * ManagedDevice features. ACL entries live in the fabric layer's AccessControlStore, which also validates them; every
 * change is logged as an AccessControlEntryChanged event (fabric-sensitive) through the IM event log.
 */
import {
  ACCESS_CONTROL_ENTRIES_PER_FABRIC,
  type AccessControlEntry,
  type AccessControlStore,
  type AuthMode,
  Privilege,
  SUBJECTS_PER_ACCESS_CONTROL_ENTRY,
  TARGETS_PER_ACCESS_CONTROL_ENTRY,
} from "../../fabric/access-control.ts";
import type { FabricIndex } from "../../fabric/fabric-index.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import {
  AttributeChangeEmitter,
  type Cluster,
  clusterSpec,
  EventPriority,
  type SessionInfo,
} from "../../im/data-model.ts";
import type { EventLog } from "../../im/events.ts";
import { DEFAULT_PASSCODE_ID } from "../../sc/pase/pase-responder.ts";
import {
  type TlvType,
  tlvArray,
  tlvEnum8,
  tlvFabricIndex,
  tlvField,
  tlvNullable,
  tlvStruct,
  tlvUInt16,
  tlvUInt32,
  tlvUInt64,
} from "../../tlv/tlv-schema.ts";

/** The Access Control cluster (Core 9.10) as the Matter 1.4.2 data model defines it. */
export const AccessControlCluster = clusterSpec({
  id: 0x001f,
  name: "AccessControl",
  revision: 2,
  // Attribute ids (Core 9.10.6).
  attributes: {
    ACL: 0x0000,
    SubjectsPerAccessControlEntry: 0x0002,
    TargetsPerAccessControlEntry: 0x0003,
    AccessControlEntriesPerFabric: 0x0004,
  },
  commands: {},
  // Event ids (Core 9.10.7).
  events: { AccessControlEntryChanged: 0x00 },
});

/** ChangeTypeEnum (Core 9.10.4.1). */
export const ChangeType = { Changed: 0, Added: 1, Removed: 2 } as const;
/** One ChangeTypeEnum value. */
export type ChangeType = (typeof ChangeType)[keyof typeof ChangeType];

/** AccessControlTargetStruct (Core 9.10.5.4): each field nullable. */
const AccessControlTargetStruct = tlvStruct({
  cluster: tlvField(0, tlvNullable(tlvUInt32)),
  endpoint: tlvField(1, tlvNullable(tlvUInt16)),
  deviceType: tlvField(2, tlvNullable(tlvUInt32)),
});

/** AccessControlEntryStruct (Core 9.10.5.5), fabric-scoped; fields 1..4 are fabric-sensitive. */
export const AccessControlEntryStruct = tlvStruct({
  privilege: tlvField(1, tlvEnum8),
  authMode: tlvField(2, tlvEnum8),
  subjects: tlvField(3, tlvNullable(tlvArray(tlvUInt64))),
  targets: tlvField(4, tlvNullable(tlvArray(AccessControlTargetStruct))),
  fabricIndex: tlvFabricIndex,
});
export type AccessControlEntryStruct = TlvType<typeof AccessControlEntryStruct>;

/** AccessControlEntryChanged event fields (Core 9.10.7.1). */
export const AccessControlEntryChangedEvent = tlvStruct({
  adminNodeId: tlvField(1, tlvNullable(tlvUInt64)),
  adminPasscodeId: tlvField(2, tlvNullable(tlvUInt16)),
  changeType: tlvField(3, tlvEnum8),
  latestValue: tlvField(4, tlvNullable(AccessControlEntryStruct)),
  fabricIndex: tlvFabricIndex,
});
export type AccessControlEntryChangedEvent = TlvType<typeof AccessControlEntryChangedEvent>;

/** The event definition (priority Info, read Administer, fabric-sensitive). */
const accessControlEntryChanged = AccessControlCluster.event("AccessControlEntryChanged", {
  priority: EventPriority.Info,
  readPrivilege: Privilege.Administer,
  fabricSensitive: true,
  schema: AccessControlEntryChangedEvent,
});

function toStruct(e: AccessControlEntry): AccessControlEntryStruct {
  return {
    privilege: e.privilege,
    authMode: e.authMode,
    subjects: e.subjects === null ? null : [...e.subjects],
    targets: e.targets === null ? null : e.targets.map((t) => ({ ...t })),
    fabricIndex: e.fabricIndex,
  };
}

function fromStruct(s: AccessControlEntryStruct, fabricIndex: FabricIndex): AccessControlEntry {
  return {
    fabricIndex,
    // Out-of-range values reach the store's validation, which answers CONSTRAINT_ERROR.
    privilege: s.privilege as AccessControlEntry["privilege"],
    authMode: s.authMode as AuthMode,
    subjects: s.subjects,
    targets: s.targets,
  };
}

const sameEntry = (a: AccessControlEntry, b: AccessControlEntry): boolean =>
  a.privilege === b.privilege &&
  a.authMode === b.authMode &&
  JSON.stringify(a.subjects?.map(String) ?? null) === JSON.stringify(b.subjects?.map(String) ?? null) &&
  JSON.stringify(a.targets) === JSON.stringify(b.targets);

/** What the cluster needs from the node. */
export interface AccessControlOptions {
  readonly acl: AccessControlStore;
  readonly events: EventLog;
  /** Endpoint the cluster is on (0, the root node). */
  readonly endpoint?: number;
}

/** The cluster and the entry point AddNOC uses to create the admin entry (with its change event). */
export interface AccessControlServer {
  readonly cluster: Cluster;
  /** Adds one entry on behalf of `by` (AddNOC step 16), emitting the Added event and an ACL change. */
  addEntry(entry: AccessControlEntry, by: SessionInfo, now: number): Promise<void>;
  /** The fabric's entries were removed (RemoveFabric): reports the ACL change; no events (they are purged with it). */
  fabricRemoved(fabricIndex: number): void;
}

/** Creates the Access Control cluster server. */
export function createAccessControl(options: AccessControlOptions): AccessControlServer {
  const { acl, events } = options;
  const endpoint = options.endpoint ?? 0;
  const changes = new AttributeChangeEmitter();

  const logChange = (by: SessionInfo, changeType: ChangeType, entry: AccessControlEntry, now: number): void => {
    // 9.10.7.1: AdminNodeID is the CASE subject (null over PASE); AdminPasscodeID the passcode id (null over CASE).
    events.record({
      endpoint,
      cluster: AccessControlCluster.id,
      event: accessControlEntryChanged,
      value: {
        adminNodeId: by.kind === "case" ? by.subjectNodeId : null,
        adminPasscodeId: by.kind === "pase" ? DEFAULT_PASSCODE_ID : null,
        changeType,
        latestValue: toStruct(entry),
        fabricIndex: entry.fabricIndex,
      },
      timestamp: { kind: "system-ms", value: BigInt(Math.max(0, Math.floor(now))) },
      fabricIndex: entry.fabricIndex,
    });
  };

  const cluster = AccessControlCluster.server({
    featureMap: 0,
    changes,
    attributes: [
      AccessControlCluster.attribute("ACL", {
        schema: tlvArray(AccessControlEntryStruct),
        readPrivilege: Privilege.Administer,
        writePrivilege: Privilege.Administer,
        fabricScoped: true,
        fabricSensitiveFields: [1, 2, 3, 4],
        read: () => acl.entries().map(toStruct),
        write: async (list, ctx) => {
          const fi = ctx.session.fabricIndex as FabricIndex;
          const before = acl.entries(fi);
          const after = list.map((s) => fromStruct(s, fi));
          // Validation (9.10.5.5 constraints, PASE auth mode, Group + Administer, subjects per auth mode, limits) and
          // persistence are the store's: CONSTRAINT_ERROR / RESOURCE_EXHAUSTED come back as its ProtocolError.
          // Spec allows a write that leaves the fabric without any Administer entry (it locks the fabric's admins out
          // until a new commissioning); like the SDK this server does not refuse it.
          await acl.setEntries(fi, after);
          for (let i = 0; i < Math.max(before.length, after.length); i++) {
            const old = before[i];
            const next = after[i];
            if (old === undefined && next !== undefined) logChange(ctx.session, ChangeType.Added, next, ctx.now);
            else if (next === undefined && old !== undefined) logChange(ctx.session, ChangeType.Removed, old, ctx.now);
            else if (old !== undefined && next !== undefined && !sameEntry(old, next))
              logChange(ctx.session, ChangeType.Changed, next, ctx.now);
          }
          changes.emit(AccessControlCluster.attributes.ACL);
          return { status: ImStatus.SUCCESS };
        },
      }),
      AccessControlCluster.attribute("SubjectsPerAccessControlEntry", {
        schema: tlvUInt16,
        readPrivilege: Privilege.View,
        read: () => SUBJECTS_PER_ACCESS_CONTROL_ENTRY,
      }),
      AccessControlCluster.attribute("TargetsPerAccessControlEntry", {
        schema: tlvUInt16,
        readPrivilege: Privilege.View,
        read: () => TARGETS_PER_ACCESS_CONTROL_ENTRY,
      }),
      AccessControlCluster.attribute("AccessControlEntriesPerFabric", {
        schema: tlvUInt16,
        readPrivilege: Privilege.View,
        read: () => ACCESS_CONTROL_ENTRIES_PER_FABRIC,
      }),
    ],
    commands: [],
    events: [accessControlEntryChanged],
  });

  return {
    cluster,
    addEntry: async (entry, by, now) => {
      await acl.addEntry(entry);
      logChange(by, ChangeType.Added, entry, now);
      changes.emit(AccessControlCluster.attributes.ACL);
    },
    fabricRemoved: () => changes.emit(AccessControlCluster.attributes.ACL),
  };
}
