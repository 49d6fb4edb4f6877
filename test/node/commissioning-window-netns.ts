// Runs inside `unshare -n` (spawned by commissioning-window.test.ts): a DeviceNode without mDNS, commissioned over UDP
// by an in-process controller (fabric 1), whose administrator then opens enhanced windows (OpenCommissioningWindow,
// timed) and lets a second commissioner establish PASE on them. Records the Administrator Commissioning attributes
// (read in process), the node's window and the command statuses at each step: while the commissioning over the
// window's PASE session runs, after RevokeCommissioning, after fail-safe expiry and after CommissioningComplete.
// Prints one JSON line of observations; exits non-zero on failure.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compressedFabricId } from "../../src/cert/compressed-fabric-id.ts";
import { decodeNocsrElements } from "../../src/cert/nocsr-elements.ts";
import {
  ADMINISTRATOR_COMMISSIONING_CLUSTER_ID,
  AdministratorCommissioningAttribute,
  AdministratorCommissioningCommand,
  OpenCommissioningWindowRequest,
} from "../../src/clusters/administrator-commissioning/administrator-commissioning.ts";
import {
  ArmFailSafeRequest,
  CommissioningResponse,
  GENERAL_COMMISSIONING_CLUSTER_ID,
  GeneralCommissioningCommand,
} from "../../src/clusters/general-commissioning/general-commissioning.ts";
import { AddNocRequest } from "../../src/clusters/operational-credentials/add-noc.ts";
import { AddTrustedRootCertificateRequest } from "../../src/clusters/operational-credentials/add-trusted-root-certificate.ts";
import { CsrRequest, CsrResponse } from "../../src/clusters/operational-credentials/csr-request.ts";
import { NocResponse } from "../../src/clusters/operational-credentials/noc-response.ts";
import { OPERATIONAL_CREDENTIALS_CLUSTER_ID } from "../../src/clusters/operational-credentials/operational-credentials-cluster.ts";
import { OperationalCredentialsCommand as Cmd } from "../../src/clusters/operational-credentials/operational-credentials-options.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { fabricIndex } from "../../src/fabric/fabric-index.ts";
import { operationalGroupKey } from "../../src/fabric/group-keys.ts";
import { ImMessageType } from "../../src/im/messages/im-message-type.ts";
import { InvokeRequestMessage } from "../../src/im/messages/invoke-request-message.ts";
import { InvokeResponseMessage } from "../../src/im/messages/invoke-response-message.ts";
import { ReadRequestMessage } from "../../src/im/messages/read-request-message.ts";
import { ReportDataMessage } from "../../src/im/messages/report-data-message.ts";
import { StatusResponseMessage } from "../../src/im/messages/status-response-message.ts";
import { TimedRequestMessage } from "../../src/im/messages/timed-request-message.ts";
import { ProtocolId } from "../../src/message/protocol-ids.ts";
import { DeviceNode } from "../../src/node/device-node.ts";
import { TransportDriver } from "../../src/node/transport-driver.ts";
import type { CaseFabric } from "../../src/sc/case/case-fabric.ts";
import { computePaseVerifier, encodePaseVerifier } from "../../src/sc/pase/pase-verifier.ts";
import type { SecureSession } from "../../src/sc/secure-session.ts";
import { SessionManager } from "../../src/sc/session-manager.ts";
import { ctx, type TlvNode } from "../../src/tlv/tlv-node.ts";
import { pase as paseInfo } from "../im/fixtures.ts";
import { TestCa } from "../support/test-commissioner.ts";

execFileSync("ip", ["link", "set", "lo", "up"]);

/** How long one invoke may take before the run fails. */
const WAIT_MS = 20_000;
const crypto = nodeCrypto;
const controller = await TransportDriver.open({ crypto, sessions: new SessionManager(crypto), port: 0 });

type InvokeResult =
  | { readonly kind: "response"; readonly commandId: number; readonly fields: TlvNode | undefined }
  | { readonly kind: "status"; readonly status: number; readonly clusterStatus: number | undefined };
type Fields = (tag: ReturnType<typeof ctx>) => TlvNode;
const emptyFields: Fields = (tag) => ({ tag, type: "struct", elements: [] });

/**
 * One InvokeRequest on a new exchange of `session`; `timed` sends a TimedRequest first on the same exchange (Core
 * 8.7.2) and the InvokeRequest once its StatusResponse arrives. Resolves with the single InvokeResponseIB.
 */
function invoke(
  session: SecureSession,
  cluster: number,
  command: number,
  fields: Fields,
  timed = false,
): Promise<InvokeResult> {
  const label = `invoke 0x${cluster.toString(16)}/0x${command.toString(16)}`;
  return new Promise<InvokeResult>((resolveInvoke, reject) => {
    const timer = setTimeout(() => reject(new RangeError(`${label} timed out`)), WAIT_MS);
    controller.act((now) => {
      const ax = controller.endpoint.openExchange(session.localSessionId, ProtocolId.INTERACTION_MODEL);
      const request = InvokeRequestMessage.encode({
        suppressResponse: false,
        timedRequest: timed,
        invokeRequests: [{ path: { endpoint: 0, cluster, command }, fields: fields(ctx(1)) }],
      });
      ax.onMessage = (at, m) => {
        if (m.opcode === ImMessageType.StatusResponse && timed) {
          const { status } = StatusResponseMessage.decode(m.applicationPayload);
          if (status !== 0) {
            clearTimeout(timer);
            ax.close(at);
            resolveInvoke({ kind: "status", status, clusterStatus: undefined });
            return;
          }
          ax.send(at, ImMessageType.InvokeRequest, request, { expectResponseWithinMs: WAIT_MS });
          return;
        }
        clearTimeout(timer);
        ax.close(at);
        if (m.opcode !== ImMessageType.InvokeResponse) {
          reject(new RangeError(`${label}: opcode 0x${m.opcode.toString(16)}`));
          return;
        }
        const [r] = InvokeResponseMessage.decode(m.applicationPayload).invokeResponses;
        if (r?.command !== undefined) {
          resolveInvoke({ kind: "response", commandId: r.command.path.command, fields: r.command.fields });
        } else if (r?.status !== undefined) {
          const { status, clusterStatus } = r.status.status;
          resolveInvoke({ kind: "status", status, clusterStatus });
        } else {
          reject(new RangeError(`${label}: empty InvokeResponse`));
        }
      };
      ax.onEnd = (outcome) => {
        if (outcome !== "closed") reject(new RangeError(`${label}: exchange ${outcome}`));
      };
      return timed
        ? ax.send(now, ImMessageType.TimedRequest, TimedRequestMessage.encode({ timeout: 5000 }), {
            expectResponseWithinMs: WAIT_MS,
          })
        : ax.send(now, ImMessageType.InvokeRequest, request, { expectResponseWithinMs: WAIT_MS });
    });
  });
}

function responseOf<T>(what: string, r: InvokeResult, schema: { decodeNode(n: TlvNode, p: string): T }): T {
  if (r.kind !== "response" || r.fields === undefined) throw new RangeError(`${what}: ${JSON.stringify(r)}`);
  return schema.decodeNode(r.fields, what);
}
/** A status answer as "status/clusterStatus" (clusterStatus "-" when absent). */
const statusOf = (r: InvokeResult): string =>
  r.kind === "status" ? `${r.status}/${r.clusterStatus ?? "-"}` : `response 0x${r.commandId.toString(16)}`;

async function armFailSafe(s: SecureSession, seconds: number): Promise<number> {
  const r = await invoke(s, GENERAL_COMMISSIONING_CLUSTER_ID, GeneralCommissioningCommand.ArmFailSafe, (t) =>
    ArmFailSafeRequest.encodeNode({ expiryLengthSeconds: seconds, breadcrumb: 0n }, t),
  );
  return responseOf("ArmFailSafeResponse", r, CommissioningResponse).errorCode;
}
async function commissioningComplete(s: SecureSession): Promise<number> {
  const r = await invoke(
    s,
    GENERAL_COMMISSIONING_CLUSTER_ID,
    GeneralCommissioningCommand.CommissioningComplete,
    emptyFields,
  );
  return responseOf("CommissioningCompleteResponse", r, CommissioningResponse).errorCode;
}
const oc = (s: SecureSession, command: number, fields: Fields) =>
  invoke(s, OPERATIONAL_CREDENTIALS_CLUSTER_ID, command, fields);

// ---- two fabrics: the administrator's (fabric 1) and the second commissioner's ------------------------------------
type TestFabric = {
  ca: TestCa;
  fabricId: bigint;
  adminNodeId: bigint;
  ipkEpochKey: Uint8Array;
  caseFabric: CaseFabric;
};
function testFabric(fabricId: bigint, adminNodeId: bigint, index: number): TestFabric {
  const ca = new TestCa({ crypto });
  const ipkEpochKey = crypto.randomBytes(16);
  const cfid = compressedFabricId(crypto, ca.rcac.publicKey, fabricId);
  const key = crypto.generateKeyPair();
  const chain = ca.issueChain(key.publicKey, { nodeId: adminNodeId, fabricId });
  const caseFabric: CaseFabric = {
    fabricIndex: fabricIndex(index),
    fabricId,
    nodeId: adminNodeId,
    rootPublicKey: ca.rcac.publicKey,
    rcac: chain.rcac,
    icac: null,
    noc: chain.noc,
    operationalKey: key,
    ipk: operationalGroupKey(crypto, ipkEpochKey, cfid),
  };
  return { ca, fabricId, adminNodeId, ipkEpochKey, caseFabric };
}
const fabricA = testFabric(0xfab0_0000_0000_00a1n, 0x0000_0000_0001_b669n, 1);
const fabricB = testFabric(0xfab0_0000_0000_00b2n, 0x0000_0000_0002_c77an, 1);
const DEVICE_NODE_A = 0x0000_0000_0000_0001n;
const DEVICE_NODE_B = 0x0000_0000_0000_0002n;

/** Over a PASE session: ArmFailSafe(300), CSRRequest, AddTrustedRootCertificate, AddNOC on `fabric`. */
async function addNocOverPase(pase: SecureSession, fabric: TestFabric, nodeId: bigint) {
  const armed = await armFailSafe(pase, 300);
  const csrOut = responseOf(
    "CSRResponse",
    await oc(pase, Cmd.CSRRequest, (t) => CsrRequest.encodeNode({ csrNonce: crypto.randomBytes(32) }, t)),
    CsrResponse,
  );
  const chain = fabric.ca.issueChain(decodeNocsrElements(csrOut.nocsrElements).csr, {
    nodeId,
    fabricId: fabric.fabricId,
  });
  await oc(pase, Cmd.AddTrustedRootCertificate, (t) =>
    AddTrustedRootCertificateRequest.encodeNode({ rootCaCertificate: chain.rcac }, t),
  );
  const added = responseOf(
    "NOCResponse",
    await oc(pase, Cmd.AddNOC, (t) =>
      AddNocRequest.encodeNode(
        {
          nocValue: chain.noc,
          ipkValue: fabric.ipkEpochKey,
          caseAdminSubject: fabric.adminNodeId,
          adminVendorId: 0xfff1,
        },
        t,
      ),
    ),
    NocResponse,
  );
  return { armed, statusCode: added.statusCode, fabricIndex: added.fabricIndex ?? null };
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
  const attributeRequests = Object.values(AdministratorCommissioningAttribute).map((attribute) => ({
    endpoint: 0,
    cluster: ADMINISTRATOR_COMMISSIONING_CLUSTER_ID,
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
  const A = AdministratorCommissioningAttribute;
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
const AC = AdministratorCommissioningCommand;
const ocw = (s: SecureSession) =>
  invoke(s, ADMINISTRATOR_COMMISSIONING_CLUSTER_ID, AC.OpenCommissioningWindow, ocwFields, true);
const revoke = (s: SecureSession, timed = true) =>
  invoke(s, ADMINISTRATOR_COMMISSIONING_CLUSTER_ID, AC.RevokeCommissioning, emptyFields, timed);

/** A PASE attempt that must not be accepted: "refused" unless it completes within `ms`. */
async function paseRefused(peer: { address: string; port: number }, passcode: number, ms: number): Promise<string> {
  const attempt = controller.establishPase(peer, { passcode }).then(
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
  const paseA = await controller.establishPase(peer, { passcode: 20202021 });
  const addA = await addNocOverPase(paseA, fabricA, DEVICE_NODE_A);
  const caseA = await controller.establishCase(peer, { fabric: fabricA.caseFabric, peerNodeId: DEVICE_NODE_A });
  const completeA = await commissioningComplete(caseA);
  o.commissioned = { addNoc: addA, complete: completeA, ...(await snapshotUntil((s) => s.window === null)) };

  // 1. An enhanced window, and PASE on it: the window stays open (not listening) while the commissioning runs.
  o.ocw1 = statusOf(await ocw(caseA));
  o.open1 = await snapshot();
  const pase1 = await controller.establishPase(peer, { passcode: PASSCODE_2 });
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

  // 1'. Fail-safe expiry ends the commissioning: PASE, ArmFailSafe(1 s), then the timer expires it.
  const pase2 = await controller.establishPase(peer, { passcode: PASSCODE_2 });
  o.armed2 = await armFailSafe(pase2, 1);
  o.duringPase2 = await snapshot();
  o.afterExpiry = await snapshotUntil((s) => s.window === null);

  // 1''. CommissioningComplete ends it: PASE, AddNOC (fabric B), CASE on fabric B, CommissioningComplete.
  o.ocw3 = statusOf(await ocw(caseA));
  const pase3 = await controller.establishPase(peer, { passcode: PASSCODE_2 });
  o.addB3 = await addNocOverPase(pase3, fabricB, DEVICE_NODE_B);
  o.duringPase3 = await snapshot();
  const caseB = await controller.establishCase(peer, { fabric: fabricB.caseFabric, peerNodeId: DEVICE_NODE_B });
  o.completeB = await commissioningComplete(caseB);
  o.afterComplete = await snapshotUntil((s) => s.window === null);

  // 4. The PASE session ends (CloseSession) before any fail-safe was armed: nothing holds the window any more.
  o.ocw4 = statusOf(await ocw(caseA));
  const pase4 = await controller.establishPase(peer, { passcode: PASSCODE_2 });
  o.duringPase4 = await snapshot();
  controller.act((now) => controller.endpoint.closeSession(now, pase4.localSessionId));
  o.afterPaseClosed = await snapshotUntil((s) => s.window === null);
} catch (e) {
  o.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
} finally {
  await node.stop();
  await controller.close();
  rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify({ ...o, logs: log }));
