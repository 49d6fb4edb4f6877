// The commissioning window's failed-attempt limit in memory (no network): Core 5.5 / the SDK's
// kMaxFailedCommissioningAttempts. Each commissioning over the window that ends by the fail-safe expiring counts as a
// failed attempt, counted in the window state where the secure channel counts the failed PASE handshakes; below 20 the
// window listens again, the 20th (of either kind) closes it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { FailSafeContext } from "../../src/fabric/fail-safe-context.ts";
import { CommissioningWindow, onboardingWindow } from "../../src/node/commissioning-window.ts";
import type { TransportDriver } from "../../src/node/transport-driver.ts";
import {
  CommissioningWindowState,
  MAX_FAILED_COMMISSIONING_ATTEMPTS,
} from "../../src/sc/commissioning-window-state.ts";
import { SessionManager } from "../../src/sc/session-manager.ts";

/** A window over a transport that records what the secure channel is asked to do. */
function setUp() {
  const state = new CommissioningWindowState(onboardingWindow(nodeCrypto, 20202021, 3840));
  /** The failed attempts the window state held each time the secure channel was told to listen. */
  const listens: number[] = [];
  const closes: string[] = [];
  const endpoint = {
    openCommissioningWindow: (_now: number, w: CommissioningWindowState) => {
      assert.equal(w, state, "the secure channel listens on the node's one window state");
      listens.push(w.failedAttempts);
    },
    closeCommissioningWindow: () => {
      closes.push("window");
    },
    closeSession: (_now: number, id: number) => {
      closes.push(`session ${id}`);
    },
  };
  const transport = { endpoint, act: (input: (now: number) => void) => input(0) } as unknown as TransportDriver;
  const failSafe = new FailSafeContext();
  const window = new CommissioningWindow({
    state,
    transport,
    advertiser: undefined,
    clock: () => 0,
    vendorId: 0xfff1,
    productId: 0x8000,
    deviceType: 0x0100,
    deviceName: "test",
    logger: () => {},
    failSafe,
    sessions: new SessionManager(nodeCrypto),
    expireFailSafe: async () => [],
    armFailSafe: () => failSafe.arm(0, 60, 0).result === "armed",
    forceFailSafeExpiry: () => {},
  });
  /** A commissioner establishes PASE on the window, then its fail-safe expires. */
  const abandonedCommissioning = (localSessionId: number): void => {
    window.secureChannelEvent({ kind: "commissioning-window-closed", reason: "established" });
    window.secureChannelEvent({
      kind: "session-established",
      session: { type: "pase", localSessionId } as never,
      peer: {} as never,
      handshake: undefined,
    });
    assert.equal(window.paseSessionId, localSessionId);
    assert.ok(failSafe.armed, "the window arms the fail-safe for its PASE session");
    assert.ok(failSafe.poll(Number.POSITIVE_INFINITY) !== undefined);
    failSafe.cleanupDone();
    window.failSafeDisarmed();
  };
  return { state, window, listens, closes, abandonedCommissioning };
}

test("each fail-safe expiry is a failed attempt: the window listens again, the 20th closes it", async () => {
  const t = setUp();
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
  const t = setUp();
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
  const t = setUp();
  await t.window.openBasic(undefined);
  for (let i = 1; i <= 3; i++) t.abandonedCommissioning(100 + i);
  await t.window.closeWindow();
  assert.equal(t.window.open, undefined);
  await t.window.openBasic(undefined);
  assert.equal(t.state.failedAttempts, 0);
  assert.equal(t.listens.at(-1), 0);
});
