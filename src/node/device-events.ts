/**
 * The events a device application listens to: a fabric added, updated or removed (Core 11.18: AddNOC, UpdateNOC,
 * UpdateFabricLabel and RemoveFabric once final), commissioning complete (Core 11.10.7.6 CommissioningComplete committed
 * the fail-safe's fabric), and a change of an application attribute. Mapped from the fabric table's lifecycle events,
 * so that these names stay when the table's own events change.
 */
import type { FabricTable } from "../fabric/fabric-table.ts";
import type { ApplicationAttributeChange } from "./application-endpoint.ts";

/** A committed fabric as the events show it. */
export interface FabricEvent {
  readonly fabricIndex: number;
  readonly fabricId: bigint;
  readonly nodeId: bigint;
  /** The administrator's vendor id (AddNOC AdminVendorId). */
  readonly vendorId: number;
  readonly label: string;
}

/** The device's events by name, with their payloads. */
export interface MatterDeviceEvents {
  /** A new fabric was committed (CommissioningComplete after AddNOC). */
  readonly fabricAdded: FabricEvent;
  /** A committed fabric changed: UpdateNOC committed, or its label or VID verification data were written. */
  readonly fabricUpdated: FabricEvent;
  /** A committed fabric was removed (RemoveFabric). */
  readonly fabricRemoved: { readonly fabricIndex: number };
  /** CommissioningComplete committed the fail-safe's fabric (after AddNOC, also after UpdateNOC as in the SDK). */
  readonly commissioningComplete: FabricEvent;
  /**
   * A commissioning window opened after start: `basic` with the device's own onboarding codes (e.g. after the last
   * fabric was removed), `enhanced` with an administrator's (OpenCommissioningWindow).
   */
  readonly commissioningWindowOpened: { readonly kind: "basic" | "enhanced" };
  /** An application attribute changed (by a controller, a timer, a scene or the application itself). */
  readonly attributeChanged: ApplicationAttributeChange;
}

/** The name of a device event. */
export type MatterDeviceEventName = keyof MatterDeviceEvents;

/** Sends one event to its listeners. */
type EmitDeviceEvent = <E extends MatterDeviceEventName>(event: E, payload: MatterDeviceEvents[E]) => void;

/**
 * Emits fabricAdded / fabricUpdated / fabricRemoved / commissioningComplete for the lifecycle events of `fabrics` (only
 * what was written: a change the fail-safe reverts never shows); returns the unsubscribe function.
 */
export function emitFabricEvents(
  fabrics: Pick<FabricTable, "onLifecycle" | "fabrics">,
  emit: EmitDeviceEvent,
): () => void {
  const describe = (fabricIndex: number): FabricEvent | undefined => {
    const f = fabrics.fabrics().find((x) => x.fabricIndex === fabricIndex);
    if (f === undefined) return undefined;
    return { fabricIndex, fabricId: f.fabricId, nodeId: f.nodeId, vendorId: f.vendorId, label: f.label };
  };
  return fabrics.onLifecycle((event) => {
    switch (event.kind) {
      case "committed": {
        const f = describe(event.fabricIndex);
        if (f === undefined) return;
        emit(event.noc === "add" ? "fabricAdded" : "fabricUpdated", f);
        emit("commissioningComplete", f);
        return;
      }
      case "updated": {
        const f = describe(event.fabricIndex);
        if (f !== undefined) emit("fabricUpdated", f);
        return;
      }
      case "removed":
        emit("fabricRemoved", { fabricIndex: event.fabricIndex });
        return;
      case "reverted":
        return;
    }
  });
}
