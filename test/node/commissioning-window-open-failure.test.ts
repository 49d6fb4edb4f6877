// A window whose advertisement fails is closed as a whole: the secure channel does not keep listening on a window the
// state no longer has (a PBKDFParamRequest would otherwise reach a closed window).
import assert from "node:assert/strict";
import { test } from "node:test";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { FailSafeContext } from "../../src/fabric/fail-safe-context.ts";
import { CommissioningWindow, onboardingWindow } from "../../src/node/commissioning-window.ts";
import type { TransportDriver } from "../../src/node/transport-driver.ts";
import { CommissioningWindowState } from "../../src/sc/commissioning-window-state.ts";
import { SessionManager } from "../../src/sc/session-manager.ts";

test("an advertisement that fails closes the window: timer, state and the endpoint's listening", async () => {
  const state = new CommissioningWindowState(onboardingWindow(nodeCrypto, 20202021, 3840));
  const calls: string[] = [];
  const endpoint = {
    openCommissioningWindow: () => calls.push("listen"),
    closeCommissioningWindow: () => calls.push("close"),
    closeSession: () => {},
  };
  const transport = { endpoint, act: (input: (now: number) => void) => input(0) } as unknown as TransportDriver;
  const advertiser = {
    openCommissioningWindow: async () => {
      throw new Error("mDNS down");
    },
    closeCommissioningWindow: async () => {
      calls.push("withdraw");
    },
  } as never;
  const window = new CommissioningWindow({
    state,
    transport,
    advertiser,
    clock: () => 0,
    vendorId: 0xfff1,
    productId: 0x8000,
    deviceType: 0x0100,
    deviceName: "light",
    logger: () => {},
    failSafe: new FailSafeContext(),
    sessions: new SessionManager(nodeCrypto),
    expireFailSafe: async () => [],
    armFailSafe: () => true,
    forceFailSafeExpiry: () => {},
  });
  state.openBasic(180_000, { fabricIndex: 1, vendorId: 0xfff1 });
  await assert.rejects(window.openWindow(), /mDNS down/);
  assert.deepEqual(calls, ["listen", "close", "withdraw"]);
  assert.equal(window.listening, false);
  assert.equal(state.isOpen, false);
  assert.equal(state.pase, undefined);
});
