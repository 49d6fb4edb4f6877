// bench/commission.ts charges each gap between relayed datagrams to whoever sent the datagram that ends it; the
// commissioning-time floor in the closing notes rests on this split, so it is checked here on a known timeline.
import assert from "node:assert/strict";
import { test } from "node:test";
import { splitTurns } from "../../bench/commission.ts";

const ms = (n: number) => String(BigInt(n) * 1_000_000n);

test("gaps ending in a device datagram are the device's, the rest (and the tail) the controller's", () => {
  // start 0; c@10 (controller 10), d@14 (device 4), c@15 (controller 1), c@20 (controller 5), d@27 (device 7), end 40.
  const events: [string, string, number][] = [
    [ms(10), "c", 80],
    [ms(14), "d", 90],
    [ms(15), "c", 30],
    [ms(20), "c", 60],
    [ms(27), "d", 70],
  ];
  assert.deepEqual(splitTurns(events, 0n, 40_000_000n), { totalMs: 40, deviceMs: 11, controllerMs: 29 });
});

test("datagrams outside the commissioning window are ignored", () => {
  const events: [string, string, number][] = [
    [ms(5), "d", 10],
    [ms(12), "c", 10],
    [ms(15), "d", 10],
    [ms(50), "d", 10],
  ];
  assert.deepEqual(splitTurns(events, 10_000_000n, 30_000_000n), { totalMs: 20, deviceMs: 3, controllerMs: 17 });
});
