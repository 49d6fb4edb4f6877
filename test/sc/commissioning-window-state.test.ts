// The commissioning window's one state: what opening, closing and failed attempts do to it, and which of the
// Administrator Commissioning attributes it reports changed.
import assert from "node:assert/strict";
import { test } from "node:test";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import {
  CommissioningWindowState,
  CommissioningWindowStatus,
  type WindowAttribute,
} from "../../src/sc/commissioning-window-state.ts";
import { computePaseVerifier, type PbkdfParameters } from "../../src/sc/pase/pase-verifier.ts";

const PBKDF: PbkdfParameters = { iterations: 1000, salt: new Uint8Array(32).fill(7) };
const VERIFIER = computePaseVerifier(nodeCrypto, 20202021, PBKDF);

function recorded() {
  const window = new CommissioningWindowState(() => ({
    verifier: VERIFIER,
    pbkdfParameters: PBKDF,
    discriminator: 3840,
  }));
  const changes: (readonly WindowAttribute[])[] = [];
  window.onChange((c) => changes.push(c));
  return { window, changes };
}

test("the node's own basic window is open but WindowNotOpen, with no opener and nothing reported", () => {
  const { window, changes } = recorded();
  window.openBasic(Number.MAX_SAFE_INTEGER);
  assert.equal(window.kind, "basic");
  assert.equal(window.isOpen, true);
  assert.equal(window.discriminator, 3840);
  assert.equal(window.pase?.verifier, VERIFIER);
  assert.equal(window.windowStatus, CommissioningWindowStatus.WindowNotOpen);
  assert.deepEqual([window.adminFabricIndex, window.adminVendorId], [null, null]);
  assert.deepEqual(changes, []);
});

test("an Administrator's window names its opener; removing another fabric changes nothing, removing the opener's clears its fabric index", () => {
  const { window, changes } = recorded();
  window.openBasic(180_000, { fabricIndex: 2, vendorId: 0xfff2 });
  assert.equal(window.windowStatus, CommissioningWindowStatus.BasicWindowOpen);
  assert.deepEqual(changes, [["windowStatus", "adminFabricIndex", "adminVendorId"]]);
  window.fabricRemoved(1);
  assert.equal(changes.length, 1);
  window.fabricRemoved(2);
  assert.deepEqual(changes.at(-1), ["adminFabricIndex"]);
  assert.deepEqual([window.adminFabricIndex, window.adminVendorId], [null, 0xfff2]);
  assert.equal(window.isOpen, true);
  assert.equal(window.windowStatus, CommissioningWindowStatus.BasicWindowOpen);
  window.close();
  assert.deepEqual(changes.at(-1), ["windowStatus", "adminVendorId"]);
  assert.equal(window.closesAt, undefined);
});

test("a new window starts with no failed attempt and no hold", () => {
  const { window } = recorded();
  window.openEnhanced(
    { verifier: VERIFIER, pbkdfParameters: PBKDF, discriminator: 0xabc, closesAt: 900_000 },
    { fabricIndex: 1, vendorId: 0xfff1 },
  );
  assert.equal(window.windowStatus, CommissioningWindowStatus.EnhancedWindowOpen);
  window.attemptFailed();
  window.holdUntil(5_000);
  assert.equal(window.failedAttempts, 1);
  assert.equal(window.heldFor(1_000), 4_000);
  assert.equal(window.heldFor(5_000), undefined);
  window.close();
  window.openBasic(Number.MAX_SAFE_INTEGER);
  assert.equal(window.failedAttempts, 0);
  assert.equal(window.heldFor(1_000), undefined);
});
