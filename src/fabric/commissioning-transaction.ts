/**
 * The commissioning transaction (Core spec 11.10.7.2 ArmFailSafe to 11.10.7.6 CommissioningComplete; conformance §2):
 * the one owner of what the fail-safe guards. It holds the fail-safe (armed state, deadline, flags), drives the fabric
 * table's pending root, operational key and fabric, and stages the pending fabric's ACL entries and IPK in memory.
 * Nothing pending reaches storage before `commit()`, which writes the fabric record, the index cursor, the ACL and the
 * group data in ONE storage transaction; `revert()` drops it in memory only.
 */
import { ProtocolError } from "../bytes/errors.ts";
import type { P256PrivateKey } from "../crypto/p256.ts";
import type { AccessControlStore } from "./access-control.ts";
import type { FabricIndex } from "./fabric-index.ts";
import type { FabricTable, NocInstall } from "./fabric-table.ts";
import { FailSafeContext } from "./fail-safe-context.ts";
import type { GroupKeyStore } from "./group-keys.ts";
import { IM_STATUS } from "./status-codes.ts";

/** The armed period a handler started under; `isCurrent` says whether it still holds after an await. */
export type TransactionToken = { readonly generation: number };

/** What the transaction is built from: the fabric layer's table and the two stores whose pending data it stages. */
export type CommissioningTransactionParts = {
  readonly fabrics: FabricTable;
  readonly acl: AccessControlStore;
  readonly groupKeys: GroupKeyStore;
  /** The fail-safe state machine (default: a new one with the spec's limits). */
  readonly failSafe?: FailSafeContext;
};

/** The node's one commissioning transaction. */
export class CommissioningTransaction {
  /** Armed state, deadline and flags (sans-IO; the node's timer polls it). */
  readonly failSafe: FailSafeContext;
  /** The fabric table whose pending state this transaction drives. */
  readonly fabrics: FabricTable;
  readonly #acl: AccessControlStore;
  readonly #groupKeys: GroupKeyStore;

  constructor(parts: CommissioningTransactionParts) {
    this.fabrics = parts.fabrics;
    this.#acl = parts.acl;
    this.#groupKeys = parts.groupKeys;
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
        IM_STATUS.failsafeRequired,
      );
    }
  }

  /** The pending fabric's index (root, key or fabric pending), if any. */
  get pendingFabricIndex(): FabricIndex | undefined {
    return this.fabrics.pendingState().fabricIndex;
  }

  /** AddTrustedRootCertificate: the pending root (see `FabricTable.addPendingRoot`). */
  addPendingRoot(rcac: Uint8Array, rootPublicKey: Uint8Array): FabricIndex {
    this.#requireArmed();
    return this.fabrics.addPendingRoot(rcac, rootPublicKey);
  }

  /** CSRRequest: the pending operational key and its purpose (see `FabricTable.allocatePendingOperationalKey`). */
  allocatePendingOperationalKey(forUpdate?: FabricIndex): P256PrivateKey {
    this.#requireArmed();
    return this.fabrics.allocatePendingOperationalKey(forUpdate);
  }

  /**
   * AddNOC: the pending fabric (see `FabricTable.addPendingFabric`), with an empty staged ACL and group-key copy that
   * AddNOC's Administer entry and IPK then fill in memory.
   */
  addPendingFabric(install: NocInstall & { readonly vendorId: number }, validateChain?: () => void): FabricIndex {
    this.#requireArmed();
    const index = this.fabrics.addPendingFabric(install, validateChain);
    this.#acl.stageFabric(index);
    this.#groupKeys.stageFabric(index);
    return index;
  }

  /** UpdateNOC: the pending update (see `FabricTable.updatePendingFabric`). */
  updatePendingFabric(index: FabricIndex, install: NocInstall, validateChain?: () => void): void {
    this.#requireArmed();
    this.fabrics.updatePendingFabric(index, install, validateChain);
  }

  /** A failed AddNOC/UpdateNOC: drops the pending NOC and its staged data, keeps root and key for a retry. */
  revertPendingNoc(): void {
    const index = this.pendingFabricIndex;
    this.fabrics.revertPendingNoc();
    if (index !== undefined) {
      this.#acl.discardStaged(index);
      this.#groupKeys.discardStaged(index);
    }
  }

  /**
   * CommissioningComplete's write: the pending fabric with its staged ACL and group data in ONE storage transaction
   * (the stores take part as lifecycle participants). Returns false when no fabric was pending.
   */
  async commit(): Promise<boolean> {
    return this.fabrics.commit();
  }

  /** Fail-safe expiry: every pending change is dropped in memory; storage is not touched. */
  revert(): void {
    const index = this.pendingFabricIndex;
    this.fabrics.revert();
    if (index !== undefined) {
      this.#acl.discardStaged(index);
      this.#groupKeys.discardStaged(index);
    }
  }

  #requireArmed(): void {
    if (!this.failSafe.armed || this.failSafe.committing) {
      throw new ProtocolError("fail-safe.disarmed", "no armed fail-safe", IM_STATUS.failsafeRequired);
    }
  }
}
