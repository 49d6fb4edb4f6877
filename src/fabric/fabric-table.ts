/**
 * The fabric table (Core spec 11.18.6 and the SDK FabricTable): the committed fabrics, their storage, the fabric index
 * allocator and the fabric lifecycle. The fail-safe's pending state (root, operational key, added or updated fabric)
 * lives in the commissioning transaction's pending data (pending-fabric-data.ts), which attaches itself here: reads
 * overlay it on the committed fabrics (conformance doc §0.2), and its commit goes through `FabricTableHooks.commitRecord`
 * (ONE storage transaction). Lifecycle participants (the per-fabric stores) write inside the table's commit and removal
 * transactions.
 */
import { bytesEqual } from "../bytes/bytes.ts";
import {
  type ErrorCode,
  type InteractionStatus,
  InternalError,
  MalformedError,
  ProtocolError,
} from "../bytes/errors.ts";
import { MAX_CERT_TLV_BYTES } from "../cert/matter-cert.ts";
import type { Crypto } from "../crypto/crypto.ts";
import type { Storage, StorageTransaction } from "../storage/storage.ts";
import { type FabricIndex, FabricIndexAllocator, isFabricIndex, MAX_FABRIC_INDEX } from "./fabric-index.ts";
import {
  decodeFabricRecord,
  encodeFabricRecord,
  FABRIC_RECORD_PREFIX,
  type FabricRecord,
  fabricRecordKey,
  isOperationalVendorId,
  labelBytes,
  MAX_FABRIC_LABEL_BYTES,
  VID_VERIFICATION_STATEMENT_BYTES,
} from "./fabric-record.ts";
import { type OperationalIdentity, operationalInstanceName } from "./operational-identity.ts";
import { ImStatus, NodeOperationalCertStatus } from "./status-codes.ts";

/** SupportedFabrics bounds (11.18.5.3) and the SDK default CHIP_CONFIG_MAX_FABRICS. */
const MIN_SUPPORTED_FABRICS = 5;
const MAX_SUPPORTED_FABRICS = MAX_FABRIC_INDEX;
const DEFAULT_SUPPORTED_FABRICS = 16;

/** Storage key of the table's index info (the persisted next-index cursor). */
export const FABRIC_INDEX_INFO_KEY = "fabric/index-info";

/** A change to what `fabrics()` returns; `pending` is true while the change is not yet committed. */
export type FabricChange = {
  /** `reverted`: the fail-safe dropped a pending root that no AddNOC had bound (TrustedRootCertificates shrinks). */
  readonly kind: "added" | "updated" | "removed" | "committed" | "reverted";
  readonly fabricIndex: FabricIndex;
  readonly pending: boolean;
};

/**
 * A fabric lifecycle event, emitted once the change is final: `committed` (CommissioningComplete wrote a pending added or
 * updated fabric), `updated` (a committed fabric's label or VID data was written), `removed` (a committed fabric's
 * deletion was written), `reverted` (the fail-safe or a failed AddNOC/UpdateNOC dropped pending state; nothing of it
 * was ever written).
 */
export type FabricLifecycleEvent =
  | { readonly kind: "committed"; readonly fabricIndex: FabricIndex; readonly noc: "add" | "update" }
  | { readonly kind: "updated"; readonly fabricIndex: FabricIndex }
  | { readonly kind: "removed"; readonly fabricIndex: FabricIndex }
  | { readonly kind: "reverted"; readonly fabricIndex: FabricIndex; readonly pending: "add" | "update" | "root" };

/**
 * A per-fabric store taking part in the fabric lifecycle: its persistent writes run inside the fabric record's own
 * storage transaction (so a commit or removal is all or nothing), its in-memory reaction after that transaction.
 */
export interface FabricLifecycleParticipant {
  /** Writes the committed fabric's data into `tx`, the transaction that writes its record. */
  commitWrites?(tx: StorageTransaction, event: Extract<FabricLifecycleEvent, { kind: "committed" }>): Promise<void>;
  /** Deletes the removed fabric's data in `tx`, the transaction that deletes its record. */
  removeWrites?(tx: StorageTransaction, fabricIndex: FabricIndex): Promise<void>;
  /** Reacts in memory once the event is final. */
  fabricEvent?(event: FabricLifecycleEvent): void;
}

/** An operational identity to start (`advertise`) or stop (`withdraw`) advertising as `_matter._tcp`. */
export type OperationalIdentityChange = {
  readonly change: "advertise" | "withdraw";
} & OperationalIdentity;

/** The fields the caller extracted from a NOC chain it is installing. */
export type NocInstall = {
  readonly noc: Uint8Array;
  readonly icac: Uint8Array | null;
  /** From the NOC subject. */
  readonly fabricId: bigint;
  /** From the NOC subject. */
  readonly nodeId: bigint;
  /** CATs of the NOC subject. */
  readonly cats: readonly number[];
  /** The NOC's subject public key (65 bytes); must be the pending operational key's. */
  readonly nocPublicKey: Uint8Array;
};

/** Options of `FabricTable.open`. */
export type FabricTableOptions = {
  /** SupportedFabrics, 5..254 (default 16). */
  readonly supportedFabrics?: number;
};

/** What reads overlay on the committed fabrics: the commissioning transaction's pending data (pending-fabric-data.ts). */
export interface PendingFabricOverlay {
  /** The fabric index the pending state is bound to, if any. */
  readonly fabricIndex: FabricIndex | undefined;
  /** The pending root while no AddNOC bound it (TrustedRootCertificates lists it last). */
  readonly unboundRoot: Uint8Array | undefined;
  /** The pending added or updated fabric. */
  readonly fabric: { readonly kind: "add" | "update"; readonly record: FabricRecord } | undefined;
  /** Applies a label or VID change to the pending fabric. */
  changeFabric(change: (record: FabricRecord) => FabricRecord): void;
  /** Drops everything pending in memory with its events (the fail-safe's revert). */
  revert(): void;
  /** Drops everything pending without events. */
  clear(): void;
}

/** What the table lets its attached pending data do: allocate, notify, and commit a pending fabric. */
export type FabricTableHooks = {
  readonly crypto: Crypto;
  /** The index the next fabric would get; only an exhausted index space (1..254 all used) fails, with `status`. */
  freeIndex(status: InteractionStatus): FabricIndex;
  /** Tells the `onChange` listeners. */
  changed(change: FabricChange): void;
  /** Tells the `onOperationalIdentityChange` listeners. */
  identity(change: "advertise" | "withdraw", record: FabricRecord): void;
  /** Tells the lifecycle participants (in memory). */
  lifecycle(event: FabricLifecycleEvent): void;
  /**
   * Writes `record` with the index cursor and every participant's `commitWrites` in ONE storage transaction, adopts it
   * as committed, calls `written` (the pending data drops itself), then emits `committed`. A failed write changes nothing.
   */
  commitRecord(kind: "add" | "update", record: FabricRecord, written: () => void): Promise<void>;
};

function fail(code: ErrorCode, message: string, status: InteractionStatus, nocStatus?: number): ProtocolError {
  return new ProtocolError(code, message, status, nocStatus);
}

/** A deep-enough copy handed to callers so they cannot mutate table state. */
function copyRecord(r: FabricRecord): FabricRecord {
  return {
    ...r,
    rcac: r.rcac.slice(),
    icac: r.icac === null ? null : r.icac.slice(),
    noc: r.noc.slice(),
    rootPublicKey: r.rootPublicKey.slice(),
    cats: [...r.cats],
    ...(r.vidVerificationStatement !== undefined
      ? { vidVerificationStatement: r.vidVerificationStatement.slice() }
      : {}),
    ...(r.vvsc !== undefined ? { vvsc: r.vvsc.slice() } : {}),
  };
}

function identityOf(r: FabricRecord): OperationalIdentity {
  return {
    fabricIndex: r.fabricIndex,
    compressedFabricId: r.compressedFabricId,
    nodeId: r.nodeId,
    instanceName: operationalInstanceName(r.compressedFabricId, r.nodeId),
  };
}

/** The fabric table; construct with `FabricTable.open`. */
export class FabricTable {
  /** SupportedFabrics. */
  readonly supportedFabrics: number;
  readonly #storage: Storage;
  readonly #crypto: Crypto;
  readonly #committed = new Map<FabricIndex, FabricRecord>();
  readonly #allocator: FabricIndexAllocator;
  #pending: PendingFabricOverlay | undefined;
  readonly #changeListeners = new Set<(change: FabricChange) => void>();
  readonly #identityListeners = new Set<(change: OperationalIdentityChange) => void>();
  readonly #participants: FabricLifecycleParticipant[] = [];

  private constructor(storage: Storage, crypto: Crypto, supportedFabrics: number, next: FabricIndex) {
    this.#storage = storage;
    this.#crypto = crypto;
    this.supportedFabrics = supportedFabrics;
    this.#allocator = new FabricIndexAllocator(next);
  }

  /** Loads every committed fabric and the next-index cursor from `storage`; a damaged record is MalformedError. */
  static async open(storage: Storage, crypto: Crypto, options: FabricTableOptions = {}): Promise<FabricTable> {
    const supported = options.supportedFabrics ?? DEFAULT_SUPPORTED_FABRICS;
    if (!Number.isInteger(supported) || supported < MIN_SUPPORTED_FABRICS || supported > MAX_SUPPORTED_FABRICS) {
      throw new RangeError(`supportedFabrics must be ${MIN_SUPPORTED_FABRICS}..${MAX_SUPPORTED_FABRICS}`);
    }
    const info = await storage.get(FABRIC_INDEX_INFO_KEY);
    let next = 1 as FabricIndex;
    if (info !== undefined) {
      const n = (info as { nextFabricIndex?: unknown } | null)?.nextFabricIndex;
      if (
        info === null ||
        typeof info !== "object" ||
        info instanceof Uint8Array ||
        Array.isArray(info) ||
        Object.keys(info).length !== 1 ||
        !isFabricIndex(n)
      ) {
        throw new MalformedError("fabric.index-info", "not { nextFabricIndex: 1..254 }", {
          path: FABRIC_INDEX_INFO_KEY,
        });
      }
      next = n;
    }
    const table = new FabricTable(storage, crypto, supported, next);
    for (const key of await storage.keys(FABRIC_RECORD_PREFIX)) {
      const record = decodeFabricRecord(crypto, key, await storage.get(key));
      table.#committed.set(record.fabricIndex, record);
    }
    return table;
  }

  // ---------------------------------------------------------------- reads (pending values shown, §0.2)

  /** Every fabric, in index order, as reads show it: a pending added fabric included, pending updates applied. */
  fabrics(): FabricRecord[] {
    return [...this.#view().values()].sort((a, b) => a.fabricIndex - b.fabricIndex).map(copyRecord);
  }

  /** The fabric at `index` as reads show it, or undefined. */
  fabric(index: number): FabricRecord | undefined {
    const r = isFabricIndex(index) ? this.#view().get(index) : undefined;
    return r === undefined ? undefined : copyRecord(r);
  }

  /** The committed fabric at `index`, ignoring pending state, or undefined. */
  committedFabric(index: number): FabricRecord | undefined {
    const r = isFabricIndex(index) ? this.#committed.get(index) : undefined;
    return r === undefined ? undefined : copyRecord(r);
  }

  /** Committed fabric indices in ascending order. */
  committedIndices(): FabricIndex[] {
    return [...this.#committed.keys()].sort((a, b) => a - b);
  }

  /** CommissionedFabrics: fabrics as reads show them (a pending added fabric counts). */
  fabricCount(): number {
    return this.#view().size;
  }

  /** TrustedRootCertificates: each fabric's RCAC (duplicates kept) plus a pending root not yet bound by AddNOC. */
  trustedRoots(): Uint8Array[] {
    const roots = this.fabrics().map((f) => f.rcac);
    const unbound = this.#pending?.unboundRoot;
    if (unbound !== undefined) roots.push(unbound.slice());
    return roots;
  }

  /** Where the search for the next fabric index starts (persisted; only moves forward, wrapping 254 -> 1). */
  get nextFabricIndex(): FabricIndex {
    return this.#allocator.next;
  }

  /** The committed fabric (other than a pending one) with this root public key and fabric id, if any. */
  findConflictingFabric(rootPublicKey: Uint8Array, fabricId: bigint): FabricIndex | undefined {
    for (const f of this.#committed.values()) {
      if (f.fabricId === fabricId && bytesEqual(f.rootPublicKey, rootPublicKey)) return f.fabricIndex;
    }
    return undefined;
  }

  /** The operational identity of fabric `index` as reads show it. */
  operationalIdentity(index: FabricIndex): OperationalIdentity | undefined {
    const r = this.#view().get(index);
    return r === undefined ? undefined : identityOf(r);
  }

  // ---------------------------------------------------------------- listeners

  /** Calls `listener` on every change of `fabrics()`; returns the unsubscribe function. */
  onChange(listener: (change: FabricChange) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /** Calls `listener` whenever an operational identity must be advertised or withdrawn; returns the unsubscribe function. */
  onOperationalIdentityChange(listener: (change: OperationalIdentityChange) => void): () => void {
    this.#identityListeners.add(listener);
    return () => this.#identityListeners.delete(listener);
  }

  /**
   * Adds a lifecycle participant; participants are called in the order they joined (the ACL before the stores that
   * follow it). Returns the function that removes it.
   */
  participate(participant: FabricLifecycleParticipant): () => void {
    this.#participants.push(participant);
    return () => {
      const i = this.#participants.indexOf(participant);
      if (i >= 0) this.#participants.splice(i, 1);
    };
  }

  /** Calls `listener` on every lifecycle event (a participant with only `fabricEvent`); returns the unsubscribe function. */
  onLifecycle(listener: (event: FabricLifecycleEvent) => void): () => void {
    return this.participate({ fabricEvent: listener });
  }

  /**
   * Attaches the fail-safe's pending data (the commissioning transaction's, once per table): reads overlay it from now
   * on. Returns the hooks through which it allocates, notifies and commits. A second attach is a TypeError.
   */
  attachPending(pending: PendingFabricOverlay): FabricTableHooks {
    if (this.#pending !== undefined) throw new TypeError("this fabric table already has a commissioning transaction");
    this.#pending = pending;
    return {
      crypto: this.#crypto,
      freeIndex: (status) => this.#freeIndex(status),
      changed: (change) => this.#emit(change),
      identity: (change, record) => this.#emitIdentity(change, record),
      lifecycle: (event) => this.#lifecycle(event),
      commitRecord: (kind, record, written) => this.#commitRecord(kind, record, written),
    };
  }

  /**
   * UpdateFabricLabel (§1.6): > 32 bytes -> INVALID_COMMAND; another fabric with exactly this label (byte compare, ""
   * included) -> LabelConflict. Goes into the pending copy when `index` is pending, else is persisted immediately.
   */
  async setLabel(index: FabricIndex, label: string): Promise<void> {
    if (labelBytes(label) > MAX_FABRIC_LABEL_BYTES) {
      throw fail("fabric.label-too-long", `label exceeds ${MAX_FABRIC_LABEL_BYTES} bytes`, ImStatus.INVALID_COMMAND);
    }
    const view = this.#view();
    if (!view.has(index))
      throw fail(
        "fabric.not-found",
        `no fabric ${index}`,
        ImStatus.NOT_FOUND,
        NodeOperationalCertStatus.InvalidFabricIndex,
      );
    const wanted = new TextEncoder().encode(label);
    for (const f of view.values()) {
      // The SDK loop does not special-case "": two fabrics may not both set it (conformance §1.6 step 3).
      if (f.fabricIndex !== index && bytesEqual(new TextEncoder().encode(f.label), wanted)) {
        throw fail(
          "fabric.label-conflict",
          `fabric ${f.fabricIndex} already has this label`,
          ImStatus.FAILURE,
          NodeOperationalCertStatus.LabelConflict,
        );
      }
    }
    await this.#modify(index, (r) => ({ ...r, label }));
  }

  /**
   * SetVIDVerificationStatement (§1.9 step 3): VVS length not 0/85 or VVSC > 400 -> CONSTRAINT_ERROR; a VVSC while the
   * chain has an ICAC -> INVALID_COMMAND; vendor id not operational -> CONSTRAINT_ERROR. An empty VVS/VVSC clears it.
   * Pending fabric: into the pending copy; otherwise persisted immediately.
   */
  async setVidVerificationStatement(
    index: FabricIndex,
    elements: {
      readonly vendorId?: number;
      readonly vidVerificationStatement?: Uint8Array;
      readonly vvsc?: Uint8Array;
    },
  ): Promise<void> {
    const { vendorId, vidVerificationStatement: vvs, vvsc } = elements;
    if (vendorId !== undefined && !isOperationalVendorId(vendorId)) {
      throw fail("fabric.vendor-id", `vendor id ${vendorId} is not operationally valid`, ImStatus.CONSTRAINT_ERROR);
    }
    if (vvs !== undefined && vvs.length !== 0 && vvs.length !== VID_VERIFICATION_STATEMENT_BYTES) {
      throw fail("fabric.vvs-length", "VIDVerificationStatement must be 0 or 85 bytes", ImStatus.CONSTRAINT_ERROR);
    }
    if (vvsc !== undefined && vvsc.length > MAX_CERT_TLV_BYTES) {
      throw fail("fabric.vvsc-length", `VVSC exceeds ${MAX_CERT_TLV_BYTES} bytes`, ImStatus.CONSTRAINT_ERROR);
    }
    const current = this.#view().get(index);
    if (current === undefined)
      throw fail(
        "fabric.not-found",
        `no fabric ${index}`,
        ImStatus.NOT_FOUND,
        NodeOperationalCertStatus.InvalidFabricIndex,
      );
    if (vvsc !== undefined && vvsc.length > 0 && current.icac !== null) {
      throw fail(
        "fabric.vvsc-with-icac",
        "a VVSC cannot be set on a fabric whose chain has an ICAC",
        ImStatus.INVALID_COMMAND,
      );
    }
    await this.#modify(index, (r) => {
      const { vidVerificationStatement: oldVvs, vvsc: oldVvsc, ...rest } = r;
      const nextVvs = vvs === undefined ? oldVvs : vvs.length === 0 ? undefined : vvs.slice();
      const nextVvsc = vvsc === undefined ? oldVvsc : vvsc.length === 0 ? undefined : vvsc.slice();
      return {
        ...rest,
        vendorId: vendorId ?? r.vendorId,
        ...(nextVvs !== undefined ? { vidVerificationStatement: nextVvs } : {}),
        ...(nextVvsc !== undefined ? { vvsc: nextVvsc } : {}),
      };
    });
  }

  /**
   * RemoveFabric / fail-safe Delete: removes fabric `index` (committed or pending-added) and its key; pending state for it is
   * reverted. `alsoWrite` runs in the same transaction (e.g. deleting its ACL and group keys). Unknown -> InvalidFabricIndex.
   */
  async remove(index: FabricIndex, alsoWrite?: (tx: StorageTransaction) => Promise<void>): Promise<void> {
    const committed = this.#committed.get(index);
    if (committed === undefined) {
      const pending = this.#pending?.fabric;
      if (pending?.kind === "add" && pending.record.fabricIndex === index) {
        // Nothing of a pending fabric was written: dropping it is the fail-safe's in-memory revert.
        this.#pending?.revert();
        if (alsoWrite !== undefined) await this.#storage.transaction(alsoWrite);
        return;
      }
      throw fail(
        "fabric.not-found",
        `no fabric ${index}`,
        ImStatus.FAILURE,
        NodeOperationalCertStatus.InvalidFabricIndex,
      );
    }
    await this.#storage.transaction(async (tx) => {
      await tx.delete(fabricRecordKey(index));
      // Persist the cursor too, so a table created before index-info existed never re-issues a removed index.
      await tx.set(FABRIC_INDEX_INFO_KEY, { nextFabricIndex: this.#allocator.next });
      for (const p of [...this.#participants]) await p.removeWrites?.(tx, index);
      if (alsoWrite !== undefined) await alsoWrite(tx);
    });
    const pendingForIt = this.#pending?.fabricIndex === index;
    const shown = this.#view().get(index) ?? committed;
    if (pendingForIt) this.#pending?.clear();
    this.#committed.delete(index);
    this.#emit({ kind: "removed", fabricIndex: index, pending: false });
    this.#emitIdentity("withdraw", shown);
    this.#lifecycle({ kind: "removed", fabricIndex: index });
  }

  // ---------------------------------------------------------------- internals

  #view(): Map<FabricIndex, FabricRecord> {
    const view = new Map(this.#committed);
    const pending = this.#pending?.fabric;
    if (pending !== undefined) view.set(pending.record.fabricIndex, pending.record);
    return view;
  }

  /**
   * The index the next fabric would get. Only an exhausted index space (1..254 all used) fails: like the SDK's
   * mNextAvailableFabricIndex, SupportedFabrics is not consulted here, so CSRRequest and AddTrustedRootCertificate work
   * on a full table and AddNOC answers TableFull (conformance §1.3 step 5, §1.8 step 6; TC-CADMIN-1.19).
   */
  #freeIndex(status: InteractionStatus): FabricIndex {
    const used = new Set<number>(this.#committed.keys());
    const index = this.#allocator.candidate(used);
    if (index === undefined)
      throw fail("fabric.table-full", "no free fabric index", status, NodeOperationalCertStatus.TableFull);
    return index;
  }

  async #modify(index: FabricIndex, change: (r: FabricRecord) => FabricRecord): Promise<void> {
    if (this.#pending?.fabric?.record.fabricIndex === index) {
      this.#pending.changeFabric(change);
      this.#emit({ kind: "updated", fabricIndex: index, pending: true });
      return;
    }
    const current = this.#committed.get(index);
    if (current === undefined) throw new InternalError(`fabric ${index} vanished`);
    const next = change(current);
    await this.#storage.set(fabricRecordKey(index), encodeFabricRecord(next));
    this.#committed.set(index, next);
    this.#emit({ kind: "updated", fabricIndex: index, pending: false });
    this.#lifecycle({ kind: "updated", fabricIndex: index });
  }

  async #commitRecord(kind: "add" | "update", record: FabricRecord, written: () => void): Promise<void> {
    const cursor = new FabricIndexAllocator(this.#allocator.next);
    if (kind === "add") cursor.allocated(record.fabricIndex);
    const event = { kind: "committed", fabricIndex: record.fabricIndex, noc: kind } as const;
    await this.#storage.transaction(async (tx) => {
      await tx.set(fabricRecordKey(record.fabricIndex), encodeFabricRecord(record));
      await tx.set(FABRIC_INDEX_INFO_KEY, { nextFabricIndex: cursor.next });
      for (const p of [...this.#participants]) await p.commitWrites?.(tx, event);
    });
    this.#committed.set(record.fabricIndex, record);
    if (kind === "add") this.#allocator.allocated(record.fabricIndex);
    written();
    this.#emit({ kind: "committed", fabricIndex: record.fabricIndex, pending: false });
    this.#lifecycle(event);
  }

  /** Every participant reacts even when one throws; the first error is rethrown after all ran. */
  #lifecycle(event: FabricLifecycleEvent): void {
    let failure: { readonly error: unknown } | undefined;
    for (const p of [...this.#participants]) {
      try {
        p.fabricEvent?.(event);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  }

  #emit(change: FabricChange): void {
    for (const l of [...this.#changeListeners]) l(change);
  }

  #emitIdentity(change: "advertise" | "withdraw", record: FabricRecord): void {
    const event: OperationalIdentityChange = { change, ...identityOf(record) };
    for (const l of [...this.#identityListeners]) l(event);
  }
}
