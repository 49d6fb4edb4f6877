/**
 * The commissioning transaction (Core spec 11.10.7.2 ArmFailSafe to 11.10.7.6 CommissioningComplete; conformance §2):
 * the one owner of what the fail-safe guards. It holds the fail-safe (armed state, deadline, flags) and the pending data
 * (pending-fabric-data.ts: the pending root, operational key and purpose, added or updated fabric, and the added
 * fabric's ACL entries and IPK). The fabric table and the ACL and group-key stores keep committed data only and overlay
 * the pending data for reads. Nothing pending reaches storage before `commit()`, which writes the fabric record, the
 * index cursor, the ACL and the group data in ONE storage transaction; `revert()` drops it in memory only.
 */
import { ProtocolError } from "../bytes/errors.ts";
import type { P256PrivateKey } from "../crypto/p256.ts";
import type { AccessControlStore } from "./access-control.ts";
import type { FabricIndex } from "./fabric-index.ts";
import type { FabricTable, NocInstall } from "./fabric-table.ts";
import { FailSafeContext } from "./fail-safe-context.ts";
import type { GroupKeyStore } from "./group-keys.ts";
import { PendingFabricData, type PendingState } from "./pending-fabric-data.ts";
import { ImStatus } from "./status-codes.ts";

/** The armed period a handler started under; `isCurrent` says whether it still holds after an await. */
export type TransactionToken = { readonly generation: number };

/**
 * What the transaction is built from: the fabric table and the two stores whose reads overlay its pending data (a
 * table on its own, without the stores, serves tests of the fabric layer).
 */
export type CommissioningTransactionParts = {
  readonly fabrics: FabricTable;
  readonly acl?: AccessControlStore;
  readonly groupKeys?: GroupKeyStore;
  /** The fail-safe state machine (default: a new one with the spec's limits). */
  readonly failSafe?: FailSafeContext;
};

/** The node's one commissioning transaction. */
export class CommissioningTransaction {
  /** Armed state, deadline and flags (sans-IO; the node's timer polls it). */
  readonly failSafe: FailSafeContext;
  /** The fabric table (committed fabrics; its reads overlay this transaction's pending data). */
  readonly fabrics: FabricTable;
  readonly #pending: PendingFabricData;

  /** Attaches the transaction's pending data to the table and the stores (once per table). */
  constructor(parts: CommissioningTransactionParts) {
    this.fabrics = parts.fabrics;
    this.#pending = new PendingFabricData(parts.fabrics);
    parts.acl?.attachPending(this.#pending);
    parts.groupKeys?.attachPending(this.#pending);
    this.failSafe = parts.failSafe ?? new FailSafeContext();
  }

  /** The current armed period, for a handler about to await. */
  token(): TransactionToken {
    return { generation: this.failSafe.generation };
  }

  /** True while the fail-safe armed when `token` was taken is still armed (not expired, disarmed or committing). */
  isCurrent(token: TransactionToken): boolean {
    return this.failSafe.armed && !this.failSafe.committing && this.failSafe.generation === token.generation;
  }

  /** Throws FAILSAFE_REQUIRED unless `token` is current (a handler's check after an await). */
  requireCurrent(token: TransactionToken): void {
    if (!this.isCurrent(token)) {
      throw new ProtocolError(
        "fail-safe.ended",
        "the fail-safe ended while the command ran",
        ImStatus.FAILSAFE_REQUIRED,
      );
    }
  }

  /** The pending fabric's index (root, key or fabric pending), if any. */
  get pendingFabricIndex(): FabricIndex | undefined {
    return this.#pending.fabricIndex;
  }

  /** A summary of the pending state (root, key purpose, fabric). */
  pendingState(): PendingState {
    return this.#pending.state();
  }

  /** The pending operational key (from the latest CSRRequest), or undefined. */
  get pendingOperationalKey(): P256PrivateKey | undefined {
    return this.#pending.operationalKey;
  }

  /** The pending root's certificate while no AddNOC bound it, or undefined. */
  get unboundPendingRoot(): Uint8Array | undefined {
    return this.#pending.unboundRoot?.slice();
  }

  /** AddTrustedRootCertificate: the pending root (see `PendingFabricData.addPendingRoot`). */
  addPendingRoot(rcac: Uint8Array, rootPublicKey: Uint8Array): FabricIndex {
    this.#requireArmed();
    return this.#pending.addPendingRoot(rcac, rootPublicKey);
  }

  /** CSRRequest: the pending operational key and its purpose (see `PendingFabricData.allocatePendingOperationalKey`). */
  allocatePendingOperationalKey(forUpdate?: FabricIndex): P256PrivateKey {
    this.#requireArmed();
    return this.#pending.allocatePendingOperationalKey(forUpdate);
  }

  /**
   * AddNOC: the pending fabric (see `PendingFabricData.addPendingFabric`), with empty pending ACL entries and group
   * data that AddNOC's Administer entry and IPK then fill in memory.
   */
  addPendingFabric(install: NocInstall & { readonly vendorId: number }, validateChain?: () => void): FabricIndex {
    this.#requireArmed();
    return this.#pending.addPendingFabric(install, validateChain);
  }

  /** UpdateNOC: the pending update (see `PendingFabricData.updatePendingFabric`). */
  updatePendingFabric(index: FabricIndex, install: NocInstall, validateChain?: () => void): void {
    this.#requireArmed();
    this.#pending.updatePendingFabric(index, install, validateChain);
  }

  /** A failed AddNOC/UpdateNOC: drops the pending NOC with its ACL entries and group data, keeps root and key. */
  revertPendingNoc(): void {
    this.#pending.revertPendingNoc();
  }

  /**
   * CommissioningComplete's write: the pending fabric with its ACL entries and group data in ONE storage transaction
   * (the stores take part as lifecycle participants). Returns false when no fabric was pending.
   */
  async commit(): Promise<boolean> {
    return this.#pending.commit();
  }

  /** Fail-safe expiry: every pending change is dropped in memory; storage is not touched. */
  revert(): void {
    this.#pending.revert();
  }

  #requireArmed(): void {
    if (!this.failSafe.armed || this.failSafe.committing) {
      throw new ProtocolError("fail-safe.disarmed", "no armed fail-safe", ImStatus.FAILSAFE_REQUIRED);
    }
  }
}
