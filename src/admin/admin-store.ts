/**
 * The administrator's data directory: one SQLite database (`admin.sqlite`, 0600, in a 0700 directory locked by the
 * device's data-directory lock) holding its fabric (admin-fabric.ts), the registry of the nodes it commissioned
 * ("admin/node/" keys) and the CASE resumption records of its sessions as initiator (Core spec 4.14.2.2,
 * "case/resumption/" keys).
 */
import { chmodSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { bigintToBytes, bytesToBigint, fromHex, toHex } from "../bytes/bytes.ts";
import { MalformedError, OpcredsError } from "../bytes/errors.ts";
import { MAX_CERT_TLV_BYTES } from "../cert/matter-cert.ts";
import { isOperationalNodeId } from "../cert/operational-ids.ts";
import { validateChain } from "../cert/validate.ts";
import type { Crypto } from "../crypto/crypto.ts";
import { isFabricIndex } from "../fabric/fabric-index.ts";
import { labelBytes, MAX_FABRIC_LABEL_BYTES } from "../fabric/fabric-record.ts";
import { acquireDataDirLock, type DataDirLock, LOCK_DATABASE_FILE, LOCK_FILE } from "../node/data-dir-lock.ts";
import { ResumptionStore } from "../sc/case/resumption-record.ts";
import { SQLITE_DIRECTORY_MODE, SqliteStorage } from "../storage/sqlite-storage.ts";
import type { JsonValue, StorageValue } from "../storage/storage.ts";
import { ADMIN_FABRIC_INDEX, AdminFabric, type AdminFabricOptions, checkAdminFabricOptions } from "./admin-fabric.ts";

/** The database file inside the data directory. */
export const ADMIN_DATABASE_FILE = "admin.sqlite";
/** Storage key prefix of node records; the key ends with the node id as 16 lowercase hex digits. */
export const ADMIN_NODE_RECORD_PREFIX = "admin/node/";
/** Longest registry label, in UTF-8 bytes: the label our fabric carries on the node (UpdateFabricLabel, Core 11.18.6.11). */
const MAX_NODE_LABEL_BYTES = MAX_FABRIC_LABEL_BYTES;

/** A node this administrator commissioned: what it was told (NOC chain), what it reported, and where it was last seen. */
export type NodeRecord = {
  nodeId: bigint;
  /** The fabric index the node gave our fabric (AddNOC's NOCResponse). */
  fabricIndex: number;
  vendorId: number;
  productId: number;
  /** The label of our fabric on the node (FabricDescriptorStruct Label), at most 32 UTF-8 bytes. */
  label: string;
  address: { ip: string; port: number } | null;
  noc: Uint8Array;
  icac: Uint8Array | null;
  nocNotAfter: Date;
  commissionedAt: Date;
};

/** `AdminStore.init` on a data directory that already holds a fabric. */
export class AdminFabricExistsError extends OpcredsError {
  static readonly code = "admin.fabric-exists";
  readonly dir: string;
  constructor(dir: string, fabricId: bigint) {
    super(
      AdminFabricExistsError.code,
      `data directory ${dir} already holds an administrator fabric (fabric id 0x${fabricId.toString(16).padStart(16, "0")})`,
    );
    this.dir = dir;
  }
}

/** `AdminStore.allocateNodeId` asked for a node id that is already registered. */
export class AdminNodeExistsError extends OpcredsError {
  static readonly code = "admin.node-exists";
  readonly nodeId: bigint;
  constructor(nodeId: bigint) {
    super(AdminNodeExistsError.code, `node 0x${nodeId.toString(16).padStart(16, "0")} is already registered`);
    this.nodeId = nodeId;
  }
}

/** Files the store itself puts in its directory (an open-to-others directory holding only these is narrowed). */
const OWN_FILES = new Set([
  ADMIN_DATABASE_FILE,
  `${ADMIN_DATABASE_FILE}-wal`,
  `${ADMIN_DATABASE_FILE}-shm`,
  LOCK_FILE,
  LOCK_DATABASE_FILE,
]);

/**
 * Creates `dir` 0700, or narrows an existing one that group or others may access when it is empty or holds only the
 * store's files; any other directory open to others is refused rather than chmod'ed (it may be /tmp or a home).
 */
function prepareDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: SQLITE_DIRECTORY_MODE });
  const st = statSync(dir);
  if (!st.isDirectory()) throw new RangeError(`data directory ${dir} is not a directory`);
  if ((st.mode & 0o077) === 0) return;
  const foreign = readdirSync(dir).filter((f) => !OWN_FILES.has(f));
  if (foreign.length > 0) {
    throw new RangeError(
      `data directory ${dir} is accessible by group or others (mode ${(st.mode & 0o777).toString(8)}) and holds other files; use a directory of its own`,
    );
  }
  chmodSync(dir, SQLITE_DIRECTORY_MODE);
}

function nodeKey(nodeId: bigint): string {
  return `${ADMIN_NODE_RECORD_PREFIX}${toHex(bigintToBytes(nodeId, 8))}`;
}

/** The node id a record key names; a key of another shape is MalformedError naming it. */
function nodeIdOfKey(key: string): bigint {
  const hex = key.slice(ADMIN_NODE_RECORD_PREFIX.length);
  if (!key.startsWith(ADMIN_NODE_RECORD_PREFIX) || !/^[0-9a-f]{16}$/.test(hex)) {
    throw new MalformedError("admin.node-record", "key does not end with a 16-digit hex node id", { path: key });
  }
  return bytesToBigint(fromHex(hex));
}

function isUint16(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 0xffff;
}

function isValidDate(d: unknown): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

function isAddress(a: unknown): a is { ip: string; port: number } {
  if (a === null || typeof a !== "object" || Array.isArray(a)) return false;
  const { ip, port } = a as { ip?: unknown; port?: unknown };
  return (
    Object.keys(a).length === 2 &&
    typeof ip === "string" &&
    isIP(ip) !== 0 &&
    typeof port === "number" &&
    Number.isInteger(port) &&
    port >= 1 &&
    port <= 0xffff
  );
}

/**
 * Checks a record's members and that its NOC (through its ICAC) chains to `fabric`'s root and names its node id and the
 * fabric id; returns the reason it is not a valid record, or undefined.
 */
function recordProblem(r: NodeRecord, fabric: AdminFabric): { message: string; cause?: unknown } | undefined {
  if (typeof r.nodeId !== "bigint" || !isOperationalNodeId(r.nodeId)) return { message: "nodeId is not operational" };
  if (r.nodeId === fabric.adminNodeId) return { message: "nodeId is the administrator's own node id" };
  if (!isFabricIndex(r.fabricIndex)) return { message: "fabricIndex is not 1..254" };
  if (!isUint16(r.vendorId)) return { message: "vendorId is not a uint16" };
  if (!isUint16(r.productId)) return { message: "productId is not a uint16" };
  if (typeof r.label !== "string" || labelBytes(r.label) > MAX_NODE_LABEL_BYTES) {
    return { message: `label is not a string of at most ${MAX_NODE_LABEL_BYTES} UTF-8 bytes` };
  }
  if (r.address !== null && !isAddress(r.address)) return { message: "address is not { ip, port }" };
  if (!isValidDate(r.nocNotAfter)) return { message: "nocNotAfter is not a valid Date" };
  if (!isValidDate(r.commissionedAt)) return { message: "commissionedAt is not a valid Date" };
  for (const [name, cert] of [
    ["noc", r.noc],
    ["icac", r.icac],
  ] as const) {
    if (cert === null && name === "icac") continue;
    if (!(cert instanceof Uint8Array) || cert.length === 0 || cert.length > MAX_CERT_TLV_BYTES) {
      return { message: `${name} is not a Matter TLV certificate of 1..${MAX_CERT_TLV_BYTES} bytes` };
    }
  }
  try {
    const chain = validateChain({ rcac: fabric.rcac, icac: r.icac ?? undefined, noc: r.noc });
    if (chain.nodeId !== r.nodeId) return { message: `the NOC names node 0x${chain.nodeId.toString(16)}` };
    if (chain.fabricId !== fabric.fabricId) return { message: `the NOC names fabric 0x${chain.fabricId.toString(16)}` };
  } catch (cause) {
    return { message: "the NOC chain does not validate against this fabric's root", cause };
  }
  return undefined;
}

function encodeNode(r: NodeRecord): JsonValue {
  return {
    v: 1,
    nodeId: toHex(bigintToBytes(r.nodeId, 8)),
    fabricIndex: r.fabricIndex,
    vendorId: r.vendorId,
    productId: r.productId,
    label: r.label,
    address: r.address === null ? null : { ip: r.address.ip, port: r.address.port },
    noc: toHex(r.noc),
    icac: r.icac === null ? null : toHex(r.icac),
    nocNotAfter: r.nocNotAfter.toISOString(),
    commissionedAt: r.commissionedAt.toISOString(),
  };
}

/** The members of a stored node record, sorted. */
const NODE_MEMBERS = "address,commissionedAt,fabricIndex,icac,label,noc,nocNotAfter,nodeId,productId,v,vendorId";

function decodeNode(key: string, value: StorageValue | undefined, fabric: AdminFabric): NodeRecord {
  const bad = (message: string, cause?: unknown): never => {
    throw new MalformedError("admin.node-record", message, { path: key }, cause === undefined ? undefined : { cause });
  };
  const keyId = nodeIdOfKey(key);
  if (value === undefined || value === null || typeof value !== "object" || value instanceof Uint8Array) {
    return bad("not an object");
  }
  if (Array.isArray(value)) return bad("not an object");
  const v = value as { readonly [k: string]: JsonValue };
  const names = Object.keys(v).sort().join(",");
  if (names !== NODE_MEMBERS) bad(`unexpected members ${names}`);
  if (v.v !== 1) bad(`unknown record version ${JSON.stringify(v.v)}`);
  const hexBytes = (name: string, s: JsonValue | undefined): Uint8Array =>
    typeof s === "string" && /^(?:[0-9a-f]{2})+$/.test(s) ? fromHex(s) : bad(`${name} is not hex bytes`);
  const date = (name: string): Date => {
    const s = v[name];
    const d = typeof s === "string" ? new Date(s) : undefined;
    // Exactly the form toISOString writes, so a hand-edited or truncated value is not silently reinterpreted.
    if (d === undefined || Number.isNaN(d.getTime()) || d.toISOString() !== s) return bad(`${name} is not an ISO date`);
    return d;
  };
  if (typeof v.nodeId !== "string" || !/^[0-9a-f]{16}$/.test(v.nodeId)) bad("nodeId is not 16 hex digits");
  const nodeId = bytesToBigint(fromHex(v.nodeId as string));
  if (nodeId !== keyId) bad("nodeId does not match the key");
  const address = v.address;
  if (address !== null && !isAddress(address)) bad("address is not { ip, port }");
  const record: NodeRecord = {
    nodeId,
    fabricIndex: v.fabricIndex as number,
    vendorId: v.vendorId as number,
    productId: v.productId as number,
    label: v.label as string,
    address: address === null ? null : { ip: (address as { ip: string }).ip, port: (address as { port: number }).port },
    noc: hexBytes("noc", v.noc),
    icac: v.icac === null ? null : hexBytes("icac", v.icac),
    nocNotAfter: date("nocNotAfter"),
    commissionedAt: date("commissionedAt"),
  };
  const problem = recordProblem(record, fabric);
  if (problem !== undefined) bad(problem.message, problem.cause);
  return record;
}

function copyRecord(r: NodeRecord): NodeRecord {
  return {
    ...r,
    address: r.address === null ? null : { ...r.address },
    noc: r.noc.slice(),
    icac: r.icac === null ? null : r.icac.slice(),
    nocNotAfter: new Date(r.nocNotAfter.getTime()),
    commissionedAt: new Date(r.commissionedAt.getTime()),
  };
}

/** The administrator's persistent state in one locked data directory: its fabric, its node registry, its CASE records. */
export class AdminStore {
  readonly dir: string;
  readonly fabric: AdminFabric;
  /** CASE resumption records of the administrator's sessions as initiator (fabric index 1 on our side). */
  readonly resumption: ResumptionStore;
  readonly #storage: SqliteStorage;
  readonly #lock: DataDirLock;
  /** Ids handed out by allocateNodeId and not yet saved, so two commissionings in flight never get the same id. */
  readonly #allocated = new Set<bigint>();
  #closed = false;

  private constructor(
    dir: string,
    storage: SqliteStorage,
    lock: DataDirLock,
    fabric: AdminFabric,
    resumption: ResumptionStore,
  ) {
    this.dir = dir;
    this.#storage = storage;
    this.#lock = lock;
    this.fabric = fabric;
    this.resumption = resumption;
  }

  /**
   * Opens DIR, creating the directory, the database and (when none exists yet) the fabric with `create` options or the
   * defaults; `create` is ignored when a fabric exists. A directory another live process holds is DataDirLockedError.
   */
  static async open(
    dir: string,
    crypto: Crypto,
    options: { create?: AdminFabricOptions; clock?: () => Date } = {},
  ): Promise<AdminStore> {
    return AdminStore.#open(dir, crypto, "open", options.create ?? {}, options.clock);
  }

  /** Creates a new fabric in DIR; AdminFabricExistsError when DIR already holds one. */
  static async init(
    dir: string,
    crypto: Crypto,
    options: AdminFabricOptions & { clock?: () => Date } = {},
  ): Promise<AdminStore> {
    const { clock, ...create } = options;
    return AdminStore.#open(dir, crypto, "init", create, clock);
  }

  static async #open(
    dir: string,
    crypto: Crypto,
    mode: "open" | "init",
    create: AdminFabricOptions,
    clock: (() => Date) | undefined,
  ): Promise<AdminStore> {
    if (typeof dir !== "string" || dir.length === 0) throw new TypeError("dir must be a non-empty path");
    // Bad options fail before anything touches the file system.
    checkAdminFabricOptions(create);
    const now = clock ?? (() => new Date());
    prepareDataDir(dir);
    const lock = acquireDataDirLock(dir);
    let storage: SqliteStorage | undefined;
    try {
      storage = await SqliteStorage.open(join(dir, ADMIN_DATABASE_FILE));
      let fabric = await AdminFabric.load(storage, crypto, now);
      if (fabric !== undefined && mode === "init") throw new AdminFabricExistsError(dir, fabric.fabricId);
      fabric ??= await AdminFabric.create(storage, crypto, create, now);
      const resumption = await ResumptionStore.open(storage);
      return new AdminStore(dir, storage, lock, fabric, resumption);
    } catch (e) {
      await storage?.close();
      lock.release();
      throw e;
    }
  }

  #live(): SqliteStorage {
    if (this.#closed) throw new TypeError(`admin store ${this.dir} is closed`);
    return this.#storage;
  }

  async #registeredIds(): Promise<Set<bigint>> {
    return new Set((await this.#live().keys(ADMIN_NODE_RECORD_PREFIX)).map(nodeIdOfKey));
  }

  /**
   * `requested` when given (RangeError if not an operational node id or equal to the admin's; an AdminNodeExistsError
   * when registered); otherwise the lowest free id from 1 up (skipping the admin's and ids handed out but not saved).
   */
  async allocateNodeId(requested?: bigint): Promise<bigint> {
    const registered = await this.#registeredIds();
    if (requested !== undefined) {
      if (typeof requested !== "bigint") throw new TypeError("requested must be a bigint");
      if (!isOperationalNodeId(requested)) {
        throw new RangeError(`node id 0x${requested.toString(16)} is not an operational node id`);
      }
      if (requested === this.fabric.adminNodeId) {
        throw new RangeError(`node id 0x${requested.toString(16)} is the administrator's own node id`);
      }
      if (registered.has(requested)) throw new AdminNodeExistsError(requested);
      this.#allocated.add(requested);
      return requested;
    }
    // At most registered + allocated + 1 candidates are taken, so the loop ends well below the operational range's end.
    let id = 1n;
    while (registered.has(id) || this.#allocated.has(id) || id === this.fabric.adminNodeId) id++;
    this.#allocated.add(id);
    return id;
  }

  /** Every registered node in ascending node id order; a damaged record is MalformedError naming its key. */
  async nodes(): Promise<NodeRecord[]> {
    const storage = this.#live();
    const out: NodeRecord[] = [];
    for (const key of await storage.keys(ADMIN_NODE_RECORD_PREFIX)) {
      out.push(decodeNode(key, await storage.get(key), this.fabric));
    }
    return out;
  }

  /** The record of `nodeId`, or undefined; a damaged record is MalformedError naming its key. */
  async node(nodeId: bigint): Promise<NodeRecord | undefined> {
    if (typeof nodeId !== "bigint" || nodeId < 0n || nodeId > 0xffff_ffff_ffff_ffffn) {
      throw new RangeError("nodeId must be a uint64 bigint");
    }
    const key = nodeKey(nodeId);
    const value = await this.#live().get(key);
    return value === undefined ? undefined : decodeNode(key, value, this.fabric);
  }

  /**
   * Inserts or replaces the record of `record.nodeId`; RangeError when a member is out of range or its NOC (through its
   * ICAC) does not chain to this fabric's root with this node id and fabric id.
   */
  async saveNode(record: NodeRecord): Promise<void> {
    const storage = this.#live();
    const problem = recordProblem(record, this.fabric);
    if (problem !== undefined) {
      throw new RangeError(
        `node record: ${problem.message}`,
        problem.cause === undefined ? undefined : { cause: problem.cause },
      );
    }
    await storage.set(nodeKey(record.nodeId), encodeNode(copyRecord(record)));
    this.#allocated.delete(record.nodeId);
  }

  /** Removes the record of `nodeId` (nothing when absent) and its CASE resumption record. */
  async removeNode(nodeId: bigint): Promise<void> {
    if (typeof nodeId !== "bigint" || nodeId < 0n || nodeId > 0xffff_ffff_ffff_ffffn) {
      throw new RangeError("nodeId must be a uint64 bigint");
    }
    await this.#live().delete(nodeKey(nodeId));
    this.#allocated.delete(nodeId);
    const resumable = this.resumption.findByPeer(ADMIN_FABRIC_INDEX, nodeId);
    if (resumable !== undefined) await this.resumption.remove(resumable.resumptionId);
  }

  /** Closes the database and releases the directory's lock; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#storage.close();
    } finally {
      this.#lock.release();
    }
  }
}
