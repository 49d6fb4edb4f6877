// Our administrator's CLI against OUR device, as a user runs both, every process inside one private namespace with
// multicast on loopback: `opcreds start --interface lo` prints its QR payload; `opcreds commission QR` finds the device
// by DNS-SD (no --ip); then `opcreds node 1 ...`: fabrics, label, rotate-noc (a fresh CASE then reads the new NOC
// only, through the library), open-window with the matter.js controller joining as a second administrator, fabrics
// listing both (ours marked), remove-fabric of the matter.js fabric, decommission, an empty registry, and the device
// commissionable again (its window reopens and the same QR payload commissions it once more by DNS-SD).
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { compiledArgs } from "../../support/compiled-child.ts";
import {
  createNetns,
  HERE,
  type Netns,
  type NsProcess,
  ourPaaDerHex,
  REPO,
  runController,
  spawnInNetns,
  tail,
  tempState,
  waitForOutput,
} from "./harness.ts";

const BIN = join(REPO, "bin", "opcreds.js");
const PORT = 5540;

let ns: Netns;
let state: ReturnType<typeof tempState>;
let device: NsProcess | undefined;
const shared = {
  qr: "",
  window: undefined as { manualPairingCode: string; discriminator: number } | undefined,
};
const adminDir = () => join(state.dir, "admin");

before(() => {
  assert.equal(process.getuid?.(), 0, "interop tests need root to create network namespaces");
  ns = createNetns("lo-mcast");
  state = tempState("opcreds-admin-our");
});

after(async () => {
  await device?.stop();
  ns?.delete();
  state?.remove();
});

/** One run of a command in the namespace: exit code, stdout and stderr apart. */
type Run = { code: number | string; out: string; err: string };

/** Runs `command args` in the namespace to completion (stopped after `timeoutMs`). */
async function runInNs(command: string, args: readonly string[], timeoutMs: number): Promise<Run> {
  const p = spawnInNetns(ns, command, args, {});
  let out = "";
  let err = "";
  p.child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  p.child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const timer = setTimeout(() => void p.stop(), timeoutMs);
  const code = await p.exited;
  clearTimeout(timer);
  return { code, out, err };
}

/** `opcreds ARGS --data ADMIN` through the real bin, as a user runs it. */
function opcreds(...args: string[]): Promise<Run> {
  return runInNs(process.execPath, [BIN, ...args, "--data", adminDir()], 90_000);
}

/** The run's log for a failed assertion: the command's output and the device's recent log. */
function log(r: Run): string {
  return `exit ${r.code}\nstdout:\n${tail(r.out)}\nstderr:\n${tail(r.err)}\n--- device:\n${tail(device?.output() ?? "", 30)}`;
}

/** Asserts exit 0 and parses the single JSON object or array on stdout. */
function json(r: Run): ReturnType<typeof JSON.parse> {
  assert.equal(r.code, 0, log(r));
  return JSON.parse(r.out);
}

/** The node's NOCs over a fresh CASE session and the registry's NOC (admin-our-device-netns.ts "nocs"). */
async function nocs(nodeId: string): Promise<{
  currentFabricIndex: number;
  nocs: { fabricIndex: number; noc: string; icac: string | null }[];
  registry: { fabricIndex: number; noc: string; icac: string | null };
}> {
  const r = await runInNs(
    process.execPath,
    compiledArgs(["--import", "tsx", join(HERE, "admin-our-device-netns.ts"), "nocs", adminDir(), nodeId]),
    60_000,
  );
  const o = json(r);
  assert.equal(o.error, undefined, `${o.error}\n${log(r)}`);
  assert.equal(o.ok, true, log(r));
  return o;
}

/** How often the device logged that its basic commissioning window opened. */
const basicWindowsOpened = () => (device?.output().match(/commissioning window open \(basic/g) ?? []).length;

/** The `fabrics --json` rows reduced to what the assertions compare. */
const rows = (f: { fabrics: Record<string, unknown>[] }) =>
  f.fabrics.map((d) => ({ fabricIndex: d.fabricIndex, vendorId: d.vendorId, label: d.label, ours: d.ours }));

test("opcreds commission finds our device by DNS-SD from its QR payload; fabrics, label and rotate-noc", async () => {
  device = spawnInNetns(
    ns,
    process.execPath,
    [BIN, "start", "--interface", "lo", "--data", join(state.dir, "device")],
    {},
  );
  const ready = await waitForOutput(device, /DEVICE_READY (\{.*\})/, 60_000);
  const qr = /^QR code payload: +(MT:[0-9A-Z.-]+)$/m.exec(device.output())?.[1];
  assert.ok(qr, `no QR payload on stdout:\n${tail(device.output())}`);
  assert.equal(JSON.parse(ready[1]!).qrPairingCode, qr);
  assert.equal(basicWindowsOpened(), 1);
  shared.qr = qr;

  const commission = await opcreds("commission", qr, "--json");
  const c = json(commission);
  assert.deepEqual(
    { nodeId: c.nodeId, fabricIndex: c.fabricIndex, vendorId: c.vendorId, productId: c.productId, port: c.port },
    { nodeId: "1", fabricIndex: 1, vendorId: 0xfff1, productId: 0x8000, port: PORT },
  );
  // Found by DNS-SD: a discovery step ran before PASE, and the operational address came from the same namespace.
  const steps = (c.steps as { step: string }[]).map((s) => s.step);
  assert.equal(steps[0], "discovery", commission.err);
  assert.ok(steps.includes("CommissioningComplete") && steps.includes("UpdateFabricLabel"), commission.err);
  assert.match(c.address, /^(127\.0\.0\.1|::1)$/);
  assert.match(commission.err, /commissioned node 1 \(fabric index 1 on the device\)/);

  const nodes = json(await opcreds("nodes", "--json"));
  assert.deepEqual(
    nodes.map((n: Record<string, unknown>) => [n.nodeId, n.fabricIndex, n.label]),
    // The registry's label is our fabric's label on the node: the administrator's, written by UpdateFabricLabel.
    [["1", 1, "opcreds"]],
  );

  const f1 = json(await opcreds("node", "1", "fabrics", "--json"));
  assert.equal(f1.supportedFabrics, 16);
  assert.equal(f1.commissionedFabrics, 1);
  assert.deepEqual(rows(f1), [{ fabricIndex: 1, vendorId: 0xfff1, label: "opcreds", ours: true }]);
  assert.equal(f1.fabrics[0].nodeId, "1");

  const label = await opcreds("node", "1", "label", "kitchen", "--json");
  assert.deepEqual(json(label), { nodeId: "1", label: "kitchen" });
  const f2 = json(await opcreds("node", "1", "fabrics", "--json"));
  assert.deepEqual(rows(f2), [{ fabricIndex: 1, vendorId: 0xfff1, label: "kitchen", ours: true }]);
  assert.equal(json(await opcreds("nodes", "--json"))[0].label, "kitchen");

  const before = await nocs("1");
  assert.equal(before.currentFabricIndex, 1);
  assert.deepEqual(
    before.nocs.map((n) => n.noc),
    [before.registry.noc],
  );

  const rotate = await opcreds("node", "1", "rotate-noc", "--json");
  const r = json(rotate);
  assert.equal(r.nodeId, "1");
  assert.ok(Date.parse(r.nocNotAfter) > Date.now(), r.nocNotAfter);
  for (const step of ["ArmFailSafe", "CSRRequest", "UpdateNOC", "CASE (new NOC)", "CommissioningComplete"]) {
    assert.match(rotate.err, new RegExp(`^${step.replace(/[()]/g, "\\$&")} +[0-9.]+ ms`, "m"), log(rotate));
  }

  // A fresh CASE (no resumption) after UpdateNOC works, and the device holds exactly the new NOC.
  const afterRotate = await nocs("1");
  assert.equal(afterRotate.currentFabricIndex, 1);
  assert.notEqual(afterRotate.registry.noc, before.registry.noc, "the registry keeps the new NOC");
  assert.deepEqual(afterRotate.nocs, [
    { fabricIndex: 1, noc: afterRotate.registry.noc, icac: afterRotate.registry.icac },
  ]);
  // And the CLI's own session after rotation (resumed or fresh) still reaches the node.
  const f3 = json(await opcreds("node", "1", "fabrics", "--json"));
  assert.deepEqual(rows(f3), [{ fabricIndex: 1, vendorId: 0xfff1, label: "kitchen", ours: true }]);
  assert.equal(Date.parse(f3.nocNotAfter), Date.parse(r.nocNotAfter));

  const w = json(await opcreds("node", "1", "open-window", "--timeout", "180", "--json"));
  assert.match(w.manualPairingCode, /^\d{11}$/);
  assert.match(w.qrPairingCode, /^MT:/);
  assert.notEqual(w.qrPairingCode, qr);
  assert.equal(w.timeoutSeconds, 180);
  assert.equal(typeof w.discriminator, "number");
  shared.window = w;
});

test("the matter.js controller joins through the window; fabrics lists both, remove-fabric removes it", async () => {
  const window = shared.window;
  assert.ok(window, "needs the window opened by the previous test");
  const run = await runController(
    ns,
    {
      CTRL_STORAGE: join(state.dir, "controller"),
      CTRL_PAIRING_CODE: window.manualPairingCode,
      CTRL_DISCRIMINATOR: String(window.discriminator),
      CTRL_TARGET_IP: "127.0.0.1",
      CTRL_TARGET_PORT: String(PORT),
      CTRL_ATTESTATION: "strict",
      CTRL_PAA_DER_HEX: ourPaaDerHex(),
      CTRL_MINIMAL: "1",
      CTRL_FABRIC_LABEL: "second-admin",
      MATTER_MDNS_NETWORKINTERFACE: "lo",
    },
    90_000,
  );
  const summary = run.results.get("summary")?.[0] as { ok?: boolean } | undefined;
  assert.equal(summary?.ok, true, `controller:\n${tail(run.log, 60)}\n--- device:\n${tail(device?.output() ?? "")}`);
  const joined = run.first("opcreds-before") as { currentFabricIndex: number; commissionedFabrics: number };
  assert.equal(joined.currentFabricIndex, 2);
  assert.equal(joined.commissionedFabrics, 2);

  const both = json(await opcreds("node", "1", "fabrics", "--json"));
  assert.equal(both.commissionedFabrics, 2);
  assert.deepEqual(rows(both), [
    { fabricIndex: 1, vendorId: 0xfff1, label: "kitchen", ours: true },
    { fabricIndex: 2, vendorId: 0xfff1, label: "second-admin", ours: false },
  ]);
  assert.notEqual(both.fabrics[1].fabricId, both.fabrics[0].fabricId);
  // The text form marks ours.
  const text = await opcreds("node", "1", "fabrics");
  assert.equal(text.code, 0, log(text));
  const lines = text.out.trim().split("\n");
  assert.match(lines[0]!, /^2 of 16 fabrics; our NOC expires /);
  assert.match(lines[1]!, /^\* 1\t.*label "kitchen"\t\(ours\)$/);
  assert.match(lines[2]!, /^ {2}2\t.*label "second-admin"$/);

  const ownRefused = await opcreds("node", "1", "remove-fabric", "1");
  assert.equal(ownRefused.code, 1);
  assert.match(ownRefused.err, /^error: RemoveFabric: fabric 1 is this administrator's own; use decommission/);

  const removed = json(await opcreds("node", "1", "remove-fabric", "2", "--json"));
  assert.deepEqual(removed, { nodeId: "1", removedFabricIndex: 2 });
  const left = json(await opcreds("node", "1", "fabrics", "--json"));
  assert.equal(left.commissionedFabrics, 1);
  assert.deepEqual(rows(left), [{ fabricIndex: 1, vendorId: 0xfff1, label: "kitchen", ours: true }]);
});

test("decommission empties the registry and the device is commissionable again by DNS-SD from its QR payload", async () => {
  assert.ok(device && shared.qr, "needs the device of the previous tests");
  const opened = basicWindowsOpened();
  const d = json(await opcreds("node", "1", "decommission", "--json"));
  assert.deepEqual(d, { nodeId: "1", removed: true, alreadyRemoved: false, forgotten: true });
  assert.deepEqual(json(await opcreds("nodes", "--json")), []);
  // With its last fabric gone the device reopens its basic window (logged once more) ...
  for (let i = 0; i < 300 && basicWindowsOpened() === opened; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(basicWindowsOpened(), opened + 1, tail(device.output()));
  // ... and the QR payload it printed at start commissions it again, found by DNS-SD.
  const again = await opcreds("commission", shared.qr, "--json");
  const c = json(again);
  assert.equal((c.steps as { step: string }[])[0]?.step, "discovery");
  assert.deepEqual(
    json(await opcreds("nodes", "--json")).map((n: Record<string, unknown>) => n.nodeId),
    [c.nodeId],
  );
  const f = json(await opcreds("node", c.nodeId, "fabrics", "--json"));
  assert.equal(f.commissionedFabrics, 1, "the device's fabric table was empty before");
  assert.deepEqual(rows(f), [{ fabricIndex: c.fabricIndex, vendorId: 0xfff1, label: "opcreds", ours: true }]);
});
