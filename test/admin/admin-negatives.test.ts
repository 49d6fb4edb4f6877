// Commissioning flows of the Administrator that must fail, against our own device inside a private network namespace:
// an untrusted PAA, a wrong passcode, the device killed right after AddNOC, and a caller aborting after
// AddNOC. Each failure is one line naming its step, the registry stays empty and the device keeps no fabric.
// Each case has its own namespace and device, so they run at once: most of their time is waiting (the Busy hold after a
// failed PASE, a CASE timeout), which then overlaps.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { STEPS_UP_TO_ADDNOC } from "../support/commissioning-steps.ts";
import { runInPrivateNetnsAsync } from "../support/netns-child.ts";

const SCRIPT = "test/admin/admin-negatives-netns.ts";
/** The device before and after every case: no fabric, no root, breadcrumb 0 (no fail-safe left armed). */
const PRISTINE = { commissionedFabrics: 0, trustedRoots: 0, breadcrumb: 0 };
async function run(which: string) {
  const o = await runInPrivateNetnsAsync(SCRIPT, { args: [which], timeoutMs: 90_000 });
  assert.equal(o.error, undefined, o.error);
  assert.equal(o.ok, true);
  assert.deepEqual(o.before, PRISTINE);
  return o;
}

function assertOneLine(message: string): void {
  assert.doesNotMatch(message, /\n/);
}

describe("commissioning flows that must fail", { concurrency: true }, () => {
  test("a production trust store without the device's PAA refuses it at attestation and names the PAA", async () => {
    const o = await run("untrusted-paa");
    assert.notEqual(o.paaSkid, o.otherSkid);
    assert.deepEqual(o.refused.steps, ["PASE", "read", "ArmFailSafe", "SetRegulatoryConfig"]);
    assert.equal(o.refused.error.name, "AdminError");
    assert.equal(o.refused.error.code, "admin.attestation-failed");
    assert.equal(o.refused.error.step, "attestation");
    // The PAI's AKID is the SKID of the device's PAA.
    assert.equal(o.refused.error.message, `attestation: paa.not-trusted: PAA not trusted (AKID ${o.paaSkid})`);
    assertOneLine(o.refused.error.message);
    assert.equal(o.nodes, 0);
    assert.deepEqual(o.after, PRISTINE);
    // Control: a store holding the device's PAA gets past the PAA lookup (and then refuses the test CD signer, as a
    // production store must).
    assert.match(o.control.error.message, /^attestation: cd\.test-signer-in-production: /);
    assert.equal(o.control.nodes, 0);
  });

  test("a wrong passcode fails at PASE; the device stays uncommissioned and still accepts its own passcode", async () => {
    const o = await run("wrong-passcode");
    assert.deepEqual(o.refused.steps, []);
    assert.equal(o.refused.error.name, "AdminError");
    assert.equal(o.refused.error.step, "PASE");
    assert.match(o.refused.error.message, /^PASE: wrong passcode /);
    assertOneLine(o.refused.error.message);
    assert.equal(o.nodes, 0);
    assert.deepEqual(o.after, PRISTINE);
  });

  test("the device SIGKILLed right after AddNOC: CASE times out, nothing registered, no fabric after the restart", async () => {
    const o = await run("killed");
    assert.equal(o.signal, "SIGKILL");
    assert.deepEqual(o.failed.steps, [...STEPS_UP_TO_ADDNOC, "operational discovery"]);
    assert.deepEqual(o.failed.error, {
      name: "AdminError",
      code: "admin.timeout",
      step: "CASE",
      message: "CASE: no answer in 3 s",
    });
    assert.equal(o.nodes, 0);
    // The fabric added under the fail-safe was never committed.
    assert.deepEqual(o.afterRestart, PRISTINE);
  });

  test("a caller aborting after AddNOC on a live device: the flow disarms the fail-safe and the device reverts", async () => {
    const o = await run("aborted-after-addnoc");
    assert.deepEqual(o.failed.steps, STEPS_UP_TO_ADDNOC);
    assert.deepEqual(o.failed.error, { name: "RangeError", message: "aborted by the test after AddNOC" });
    assert.equal(o.nodes, 0);
    assert.equal(o.storedFabrics, 0);
    assert.deepEqual(o.after, PRISTINE);
  });
});
