/**
 * The fail-safe's pending data (Core spec 11.18.6 and the SDK FabricTable's pending members; conformance §0.2, §2):
 * the pending root, the pending operational key and its purpose (add or update), the pending added or updated fabric,
 * and the pending added fabric's ACL entries and group data (its IPK). The commissioning transaction owns the one
 * instance (commissioning-transaction.ts); the fabric table and the ACL and group-key stores hold only committed data
 * and overlay this object on it for reads, so no store holds a pending copy. Nothing here reaches storage before
 * `commit()`, which writes it through the fabric table in ONE storage transaction; `revert()` drops it in memory.
 */
import { bytesEqual } from "../bytes/bytes.ts";
import { type ErrorCode, type InteractionStatus, InternalError, ProtocolError } from "../bytes/errors.ts";
import { compressedFabricId } from "../cert/compressed-fabric-id.ts";
import { MAX_CERT_TLV_BYTES } from "../cert/matter-cert.ts";
import { isOperationalNodeId } from "../cert/operational-ids.ts";
import type { P256PrivateKey } from "../crypto/p256.ts";
import type { PendingAclSlot } from "./access-control.ts";
import type { FabricIndex } from "./fabric-index.ts";
import { type FabricRecord, isOperationalVendorId } from "./fabric-record.ts";
import type { FabricTable, FabricTableHooks, NocInstall, PendingFabricOverlay } from "./fabric-table.ts";
import type { PendingGroupDataSlot } from "./group-keys.ts";
import { ROOT_PUBLIC_KEY_BYTES } from "./operational-identity.ts";
import { ImStatus, NodeOperationalCertStatus } from "./status-codes.ts";

/** A summary of the pending state, for the cluster's checks. */
export type PendingState = {
  readonly fabricIndex: FabricIndex | undefined;
  readonly hasPendingRoot: boolean;
  readonly pendingKeyFor: "add" | "update" | undefined;
  readonly pendingFabric: "add" | "update" | undefined;
};

type PendingKey = { readonly key: P256PrivateKey; readonly forUpdate: boolean };
type PendingRoot = { readonly rcac: Uint8Array; readonly rootPublicKey: Uint8Array };
type PendingFabric = { readonly kind: "add" | "update"; record: FabricRecord };

function fail(code: ErrorCode, message: string, status: InteractionStatus, nocStatus?: number): ProtocolError {
  return new ProtocolError(code, message, status, nocStatus);
}

function checkCertSize(name: string, cert: Uint8Array): void {
  // NOCValue/ICACValue/RootCACertificate > 400 bytes -> INVALID_COMMAND (conformance §1.4 steps 1-2, §1.8 step 1).
  if (cert.length === 0 || cert.length > MAX_CERT_TLV_BYTES) {
    throw fail("fabric.cert-size", `${name} must be 1..${MAX_CERT_TLV_BYTES} bytes`, ImStatus.INVALID_COMMAND);
  }
}

/** The fail-safe's pending data over one fabric table; construct it once per table (the commissioning transaction). */
export class PendingFabricData implements PendingFabricOverlay {
  readonly #table: FabricTable;
  readonly #hooks: FabricTableHooks;
  #index: FabricIndex | undefined;
  #root: PendingRoot | undefined;
  #key: PendingKey | undefined;
  #fabric: PendingFabric | undefined;
  #acl: PendingAclSlot | undefined;
  #groupData: PendingGroupDataSlot | undefined;

  /** Attaches itself to `table` as the overlay its reads show. */
  constructor(table: FabricTable) {
    this.#table = table;
    this.#hooks = table.attachPending(this);
  }

  // ---------------------------------------------------------------- what readers overlay

  /** The fabric index this fail-safe's pending state is bound to (root, key or fabric pending), if any. */
  get fabricIndex(): FabricIndex | undefined {
    return this.#index;
  }

  /** The pending root while no AddNOC bound it (TrustedRootCertificates lists it last). */
  get unboundRoot(): Uint8Array | undefined {
    return this.#root !== undefined && this.#fabric?.kind !== "add" ? this.#root.rcac : undefined;
  }

  /** The pending added or updated fabric. */
  get fabric(): { readonly kind: "add" | "update"; readonly record: FabricRecord } | undefined {
    return this.#fabric;
  }

  /** The pending operational key (from the latest CSRRequest), or undefined. */
  get operationalKey(): P256PrivateKey | undefined {
    return this.#key?.key;
  }

  /** The pending added fabric's ACL entries (AddNOC's Administer entry, ACL writes over its CASE session). */
  pendingAcl(): PendingAclSlot | undefined {
    return this.#acl;
  }

  /** The pending added fabric's group data (AddNOC's IPK, key set writes over its CASE session). */
  pendingGroupData(): PendingGroupDataSlot | undefined {
    return this.#groupData;
  }

  /** A summary of the pending state. */
  state(): PendingState {
    return {
      fabricIndex: this.#index,
      hasPendingRoot: this.#root !== undefined,
      pendingKeyFor: this.#key === undefined ? undefined : this.#key.forUpdate ? "update" : "add",
      pendingFabric: this.#fabric?.kind,
    };
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
    if (this.#root !== undefined || this.#fabric !== undefined) {
      throw fail("fabric.incorrect-state", "a root, an update or a new fabric is already pending", ImStatus.FAILURE);
    }
    const index = this.#hooks.freeIndex(ImStatus.RESOURCE_EXHAUSTED);
    // SDK SetPendingDataFabricIndex: a key pending for another index (an update CSR) binds this fail-safe to it.
    if (this.#index !== undefined && this.#index !== index) {
      throw fail(
        "fabric.incorrect-state",
        `fabric index ${this.#index} already holds this fail-safe's pending state`,
        ImStatus.FAILURE,
      );
    }
    this.#root = { rcac: rcac.slice(), rootPublicKey: rootPublicKey.slice() };
    this.#index = index;
    return index;
  }

  /**
   * CSRRequest: generates a fresh operational key pending for fabric `forUpdate` (UpdateNOC) or for the next free index
   * (AddNOC). A new key replaces the previous pending key (§1.3). Errors: NOC data already pending, or an update while a
   * root is pending -> `fabric.incorrect-state`; unknown `forUpdate` -> `fabric.not-found`; no free index ->
   * `fabric.table-full`. All carry FAILURE, the status CSRRequest answers with (§1.3 step 5).
   */
  allocatePendingOperationalKey(forUpdate?: FabricIndex): P256PrivateKey {
    if (this.#fabric !== undefined) {
      throw fail("fabric.incorrect-state", "NOC data is already pending in this fail-safe", ImStatus.FAILURE);
    }
    let index: FabricIndex;
    if (forUpdate !== undefined) {
      if (this.#root !== undefined) {
        throw fail("fabric.incorrect-state", "cannot update a fabric while a new root is pending", ImStatus.FAILURE);
      }
      if (this.#table.committedFabric(forUpdate) === undefined) {
        throw fail(
          "fabric.not-found",
          `no fabric ${forUpdate}`,
          ImStatus.FAILURE,
          NodeOperationalCertStatus.InvalidFabricIndex,
        );
      }
      index = forUpdate;
    } else if (this.#root !== undefined && this.#index !== undefined) {
      index = this.#index;
    } else {
      index = this.#hooks.freeIndex(ImStatus.FAILURE);
    }
    const previous = this.#key;
    if (this.#index !== undefined && this.#index !== index) {
      // SDK AllocatePendingOperationalKey: the pending state is bound to one fabric index per fail-safe
      // (SetPendingDataFabricIndex), so a CSR for another index (an update CSR after an add CSR, or the reverse) is
      // INCORRECT_STATE. The SDK records the purpose of the last CSRRequest before that check, so the kept key now
      // answers AddNOC/UpdateNOC as a key of the refused purpose.
      if (previous !== undefined) this.#key = { key: previous.key, forUpdate: forUpdate !== undefined };
      throw fail(
        "fabric.incorrect-state",
        `fabric index ${this.#index} already holds this fail-safe's pending state`,
        ImStatus.FAILURE,
      );
    }
    const key = this.#hooks.crypto.generateKeyPair();
    this.#key = { key, forUpdate: forUpdate !== undefined };
    this.#index = index;
    return key;
  }

  /**
   * AddNOC: installs a pending new fabric under the pending root with the pending key (§1.4 step 13, SDK order):
   * no pending root / an update pending / no add key -> MissingCsr; SupportedFabrics committed -> TableFull; same root +
   * fabric id as a fabric -> FabricConflict; then `validateChain()` (the caller's chain validation, which throws
   * InvalidNOC); node id not operational -> InvalidNodeOpId; NOC key not the pending key -> InvalidPublicKey. On error
   * nothing changes, so the pending root and key stay for a retry (§6 item 8). The fabric's ACL entries and group data
   * start empty here.
   */
  addPendingFabric(install: NocInstall & { readonly vendorId: number }, validateChain?: () => void): FabricIndex {
    checkCertSize("NOCValue", install.noc);
    if (install.icac !== null) checkCertSize("ICACValue", install.icac);
    if (!isOperationalVendorId(install.vendorId)) {
      throw fail(
        "fabric.vendor-id",
        `vendor id ${install.vendorId} is not operationally valid`,
        ImStatus.INVALID_COMMAND,
      );
    }
    const root = this.#root;
    const key = this.#key;
    if (root === undefined || this.#fabric !== undefined || key === undefined || key.forUpdate) {
      throw fail(
        "fabric.missing-csr",
        "AddNOC needs a pending root and a pending key for a new fabric",
        ImStatus.FAILURE,
        NodeOperationalCertStatus.MissingCsr,
      );
    }
    if (this.#table.committedIndices().length >= this.#table.supportedFabrics) {
      throw fail(
        "fabric.table-full",
        "the fabric table is full",
        ImStatus.FAILURE,
        NodeOperationalCertStatus.TableFull,
      );
    }
    if (this.#table.findConflictingFabric(root.rootPublicKey, install.fabricId) !== undefined) {
      throw fail(
        "fabric.conflict",
        "a fabric with this root public key and fabric id exists",
        ImStatus.FAILURE,
        NodeOperationalCertStatus.FabricConflict,
      );
    }
    validateChain?.();
    checkNocFields(install, key);
    const index = this.#index;
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
      compressedFabricId: compressedFabricId(this.#hooks.crypto, root.rootPublicKey, install.fabricId),
    };
    this.#fabric = { kind: "add", record };
    this.#acl = { fabricIndex: index, value: [] };
    this.#groupData = { fabricIndex: index, value: { keySets: [], keyMap: [], groups: [] } };
    this.#hooks.changed({ kind: "added", fabricIndex: index, pending: true });
    this.#hooks.identity("advertise", record);
    return index;
  }

  /**
   * UpdateNOC: installs a pending update of fabric `index` (§1.5 step 7): unknown fabric -> InvalidNOC; a pending root, no
   * pending key or a key not for updating this fabric -> MissingCsr; fabric id changed -> InvalidFabricIndex (SDK);
   * `validateChain()` (against the fabric's existing root); node id -> InvalidNodeOpId; key -> InvalidPublicKey. Label,
   * VendorID, VVS and VVSC carry over into the pending copy; the node id may change.
   */
  updatePendingFabric(index: FabricIndex, install: NocInstall, validateChain?: () => void): void {
    checkCertSize("NOCValue", install.noc);
    if (install.icac !== null) checkCertSize("ICACValue", install.icac);
    const current = this.#table.committedFabric(index);
    if (current === undefined) {
      throw fail("fabric.not-found", `no fabric ${index}`, ImStatus.FAILURE, NodeOperationalCertStatus.InvalidNOC);
    }
    const key = this.#key;
    if (
      this.#root !== undefined ||
      this.#fabric !== undefined ||
      key === undefined ||
      !key.forUpdate ||
      this.#index !== index
    ) {
      throw fail(
        "fabric.missing-csr",
        "UpdateNOC needs a pending update key for this fabric and no pending root",
        ImStatus.FAILURE,
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
        ImStatus.FAILURE,
        NodeOperationalCertStatus.InvalidFabricIndex,
      );
    }
    validateChain?.();
    checkNocFields(install, key);
    const record: FabricRecord = {
      ...current,
      icac: install.icac === null ? null : install.icac.slice(),
      noc: install.noc.slice(),
      nodeId: install.nodeId,
      cats: [...install.cats],
      operationalKey: key.key,
    };
    this.#fabric = { kind: "update", record };
    this.#hooks.changed({ kind: "updated", fabricIndex: index, pending: true });
    this.#hooks.identity("withdraw", current);
    this.#hooks.identity("advertise", record);
  }

  /** UpdateFabricLabel / SetVIDVerificationStatement on the pending fabric: changes the pending copy only. */
  changeFabric(change: (record: FabricRecord) => FabricRecord): void {
    if (this.#fabric === undefined) throw new InternalError("no pending fabric to change");
    this.#fabric.record = change(this.#fabric.record);
  }

  /**
   * CommissioningComplete: persists the pending added/updated fabric, its key, the next-index cursor and (for an added
   * fabric) its ACL entries and group data in ONE storage transaction (the stores write as lifecycle participants). With
   * no pending fabric, a pending root/key is dropped and false is returned. If the transaction fails the pending state is
   * kept and the error rethrown.
   */
  async commit(): Promise<boolean> {
    const pending = this.#fabric;
    if (pending === undefined) {
      this.clear();
      return false;
    }
    await this.#hooks.commitRecord(pending.kind, pending.record, () => this.clear());
    return true;
  }

  /**
   * Fail-safe expiry (§2 step 3): drops the pending root, key, NOC data, ACL entries and group data. A pending added
   * fabric disappears; a pending update falls back to the committed NOC/ICAC/key/label/VID/VVS exactly.
   */
  revert(): void {
    const pending = this.#fabric;
    const unboundRoot = pending === undefined && this.#root !== undefined ? this.#index : undefined;
    this.clear();
    // The unbound root was listed in TrustedRootCertificates: its removal is a change readers must see.
    if (unboundRoot !== undefined) {
      this.#hooks.changed({ kind: "reverted", fabricIndex: unboundRoot, pending: true });
      this.#hooks.lifecycle({ kind: "reverted", fabricIndex: unboundRoot, pending: "root" });
    }
    if (pending !== undefined) this.#afterPendingDropped(pending);
  }

  /**
   * A failed AddNOC/UpdateNOC after the NOC was installed (§1.4 "on any failure", §1.5): drops only the pending NOC data
   * (with an added fabric's ACL entries and group data), keeping the pending root and key so the command can be retried
   * in the same fail-safe.
   */
  revertPendingNoc(): void {
    const pending = this.#fabric;
    if (pending === undefined) return;
    this.#fabric = undefined;
    this.#acl = undefined;
    this.#groupData = undefined;
    this.#afterPendingDropped(pending);
  }

  /** Drops everything pending without events (a commit wrote it, or its fabric was removed). */
  clear(): void {
    this.#fabric = undefined;
    this.#root = undefined;
    this.#key = undefined;
    this.#index = undefined;
    this.#acl = undefined;
    this.#groupData = undefined;
  }

  #afterPendingDropped(pending: PendingFabric): void {
    const index = pending.record.fabricIndex;
    this.#hooks.lifecycle({ kind: "reverted", fabricIndex: index, pending: pending.kind });
    if (pending.kind === "add") {
      this.#hooks.changed({ kind: "removed", fabricIndex: index, pending: true });
      this.#hooks.identity("withdraw", pending.record);
    } else {
      this.#hooks.changed({ kind: "updated", fabricIndex: index, pending: false });
      this.#hooks.identity("withdraw", pending.record);
      const committed = this.#table.committedFabric(index);
      if (committed !== undefined) this.#hooks.identity("advertise", committed);
    }
  }
}

function checkNocFields(install: NocInstall, key: PendingKey): void {
  if (install.fabricId === 0n) {
    throw fail("fabric.fabric-id", "fabric id 0 is invalid", ImStatus.FAILURE, NodeOperationalCertStatus.InvalidNOC);
  }
  if (!isOperationalNodeId(install.nodeId)) {
    throw fail(
      "fabric.node-id",
      "NOC node id is not operational",
      ImStatus.FAILURE,
      NodeOperationalCertStatus.InvalidNodeOpId,
    );
  }
  if (!bytesEqual(install.nocPublicKey, key.key.publicKey.raw)) {
    throw fail(
      "fabric.public-key",
      "NOC public key is not the pending CSR key",
      ImStatus.FAILURE,
      NodeOperationalCertStatus.InvalidPublicKey,
    );
  }
  for (const cat of install.cats) {
    if (!Number.isInteger(cat) || cat < 0 || cat > 0xffff_ffff) throw new RangeError(`CAT ${cat} is not a uint32`);
  }
}
