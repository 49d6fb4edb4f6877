/**
 * Access control (Core spec 6.6 Access Control, 9.10 Access Control cluster): ACL entries per fabric, entry validation
 * (the CONSTRAINT_ERROR cases of an ACL write, as the SDK's AccessControl::IsValid), and the access check of 6.6.6.
 */
import { type ErrorCode, MalformedError, ProtocolError } from "../bytes/errors.ts";
import { isCatSubject, isOperationalNodeId } from "../cert/operational-ids.ts";
import type { JsonValue, Storage, StorageValue } from "../storage/storage.ts";
import { type FabricIndex, isFabricIndex } from "./fabric-index.ts";
import { FabricScopedStore, type PendingSlot } from "./fabric-scoped-store.ts";
import { ImStatus } from "./status-codes.ts";

/** Access privileges (Core 6.6.2.1, AccessControlEntryPrivilegeEnum). Administer ⊃ Manage ⊃ Operate ⊃ View; ProxyView ⊃ View. */
export const Privilege = { View: 1, ProxyView: 2, Operate: 3, Manage: 4, Administer: 5 } as const;
/** One access privilege value. */
export type Privilege = (typeof Privilege)[keyof typeof Privilege];
/** AccessControlEntryAuthModeEnum. */
export const AUTH_MODE = { pase: 1, case: 2, group: 3 } as const;
export type AuthMode = (typeof AUTH_MODE)[keyof typeof AUTH_MODE];

/** Minimum values the cluster must support (9.10.5.4-6), used as this node's limits. */
export const SUBJECTS_PER_ACCESS_CONTROL_ENTRY = 4;
export const TARGETS_PER_ACCESS_CONTROL_ENTRY = 3;
export const ACCESS_CONTROL_ENTRIES_PER_FABRIC = 4;

/** AccessControlTargetStruct: each present field narrows the entry; null means "any". */
export type AccessControlTarget = {
  readonly cluster: number | null;
  readonly endpoint: number | null;
  readonly deviceType: number | null;
};

/** AccessControlEntryStruct; subjects are node ids / CAT subjects (CASE) or group ids (Group); null or [] = any. */
export type AccessControlEntry = {
  readonly fabricIndex: FabricIndex;
  readonly privilege: Privilege;
  readonly authMode: AuthMode;
  readonly subjects: readonly bigint[] | null;
  readonly targets: readonly AccessControlTarget[] | null;
};

/** Who is asking: the session's auth mode, accessing fabric, subject (node id, or group id for Group) and NOC CATs. */
export type SubjectDescriptor = {
  readonly authMode: AuthMode;
  readonly fabricIndex: number;
  readonly subjectNodeId: bigint;
  readonly cats: readonly number[];
  readonly isPase?: boolean;
};

/** What is accessed: endpoint, cluster, and the device types on that endpoint. */
export type RequestPath = {
  readonly endpoint: number;
  readonly cluster: number;
  readonly deviceTypes: readonly number[];
};

/** True for a CAT subject with a non-zero version (an invalid CAT is version 0). */
function isValidCatSubject(subject: bigint): boolean {
  return isCatSubject(subject) && (subject & 0xffffn) !== 0n;
}

/** A standard (0x0000-0x7FFF) or manufacturer-specific (0xFC00-0xFFFE) cluster id under a valid vendor prefix. */
function isValidClusterId(id: number): boolean {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff_ffff) return false;
  const prefix = Math.floor(id / 0x10000);
  const suffix = id & 0xffff;
  return prefix <= 0xfffe && (suffix <= 0x7fff || (suffix >= 0xfc00 && suffix <= 0xfffe));
}

/** Any endpoint id but 0xFFFF. */
function isValidEndpointId(id: number): boolean {
  return Number.isInteger(id) && id >= 0 && id <= 0xfffe;
}

/** A device type id whose suffix is at most 0xBFFF under a valid vendor prefix. */
function isValidDeviceTypeId(id: number): boolean {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff_ffff) return false;
  return Math.floor(id / 0x10000) <= 0xfffe && (id & 0xffff) <= 0xbfff;
}

function constraint(code: ErrorCode, message: string): never {
  throw new ProtocolError(code, message, ImStatus.CONSTRAINT_ERROR);
}

/**
 * ACL entry validation (SDK AccessControl::IsValid): fabric index set; auth mode CASE or Group (PASE is not allowed in
 * entries); Group may not grant Administer; CASE subjects are operational node ids or CATs with version != 0, Group
 * subjects group ids 1..0xFFFF; each target has a field, never endpoint and device type together, with valid ids.
 * Violations are CONSTRAINT_ERROR; more subjects/targets than supported is RESOURCE_EXHAUSTED.
 */
export function validateAccessControlEntry(entry: AccessControlEntry): void {
  if (!isFabricIndex(entry.fabricIndex)) constraint("acl.fabric-index", "entry needs a fabric index");
  if (!Object.values(Privilege).includes(entry.privilege)) constraint("acl.privilege", "unknown privilege");
  if (entry.authMode !== AUTH_MODE.case && entry.authMode !== AUTH_MODE.group) {
    constraint("acl.auth-mode", "auth mode must be CASE or Group");
  }
  if (entry.authMode === AUTH_MODE.group && entry.privilege === Privilege.Administer) {
    constraint("acl.group-administer", "Group entries cannot grant Administer");
  }
  const subjects = entry.subjects ?? [];
  if (subjects.length > SUBJECTS_PER_ACCESS_CONTROL_ENTRY) {
    throw new ProtocolError("acl.subjects-full", "too many subjects", ImStatus.RESOURCE_EXHAUSTED);
  }
  for (const s of subjects) {
    const ok =
      entry.authMode === AUTH_MODE.case
        ? isOperationalNodeId(s) || isValidCatSubject(s)
        : typeof s === "bigint" && s >= 1n && s <= 0xffffn;
    if (!ok) constraint("acl.subject", `invalid subject 0x${s.toString(16)}`);
  }
  const targets = entry.targets ?? [];
  if (targets.length > TARGETS_PER_ACCESS_CONTROL_ENTRY) {
    throw new ProtocolError("acl.targets-full", "too many targets", ImStatus.RESOURCE_EXHAUSTED);
  }
  for (const t of targets) {
    const { cluster, endpoint, deviceType } = t;
    if (cluster === null && endpoint === null && deviceType === null) constraint("acl.target", "empty target");
    if (endpoint !== null && deviceType !== null) constraint("acl.target", "endpoint and device type together");
    if (cluster !== null && !isValidClusterId(cluster)) constraint("acl.target", "invalid cluster id");
    if (endpoint !== null && !isValidEndpointId(endpoint)) constraint("acl.target", "invalid endpoint id");
    if (deviceType !== null && !isValidDeviceTypeId(deviceType)) constraint("acl.target", "invalid device type id");
  }
}

/** Whether an entry granting `granted` satisfies a request needing `required` (6.6.2.1 privilege hierarchy). */
export function privilegeGrants(granted: Privilege, required: Privilege): boolean {
  if (granted === required) return true;
  switch (granted) {
    case Privilege.Administer:
      return true;
    case Privilege.Manage:
      return required === Privilege.Operate || required === Privilege.View;
    case Privilege.Operate:
    case Privilege.ProxyView:
      return required === Privilege.View;
    default:
      return false;
  }
}

/** A CAT subject matches when the session holds a CAT with the same identifier and a version >= the subject's. */
function catMatches(subject: bigint, cats: readonly number[]): boolean {
  const id = Number((subject >> 16n) & 0xffffn);
  const version = Number(subject & 0xffffn);
  return cats.some((c) => c >>> 16 === id && (c & 0xffff) >= version && (c & 0xffff) !== 0);
}

/** The group id of a Group subject descriptor (accepts the group id or the group node id 0xFFFF_FFFF_FFFF_GGGG). */
function groupIdOf(subject: bigint): bigint {
  return subject > 0xffffn && subject >> 16n === 0xffff_ffff_ffffn ? subject & 0xffffn : subject;
}

/**
 * The access check (6.6.6): PASE is implicitly Administer (commissioning); otherwise some entry of the accessing fabric
 * with the same auth mode must grant the privilege, list the subject (or have none) and match a target (or have none).
 */
export function checkAccessAgainst(
  entries: readonly AccessControlEntry[],
  subject: SubjectDescriptor,
  request: RequestPath,
  requiredPrivilege: Privilege,
): boolean {
  if (subject.isPase === true || subject.authMode === AUTH_MODE.pase) return true;
  for (const e of entries) {
    if (e.fabricIndex !== subject.fabricIndex || e.authMode !== subject.authMode) continue;
    if (!privilegeGrants(e.privilege, requiredPrivilege)) continue;
    if (e.subjects !== null && e.subjects.length > 0) {
      const matched = e.subjects.some((s) => {
        if (e.authMode === AUTH_MODE.group) return s === groupIdOf(subject.subjectNodeId);
        if (isValidCatSubject(s)) return catMatches(s, subject.cats);
        return s === subject.subjectNodeId;
      });
      if (!matched) continue;
    }
    if (e.targets !== null && e.targets.length > 0) {
      const matched = e.targets.some(
        (t) =>
          (t.cluster === null || t.cluster === request.cluster) &&
          (t.endpoint === null || t.endpoint === request.endpoint) &&
          (t.deviceType === null || request.deviceTypes.includes(t.deviceType)),
      );
      if (!matched) continue;
    }
    return true;
  }
  return false;
}

const aclKey = (index: FabricIndex) => `acl/${String(index).padStart(3, "0")}`;
const ACL_PREFIX = "acl/";

function encodeEntries(entries: readonly AccessControlEntry[]): JsonValue {
  return entries.map((e) => ({
    privilege: e.privilege,
    authMode: e.authMode,
    subjects: e.subjects === null ? null : e.subjects.map((s) => s.toString(16)),
    targets: e.targets === null ? null : e.targets.map((t) => ({ ...t })),
  }));
}

function decodeEntries(key: string, index: FabricIndex, value: StorageValue | undefined): AccessControlEntry[] {
  const bad = (why: string): never => {
    throw new MalformedError("acl.record", why, { path: key });
  };
  if (!Array.isArray(value)) return bad("not a list");
  const nullableNumber = (v: unknown): number | null => (v === null || typeof v === "number" ? v : bad("target field"));
  return (value as readonly JsonValue[]).map((raw) => {
    const o = raw as { privilege?: unknown; authMode?: unknown; subjects?: unknown; targets?: unknown } | null;
    if (o === null || typeof o !== "object") return bad("entry is not an object");
    const subjects =
      o.subjects === null
        ? null
        : Array.isArray(o.subjects)
          ? o.subjects.map((s) =>
              typeof s === "string" && /^[0-9a-f]{1,16}$/.test(s) ? BigInt(`0x${s}`) : bad("subject"),
            )
          : bad("subjects");
    const targets =
      o.targets === null
        ? null
        : Array.isArray(o.targets)
          ? o.targets.map((t: { cluster?: unknown; endpoint?: unknown; deviceType?: unknown }) => ({
              cluster: nullableNumber(t?.cluster),
              endpoint: nullableNumber(t?.endpoint),
              deviceType: nullableNumber(t?.deviceType),
            }))
          : bad("targets");
    const entry = {
      fabricIndex: index,
      privilege: o.privilege as Privilege,
      authMode: o.authMode as AuthMode,
      subjects,
      targets,
    };
    try {
      validateAccessControlEntry(entry);
    } catch {
      bad("stored entry is not valid");
    }
    return entry;
  });
}

/** The pending added fabric's ACL entries, held by the commissioning transaction (pending-fabric-data.ts). */
export type PendingAclSlot = PendingSlot<AccessControlEntry[]>;

/** Where the store finds the pending fabric's entries: the commissioning transaction's pending data. */
export interface PendingAclSource {
  pendingAcl(): PendingAclSlot | undefined;
}

/**
 * Committed ACL entries per fabric, persisted per fabric. The fail-safe's pending fabric's entries live in the
 * commissioning transaction's pending data (`attachPending`): AddNOC's Administer entry and ACL writes over the new
 * fabric's CASE session change that list, which reads and access checks overlay on the committed entries, and which
 * the commit writes (`commitWrites`) and this store adopts once the write resolved.
 */
export class AccessControlStore extends FabricScopedStore<AccessControlEntry[]> {
  private constructor(storage: Storage) {
    super(storage, "ACL");
  }

  protected key(fabricIndex: FabricIndex): string {
    return aclKey(fabricIndex);
  }

  protected encode(entries: AccessControlEntry[]): StorageValue {
    return encodeEntries(entries);
  }

  /** Loads every fabric's entries; a damaged record is MalformedError `acl.record`. */
  static async open(storage: Storage): Promise<AccessControlStore> {
    const store = new AccessControlStore(storage);
    for (const key of await storage.keys(ACL_PREFIX)) {
      const index = Number(key.slice(ACL_PREFIX.length));
      if (!isFabricIndex(index) || key !== aclKey(index))
        throw new MalformedError("acl.record", "bad key", { path: key });
      store.committed.set(index, decodeEntries(key, index, await storage.get(key)));
    }
    return store;
  }

  /** Entries of one fabric, or of every fabric in index order (the pending fabric included). */
  entries(fabricIndex?: FabricIndex): AccessControlEntry[] {
    if (fabricIndex !== undefined) return [...(this.get(fabricIndex) ?? [])];
    const pending = this.pendingFabric;
    const indices = new Set([...this.committed.keys(), ...(pending === undefined ? [] : [pending])]);
    return [...indices].sort((a, b) => a - b).flatMap((i) => this.get(i) ?? []);
  }

  /**
   * Replaces the fabric's entries (an ACL attribute write): each is validated, every entry must carry this fabric index
   * (CONSTRAINT_ERROR), and more than ACCESS_CONTROL_ENTRIES_PER_FABRIC is RESOURCE_EXHAUSTED. The pending
   * fabric's entries change in the commissioning transaction's memory only.
   */
  async setEntries(fabricIndex: FabricIndex, entries: readonly AccessControlEntry[]): Promise<void> {
    if (entries.length > ACCESS_CONTROL_ENTRIES_PER_FABRIC) {
      throw new ProtocolError("acl.entries-full", "too many entries for this fabric", ImStatus.RESOURCE_EXHAUSTED);
    }
    for (const e of entries) {
      validateAccessControlEntry(e);
      if (e.fabricIndex !== fabricIndex) constraint("acl.fabric-index", "entry belongs to another fabric");
    }
    const copy = entries.map((e) => ({
      ...e,
      subjects: e.subjects === null ? null : [...e.subjects],
      targets: e.targets === null ? null : e.targets.map((t) => ({ ...t })),
    }));
    await this.put(fabricIndex, () => copy, "acl.no-fabric");
  }

  /** Appends one entry to its fabric's list (AddNOC step 16 creates the admin entry this way). */
  async addEntry(entry: AccessControlEntry): Promise<void> {
    await this.setEntries(entry.fabricIndex, [...this.entries(entry.fabricIndex), entry]);
  }

  /** The access check over the entries (see `checkAccessAgainst`); the pending fabric's entries count. */
  checkAccess(subject: SubjectDescriptor, request: RequestPath, requiredPrivilege: Privilege): boolean {
    const index = subject.fabricIndex;
    const entries = isFabricIndex(index) ? (this.get(index) ?? []) : [];
    return checkAccessAgainst(entries, subject, request, requiredPrivilege);
  }

  /** Overlays the commissioning transaction's pending entries on the committed ones (once, by the transaction). */
  attachPending(source: PendingAclSource): void {
    this.attach(() => source.pendingAcl());
  }
}
