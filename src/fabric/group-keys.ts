/**
 * Group keys per fabric (Core spec 4.17 group key derivation; 11.2 Group Key Management cluster data: GroupKeySetStruct,
 * GroupKeyMapStruct, GroupInfoMapStruct). Key set 0 is the fabric's Identity Protection Key (IPK), installed by AddNOC.
 */
import { bigintToBytes, bytesToBigint, fromHex, toHex } from "../bytes/bytes.ts";
import { type ErrorCode, type InteractionStatus, MalformedError, ProtocolError } from "../bytes/errors.ts";
import type { Crypto } from "../crypto/crypto.ts";
import type { JsonValue, Storage, StorageValue } from "../storage/storage.ts";
import { type FabricIndex, isFabricIndex } from "./fabric-index.ts";
import { labelBytes } from "./fabric-record.ts";
import { FabricScopedStore, type PendingSlot } from "./fabric-scoped-store.ts";
import { ImStatus } from "./status-codes.ts";

/** GroupKeySecurityPolicyEnum. */
export const GROUP_KEY_SECURITY_POLICY = { trustFirst: 0, cacheAndSync: 1 } as const;
export type GroupKeySecurityPolicy = (typeof GROUP_KEY_SECURITY_POLICY)[keyof typeof GROUP_KEY_SECURITY_POLICY];

/** The key set id of the IPK (kIdentityProtectionKeySetId). */
const IPK_KEY_SET_ID = 0;
/** Epoch keys and operational group keys are AES-128 keys. */
export const EPOCH_KEY_BYTES = 16;
/** Default MaxGroupKeysPerFabric, the IPK included (SDK CHIP_CONFIG_MAX_GROUP_KEYS_PER_FABRIC). */
const DEFAULT_MAX_GROUP_KEYS_PER_FABRIC = 3;
/** Default MaxGroupsPerFabric (SDK CHIP_CONFIG_MAX_GROUPS_PER_FABRIC). */
const DEFAULT_MAX_GROUPS_PER_FABRIC = 4;
/** Longest GroupName, in UTF-8 bytes as every Matter string constraint (Groups cluster "max 16"). */
export const MAX_GROUP_NAME_LENGTH = 16;

const GROUP_KEY_INFO = new TextEncoder().encode("GroupKey v1.0");
const GROUP_KEY_HASH_INFO = new TextEncoder().encode("GroupKeyHash");

/** GroupKeySetStruct (11.2.5.3); start times are epoch-us (uint64). */
export type GroupKeySet = {
  readonly groupKeySetId: number;
  readonly groupKeySecurityPolicy: GroupKeySecurityPolicy;
  readonly epochKey0: Uint8Array | null;
  readonly epochStartTime0: bigint | null;
  readonly epochKey1: Uint8Array | null;
  readonly epochStartTime1: bigint | null;
  readonly epochKey2: Uint8Array | null;
  readonly epochStartTime2: bigint | null;
};

/** GroupKeyMapStruct without its fabric index: which key set protects a group. */
export type GroupKeyMapEntry = { readonly groupId: number; readonly groupKeySetId: number };

/** GroupInfoMapStruct without its fabric index: a group's endpoints and name. */
export type GroupTableEntry = {
  readonly groupId: number;
  readonly endpoints: readonly number[];
  readonly groupName: string;
};

/** OperationalGroupKey = HKDF-SHA256(epochKey, salt = CompressedFabricIdentifier BE u64, "GroupKey v1.0", 16) (4.17.2). */
export function operationalGroupKey(crypto: Crypto, epochKey: Uint8Array, compressedFabricId: bigint): Uint8Array {
  if (epochKey.length !== EPOCH_KEY_BYTES) throw new RangeError("epoch key must be 16 bytes");
  return crypto.hkdfSha256(epochKey, bigintToBytes(compressedFabricId, 8), GROUP_KEY_INFO, EPOCH_KEY_BYTES);
}

/** GroupSessionId = HKDF-SHA256(operationalGroupKey, salt = [], "GroupKeyHash", 2) as a big-endian uint16 (4.17.3.6). */
export function groupSessionId(crypto: Crypto, operationalKey: Uint8Array): number {
  if (operationalKey.length !== EPOCH_KEY_BYTES) throw new RangeError("operational group key must be 16 bytes");
  return Number(bytesToBigint(crypto.hkdfSha256(operationalKey, new Uint8Array(0), GROUP_KEY_HASH_INFO, 2)));
}

function reject(code: ErrorCode, message: string, status: InteractionStatus): never {
  throw new ProtocolError(code, message, status);
}

/**
 * KeySetWrite validation (11.2.7.1): EpochKey0/StartTime0 required and StartTime0 != 0 (INVALID_COMMAND); keys 16 bytes
 * (CONSTRAINT_ERROR); a key and its start time both present or both null, key 2 only with key 1, start times strictly
 * increasing (INVALID_COMMAND); an unknown policy is CONSTRAINT_ERROR.
 */
export function validateGroupKeySet(set: GroupKeySet): void {
  if (!Number.isInteger(set.groupKeySetId) || set.groupKeySetId < 0 || set.groupKeySetId > 0xffff) {
    reject("group-keys.key-set-id", "GroupKeySetID is not a uint16", ImStatus.CONSTRAINT_ERROR);
  }
  if (set.groupKeySecurityPolicy !== 0 && set.groupKeySecurityPolicy !== 1) {
    reject("group-keys.policy", "unknown GroupKeySecurityPolicy", ImStatus.CONSTRAINT_ERROR);
  }
  const slots: [Uint8Array | null, bigint | null][] = [
    [set.epochKey0, set.epochStartTime0],
    [set.epochKey1, set.epochStartTime1],
    [set.epochKey2, set.epochStartTime2],
  ];
  if (set.epochKey0 === null || set.epochStartTime0 === null || set.epochStartTime0 === 0n) {
    reject("group-keys.epoch-key-0", "EpochKey0 and a non-zero EpochStartTime0 are required", ImStatus.INVALID_COMMAND);
  }
  let previous = -1n;
  let ended = false;
  for (const [i, [key, start]] of slots.entries()) {
    if ((key === null) !== (start === null)) {
      reject(
        "group-keys.epoch-pair",
        `EpochKey${i} and EpochStartTime${i} must both be set or both null`,
        ImStatus.INVALID_COMMAND,
      );
    }
    if (key === null) {
      ended = true;
      continue;
    }
    if (ended) reject("group-keys.epoch-gap", `EpochKey${i} without EpochKey${i - 1}`, ImStatus.INVALID_COMMAND);
    if (key.length !== EPOCH_KEY_BYTES)
      reject("group-keys.epoch-key-length", `EpochKey${i} must be 16 bytes`, ImStatus.CONSTRAINT_ERROR);
    if (start === null || start < 0n || start > 0xffff_ffff_ffff_ffffn) {
      reject("group-keys.start-time", `EpochStartTime${i} is not a uint64`, ImStatus.CONSTRAINT_ERROR);
    }
    if (start <= previous)
      reject("group-keys.start-order", "epoch start times must increase", ImStatus.INVALID_COMMAND);
    previous = start;
  }
}

/** The IPK key set AddNOC installs: TrustFirst, one epoch key, start time 0 (conformance §1.4 step 14). */
function ipkKeySet(ipkEpochKey: Uint8Array): GroupKeySet {
  if (ipkEpochKey.length !== EPOCH_KEY_BYTES) {
    reject("group-keys.ipk-length", "IPKValue must be 16 bytes", ImStatus.INVALID_COMMAND);
  }
  return {
    groupKeySetId: IPK_KEY_SET_ID,
    groupKeySecurityPolicy: GROUP_KEY_SECURITY_POLICY.trustFirst,
    epochKey0: ipkEpochKey.slice(),
    epochStartTime0: 0n,
    epochKey1: null,
    epochStartTime1: null,
    epochKey2: null,
    epochStartTime2: null,
  };
}

/** One fabric's key sets, GroupKeyMap and group table. */
export type FabricGroupData = { keySets: GroupKeySet[]; keyMap: GroupKeyMapEntry[]; groups: GroupTableEntry[] };

const groupDataKey = (index: FabricIndex) => `groupkeys/${String(index).padStart(3, "0")}`;
const GROUP_DATA_PREFIX = "groupkeys/";

function encodeData(d: FabricGroupData): JsonValue {
  const hexOrNull = (b: Uint8Array | null) => (b === null ? null : toHex(b));
  const u64OrNull = (v: bigint | null) => (v === null ? null : v.toString());
  return {
    v: 1,
    keySets: d.keySets.map((s) => ({
      id: s.groupKeySetId,
      policy: s.groupKeySecurityPolicy,
      k0: hexOrNull(s.epochKey0),
      t0: u64OrNull(s.epochStartTime0),
      k1: hexOrNull(s.epochKey1),
      t1: u64OrNull(s.epochStartTime1),
      k2: hexOrNull(s.epochKey2),
      t2: u64OrNull(s.epochStartTime2),
    })),
    keyMap: d.keyMap.map((m) => ({ groupId: m.groupId, keySetId: m.groupKeySetId })),
    groups: d.groups.map((g) => ({ groupId: g.groupId, endpoints: [...g.endpoints], name: g.groupName })),
  };
}

function decodeData(key: string, value: StorageValue | undefined): FabricGroupData {
  const bad = (why: string): never => {
    throw new MalformedError("group-keys.record", why, { path: key });
  };
  try {
    const o = value as {
      v: unknown;
      keySets: { id: unknown; policy: unknown; [k: string]: unknown }[];
      keyMap: { groupId: unknown; keySetId: unknown }[];
      groups: { groupId: unknown; endpoints: unknown; name: unknown }[];
    };
    if (o === null || typeof o !== "object" || o.v !== 1) bad("unsupported record");
    if (!Array.isArray(o.keySets) || !Array.isArray(o.keyMap) || !Array.isArray(o.groups)) bad("missing lists");
    const bytesOrNull = (v: unknown): Uint8Array | null =>
      v === null ? null : typeof v === "string" ? fromHex(v) : bad("key");
    const u64OrNull = (v: unknown): bigint | null =>
      v === null ? null : typeof v === "string" && /^\d{1,20}$/.test(v) ? BigInt(v) : bad("start time");
    const u16 = (v: unknown): number =>
      typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffff ? v : bad("uint16");
    const keySets = o.keySets.map((s) => {
      const set: GroupKeySet = {
        groupKeySetId: u16(s.id),
        groupKeySecurityPolicy: s.policy === 0 || s.policy === 1 ? s.policy : bad("policy"),
        epochKey0: bytesOrNull(s.k0),
        epochStartTime0: u64OrNull(s.t0),
        epochKey1: bytesOrNull(s.k1),
        epochStartTime1: u64OrNull(s.t1),
        epochKey2: bytesOrNull(s.k2),
        epochStartTime2: u64OrNull(s.t2),
      };
      if (set.groupKeySetId !== IPK_KEY_SET_ID) validateGroupKeySet(set);
      return set;
    });
    const keyMap = o.keyMap.map((m) => ({ groupId: u16(m.groupId), groupKeySetId: u16(m.keySetId) }));
    const groups = o.groups.map((g) => ({
      groupId: u16(g.groupId),
      endpoints: Array.isArray(g.endpoints) ? g.endpoints.map(u16) : bad("endpoints"),
      groupName: typeof g.name === "string" && labelBytes(g.name) <= MAX_GROUP_NAME_LENGTH ? g.name : bad("name"),
    }));
    return { keySets, keyMap, groups };
  } catch (e) {
    if (e instanceof MalformedError) throw e;
    return bad(`invalid record: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** `groups` with `endpoint` removed from those matching `which`; groups left without endpoints are dropped. */
function withoutEndpoint(
  groups: readonly GroupTableEntry[],
  endpoint: number,
  which: (g: GroupTableEntry) => boolean,
): GroupTableEntry[] {
  return groups
    .map((g) => (which(g) ? { ...g, endpoints: g.endpoints.filter((e) => e !== endpoint) } : g))
    .filter((g) => g.endpoints.length > 0);
}

/** Options of GroupKeyStore.open. */
export type GroupKeyStoreOptions = {
  readonly maxGroupKeysPerFabric?: number;
  readonly maxGroupsPerFabric?: number;
};

/** The pending added fabric's group data, held by the commissioning transaction (pending-fabric-data.ts). */
export type PendingGroupDataSlot = PendingSlot<FabricGroupData>;

/** Where the store finds the pending fabric's group data: the commissioning transaction's pending data. */
export interface PendingGroupDataSource {
  pendingGroupData(): PendingGroupDataSlot | undefined;
}

/**
 * Committed per-fabric key sets (IPK included), GroupKeyMap and group table, persisted per fabric. The fail-safe's
 * pending fabric's data lives in the commissioning transaction's pending data (`attachPending`): reads and writes for
 * it (AddNOC's IPK, a KeySetWrite over its CASE session) overlay and change that copy, which the commit writes
 * (`commitWrites`) and this store adopts once the write resolved.
 */
export class GroupKeyStore extends FabricScopedStore<FabricGroupData> {
  readonly maxGroupKeysPerFabric: number;
  readonly maxGroupsPerFabric: number;

  private constructor(storage: Storage, maxKeys: number, maxGroups: number) {
    super(storage, "group-key");
    this.maxGroupKeysPerFabric = maxKeys;
    this.maxGroupsPerFabric = maxGroups;
  }

  /** Loads every fabric's group data; a damaged record is MalformedError `group-keys.record`. */
  static async open(storage: Storage, options: GroupKeyStoreOptions = {}): Promise<GroupKeyStore> {
    const store = new GroupKeyStore(
      storage,
      options.maxGroupKeysPerFabric ?? DEFAULT_MAX_GROUP_KEYS_PER_FABRIC,
      options.maxGroupsPerFabric ?? DEFAULT_MAX_GROUPS_PER_FABRIC,
    );
    for (const key of await storage.keys(GROUP_DATA_PREFIX)) {
      const index = Number(key.slice(GROUP_DATA_PREFIX.length));
      if (!isFabricIndex(index) || key !== groupDataKey(index)) {
        throw new MalformedError("group-keys.record", "bad key", { path: key });
      }
      store.committed.set(index, decodeData(key, await storage.get(key)));
    }
    return store;
  }

  /** The fabric's key sets (IPK first when present). */
  keySets(index: FabricIndex): GroupKeySet[] {
    return [...(this.get(index)?.keySets ?? [])].sort((a, b) => a.groupKeySetId - b.groupKeySetId);
  }

  /** One key set, or undefined. */
  keySet(index: FabricIndex, groupKeySetId: number): GroupKeySet | undefined {
    return this.get(index)?.keySets.find((s) => s.groupKeySetId === groupKeySetId);
  }

  /** The fabric's IPK epoch key (key set 0, epoch key 0), or undefined. */
  ipkEpochKey(index: FabricIndex): Uint8Array | undefined {
    return this.keySet(index, IPK_KEY_SET_ID)?.epochKey0?.slice();
  }

  /** The operational IPK used by CASE: the IPK epoch key derived with the fabric's compressed fabric id. */
  operationalIpk(crypto: Crypto, index: FabricIndex, compressedFabricId: bigint): Uint8Array | undefined {
    const epoch = this.ipkEpochKey(index);
    return epoch === undefined ? undefined : operationalGroupKey(crypto, epoch, compressedFabricId);
  }

  /** AddNOC step 14: installs the IPK as key set 0 and persists it. */
  async setIpk(index: FabricIndex, ipkEpochKey: Uint8Array): Promise<void> {
    await this.#change(index, (d) => ({
      ...d,
      keySets: [...d.keySets.filter((s) => s.groupKeySetId !== 0), ipkKeySet(ipkEpochKey)],
    }));
  }

  /**
   * KeySetWrite: validates and stores (replacing the same id). Key set 0 (the IPK) cannot be written this way
   * (INVALID_COMMAND); a new set beyond MaxGroupKeysPerFabric is RESOURCE_EXHAUSTED.
   */
  async writeKeySet(index: FabricIndex, set: GroupKeySet): Promise<void> {
    if (set.groupKeySetId === IPK_KEY_SET_ID) {
      reject("group-keys.ipk-write", "the IPK key set is written only by AddNOC", ImStatus.INVALID_COMMAND);
    }
    validateGroupKeySet(set);
    const existing = this.get(index)?.keySets ?? [];
    const replacing = existing.some((s) => s.groupKeySetId === set.groupKeySetId);
    if (!replacing && existing.length >= this.maxGroupKeysPerFabric) {
      reject("group-keys.full", "MaxGroupKeysPerFabric reached", ImStatus.RESOURCE_EXHAUSTED);
    }
    const copy: GroupKeySet = {
      ...set,
      epochKey0: set.epochKey0?.slice() ?? null,
      epochKey1: set.epochKey1?.slice() ?? null,
      epochKey2: set.epochKey2?.slice() ?? null,
    };
    await this.#change(index, (d) => ({
      ...d,
      keySets: [...d.keySets.filter((s) => s.groupKeySetId !== set.groupKeySetId), copy],
    }));
  }

  /** KeySetRemove: the IPK cannot be removed (INVALID_COMMAND); unknown id is NOT_FOUND. Map entries using it go too. */
  async removeKeySet(index: FabricIndex, groupKeySetId: number): Promise<void> {
    if (groupKeySetId === IPK_KEY_SET_ID)
      reject("group-keys.ipk-remove", "the IPK key set cannot be removed", ImStatus.INVALID_COMMAND);
    if (this.keySet(index, groupKeySetId) === undefined)
      reject("group-keys.not-found", "no such key set", ImStatus.NOT_FOUND);
    await this.#change(index, (d) => ({
      ...d,
      keySets: d.keySets.filter((s) => s.groupKeySetId !== groupKeySetId),
      keyMap: d.keyMap.filter((m) => m.groupKeySetId !== groupKeySetId),
    }));
  }

  /** The fabric's GroupKeyMap entries. */
  groupKeyMap(index: FabricIndex): GroupKeyMapEntry[] {
    return [...(this.get(index)?.keyMap ?? [])];
  }

  /** Writes the fabric's GroupKeyMap: group ids 1..0xFFFF, each at most once, never mapped to key set 0 (CONSTRAINT_ERROR). */
  async setGroupKeyMap(index: FabricIndex, entries: readonly GroupKeyMapEntry[]): Promise<void> {
    const seen = new Set<number>();
    for (const e of entries) {
      if (!Number.isInteger(e.groupId) || e.groupId < 1 || e.groupId > 0xffff) {
        reject("group-keys.group-id", "GroupId must be 1..0xFFFF", ImStatus.CONSTRAINT_ERROR);
      }
      if (e.groupKeySetId === IPK_KEY_SET_ID || !Number.isInteger(e.groupKeySetId) || e.groupKeySetId > 0xffff) {
        reject("group-keys.map-key-set", "GroupKeySetID 0 (IPK) cannot protect a group", ImStatus.CONSTRAINT_ERROR);
      }
      if (seen.has(e.groupId))
        reject("group-keys.map-duplicate", `group ${e.groupId} mapped twice`, ImStatus.CONSTRAINT_ERROR);
      seen.add(e.groupId);
    }
    if (entries.length > this.maxGroupsPerFabric) {
      reject("group-keys.map-full", "MaxGroupsPerFabric reached", ImStatus.RESOURCE_EXHAUSTED);
    }
    await this.#change(index, (d) => ({ ...d, keyMap: entries.map((e) => ({ ...e })) }));
  }

  /** The fabric's group table. */
  groupTable(index: FabricIndex): GroupTableEntry[] {
    return (this.get(index)?.groups ?? []).map((g) => ({ ...g, endpoints: [...g.endpoints] }));
  }

  /**
   * Adds `endpoint` to group `groupId` (creating it, with `groupName`); unlike `addGroup`, an empty name keeps the
   * group's name. Same checks and statuses as `addGroup`.
   */
  async addGroupEndpoint(index: FabricIndex, groupId: number, endpoint: number, groupName = ""): Promise<void> {
    const kept = this.get(index)?.groups.find((g) => g.groupId === groupId)?.groupName ?? "";
    await this.addGroup(index, groupId, endpoint, groupName === "" ? kept : groupName);
  }

  /** Whether `endpoint` is a member of group `groupId` on the fabric (Groups cluster "group exists on the endpoint"). */
  hasGroupEndpoint(index: FabricIndex, groupId: number, endpoint: number): boolean {
    return this.get(index)?.groups.some((g) => g.groupId === groupId && g.endpoints.includes(endpoint)) ?? false;
  }

  /**
   * The Groups cluster's AddGroup: sets the group's name (an empty name clears it, as the SDK's SetGroupInfo does) and
   * adds `endpoint`. Group id 0 or a name over 16 bytes is CONSTRAINT_ERROR; a new group beyond
   * MaxGroupsPerFabric is RESOURCE_EXHAUSTED. One record write, so a crash leaves the old or the new table.
   */
  async addGroup(index: FabricIndex, groupId: number, endpoint: number, groupName: string): Promise<void> {
    if (!Number.isInteger(groupId) || groupId < 1 || groupId > 0xffff) {
      reject("group-keys.group-id", "GroupId must be 1..0xFFFF", ImStatus.CONSTRAINT_ERROR);
    }
    if (!Number.isInteger(endpoint) || endpoint < 0 || endpoint > 0xfffe) throw new RangeError(`endpoint: ${endpoint}`);
    if (labelBytes(groupName) > MAX_GROUP_NAME_LENGTH)
      reject("group-keys.group-name", "GroupName too long", ImStatus.CONSTRAINT_ERROR);
    const groups = this.get(index)?.groups ?? [];
    const found = groups.find((g) => g.groupId === groupId);
    if (found === undefined && groups.length >= this.maxGroupsPerFabric) {
      reject("group-keys.groups-full", "MaxGroupsPerFabric reached", ImStatus.RESOURCE_EXHAUSTED);
    }
    const entry: GroupTableEntry = {
      groupId,
      groupName,
      endpoints: [...new Set([...(found?.endpoints ?? []), endpoint])].sort((a, b) => a - b),
    };
    // An existing group keeps its place in the table; a new one goes last (GetGroupMembership lists in table order).
    await this.#change(index, (d) => ({
      ...d,
      groups: found === undefined ? [...d.groups, entry] : d.groups.map((g) => (g.groupId === groupId ? entry : g)),
    }));
  }

  /**
   * Removes `endpoint` from group `groupId`; a group left without endpoints leaves the table (GroupInfoMapStruct needs
   * at least one endpoint; the SDK's RemoveEndpoint does the same). Returns false (and writes nothing) when the
   * endpoint was not a member.
   */
  async removeGroupEndpoint(index: FabricIndex, groupId: number, endpoint: number): Promise<boolean> {
    if (!this.hasGroupEndpoint(index, groupId, endpoint)) return false;
    await this.#change(index, (d) => ({
      ...d,
      groups: withoutEndpoint(d.groups, endpoint, (g) => g.groupId === groupId),
    }));
    return true;
  }

  /** Removes `endpoint` from every group of the fabric (RemoveAllGroups); returns the ids of the groups it was in. */
  async removeEndpoint(index: FabricIndex, endpoint: number): Promise<number[]> {
    const member = (this.get(index)?.groups ?? []).filter((g) => g.endpoints.includes(endpoint));
    if (member.length === 0) return [];
    await this.#change(index, (d) => ({ ...d, groups: withoutEndpoint(d.groups, endpoint, () => true) }));
    return member.map((g) => g.groupId);
  }

  /** Overlays the commissioning transaction's pending data on the committed data (once, by the transaction). */
  attachPending(source: PendingGroupDataSource): void {
    this.attach(() => source.pendingGroupData());
  }

  protected key(fabricIndex: FabricIndex): string {
    return groupDataKey(fabricIndex);
  }

  protected encode(data: FabricGroupData): StorageValue {
    return encodeData(data);
  }

  async #change(index: FabricIndex, change: (d: FabricGroupData) => FabricGroupData): Promise<void> {
    if (!isFabricIndex(index)) throw new RangeError(`fabric index ${index} is not 1..254`);
    await this.put(index, (d) => change(d ?? { keySets: [], keyMap: [], groups: [] }), "group-keys.no-fabric");
  }
}
