/**
 * The fabric table (Core spec 11.18.6 and the SDK FabricTable): committed fabrics plus the one fail-safe's pending state
 * (a pending root, a pending operational key, a pending added or updated fabric). Reads show pending values (conformance
 * doc §0.2); `commit()` persists in ONE storage transaction, `revert()` drops every pending change (§2 step 3). In the
 * node the pending state is driven only by the commissioning transaction (commissioning-transaction.ts); lifecycle
 * participants (the per-fabric stores) write inside the table's commit and removal transactions.
 */
import { bytesEqual } from "../bytes/bytes.ts";
import { InternalError, MalformedError, ProtocolError } from "../bytes/errors.ts";
import { compressedFabricId } from "../cert/compressed-fabric-id.ts";
import { isOperationalNodeId } from "../cert/operational-ids.ts";
import type { Crypto } from "../crypto/crypto.ts";
import type { P256PrivateKey } from "../crypto/p256.ts";
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
  MAX_CERT_TLV_BYTES,
  MAX_FABRIC_LABEL_BYTES,
  VID_VERIFICATION_STATEMENT_BYTES,
} from "./fabric-record.ts";
import { type OperationalIdentity, operationalInstanceName, ROOT_PUBLIC_KEY_BYTES } from "./operational-identity.ts";
import { IM_STATUS, NodeOperationalCertStatus } from "./status-codes.ts";

/** SupportedFabrics bounds (11.18.5.3) and the SDK default CHIP_CONFIG_MAX_FABRICS. */
export const MIN_SUPPORTED_FABRICS = 5;
export const MAX_SUPPORTED_FABRICS = MAX_FABRIC_INDEX;
export const DEFAULT_SUPPORTED_FABRICS = 16;

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

/** A summary of the pending state, for the cluster's checks. */
export type PendingState = {
  readonly fabricIndex: FabricIndex | undefined;
  readonly hasPendingRoot: boolean;
  readonly pendingKeyFor: "add" | "update" | undefined;
  readonly pendingFabric: "add" | "update" | undefined;
};

type PendingKey = { readonly key: P256PrivateKey; readonly forUpdate: boolean };
type PendingRoot = { readonly rcac: Uint8Array; readonly rootPublicKey: Uint8Array };

function fail(code: string, message: string, status: number, nocStatus?: number): ProtocolError {
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

function checkCertSize(name: string, cert: Uint8Array): void {
  // NOCValue/ICACValue/RootCACertificate > 400 bytes -> INVALID_COMMAND (conformance §1.4 steps 1-2, §1.8 step 1).
  if (cert.length === 0 || cert.length > MAX_CERT_TLV_BYTES) {
    throw fail("fabric.cert-size", `${name} must be 1..${MAX_CERT_TLV_BYTES} bytes`, IM_STATUS.invalidCommand);
  }
}

/** The fabric table; construct with `FabricTable.open`. */
export class FabricTable {
  /** SupportedFabrics. */
  readonly supportedFabrics: number;
  readonly #storage: Storage;
  readonly #crypto: Crypto;
  readonly #committed = new Map<FabricIndex, FabricRecord>();
  readonly #allocator: FabricIndexAllocator;
  #pendingIndex: FabricIndex | undefined;
  #pendingRoot: PendingRoot | undefined;
  #pendingKey: PendingKey | undefined;
  #pendingFabric: { readonly kind: "add" | "update"; record: FabricRecord } | undefined;
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
    if (this.#pendingRoot !== undefined && this.#pendingFabric?.kind !== "add")
      roots.push(this.#pendingRoot.rcac.slice());
    return roots;
  }

  /** Where the search for the next fabric index starts (persisted; only moves forward, wrapping 254 -> 1). */
  get nextFabricIndex(): FabricIndex {
    return this.#allocator.next;
  }

  /** A summary of the pending state. */
  pendingState(): PendingState {
    return {
      fabricIndex: this.#pendingIndex,
      hasPendingRoot: this.#pendingRoot !== undefined,
      pendingKeyFor: this.#pendingKey === undefined ? undefined : this.#pendingKey.forUpdate ? "update" : "add",
      pendingFabric: this.#pendingFabric?.kind,
    };
  }

  /** The pending operational key (from the latest CSRRequest), or undefined. */
  get pendingOperationalKey(): P256PrivateKey | undefined {
    return this.#pendingKey?.key;
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

  // ---------------------------------------------------------------- pending operations

  /**
   * AddTrustedRootCertificate: records `rcac` (already validated by the caller) as the pending root for the next free index.
   * Errors: a root, an update or pending fabric data already pending -> `fabric.incorrect-state` (FAILURE); no free index
   * in 1..254 -> `fabric.table-full` (RESOURCE_EXHAUSTED), as conformance §1.8 steps 6-7. A table holding SupportedFabrics
   * fabrics still accepts the root: AddNOC answers TableFull.
   */
  addPendingRoot(rcac: Uint8Array, rootPublicKey: Uint8Array): FabricIndex {
    checkCertSize("RootCACertificate", rcac);
    if (rootPublicKey.length !== ROOT_PUBLIC_KEY_BYTES || rootPublicKey[0] !== 0x04) {
      throw new RangeError("root public key must be 65 bytes, uncompressed");
    }
    if (this.#pendingRoot !== undefined || this.#pendingFabric !== undefined) {
      throw fail("fabric.incorrect-state", "a root, an update or a new fabric is already pending", IM_STATUS.failure);
    }
    const index = this.#freeIndex(IM_STATUS.resourceExhausted);
    // SDK SetPendingDataFabricIndex: a key pending for another index (an update CSR) binds this fail-safe to it.
    if (this.#pendingIndex !== undefined && this.#pendingIndex !== index) {
      throw fail(
        "fabric.incorrect-state",
        `fabric index ${this.#pendingIndex} already holds this fail-safe's pending state`,
        IM_STATUS.failure,
      );
    }
    this.#pendingRoot = { rcac: rcac.slice(), rootPublicKey: rootPublicKey.slice() };
    this.#pendingIndex = index;
    return index;
  }

  /**
   * CSRRequest: generates a fresh operational key pending for fabric `forUpdate` (UpdateNOC) or for the next free index
   * (AddNOC). A new key replaces the previous pending key (§1.3). Errors: NOC data already pending, or an update while a
   * root is pending -> `fabric.incorrect-state`; unknown `forUpdate` -> `fabric.not-found`; no free index ->
   * `fabric.table-full`. All carry FAILURE, the status CSRRequest answers with (§1.3 step 5).
   */
  allocatePendingOperationalKey(forUpdate?: FabricIndex): P256PrivateKey {
    if (this.#pendingFabric !== undefined) {
      throw fail("fabric.incorrect-state", "NOC data is already pending in this fail-safe", IM_STATUS.failure);
    }
    let index: FabricIndex;
    if (forUpdate !== undefined) {
      if (this.#pendingRoot !== undefined) {
        throw fail("fabric.incorrect-state", "cannot update a fabric while a new root is pending", IM_STATUS.failure);
      }
      if (!this.#committed.has(forUpdate)) {
        throw fail(
          "fabric.not-found",
          `no fabric ${forUpdate}`,
          IM_STATUS.failure,
          NodeOperationalCertStatus.InvalidFabricIndex,
        );
      }
      index = forUpdate;
    } else {
      index = this.#pendingRoot !== undefined ? this.#pendingIndex! : this.#freeIndex(IM_STATUS.failure);
    }
    const previous = this.#pendingKey;
    if (this.#pendingIndex !== undefined && this.#pendingIndex !== index) {
      // SDK AllocatePendingOperationalKey: the pending state is bound to one fabric index per fail-safe
      // (SetPendingDataFabricIndex), so a CSR for another index (an update CSR after an add CSR, or the reverse) is
      // INCORRECT_STATE. The SDK records the purpose of the last CSRRequest before that check, so the kept key now
      // answers AddNOC/UpdateNOC as a key of the refused purpose.
      if (previous !== undefined) this.#pendingKey = { key: previous.key, forUpdate: forUpdate !== undefined };
      throw fail(
        "fabric.incorrect-state",
        `fabric index ${this.#pendingIndex} already holds this fail-safe's pending state`,
        IM_STATUS.failure,
      );
    }
    const key = this.#crypto.generateKeyPair();
    this.#pendingKey = { key, forUpdate: forUpdate !== undefined };
    this.#pendingIndex = index;
    return key;
  }

  /**
   * AddNOC: installs a pending new fabric under the pending root with the pending key (§1.4 step 13, SDK order):
   * no pending root / an update pending / no add key -> MissingCsr; no free index -> TableFull; same root + fabric id as a
   * fabric -> FabricConflict; then `validateChain()` (the caller's chain validation, which throws InvalidNOC); node id not
   * operational -> InvalidNodeOpId; NOC key not the pending key -> InvalidPublicKey. On error nothing changes, so the
   * pending root and key stay for a retry (§6 item 8).
   */
  addPendingFabric(install: NocInstall & { readonly vendorId: number }, validateChain?: () => void): FabricIndex {
    checkCertSize("NOCValue", install.noc);
    if (install.icac !== null) checkCertSize("ICACValue", install.icac);
    if (!isOperationalVendorId(install.vendorId)) {
      throw fail(
        "fabric.vendor-id",
        `vendor id ${install.vendorId} is not operationally valid`,
        IM_STATUS.invalidCommand,
      );
    }
    const root = this.#pendingRoot;
    const key = this.#pendingKey;
    if (root === undefined || this.#pendingFabric !== undefined || key === undefined || key.forUpdate) {
      throw fail(
        "fabric.missing-csr",
        "AddNOC needs a pending root and a pending key for a new fabric",
        IM_STATUS.failure,
        NodeOperationalCertStatus.MissingCsr,
      );
    }
    if (this.#committed.size >= this.supportedFabrics) {
      throw fail(
        "fabric.table-full",
        "the fabric table is full",
        IM_STATUS.failure,
        NodeOperationalCertStatus.TableFull,
      );
    }
    if (this.findConflictingFabric(root.rootPublicKey, install.fabricId) !== undefined) {
      throw fail(
        "fabric.conflict",
        "a fabric with this root public key and fabric id exists",
        IM_STATUS.failure,
        NodeOperationalCertStatus.FabricConflict,
      );
    }
    validateChain?.();
    this.#checkNocFields(install, key);
    const index = this.#pendingIndex;
    if (index === undefined) throw new InternalError("pending root without a pending fabric index");
    const record: FabricRecord = {
      fabricIndex: index,
      rcac: root.rcac.slice(),
      icac: install.icac === null ? null : install.icac.slice(),
      noc: install.noc.slice(),
      rootPublicKey: root.rootPublicKey.slice(),
      fabricId: install.fabricId,
      nodeId: install.nodeId,
      cats: [...install.cats],
      vendorId: install.vendorId,
      label: "",
      operationalKey: key.key,
      compressedFabricId: compressedFabricId(this.#crypto, root.rootPublicKey, install.fabricId),
    };
    this.#pendingFabric = { kind: "add", record };
    this.#emit({ kind: "added", fabricIndex: index, pending: true });
    this.#emitIdentity("advertise", record);
    return index;
  }

  /**
   * UpdateNOC: installs a pending update of fabric `index` (§1.5 step 7): unknown fabric -> InvalidNOC; a pending root, no
   * pending key or a key not for updating this fabric -> MissingCsr; fabric id changed -> InvalidFabricIndex (SDK);
   * `validateChain()` (against the fabric's existing root); node id -> InvalidNodeOpId; key -> InvalidPublicKey. Label, VendorID, VVS and
   * VVSC carry over into the pending copy; the node id may change.
   */
  updatePendingFabric(index: FabricIndex, install: NocInstall, validateChain?: () => void): void {
    checkCertSize("NOCValue", install.noc);
    if (install.icac !== null) checkCertSize("ICACValue", install.icac);
    const current = this.#committed.get(index);
    if (current === undefined) {
      throw fail("fabric.not-found", `no fabric ${index}`, IM_STATUS.failure, NodeOperationalCertStatus.InvalidNOC);
    }
    const key = this.#pendingKey;
    if (
      this.#pendingRoot !== undefined ||
      this.#pendingFabric !== undefined ||
      key === undefined ||
      !key.forUpdate ||
      this.#pendingIndex !== index
    ) {
      throw fail(
        "fabric.missing-csr",
        "UpdateNOC needs a pending update key for this fabric and no pending root",
        IM_STATUS.failure,
        NodeOperationalCertStatus.MissingCsr,
      );
    }
    // SDK UpdatePendingFabricCommon: before the chain is validated, the fabric found by the NOC's root and fabric id
    // (FindExistingFabricByNocChaining) must be the one being updated, else INVALID_FABRIC_INDEX → InvalidFabricIndex.
    // [DIFF] The TC_OPCREDS_3_4 plan says InvalidNOC for a NOC with another fabric id (steps 15-16); we follow the SDK.
    if (install.fabricId !== current.fabricId) {
      throw fail(
        "fabric.fabric-id-mismatch",
        "UpdateNOC may not change the fabric id",
        IM_STATUS.failure,
        NodeOperationalCertStatus.InvalidFabricIndex,
      );
    }
    validateChain?.();
    this.#checkNocFields(install, key);
    const record: FabricRecord = {
      ...current,
      icac: install.icac === null ? null : install.icac.slice(),
      noc: install.noc.slice(),
      nodeId: install.nodeId,
      cats: [...install.cats],
      operationalKey: key.key,
    };
    this.#pendingFabric = { kind: "update", record };
    this.#emit({ kind: "updated", fabricIndex: index, pending: true });
    this.#emitIdentity("withdraw", current);
    this.#emitIdentity("advertise", record);
  }

  /**
   * UpdateFabricLabel (§1.6): > 32 bytes -> INVALID_COMMAND; another fabric with exactly this label (byte compare, ""
   * included) -> LabelConflict. Goes into the pending copy when `index` is pending, else is persisted immediately.
   */
  async setLabel(index: FabricIndex, label: string): Promise<void> {
    if (labelBytes(label) > MAX_FABRIC_LABEL_BYTES) {
      throw fail("fabric.label-too-long", `label exceeds ${MAX_FABRIC_LABEL_BYTES} bytes`, IM_STATUS.invalidCommand);
    }
    const view = this.#view();
    if (!view.has(index))
      throw fail(
        "fabric.not-found",
        `no fabric ${index}`,
        IM_STATUS.notFound,
        NodeOperationalCertStatus.InvalidFabricIndex,
      );
    const wanted = new TextEncoder().encode(label);
    for (const f of view.values()) {
      // The SDK loop does not special-case "": two fabrics may not both set it (conformance §1.6 step 3).
      if (f.fabricIndex !== index && bytesEqual(new TextEncoder().encode(f.label), wanted)) {
        throw fail(
          "fabric.label-conflict",
          `fabric ${f.fabricIndex} already has this label`,
          IM_STATUS.failure,
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
      throw fail("fabric.vendor-id", `vendor id ${vendorId} is not operationally valid`, IM_STATUS.constraintError);
    }
    if (vvs !== undefined && vvs.length !== 0 && vvs.length !== VID_VERIFICATION_STATEMENT_BYTES) {
      throw fail("fabric.vvs-length", "VIDVerificationStatement must be 0 or 85 bytes", IM_STATUS.constraintError);
    }
    if (vvsc !== undefined && vvsc.length > MAX_CERT_TLV_BYTES) {
      throw fail("fabric.vvsc-length", `VVSC exceeds ${MAX_CERT_TLV_BYTES} bytes`, IM_STATUS.constraintError);
    }
    const current = this.#view().get(index);
    if (current === undefined)
      throw fail(
        "fabric.not-found",
        `no fabric ${index}`,
        IM_STATUS.notFound,
        NodeOperationalCertStatus.InvalidFabricIndex,
      );
    if (vvsc !== undefined && vvsc.length > 0 && current.icac !== null) {
      throw fail(
        "fabric.vvsc-with-icac",
        "a VVSC cannot be set on a fabric whose chain has an ICAC",
        IM_STATUS.invalidCommand,
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
   * CommissioningComplete: persists the pending added/updated fabric, its key and the next-index cursor in ONE transaction,
   * together with `alsoWrite` (e.g. IPK and ACL records). With no pending fabric, a pending root/key is dropped and false is
   * returned. If the transaction fails the pending state is kept and the error rethrown.
   */
  async commit(alsoWrite?: (tx: StorageTransaction) => Promise<void>): Promise<boolean> {
    const pending = this.#pendingFabric;
    if (pending === undefined) {
      this.#clearPending();
      if (alsoWrite !== undefined) await this.#storage.transaction(alsoWrite);
      return false;
    }
    const record = pending.record;
    const cursor = new FabricIndexAllocator(this.#allocator.next);
    if (pending.kind === "add") cursor.allocated(record.fabricIndex);
    const event = { kind: "committed", fabricIndex: record.fabricIndex, noc: pending.kind } as const;
    await this.#storage.transaction(async (tx) => {
      await tx.set(fabricRecordKey(record.fabricIndex), encodeFabricRecord(record));
      await tx.set(FABRIC_INDEX_INFO_KEY, { nextFabricIndex: cursor.next });
      for (const p of [...this.#participants]) await p.commitWrites?.(tx, event);
      if (alsoWrite !== undefined) await alsoWrite(tx);
    });
    this.#committed.set(record.fabricIndex, record);
    if (pending.kind === "add") this.#allocator.allocated(record.fabricIndex);
    this.#clearPending();
    this.#emit({ kind: "committed", fabricIndex: record.fabricIndex, pending: false });
    this.#lifecycle(event);
    return true;
  }

  /**
   * Fail-safe expiry (§2 step 3): drops the pending root, key and NOC data. A pending added fabric disappears; a pending
   * update falls back to the committed NOC/ICAC/key/label/VID/VVS exactly.
   */
  revert(): void {
    const pending = this.#pendingFabric;
    const unboundRoot = pending === undefined && this.#pendingRoot !== undefined ? this.#pendingIndex : undefined;
    this.#clearPending();
    // The unbound root was listed in TrustedRootCertificates: its removal is a change readers must see.
    if (unboundRoot !== undefined) {
      this.#emit({ kind: "reverted", fabricIndex: unboundRoot, pending: true });
      this.#lifecycle({ kind: "reverted", fabricIndex: unboundRoot, pending: "root" });
    }
    if (pending === undefined) return;
    this.#afterPendingDropped(pending);
  }

  /**
   * A failed AddNOC/UpdateNOC after the NOC was installed (§1.4 "on any failure", §1.5): drops only the pending NOC data,
   * keeping the pending root and key so the command can be retried in the same fail-safe.
   */
  revertPendingNoc(): void {
    const pending = this.#pendingFabric;
    if (pending === undefined) return;
    this.#pendingFabric = undefined;
    this.#afterPendingDropped(pending);
  }

  /**
   * RemoveFabric / fail-safe Delete: removes fabric `index` (committed or pending-added) and its key; pending state for it is
   * reverted. `alsoWrite` runs in the same transaction (e.g. deleting its ACL and group keys). Unknown -> InvalidFabricIndex.
   */
  async remove(index: FabricIndex, alsoWrite?: (tx: StorageTransaction) => Promise<void>): Promise<void> {
    const committed = this.#committed.get(index);
    if (committed === undefined) {
      if (this.#pendingFabric?.kind === "add" && this.#pendingFabric.record.fabricIndex === index) {
        // Nothing of a pending fabric was written: dropping it is the fail-safe's in-memory revert.
        this.revert();
        if (alsoWrite !== undefined) await this.#storage.transaction(alsoWrite);
        return;
      }
      throw fail(
        "fabric.not-found",
        `no fabric ${index}`,
        IM_STATUS.failure,
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
    const pendingForIt = this.#pendingIndex === index;
    const shown = this.#view().get(index) ?? committed;
    if (pendingForIt) this.#clearPending();
    this.#committed.delete(index);
    this.#emit({ kind: "removed", fabricIndex: index, pending: false });
    this.#emitIdentity("withdraw", shown);
    this.#lifecycle({ kind: "removed", fabricIndex: index });
  }

  // ---------------------------------------------------------------- internals

  #view(): Map<FabricIndex, FabricRecord> {
    const view = new Map(this.#committed);
    if (this.#pendingFabric !== undefined) view.set(this.#pendingFabric.record.fabricIndex, this.#pendingFabric.record);
    return view;
  }

  /**
   * The index the next fabric would get. Only an exhausted index space (1..254 all used) fails: like the SDK's
   * mNextAvailableFabricIndex, SupportedFabrics is not consulted here, so CSRRequest and AddTrustedRootCertificate work
   * on a full table and AddNOC answers TableFull (conformance §1.3 step 5, §1.8 step 6; TC-CADMIN-1.19).
   */
  #freeIndex(status: number): FabricIndex {
    const used = new Set<number>(this.#committed.keys());
    const index = this.#allocator.candidate(used);
    if (index === undefined)
      throw fail("fabric.table-full", "no free fabric index", status, NodeOperationalCertStatus.TableFull);
    return index;
  }

  #checkNocFields(install: NocInstall, key: PendingKey): void {
    if (install.fabricId === 0n) {
      throw fail("fabric.fabric-id", "fabric id 0 is invalid", IM_STATUS.failure, NodeOperationalCertStatus.InvalidNOC);
    }
    if (!isOperationalNodeId(install.nodeId)) {
      throw fail(
        "fabric.node-id",
        "NOC node id is not operational",
        IM_STATUS.failure,
        NodeOperationalCertStatus.InvalidNodeOpId,
      );
    }
    if (!bytesEqual(install.nocPublicKey, key.key.publicKey.raw)) {
      throw fail(
        "fabric.public-key",
        "NOC public key is not the pending CSR key",
        IM_STATUS.failure,
        NodeOperationalCertStatus.InvalidPublicKey,
      );
    }
    for (const cat of install.cats) {
      if (!Number.isInteger(cat) || cat < 0 || cat > 0xffff_ffff) throw new RangeError(`CAT ${cat} is not a uint32`);
    }
  }

  async #modify(index: FabricIndex, change: (r: FabricRecord) => FabricRecord): Promise<void> {
    if (this.#pendingFabric !== undefined && this.#pendingFabric.record.fabricIndex === index) {
      this.#pendingFabric.record = change(this.#pendingFabric.record);
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

  #clearPending(): void {
    this.#pendingFabric = undefined;
    this.#pendingRoot = undefined;
    this.#pendingKey = undefined;
    this.#pendingIndex = undefined;
  }

  #afterPendingDropped(pending: { readonly kind: "add" | "update"; readonly record: FabricRecord }): void {
    const index = pending.record.fabricIndex;
    this.#lifecycle({ kind: "reverted", fabricIndex: index, pending: pending.kind });
    if (pending.kind === "add") {
      this.#emit({ kind: "removed", fabricIndex: index, pending: true });
      this.#emitIdentity("withdraw", pending.record);
    } else {
      this.#emit({ kind: "updated", fabricIndex: index, pending: false });
      this.#emitIdentity("withdraw", pending.record);
      const committed = this.#committed.get(index);
      if (committed !== undefined) this.#emitIdentity("advertise", committed);
    }
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
