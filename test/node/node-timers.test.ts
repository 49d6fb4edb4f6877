// The node's timers: a timer runs with a time never before the one it was set for (a Node timer may fire while the
// monotonic clock still reads a little earlier), and the node's shutdown cancels every timer not yet fired.
import assert from "node:assert/strict";
import { test } from "node:test";
import { NodeTimers } from "../../src/node/node-timers.ts";

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("a timer that fires while the clock still reads before its time is given its time", async () => {
  const timers = new NodeTimers(() => 0);
  const fired = await new Promise<number>((resolve) => timers.at(3, resolve));
  assert.equal(fired, 3);
});

test("clearAll cancels every timer not yet fired", async () => {
  const timers = new NodeTimers(() => 0);
  const fired: number[] = [];
  timers.at(1, (now) => fired.push(now));
  timers.at(2, (now) => fired.push(now));
  timers.clearAll();
  await tick(10);
  assert.deepEqual(fired, []);
});
