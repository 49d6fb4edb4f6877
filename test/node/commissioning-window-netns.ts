// Runs inside `unshare -n` (spawned by commissioning-window.test.ts): a DeviceNode without mDNS, commissioned over UDP
// by an in-process controller (fabric 1), whose administrator then opens enhanced windows (OpenCommissioningWindow,
// timed) and lets a second commissioner establish PASE on them. Records the Administrator Commissioning attributes
// (read in process), the node's window and the command statuses at each step: while the commissioning over the
// window's PASE session runs, after RevokeCommissioning, after fail-safe expiry (the window listens again), after
// CommissioningComplete and after the PASE session's CloseSession (the window listens again).
// Prints one JSON line of observations; exits non-zero on failure.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AdministratorCommissioningCluster,
  OpenCommissioningWindowRequest,
} from "../../src/clusters/administrator-commissioning/administrator-commissioning.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { ImMessageType } from "../../src/im/messages/im-message-type.ts";
import { ReadRequestMessage } from "../../src/im/messages/read-request-message.ts";
import { ReportDataMessage } from "../../src/im/messages/report-data-message.ts";
import { DeviceNode } from "../../src/node/device-node.ts";
import { computePaseVerifier, encodePaseVerifier } from "../../src/sc/pase/pase-verifier.ts";
import type { SecureSession } from "../../src/sc/secure-session.ts";
import { pase as paseInfo } from "../im/fixtures.ts";
import {
  emptyFields,
  type Fields,
  NodeController,
  statusOf,
  type TestFabric,
  testFabric,
} from "../support/node-controller.ts";

execFileSync("ip", ["link", "set", "lo", "up"]);

/** How long one invoke may take before the run fails. */
const WAIT_MS = 20_000;
const crypto = nodeCrypto;
const controller = await NodeController.open({ waitMs: WAIT_MS });

// ---- two fabrics: the administrator's (fabric 1) and the second commissioner's ------------------------------------
const fabricA = testFabric(0xfab0_0000_0000_00a1n, 0x0000_0000_0001_b669n);
const fabricB = testFabric(0xfab0_0000_0000_00b2n, 0x0000_0000_0002_c77an, { fabricIndex: 2 });
const DEVICE_NODE_A = 0x0000_0000_0000_0001n;
const DEVICE_NODE_B = 0x0000_0000_0000_0002n;

/** Over a PASE session: ArmFailSafe(300), CSRRequest, AddTrustedRootCertificate, AddNOC on `fabric`. */
async function addNocOverPase(pase: SecureSession, fabric: TestFabric, nodeId: bigint) {
  const { armed, addNoc } = await controller.addNocOverPase(pase, fabric, nodeId);
  return { armed, ...addNoc };
}

// ---- the run ---------------------------------------------------------------------------------------------------------
const root = mkdtempSync(join(tmpdir(), "opcreds-window-"));
const log: string[] = [];
const node = await DeviceNode.start({
  dataDir: join(root, "data"),
  port: 0,
  mdns: false,
  logger: (level, message) => log.push(`${level}: ${message}`),
});

/** WindowStatus, AdminFabricIndex and AdminVendorId read in process (as a PASE session: View on the root node). */
async function adminAttributes(): Promise<{
  windowStatus: number | null;
  adminFabricIndex: number | null;
  adminVendorId: number | null;
}> {
  const ex = node.interactionServer.openExchange(paseInfo());
  const attributeRequests = Object.values(AdministratorCommissioningCluster.attributes).map((attribute) => ({
    endpoint: 0,
    cluster: AdministratorCommissioningCluster.id,
    attribute,
  }));
  const st = await ex.onMessage(
    ImMessageType.ReadRequest,
    ReadRequestMessage.encode({ attributeRequests, isFabricFiltered: false }),
    Date.now(),
  );
  const values = new Map<number, number | null>();
  for (const m of st.send) {
    if (m.messageType !== ImMessageType.ReportData) continue;
    for (const a of ReportDataMessage.decode(m.payload).attributeReports ?? []) {
      const d = a.attributeData;
      if (d === undefined) continue;
      values.set(d.path.attribute!, d.data.type === "null" ? null : Number((d.data as { value: bigint }).value));
    }
  }
  const A = AdministratorCommissioningCluster.attributes;
  return {
    windowStatus: values.get(A.WindowStatus) ?? null,
    adminFabricIndex: values.get(A.AdminFabricIndex) ?? null,
    adminVendorId: values.get(A.AdminVendorId) ?? null,
  };
}
const snapshot = async () => ({
  ...(await adminAttributes()),
  window: node.commissioningWindow ?? null,
  fabrics: node.fabrics.fabrics().length,
});

/** Snapshots until `done` holds or 5 s pass (effects run once the response's exchange is acknowledged). */
async function snapshotUntil(done: (s: Awaited<ReturnType<typeof snapshot>>) => boolean) {
  const until = Date.now() + 5000;
  for (;;) {
    const s = await snapshot();
    if (done(s) || Date.now() > until) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until `done` holds (checked every 50 ms); throws after 10 s. */
async function waitFor(done: () => boolean): Promise<void> {
  const until = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > until) throw new RangeError("condition not reached within 10 s");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const PASSCODE_2 = 34567890;
const pbkdf = { iterations: 1000, salt: crypto.randomBytes(24) };
const verifier = encodePaseVerifier(computePaseVerifier(crypto, PASSCODE_2, pbkdf));
const ocwFields: Fields = (t) =>
  OpenCommissioningWindowRequest.encodeNode(
    {
      commissioningTimeout: 180,
      pakePasscodeVerifier: verifier,
      discriminator: 0x0abc,
      iterations: 1000,
      salt: pbkdf.salt,
    },
    t,
  );
const AC = AdministratorCommissioningCluster.commands;
const ocw = (s: SecureSession) =>
  controller.invoke(s, AdministratorCommissioningCluster.id, AC.OpenCommissioningWindow, ocwFields, { timed: true });
const revoke = (s: SecureSession, timed = true) =>
  controller.invoke(s, AdministratorCommissioningCluster.id, AC.RevokeCommissioning, emptyFields, { timed });

/** A PASE attempt that must not be accepted: "refused" unless it completes within `ms`. */
async function paseRefused(peer: { address: string; port: number }, passcode: number, ms: number): Promise<string> {
  const attempt = controller.pase(peer, passcode).then(
    () => "established",
    () => "refused",
  );
  return Promise.race([attempt, new Promise<string>((r) => setTimeout(() => r("refused"), ms))]);
}

/** Observations so far: a failing step ends the run but what was seen before it is still printed. */
const o: Record<string, unknown> = {};
try {
  const peer = { address: "127.0.0.1", port: node.port };

  // 0. The administrator commissions the node on fabric A over the boot window.
  const paseA = await controller.pase(peer, 20202021);
  const addA = await addNocOverPase(paseA, fabricA, DEVICE_NODE_A);
  const caseA = await controller.case(peer, fabricA, DEVICE_NODE_A);
  const completeA = await controller.commissioningComplete(caseA);
  o.commissioned = { addNoc: addA, complete: completeA, ...(await snapshotUntil((s) => s.window === null)) };

  // 1. An enhanced window, and PASE on it: the window stays open (not listening) while the commissioning runs.
  o.ocw1 = statusOf(await ocw(caseA));
  o.open1 = await snapshot();
  const pase1 = await controller.pase(peer, PASSCODE_2);
  o.duringPase1 = await snapshot();
  o.secondPase = await paseRefused(peer, PASSCODE_2, 2000);
  // 3. OpenCommissioningWindow while the window's commissioning runs (fail-safe not armed yet) → Busy.
  o.ocwDuringPase = statusOf(await ocw(caseA));

  // 2. The second commissioner arms the fail-safe and adds fabric B over PASE; the administrator revokes: the fail-safe
  // held by that PASE session is expired at once (fabric B dropped) and the window closes.
  o.addB1 = await addNocOverPase(pase1, fabricB, DEVICE_NODE_B);
  o.beforeRevoke = await snapshot();
  o.revokeUntimed = statusOf(await revoke(caseA, false));
  o.revoked = statusOf(await revoke(caseA));
  o.afterRevoke = await snapshot();
  o.revokeAgain = statusOf(await revoke(caseA));
  // The fail-safe is disarmed: a new window can be opened at once (Busy while a fail-safe is armed).
  o.ocwAfterRevoke = statusOf(await ocw(caseA));

  // 1'. Fail-safe expiry ends the commissioning: PASE, ArmFailSafe(1 s), then the timer expires it. The SDK
  // (kFailSafeTimerExpired → HandleFailedAttempt) evicts the PASE session and listens again on the same window.
  const pase2 = await controller.pase(peer, PASSCODE_2);
  o.armed2 = await controller.armFailSafe(pase2, 1);
  o.duringPase2 = await snapshot();
  o.listeningDuringPase2 = node.commissioningWindowListening;
  const sessionsDuringPase2 = node.sessionCount;
  await waitFor(() => node.commissioningWindowListening && !node.failSafeArmed);
  o.afterExpiry = await snapshot();
  o.listeningAfterExpiry = node.commissioningWindowListening;
  o.sessionsAroundExpiry = [sessionsDuringPase2, node.sessionCount];
  // The window is still open: OpenCommissioningWindow → Busy.
  o.ocw3 = statusOf(await ocw(caseA));

  // 1''. CommissioningComplete ends it: PASE on the same window, AddNOC (fabric B), CASE on fabric B, CommissioningComplete.
  const pase3 = await controller.pase(peer, PASSCODE_2);
  o.addB3 = await addNocOverPase(pase3, fabricB, DEVICE_NODE_B);
  o.duringPase3 = await snapshot();
  const caseB = await controller.case(peer, fabricB, DEVICE_NODE_B);
  const sessionsBeforeComplete = node.sessionCount;
  o.completeB = await controller.commissioningComplete(caseB);
  o.afterComplete = await snapshotUntil((s) => s.window === null);
  // CommissioningComplete ends every PASE session (the SDK's ExpireAllPASESessions): here the one it followed (the
  // revoked and the expired commissionings' sessions are gone already). The CASE sessions of fabrics A and B stay.
  o.sessionsAroundComplete = [sessionsBeforeComplete, node.sessionCount];

  // 4. The PASE session ends (CloseSession) before the commissioner's ArmFailSafe: the fail-safe armed for it at
  // establishment expires (the SDK's OnSessionReleased → ExpireFailSafeIfArmed) and the window listens again.
  o.ocw4 = statusOf(await ocw(caseA));
  const pase4 = await controller.pase(peer, PASSCODE_2);
  o.duringPase4 = await snapshot();
  o.failSafeDuringPase4 = node.failSafeArmed;
  controller.closeSession(pase4);
  await waitFor(() => node.commissioningWindowListening && !node.failSafeArmed);
  o.afterPaseClosed = await snapshot();
  o.listeningAfterPaseClosed = node.commissioningWindowListening;
  // A new PASE works on it; RevokeCommissioning then closes the window (expiring that session's fail-safe).
  await controller.pase(peer, PASSCODE_2);
  o.revokeAfterRelisten = statusOf(await revoke(caseA));
  o.afterFinalRevoke = await snapshot();
  o.failSafeAfterFinalRevoke = node.failSafeArmed;
} catch (e) {
  o.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
} finally {
  await node.stop();
  await controller.close();
  rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify({ ...o, logs: log }));
