/**
 * The application endpoints' scenes as a fabric lifecycle participant (Application Cluster spec 1.4.7.5, a fabric's
 * scenes leave with it; the SDK's scenes server drops them in OnFabricRemoved): the scene tables without the removed
 * fabric are written inside the storage transaction that deletes the fabric's record, so a removal is all or nothing,
 * and the in-memory tables follow once the removal is final. A reverted pending fabric's scenes go from memory too.
 */
import type { FabricIndex } from "../fabric/fabric-index.ts";
import type { FabricLifecycleEvent, FabricLifecycleParticipant } from "../fabric/fabric-table.ts";
import type { StorageTransaction } from "../storage/storage.ts";

/** What the participant needs of one endpoint's scenes (a Scenes Management server or an application endpoint). */
export interface FabricScenes {
  /** Writes the scene table without fabric `fabricIndex` into `tx`. */
  removeFabricWrites(tx: StorageTransaction, fabricIndex: FabricIndex): Promise<void>;
  /** Drops fabric `fabricIndex`'s scenes in memory (and writes the table when it changed). */
  removeFabric(fabricIndex: FabricIndex): Promise<void>;
}

/** The fabric a lifecycle event ends: a removed committed fabric or a reverted pending addition. */
function goneFabric(event: FabricLifecycleEvent): FabricIndex | undefined {
  if (event.kind === "removed") return event.fabricIndex;
  if (event.kind === "reverted" && event.pending === "add") return event.fabricIndex;
  return undefined;
}

/** The participant over `scenes` (every endpoint's); `onError` gets failures of the in-memory follow-up writes. */
export function fabricScenesLifecycle(
  scenes: readonly FabricScenes[],
  onError: (error: unknown) => void,
): FabricLifecycleParticipant {
  return {
    removeWrites: async (tx, fabricIndex) => {
      for (const s of scenes) await s.removeFabricWrites(tx, fabricIndex);
    },
    fabricEvent: (event) => {
      const gone = goneFabric(event);
      if (gone === undefined) return;
      for (const s of scenes) s.removeFabric(gone).catch(onError);
    },
  };
}
