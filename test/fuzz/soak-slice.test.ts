// A seeded slice of `npm run soak`: inside a private network namespace, an `opcreds start` child (compiled dist/) is
// SIGKILLed during commissioning, UpdateNOC, UpdateFabricLabel and RemoveFabric, and every fabric table read after a
// kill is the state before or after the operation in flight, with every acknowledged change kept.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { runInPrivateNetns } from "../support/netns-child.ts";

type SoakSummary = {
  kills: number;
  midOperation: number;
  acknowledged: number;
  failures: string[];
  outcomes: Record<string, { old: number; new: number; acked: number }>;
};

test("fabric tables survive a seeded slice of SIGKILLs mid-operation", { timeout: 300_000 }, () => {
  const summary = runInPrivateNetns<SoakSummary>(join(import.meta.dirname, "..", "..", "bench", "fuzz", "soak.ts"), {
    args: ["--kills", "4", "--seed", "11", "--max-kill-delay-ms", "1200", "--request-ms", "10000", "--json"],
    timeoutMs: 280_000,
  });
  assert.deepEqual(summary.failures, []);
  assert.equal(summary.kills, 4);
  assert.ok(summary.acknowledged > 0, "operations complete between kills");
  assert.ok(summary.outcomes.commission !== undefined, "the slice commissions");
});
