// Runs inside `unshare -n` (spawned by commissioning-window-failsafe.test.ts): a DeviceNode without fabrics and
// without mDNS, whose boot window arms the fail-safe for every PASE session established on it (the SDK's
// CommissioningWindowManager::OnSessionEstablished), with a 3 s expiry instead of 60 s. An in-process controller:
// (1) establishes PASE and stays silent until the fail-safe expires; (3) sends ArmFailSafe(0) over PASE; (2) adds a NOC
// over PASE and closes the session; then commissions the node. Prints one JSON line of observations.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeviceNode } from "../../src/node/device-node.ts";
import { NodeController, testFabric } from "../support/node-controller.ts";

execFileSync("ip", ["link", "set", "lo", "up"]);

const WAIT_MS = 20_000;
const PASSCODE = 20202021;
const FAIL_SAFE_S = 3;
const controller = await NodeController.open({ waitMs: WAIT_MS });
const fabricA = testFabric(0xfab0_0000_0000_00a1n, 0x0000_0000_0001_b669n);
const DEVICE_NODE = 0x0000_0000_0000_0001n;

const root = mkdtempSync(join(tmpdir(), "opcreds-window-fs-"));
const log: string[] = [];
const node = await DeviceNode.start({
  dataDir: join(root, "data"),
  port: 0,
  mdns: false,
  failSafeExpirySeconds: FAIL_SAFE_S,
  logger: (level, message) => log.push(`${level}: ${message}`),
});

const state = () => ({
  window: node.commissioningWindow ?? null,
  listening: node.commissioningWindowListening,
  failSafeArmed: node.failSafeArmed,
  sessions: node.sessionCount,
  fabrics: node.fabrics.fabrics().length,
});
type State = ReturnType<typeof state>;
/** Polls the node's state until `done` holds or `ms` pass; returns the last state and how long it took. */
async function stateUntil(done: (s: State) => boolean, ms: number): Promise<State & { waitedMs: number }> {
  const start = Date.now();
  for (;;) {
    const s = state();
    if (done(s) || Date.now() - start > ms) return { ...s, waitedMs: Date.now() - start };
    await new Promise((r) => setTimeout(r, 50));
  }
}
const listeningAgain = (s: State) => s.listening && !s.failSafeArmed && s.sessions === 0;

const o: Record<string, unknown> = {};
try {
  const peer = { address: "127.0.0.1", port: node.port };
  o.atBoot = state();

  // (1) PASE, then silence: the fail-safe is armed at once and its expiry evicts the session; the window listens again.
  await controller.pase(peer, PASSCODE);
  o.silentPase = state();
  o.afterSilentExpiry = await stateUntil(listeningAgain, 10_000);

  // (3) ArmFailSafe(0) over a new PASE session: the expiry cleanup evicts that session after the response.
  const pase2 = await controller.pase(peer, PASSCODE);
  o.pase2 = state();
  o.disarm = await controller.armFailSafe(pase2, 0);
  o.afterDisarm = await stateUntil(listeningAgain, 5000);

  // (2) AddNOC over a new PASE session (ArmFailSafe 300 s first), then CloseSession: the fail-safe held by that
  // session expires at once, the pending fabric is reverted and the window listens again.
  const pase3 = await controller.pase(peer, PASSCODE);
  const add3 = await controller.addNocOverPase(pase3, fabricA, DEVICE_NODE);
  o.add3 = { armed: add3.armed, statusCode: add3.addNoc.statusCode, fabricIndex: add3.addNoc.fabricIndex };
  o.beforeClose = state();
  controller.closeSession(pase3);
  o.afterClose = await stateUntil((s) => listeningAgain(s) && s.fabrics === 0, 5000);

  // Then a full commissioning over the same window succeeds and closes it.
  const pase4 = await controller.pase(peer, PASSCODE);
  const add4 = await controller.addNocOverPase(pase4, fabricA, DEVICE_NODE);
  o.add4 = { armed: add4.armed, statusCode: add4.addNoc.statusCode, fabricIndex: add4.addNoc.fabricIndex };
  const caseA = await controller.case(peer, fabricA, DEVICE_NODE);
  o.complete = await controller.commissioningComplete(caseA);
  o.commissioned = await stateUntil((s) => s.window === null && !s.failSafeArmed, 5000);
} catch (e) {
  o.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
} finally {
  await node.stop();
  await controller.close();
  rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify({ ...o, logs: log }));
