// A seeded slice of `npm run fuzz:wire`: inside private network namespaces, one batch of each kind (random and
// mutated datagrams, PASE and CASE handshake floods, replays, bad invokes over PASE) against `opcreds start` (dist/);
// after each batch a fresh PASE succeeds (waiting out Busy for at most one handshake timeout) and RSS stays bounded.
// The six batches run as three lanes of two, each lane on its own device and namespace and all three at once: half the
// batches wait out a 30 s Busy hold, and the lanes' waits overlap (batches are seeded by number, so lane k's batches
// are those of one long run).
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { runInPrivateNetnsAsync } from "../support/netns-child.ts";

type WireSummary = {
  batches: number;
  datagrams: number;
  perKind: Record<string, number>;
  invokes: { answered: number; unanswered: number };
  failures: string[];
};

const BATCHES_PER_LANE = 2;
const LANES = 3;

test("the device survives a seeded slice of hostile datagrams and still takes a fresh PASE", {
  timeout: 300_000,
}, async () => {
  const lanes = await Promise.all(
    Array.from({ length: LANES }, (_, lane) =>
      runInPrivateNetnsAsync<WireSummary>(join(import.meta.dirname, "..", "..", "bench", "fuzz", "wire-fuzz.ts"), {
        args: [
          ...["--first-batch", String(lane * BATCHES_PER_LANE), "--batches", String((lane + 1) * BATCHES_PER_LANE)],
          ...["--per-batch", "100", "--seed", "5", "--request-ms", "10000", "--json"],
        ],
        timeoutMs: 280_000,
      }),
    ),
  );
  assert.deepEqual(
    lanes.flatMap((l) => l.failures),
    [],
  );
  // Each lane ran to its last batch.
  assert.deepEqual(
    lanes.map((l) => l.batches),
    lanes.map((_, lane) => (lane + 1) * BATCHES_PER_LANE),
  );
  for (const kind of ["random", "mutated", "pase-flood", "case-flood", "replay"])
    assert.ok(
      lanes.some((l) => (l.perKind[kind] ?? 0) > 0),
      `${kind} datagrams were sent`,
    );
  assert.ok(
    lanes.some((l) => l.invokes.answered > 0),
    "bad invokes are answered",
  );
});
