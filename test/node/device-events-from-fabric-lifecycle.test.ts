// The device's fabric events follow the fabric table's lifecycle: a committed AddNOC is fabricAdded then
// commissioningComplete, a committed UpdateNOC fabricUpdated then commissioningComplete, a label write fabricUpdated, a
// removal fabricRemoved; what the fail-safe reverted never shows; unsubscribing stops the events.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { FabricIndex } from "../../src/fabric/fabric-index.ts";
import type { FabricLifecycleEvent, FabricTable } from "../../src/fabric/fabric-table.ts";
import { emitFabricEvents } from "../../src/node/device-events.ts";

/** A fabric table reduced to what the events read: its lifecycle listeners and its committed fabrics. */
function fakeTable() {
  const listeners = new Set<(e: FabricLifecycleEvent) => void>();
  const records = new Map<number, { fabricId: bigint; nodeId: bigint; vendorId: number; label: string }>();
  const table = {
    onLifecycle: (l: (e: FabricLifecycleEvent) => void) => {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    fabrics: () => [...records].map(([fabricIndex, r]) => ({ fabricIndex: fabricIndex as FabricIndex, ...r })),
  } as unknown as Pick<FabricTable, "onLifecycle" | "fabrics">;
  const fire = (e: FabricLifecycleEvent) => {
    for (const l of listeners) l(e);
  };
  return { table, records, fire };
}

const idx = (i: number) => i as FabricIndex;

test("commit, label, UpdateNOC, revert and removal become the device's fabric events", () => {
  const { table, records, fire } = fakeTable();
  const seen: unknown[] = [];
  const stop = emitFabricEvents(table, (event, payload) => seen.push([event, payload]));
  records.set(1, { fabricId: 0xabn, nodeId: 0x1122n, vendorId: 0xfff1, label: "" });
  fire({ kind: "committed", fabricIndex: idx(1), noc: "add" });
  const f1 = { fabricIndex: 1, fabricId: 0xabn, nodeId: 0x1122n, vendorId: 0xfff1, label: "" };
  assert.deepEqual(seen.splice(0), [
    ["fabricAdded", f1],
    ["commissioningComplete", f1],
  ]);

  records.set(1, { ...records.get(1)!, label: "kitchen" });
  fire({ kind: "updated", fabricIndex: idx(1) });
  assert.deepEqual(seen.splice(0), [["fabricUpdated", { ...f1, label: "kitchen" }]]);

  records.set(1, { ...records.get(1)!, nodeId: 0x3344n });
  fire({ kind: "committed", fabricIndex: idx(1), noc: "update" });
  const updated = { ...f1, label: "kitchen", nodeId: 0x3344n };
  assert.deepEqual(seen.splice(0), [
    ["fabricUpdated", updated],
    ["commissioningComplete", updated],
  ]);

  for (const pending of ["add", "update", "root"] as const) fire({ kind: "reverted", fabricIndex: idx(2), pending });
  assert.deepEqual(seen, []);

  records.delete(1);
  fire({ kind: "removed", fabricIndex: idx(1) });
  assert.deepEqual(seen.splice(0), [["fabricRemoved", { fabricIndex: 1 }]]);

  stop();
  fire({ kind: "removed", fabricIndex: idx(1) });
  assert.deepEqual(seen, []);
});
