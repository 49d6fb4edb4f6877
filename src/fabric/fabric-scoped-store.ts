/**
 * What the fabric-scoped stores of the commissioning transaction (ACL entries, group data) share: one record per fabric
 * in memory and in storage, the pending added fabric's record held by the transaction and overlaid on reads, its write
 * in the commit's storage transaction, and the guard that keeps writes of a reverted fabric out of storage.
 */
import { type ErrorCode, ProtocolError } from "../bytes/errors.ts";
import type { Storage, StorageTransaction, StorageValue } from "../storage/storage.ts";
import type { FabricIndex } from "./fabric-index.ts";
import type { FabricLifecycleEvent, FabricLifecycleParticipant } from "./fabric-table.ts";
import { ImStatus } from "./status-codes.ts";

/** The pending added fabric's record of one store, held by the commissioning transaction (pending-fabric-data.ts). */
export type PendingSlot<T> = { readonly fabricIndex: FabricIndex; value: T };

/** A store of one record `T` per fabric; the subclass names the record's storage key and encoding. */
export abstract class FabricScopedStore<T> implements FabricLifecycleParticipant {
  /** The committed records, by fabric index (the subclass's `open` loads them). */
  protected readonly committed = new Map<FabricIndex, T>();
  readonly #storage: Storage;
  readonly #what: string;
  #pending: (() => PendingSlot<T> | undefined) | undefined;
  #committing: PendingSlot<T> | undefined;
  /** The added fabric whose CommissioningComplete storage transaction is in flight (this store's part written). */
  #committingFabric: FabricIndex | undefined;
  #committedFabrics: Set<FabricIndex> | undefined;

  /** `what` names the store in the TypeError of a second `attach`. */
  protected constructor(storage: Storage, what: string) {
    this.#storage = storage;
    this.#what = what;
  }

  /** The storage key of a fabric's record. */
  protected abstract key(fabricIndex: FabricIndex): string;
  /** The stored form of a record. */
  protected abstract encode(value: T): StorageValue;

  /** The pending (unwritten) fabric whose record reads overlay, if any. */
  get pendingFabric(): FabricIndex | undefined {
    return this.#pending?.()?.fabricIndex;
  }

  /**
   * From now on, writes for a fabric that is neither committed (`committed`, then the lifecycle's committed and removed
   * events) nor pending are refused (FAILURE): nothing of a reverted fabric reaches storage.
   */
  guardWrites(committed: Iterable<FabricIndex>): void {
    this.#committedFabrics = new Set(committed);
  }

  /** Writes this fabric's record (the pending one when pending) into `tx`, the commit's storage transaction. */
  async writeFabric(tx: StorageTransaction, fabricIndex: FabricIndex): Promise<void> {
    const value = this.get(fabricIndex);
    if (value === undefined) await tx.delete(this.key(fabricIndex));
    else await tx.set(this.key(fabricIndex), this.encode(value));
  }

  /** The fabric's record was removed (in `tx`, or by this call): drops it from memory. */
  async removeFabric(fabricIndex: FabricIndex, tx?: StorageTransaction): Promise<void> {
    this.forgetFabric(fabricIndex);
    await (tx ?? this.#storage).delete(this.key(fabricIndex));
  }

  /** The fabric's committed removal was written elsewhere: forgets its record in memory only. */
  forgetFabric(fabricIndex: FabricIndex): void {
    this.committed.delete(fabricIndex);
  }

  /** Fabric indices with a committed record. */
  fabricIndices(): FabricIndex[] {
    return [...this.committed.keys()].sort((a, b) => a - b);
  }

  /** Lifecycle: a committed new fabric's pending record is written in the transaction that writes its fabric record. */
  async commitWrites(
    tx: StorageTransaction,
    event: Extract<FabricLifecycleEvent, { kind: "committed" }>,
  ): Promise<void> {
    if (event.noc !== "add") return;
    const value = this.get(event.fabricIndex);
    this.#committing = value === undefined ? undefined : { fabricIndex: event.fabricIndex, value };
    this.#committingFabric = event.fabricIndex;
    await this.writeFabric(tx, event.fabricIndex);
  }

  /** Lifecycle: a removed fabric's record is deleted in the transaction that deletes its fabric record. */
  async removeWrites(tx: StorageTransaction, fabricIndex: FabricIndex): Promise<void> {
    await tx.delete(this.key(fabricIndex));
  }

  /** Lifecycle: memory follows the final event (a commit adopts the record it wrote, removal forgets). */
  fabricEvent(event: FabricLifecycleEvent): void {
    if (event.kind === "committed") {
      if (this.#committing?.fabricIndex === event.fabricIndex)
        this.committed.set(event.fabricIndex, this.#committing.value);
      this.#committing = undefined;
      this.#committingFabric = undefined;
      this.#committedFabrics?.add(event.fabricIndex);
    } else if (event.kind === "reverted") {
      this.#committing = undefined;
      this.#committingFabric = undefined;
    } else if (event.kind === "removed") {
      this.forgetFabric(event.fabricIndex);
      this.#committedFabrics?.delete(event.fabricIndex);
    }
  }

  /** The one-time repair: drops records of fabrics not in `keep` (written before the commissioning transaction). */
  async pruneFabrics(keep: ReadonlySet<number>): Promise<FabricIndex[]> {
    const dropped = [...this.committed.keys()].filter((i) => !keep.has(i));
    for (const i of dropped) await this.removeFabric(i);
    return dropped;
  }

  /** Overlays the commissioning transaction's pending record on the committed ones (once, by the transaction). */
  protected attach(pending: () => PendingSlot<T> | undefined): void {
    if (this.#pending !== undefined)
      throw new TypeError(`this ${this.#what} store already has a commissioning transaction`);
    this.#pending = pending;
  }

  /** The fabric's record: the pending one for the pending fabric, else the committed one. */
  protected get(fabricIndex: FabricIndex): T | undefined {
    const pending = this.#pending?.();
    return pending?.fabricIndex === fabricIndex ? pending.value : this.committed.get(fabricIndex);
  }

  /**
   * Replaces the fabric's record with `change(current)`: in the transaction's memory for the pending fabric (until
   * CommissioningComplete commits it), else in storage, refused with FAILURE (`noFabric`) for a fabric the guard does
   * not know (a session of a fabric the fail-safe just reverted: its record would outlive it in storage), and with
   * BUSY while CommissioningComplete's storage transaction for the fabric is in flight.
   */
  protected async put(
    fabricIndex: FabricIndex,
    change: (current: T | undefined) => T,
    noFabric: ErrorCode,
  ): Promise<void> {
    // The commit has taken (and written) the pending record: a change now would be acknowledged and then lost when the
    // commit adopts what it wrote. The client retries once the commit has settled.
    if (this.#committingFabric === fabricIndex) {
      throw new ProtocolError("fabric.committing", `fabric ${fabricIndex} is being committed`, ImStatus.BUSY);
    }
    const pending = this.#pending?.();
    if (pending?.fabricIndex === fabricIndex) {
      pending.value = change(pending.value);
      return;
    }
    if (this.#committedFabrics !== undefined && !this.#committedFabrics.has(fabricIndex)) {
      throw new ProtocolError(noFabric, `fabric ${fabricIndex} is neither committed nor pending`, ImStatus.FAILURE);
    }
    const value = change(this.committed.get(fabricIndex));
    await this.#storage.set(this.key(fabricIndex), this.encode(value));
    this.committed.set(fabricIndex, value);
  }
}
