// An in-memory commissioning window (no network) over a transport that records what the secure channel is asked to do,
// for the window's own tests.
import assert from "node:assert/strict";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { FailSafeContext } from "../../src/fabric/fail-safe-context.ts";
import { MessageCounter } from "../../src/message/message-counter.ts";
import { CommissioningWindow, onboardingWindow } from "../../src/node/commissioning-window.ts";
import type { TransportDriver } from "../../src/node/transport-driver.ts";
import { CommissioningWindowState } from "../../src/sc/commissioning-window-state.ts";
import { SecureSession } from "../../src/sc/secure-session.ts";
import { SessionManager } from "../../src/sc/session-manager.ts";

/** A window over a transport that records what the secure channel is asked to do. */
export function inMemoryWindow() {
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
  const sessions = new SessionManager(nodeCrypto);
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
    sessions,
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
  /** A commissioner establishes a PASE session on the window (held in the session manager); returns its local id. */
  const establishPase = (): number => {
    const localSessionId = sessions.allocateSessionId();
    const keys = { i2rKey: new Uint8Array(16), r2iKey: new Uint8Array(16), attestationChallenge: new Uint8Array(16) };
    const session = new SecureSession({
      crypto: nodeCrypto,
      type: "pase",
      role: "responder",
      localSessionId,
      peerSessionId: 9,
      keys,
      counter: new MessageCounter("secure-session", 1),
      now: 0,
    });
    sessions.add(session);
    window.secureChannelEvent({ kind: "commissioning-window-closed", reason: "established" });
    window.secureChannelEvent({ kind: "session-established", session, peer: {} as never, handshake: undefined });
    assert.equal(window.paseSessionId, localSessionId);
    return localSessionId;
  };
  /** The armed fail-safe expires with its cleanup, and the node tells the window (the "fail-safe-timer" effect). */
  const failSafeExpires = (): void => {
    assert.ok(failSafe.poll(Number.POSITIVE_INFINITY) !== undefined, "the fail-safe was armed");
    failSafe.cleanupDone();
    window.failSafeDisarmed();
  };
  return { state, window, failSafe, sessions, listens, closes, abandonedCommissioning, establishPase, failSafeExpires };
}
