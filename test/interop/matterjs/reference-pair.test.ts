// Proves the interop harness on this machine: the matter.js controller commissions the matter.js REFERENCE device
// (device.mjs) at a known loopback address inside a private namespace, with strict offline attestation, reads the
// OpCreds attributes, updates the fabric label and reconnects over CASE.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createNetns, type Netns, type NsProcess, runController, startReferenceDevice, tempState } from "./harness.ts";

let ns: Netns;
let state: ReturnType<typeof tempState>;
let device: NsProcess | undefined;

before(() => {
  ns = createNetns("lo");
  state = tempState("opcreds-mjs-ref");
});

after(async () => {
  await device?.stop();
  ns?.delete();
  state?.remove();
});

test("matter.js controller commissions the matter.js reference device (strict attestation, minimal)", async () => {
  const started = await startReferenceDevice(ns, { storage: `${state.dir}/device` });
  device = started.process;
  assert.equal(started.ready.commissioned, false);
  const run = await runController(ns, {
    CTRL_STORAGE: `${state.dir}/controller`,
    CTRL_ATTESTATION: "strict",
    CTRL_MINIMAL: "1",
  });
  const summary = run.first("summary");
  assert.equal(summary.ok, true, run.log);
  assert.equal(run.code, 0);
  const before = run.first("opcreds-before");
  assert.equal(before.supportedFabrics, 254);
  assert.equal(before.commissionedFabrics, 1);
  assert.equal(before.currentFabricIndex, 1);
  assert.equal((before.trustedRootCertificates as unknown[]).length, 1);
  assert.deepEqual(run.first("updateFabricLabel"), { statusCode: 0, fabricIndex: 1 });
  const reconnected = run.first("reconnected");
  assert.equal(reconnected.currentFabricIndex, 1);
  assert.equal(reconnected.onOff, true);
  // Strict attestation produced no error-level finding.
  const findings = (run.results.get("attestation-finding") ?? []) as { level?: string }[];
  assert.deepEqual(
    findings.filter((f) => f.level === "error"),
    [],
  );
});
