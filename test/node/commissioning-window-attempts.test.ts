// The commissioning window's failed-attempt limit in memory (no network): Core 5.5 / the SDK's
// kMaxFailedCommissioningAttempts. Each commissioning over the window that ends by the fail-safe expiring counts as a
// failed attempt; below 20 the window listens again with the attempts it has left, the 20th closes it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { FailSafeContext } from "../../src/fabric/fail-safe-context.ts";
import { CommissioningWindow, MAX_FAILED_COMMISSIONING_ATTEMPTS } from "../../src/node/commissioning-window.ts";
import type { TransportDriver } from "../../src/node/transport-driver.ts";
import type { SecureChannelEffect } from "../../src/sc/secure-channel-endpoint.ts";
import { SessionManager } from "../../src/sc/session-manager.ts";

/** A window over a transport that records what the secure channel is asked to do. */
function setUp() {
  const listens: number[] = [];
  const closes: string[] = [];
  const endpoint = {
    openCommissioningWindow: (_now: number, o: { maxFailedAttempts: number }) => {
      listens.push(o.maxFailedAttempts);
      return [];
    },
    closeCommissioningWindow: () => {
      closes.push("window");
      return [];
    },
    closeSession: (_now: number, id: number) => {
      closes.push(`session ${id}`);
      return [];
    },
  };
  const transport = {
    endpoint,
    act: (input: (now: number) => SecureChannelEffect[]) => void input(0),
  } as unknown as TransportDriver;
  const failSafe = new FailSafeContext();
  let windowClosed = 0;
  const window = new CommissioningWindow({
    crypto: nodeCrypto,
    transport,
    advertiser: undefined,
    clock: () => 0,
    passcode: 20202021,
    discriminator: 3840,
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
  window.attach({ nodeWindowOpened: () => {}, windowClosed: () => windowClosed++ } as unknown as Parameters<
    CommissioningWindow["attach"]
  >[0]);
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
  return { window, listens, closes, abandonedCommissioning, windowClosed: () => windowClosed };
}

test("each fail-safe expiry is a failed attempt: the window listens again with the attempts left, the 20th closes it", async () => {
  const t = setUp();
  await t.window.openBasic(undefined);
  assert.deepEqual(t.listens, [MAX_FAILED_COMMISSIONING_ATTEMPTS]);
  for (let i = 1; i < MAX_FAILED_COMMISSIONING_ATTEMPTS; i++) {
    t.abandonedCommissioning(100 + i);
    assert.equal(t.window.open, "basic", `attempt ${i}: still open`);
    assert.ok(t.window.listening, `attempt ${i}: listening again`);
    assert.equal(t.window.paseSessionId, undefined);
  }
  assert.deepEqual(
    t.listens,
    Array.from({ length: MAX_FAILED_COMMISSIONING_ATTEMPTS }, (_, i) => MAX_FAILED_COMMISSIONING_ATTEMPTS - i),
  );
  assert.equal(t.windowClosed(), 0);
  t.abandonedCommissioning(200);
  assert.equal(t.window.open, undefined, "the 20th failed attempt closes the window");
  assert.equal(t.window.listening, false);
  assert.equal(t.windowClosed(), 1, "the cluster is told once");
  assert.equal(t.listens.length, MAX_FAILED_COMMISSIONING_ATTEMPTS, "no listening after the last attempt");
});

test("a new window starts counting failed attempts from zero", async () => {
  const t = setUp();
  await t.window.openBasic(undefined);
  for (let i = 1; i <= 3; i++) t.abandonedCommissioning(100 + i);
  await t.window.closeWindow();
  assert.equal(t.window.open, undefined);
  await t.window.openBasic(undefined);
  assert.equal(t.listens.at(-1), MAX_FAILED_COMMISSIONING_ATTEMPTS);
});
