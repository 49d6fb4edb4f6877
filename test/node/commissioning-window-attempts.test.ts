// The commissioning window's failed-attempt limit in memory (no network): Core 5.5 / the SDK's
// kMaxFailedCommissioningAttempts. Each commissioning over the window that ends by the fail-safe expiring counts as a
// failed attempt, counted in the window state where the secure channel counts the failed PASE handshakes; below 20 the
// window listens again, the 20th (of either kind) closes it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_FAILED_COMMISSIONING_ATTEMPTS } from "../../src/sc/commissioning-window-state.ts";
import { inMemoryWindow } from "./commissioning-window-harness.ts";

test("each fail-safe expiry is a failed attempt: the window listens again, the 20th closes it", async () => {
  const t = inMemoryWindow();
  await t.window.openBasic(undefined);
  assert.deepEqual(t.listens, [0]);
  for (let i = 1; i < MAX_FAILED_COMMISSIONING_ATTEMPTS; i++) {
    t.abandonedCommissioning(100 + i);
    assert.equal(t.window.open, "basic", `attempt ${i}: still open`);
    assert.ok(t.window.listening, `attempt ${i}: listening again`);
    assert.equal(t.window.paseSessionId, undefined);
  }
  assert.deepEqual(
    t.listens,
    Array.from({ length: MAX_FAILED_COMMISSIONING_ATTEMPTS }, (_, i) => i),
  );
  assert.equal(t.state.isOpen, true);
  t.abandonedCommissioning(200);
  assert.equal(t.window.open, undefined, "the 20th failed attempt closes the window");
  assert.equal(t.state.isOpen, false);
  assert.equal(t.window.listening, false);
  assert.equal(t.listens.length, MAX_FAILED_COMMISSIONING_ATTEMPTS, "no listening after the last attempt");
});

test("failed PASE handshakes and fail-safe expiries are counted in one place: 12 of one and 8 of the other close it", async () => {
  const t = inMemoryWindow();
  await t.window.openBasic(undefined);
  // The secure channel reports 12 failed PASE handshakes to the same state (PaseCommissioningWindow.failed).
  for (let i = 0; i < 12; i++) t.state.attemptFailed();
  for (let i = 1; i < 8; i++) t.abandonedCommissioning(100 + i);
  assert.equal(t.state.failedAttempts, 19);
  assert.equal(t.window.open, "basic");
  assert.ok(t.window.listening);
  t.abandonedCommissioning(200);
  assert.equal(t.state.failedAttempts, MAX_FAILED_COMMISSIONING_ATTEMPTS);
  assert.equal(t.window.open, undefined, "the 20th failed attempt, of either kind, closes the window");
});

test("a new window starts counting failed attempts from zero", async () => {
  const t = inMemoryWindow();
  await t.window.openBasic(undefined);
  for (let i = 1; i <= 3; i++) t.abandonedCommissioning(100 + i);
  await t.window.closeWindow();
  assert.equal(t.window.open, undefined);
  await t.window.openBasic(undefined);
  assert.equal(t.state.failedAttempts, 0);
  assert.equal(t.listens.at(-1), 0);
});
