// The PASE session a commissioning window set up ends when the fail-safe expires, also after the window itself has
// closed (its timeout, RevokeCommissioning): Core 11.10.7.2.2 ends open PASE sessions on expiry, and the SDK's
// TestCommissioningWindowManager pins it (RevokeCommissioningAfterCommissioningTimeoutClearsPASESession). Otherwise a
// commissioner whose window was revoked keeps a session with the commissioning's implicit Administer privilege.
import assert from "node:assert/strict";
import { mock, test } from "node:test";
import { inMemoryWindow } from "./commissioning-window-harness.ts";

test("the window's PASE session is evicted by the fail-safe expiry that follows RevokeCommissioning's close", async () => {
  const t = inMemoryWindow();
  await t.window.openBasic(180);
  const pase = t.establishPase();
  assert.ok(t.failSafe.armed, "the window armed the fail-safe for its PASE session");
  // RevokeCommissioning: the cluster closes the state, the node stops the window, then the expiry's effects run.
  t.state.close();
  await t.window.closeWindow("RevokeCommissioning");
  assert.equal(t.window.open, undefined);
  assert.equal(t.window.paseSessionId, pase, "the established session outlives the window's close");
  t.failSafeExpires();
  assert.ok(t.closes.includes(`session ${pase}`), `evicted: ${t.closes.join(", ")}`);
  assert.equal(t.window.paseSessionId, undefined);
  assert.equal(t.window.open, undefined, "a closed window does not listen again");
  assert.equal(t.state.failedAttempts, 0, "no attempt is counted for a window that is no longer open");
});

test("a window that timed out keeps its commissioning until the fail-safe expires, which evicts the PASE session", async (c) => {
  c.mock.timers.enable({ apis: ["setTimeout"] });
  const t = inMemoryWindow();
  const timedOut = mock.fn();
  t.window.onTimedOut(timedOut);
  await t.window.openBasic(180);
  const pase = t.establishPase();
  c.mock.timers.tick(180_000);
  // The timer's close runs on promise callbacks.
  await new Promise<void>((r) => setImmediate(r));
  assert.equal(t.window.open, undefined, "the window closed at its timeout");
  assert.equal(timedOut.mock.callCount(), 1, "the node hears of the timeout");
  assert.ok(!t.closes.includes(`session ${pase}`), "the commissioning over the PASE session goes on");
  t.failSafeExpires();
  assert.ok(t.closes.includes(`session ${pase}`), `evicted at the expiry: ${t.closes.join(", ")}`);
});

test("an expiry while the window is open still counts a failed attempt and listens again", async () => {
  const t = inMemoryWindow();
  await t.window.openBasic(undefined);
  const pase = t.establishPase();
  t.failSafeExpires();
  assert.ok(t.closes.includes(`session ${pase}`));
  assert.equal(t.state.failedAttempts, 1);
  assert.ok(t.window.listening, "the window listens again");
});

test("CommissioningComplete's disarm is not an expiry: the window leaves the session to the complete's own effects", async () => {
  const t = inMemoryWindow();
  await t.window.openBasic(undefined);
  const pase = t.establishPase();
  // The window armed it for fabric index 0 (the PASE session's, before AddNOC moves it).
  assert.equal(t.failSafe.commissioningComplete({ isCase: true, fabricIndex: 0 }).result, "ok");
  t.window.failSafeDisarmed();
  assert.ok(!t.closes.includes(`session ${pase}`));
  assert.equal(t.window.paseSessionId, pase);
});
