// A seeded slice of `npm run fuzz:wire`: inside a private network namespace, one batch of each kind (random and
// mutated datagrams, PASE and CASE handshake floods, replays, bad invokes over PASE) against `opcreds start` (dist/);
// after each batch a fresh PASE succeeds (waiting out Busy for at most one handshake timeout) and RSS stays bounded.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { runInPrivateNetns } from "../support/netns-child.ts";

type WireSummary = {
  batches: number;
  datagrams: number;
  perKind: Record<string, number>;
  invokes: { answered: number; unanswered: number };
  failures: string[];
};

test("the device survives a seeded slice of hostile datagrams and still takes a fresh PASE", {
  timeout: 300_000,
}, () => {
  const summary = runInPrivateNetns<WireSummary>(
    join(import.meta.dirname, "..", "..", "bench", "fuzz", "wire-fuzz.ts"),
    {
      args: ["--batches", "6", "--per-batch", "100", "--seed", "5", "--request-ms", "10000", "--json"],
      timeoutMs: 280_000,
    },
  );
  assert.deepEqual(summary.failures, []);
  assert.equal(summary.batches, 6);
  for (const kind of ["random", "mutated", "pase-flood", "case-flood", "replay"])
    assert.ok((summary.perKind[kind] ?? 0) > 0, `${kind} datagrams were sent`);
  assert.ok(summary.invokes.answered > 0, "bad invokes are answered");
});
