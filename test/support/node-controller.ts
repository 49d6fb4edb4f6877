// The in-process test controller of the node-level netns tests: the project's own TransportDriver on an ephemeral UDP
// port (PASE as commissioner, CASE on a test fabric with its own in-memory resumption records) and Interaction Model
// requests over its sessions (Invoke, optionally timed, Core 8.7.2; Read, Core 8.4), with typed wrappers for the
// General Commissioning and Node Operational Credentials commands a commissioner sends (Core 5.5, 11.18.6).

import { compressedFabricId } from "../../src/cert/compressed-fabric-id.ts";
import { decodeNocsrElements } from "../../src/cert/nocsr-elements.ts";
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
import { RemoveFabricRequest } from "../../src/clusters/operational-credentials/remove-fabric.ts";
import { UpdateNocRequest } from "../../src/clusters/operational-credentials/update-noc.ts";
import type { Crypto } from "../../src/crypto/crypto.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { fabricIndex } from "../../src/fabric/fabric-index.ts";
import { operationalGroupKey } from "../../src/fabric/group-keys.ts";
import type { AttributeReportIB } from "../../src/im/messages/attribute-report-ib.ts";
import { ImMessageType } from "../../src/im/messages/im-message-type.ts";
import { InvokeRequestMessage } from "../../src/im/messages/invoke-request-message.ts";
import { InvokeResponseMessage } from "../../src/im/messages/invoke-response-message.ts";
import { ReadRequestMessage } from "../../src/im/messages/read-request-message.ts";
import { ReportDataMessage } from "../../src/im/messages/report-data-message.ts";
import { StatusResponseMessage } from "../../src/im/messages/status-response-message.ts";
import { TimedRequestMessage } from "../../src/im/messages/timed-request-message.ts";
import { ProtocolId } from "../../src/message/protocol-ids.ts";
import { TransportDriver } from "../../src/node/transport-driver.ts";
import type { UdpPeer } from "../../src/node/udp-transport.ts";
import type { CaseFabric } from "../../src/sc/case/case-fabric.ts";
import { ResumptionStore } from "../../src/sc/case/resumption-record.ts";
import type { ApplicationExchange } from "../../src/sc/secure-channel-endpoint.ts";
import type { SecureSession } from "../../src/sc/secure-session.ts";
import { SessionManager } from "../../src/sc/session-manager.ts";
import { MemoryStorage } from "../../src/storage/memory-storage.ts";
import { ctx, type TlvNode } from "../../src/tlv/tlv-node.ts";
import { type Chain, TestCa } from "./test-commissioner.ts";

/** How long one request or handshake may take before it rejects (default of `NodeController.open`). */
export const DEFAULT_WAIT_MS = 20_000;
/** The TimedRequest timeout sent before a timed invoke (Core 8.7.2). */
export const TIMED_REQUEST_TIMEOUT_MS = 5000;
/** The vendor id the test commissioners put in AddNOC's AdminVendorId (a test vendor id, Core 2.5.2). */
export const TEST_ADMIN_VENDOR_ID = 0xfff1;

/** The single InvokeResponseIB of an invoke: a command response or a status. */
export type InvokeResult =
  | { readonly kind: "response"; readonly commandId: number; readonly fields: TlvNode | undefined }
  | { readonly kind: "status"; readonly status: number; readonly clusterStatus: number | undefined };

/** Builds a command's CommandFields under the context tag it is given. */
export type Fields = (tag: ReturnType<typeof ctx>) => TlvNode;

/** Empty CommandFields (a command without arguments). */
export const emptyFields: Fields = (tag) => ({ tag, type: "struct", elements: [] });

/** The response's fields decoded with `schema`; a status answer or missing fields is a RangeError naming `what`. */
export function responseOf<T>(what: string, r: InvokeResult, schema: { decodeNode(n: TlvNode, p: string): T }): T {
  if (r.kind !== "response" || r.fields === undefined) throw new RangeError(`${what}: ${JSON.stringify(r)}`);
  return schema.decodeNode(r.fields, what);
}

/** A status answer as "status/clusterStatus" (clusterStatus "-" when absent); a response as "response 0x..". */
export const statusOf = (r: InvokeResult): string =>
  r.kind === "status" ? `${r.status}/${r.clusterStatus ?? "-"}` : `response 0x${r.commandId.toString(16)}`;

/** NOCResponse's StatusCode and FabricIndex (null when absent). */
export type NocResult = { readonly statusCode: number; readonly fabricIndex: number | null };

/** A commissioner's fabric: its CA, ids, IPK epoch key and the CASE identity of its administrator node. */
export type TestFabric = {
  readonly ca: TestCa;
  readonly fabricId: bigint;
  readonly adminNodeId: bigint;
  readonly ipkEpochKey: Uint8Array;
  readonly compressedFabricId: bigint;
  /** The administrator's CASE fabric (its own fabric index on the controller side). */
  readonly caseFabric: CaseFabric;
};

/** A new test fabric with a fresh root, IPK epoch key and administrator NOC (controller-side fabric index 1). */
export function testFabric(
  fabricId: bigint,
  adminNodeId: bigint,
  options: { crypto?: Crypto; fabricIndex?: number } = {},
): TestFabric {
  const crypto = options.crypto ?? nodeCrypto;
  const ca = new TestCa({ crypto });
  const ipkEpochKey = crypto.randomBytes(16);
  const cfid = compressedFabricId(crypto, ca.rcac.publicKey, fabricId);
  const key = crypto.generateKeyPair();
  const chain = ca.issueChain(key.publicKey, { nodeId: adminNodeId, fabricId });
  const caseFabric: CaseFabric = {
    fabricIndex: fabricIndex(options.fabricIndex ?? 1),
    fabricId,
    nodeId: adminNodeId,
    rootPublicKey: ca.rcac.publicKey,
    rcac: chain.rcac,
    icac: null,
    noc: chain.noc,
    operationalKey: key,
    ipk: operationalGroupKey(crypto, ipkEpochKey, cfid),
  };
  return { ca, fabricId, adminNodeId, ipkEpochKey, compressedFabricId: cfid, caseFabric };
}

/** The steps of `addNocOverPase`: ArmFailSafe's ErrorCode, AddTrustedRootCertificate's answer, AddNOC's result. */
export type AddNocSteps = {
  readonly armed: number;
  readonly rootAdded: InvokeResult;
  readonly addNoc: NocResult;
  /** The chain issued for the device. */
  readonly chain: Chain;
};

/** An attribute path of a Read (concrete or wildcard). */
export type ReadPath = { readonly endpoint?: number; readonly cluster?: number; readonly attribute?: number };

/** A test controller: one UDP socket, its sessions and its resumption records. */
export class NodeController {
  readonly crypto: Crypto;
  readonly driver: TransportDriver;
  /** The controller's CASE resumption records (initiator side), in memory. */
  readonly resumption: ResumptionStore;
  readonly waitMs: number;
  readonly #saved = new Set<Promise<void>>();

  private constructor(crypto: Crypto, driver: TransportDriver, resumption: ResumptionStore, waitMs: number) {
    this.crypto = crypto;
    this.driver = driver;
    this.resumption = resumption;
    this.waitMs = waitMs;
  }

  /** Binds an ephemeral UDP port; `waitMs` bounds each request and handshake. */
  static async open(options: { crypto?: Crypto; waitMs?: number } = {}): Promise<NodeController> {
    const crypto = options.crypto ?? nodeCrypto;
    const resumption = await ResumptionStore.open(new MemoryStorage());
    let controller: NodeController | undefined;
    const driver = await TransportDriver.open({
      crypto,
      sessions: new SessionManager(crypto),
      resumption,
      port: 0,
      saveResumption: (record) => {
        const saved = resumption.save(record);
        if (controller !== undefined) controller.#track(saved);
        return saved;
      },
    });
    controller = new NodeController(crypto, driver, resumption, options.waitMs ?? DEFAULT_WAIT_MS);
    return controller;
  }

  /** PASE as commissioner with `passcode`. */
  pase(peer: UdpPeer, passcode: number): Promise<SecureSession> {
    return this.#bounded("PASE", this.driver.establishPase(peer, { passcode }));
  }

  /**
   * CASE to `peerNodeId` as the administrator of `fabric`; asks for resumption when a record for that peer is held
   * unless `resume` is false. Resolves once the session's resumption record (if any) is saved.
   */
  async case(
    peer: UdpPeer,
    fabric: TestFabric | CaseFabric,
    peerNodeId: bigint,
    options: { resume?: boolean } = {},
  ): Promise<SecureSession> {
    const caseFabric = "caseFabric" in fabric ? fabric.caseFabric : fabric;
    const session = await this.#bounded(
      "CASE",
      this.driver.establishCase(peer, {
        fabric: caseFabric,
        peerNodeId,
        ...(options.resume === undefined ? {} : { resume: options.resume }),
      }),
    );
    await Promise.all([...this.#saved]);
    return session;
  }

  /**
   * One InvokeRequest on a new exchange of `session` (endpoint 0 unless given); `timed` sends a TimedRequest first on
   * the same exchange and the InvokeRequest once its StatusResponse is SUCCESS. Resolves with the InvokeResponseIB.
   */
  invoke(
    session: SecureSession,
    cluster: number,
    command: number,
    fields: Fields = emptyFields,
    options: { timed?: boolean; endpoint?: number } = {},
  ): Promise<InvokeResult> {
    const timed = options.timed === true;
    const label = `invoke 0x${cluster.toString(16)}/0x${command.toString(16)}`;
    const request = InvokeRequestMessage.encode({
      suppressResponse: false,
      timedRequest: timed,
      invokeRequests: [{ path: { endpoint: options.endpoint ?? 0, cluster, command }, fields: fields(ctx(1)) }],
    });
    return this.#exchange<InvokeResult>(label, session, (ax, done, fail) => {
      ax.onMessage = (at, m) => {
        if (m.opcode === ImMessageType.StatusResponse && timed) {
          const { status } = StatusResponseMessage.decode(m.applicationPayload);
          if (status !== 0) {
            ax.close(at);
            done({ kind: "status", status, clusterStatus: undefined });
            return;
          }
          ax.send(at, ImMessageType.InvokeRequest, request, { expectResponseWithinMs: this.waitMs });
          return;
        }
        ax.close(at);
        if (m.opcode !== ImMessageType.InvokeResponse) {
          fail(`opcode 0x${m.opcode.toString(16)}`);
          return;
        }
        const [r] = InvokeResponseMessage.decode(m.applicationPayload).invokeResponses;
        if (r?.command !== undefined) {
          done({ kind: "response", commandId: r.command.path.command, fields: r.command.fields });
        } else if (r?.status !== undefined) {
          const { status, clusterStatus } = r.status.status;
          done({ kind: "status", status, clusterStatus });
        } else {
          fail("empty InvokeResponse");
        }
      };
      return timed
        ? [ImMessageType.TimedRequest, TimedRequestMessage.encode({ timeout: TIMED_REQUEST_TIMEOUT_MS })]
        : [ImMessageType.InvokeRequest, request];
    });
  }

  /** A Read of `paths` on `session`; resolves with every AttributeReportIB (chunks acknowledged with SUCCESS). */
  read(session: SecureSession, paths: readonly ReadPath[], fabricFiltered = true): Promise<AttributeReportIB[]> {
    const reports: AttributeReportIB[] = [];
    const request = ReadRequestMessage.encode({
      attributeRequests: paths.map((p) => ({ ...p })),
      isFabricFiltered: fabricFiltered,
    });
    return this.#exchange<AttributeReportIB[]>("read", session, (ax, done, fail) => {
      ax.onMessage = (at, m) => {
        if (m.opcode === ImMessageType.StatusResponse) {
          ax.close(at);
          fail(`status ${StatusResponseMessage.decode(m.applicationPayload).status}`);
          return;
        }
        if (m.opcode !== ImMessageType.ReportData) {
          ax.close(at);
          fail(`opcode 0x${m.opcode.toString(16)}`);
          return;
        }
        const report = ReportDataMessage.decode(m.applicationPayload);
        reports.push(...(report.attributeReports ?? []));
        if (report.moreChunkedMessages === true) {
          // Core 8.4.5.1: each chunk but the last is acknowledged with a StatusResponse before the next is sent.
          ax.send(at, ImMessageType.StatusResponse, StatusResponseMessage.encode({ status: 0 }), {
            expectResponseWithinMs: this.waitMs,
          });
          return;
        }
        if (report.suppressResponse !== true)
          ax.send(at, ImMessageType.StatusResponse, StatusResponseMessage.encode({ status: 0 }));
        ax.close(at);
        done(reports);
      };
      return [ImMessageType.ReadRequest, request];
    });
  }

  /** The value of one concrete attribute; an AttributeStatus answer is a RangeError. */
  async readAttribute(session: SecureSession, endpoint: number, cluster: number, attribute: number): Promise<TlvNode> {
    const reports = await this.read(session, [{ endpoint, cluster, attribute }]);
    const data = reports.find((r) => r.attributeData?.path.attribute === attribute)?.attributeData;
    if (data === undefined)
      throw new RangeError(
        `read 0x${cluster.toString(16)}/0x${attribute.toString(16)}: ${JSON.stringify(reports, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`,
      );
    return data.data;
  }

  /** ArmFailSafe (breadcrumb 0); resolves with its ErrorCode. */
  async armFailSafe(session: SecureSession, expiryLengthSeconds: number): Promise<number> {
    const r = await this.invoke(
      session,
      GENERAL_COMMISSIONING_CLUSTER_ID,
      GeneralCommissioningCommand.ArmFailSafe,
      (t) => ArmFailSafeRequest.encodeNode({ expiryLengthSeconds, breadcrumb: 0n }, t),
    );
    return responseOf("ArmFailSafeResponse", r, CommissioningResponse).errorCode;
  }

  /** CommissioningComplete; resolves with its ErrorCode. */
  async commissioningComplete(session: SecureSession): Promise<number> {
    const r = await this.invoke(
      session,
      GENERAL_COMMISSIONING_CLUSTER_ID,
      GeneralCommissioningCommand.CommissioningComplete,
    );
    return responseOf("CommissioningCompleteResponse", r, CommissioningResponse).errorCode;
  }

  /** CSRRequest with a fresh nonce; resolves with the CSR (DER) out of the NOCSRElements. */
  async csr(session: SecureSession, isForUpdateNoc = false): Promise<Uint8Array> {
    const csrNonce = this.crypto.randomBytes(32);
    const r = await this.ocInvoke(session, Cmd.CSRRequest, (t) =>
      CsrRequest.encodeNode(isForUpdateNoc ? { csrNonce, isForUpdateNoc } : { csrNonce }, t),
    );
    return decodeNocsrElements(responseOf("CSRResponse", r, CsrResponse).nocsrElements).csr;
  }

  /** AddTrustedRootCertificate; resolves with its answer (a SUCCESS status when accepted). */
  addTrustedRootCertificate(session: SecureSession, rcac: Uint8Array): Promise<InvokeResult> {
    return this.ocInvoke(session, Cmd.AddTrustedRootCertificate, (t) =>
      AddTrustedRootCertificateRequest.encodeNode({ rootCaCertificate: rcac }, t),
    );
  }

  /** AddNOC with `fabric`'s IPK epoch key, its administrator as CaseAdminSubject and the test vendor id. */
  async addNoc(session: SecureSession, fabric: TestFabric, chain: Chain): Promise<NocResult> {
    const r = await this.ocInvoke(session, Cmd.AddNOC, (t) =>
      AddNocRequest.encodeNode(
        {
          nocValue: chain.noc,
          ...(chain.icac === null ? {} : { icacValue: chain.icac }),
          ipkValue: fabric.ipkEpochKey,
          caseAdminSubject: fabric.adminNodeId,
          adminVendorId: TEST_ADMIN_VENDOR_ID,
        },
        t,
      ),
    );
    return nocResult(r);
  }

  /** UpdateNOC with `noc` (and `icac` when given). */
  async updateNoc(session: SecureSession, noc: Uint8Array, icac?: Uint8Array): Promise<NocResult> {
    const r = await this.ocInvoke(session, Cmd.UpdateNOC, (t) =>
      UpdateNocRequest.encodeNode(icac === undefined ? { nocValue: noc } : { nocValue: noc, icacValue: icac }, t),
    );
    return nocResult(r);
  }

  /** RemoveFabric of `index`. */
  async removeFabric(session: SecureSession, index: number): Promise<NocResult> {
    return nocResult(
      await this.ocInvoke(session, Cmd.RemoveFabric, (t) => RemoveFabricRequest.encodeNode({ fabricIndex: index }, t)),
    );
  }

  /** Over a PASE session: ArmFailSafe(`seconds`), CSRRequest, AddTrustedRootCertificate, AddNOC for `nodeId`. */
  async addNocOverPase(pase: SecureSession, fabric: TestFabric, nodeId: bigint, seconds = 300): Promise<AddNocSteps> {
    const armed = await this.armFailSafe(pase, seconds);
    const chain = fabric.ca.issueChain(await this.csr(pase), { nodeId, fabricId: fabric.fabricId });
    const rootAdded = await this.addTrustedRootCertificate(pase, chain.rcac);
    const addNoc = await this.addNoc(pase, fabric, chain);
    return { armed, rootAdded, addNoc, chain };
  }

  /** An invoke on the Node Operational Credentials cluster (endpoint 0). */
  ocInvoke(session: SecureSession, command: number, fields: Fields): Promise<InvokeResult> {
    return this.invoke(session, OPERATIONAL_CREDENTIALS_CLUSTER_ID, command, fields);
  }

  /** CloseSession (Core 4.11.1.5) on `session`: the peer is told and the session is removed here. */
  closeSession(session: SecureSession): void {
    this.driver.act((now) => this.driver.endpoint.closeSession(now, session.localSessionId));
  }

  /** Closes the socket (sessions are dropped without CloseSession). */
  close(): Promise<void> {
    return this.driver.close();
  }

  #track(saved: Promise<void>): void {
    const settled = saved.catch(() => {});
    this.#saved.add(settled);
    void settled.then(() => this.#saved.delete(settled));
  }

  #bounded<T>(what: string, p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      // Unreferenced: a handshake a test leaves unanswered on purpose must not hold the process open.
      timer = setTimeout(() => reject(new RangeError(`${what} timed out`)), this.waitMs).unref();
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * Opens an IM exchange on `session`, lets `start` install its handler and name the first message, sends it, and
   * settles with what the handler reports (`fail` and an exchange that ends other than closed reject).
   */
  #exchange<T>(
    label: string,
    session: SecureSession,
    start: (ax: ApplicationExchange, done: (v: T) => void, fail: (why: string) => void) => [number, Uint8Array],
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => fail("timed out"), this.waitMs);
      const done = (v: T) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(v);
      };
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new RangeError(`${label}: ${why}`));
      };
      this.driver.act((now) => {
        let ax: ApplicationExchange;
        try {
          ax = this.driver.endpoint.openExchange(session.localSessionId, ProtocolId.INTERACTION_MODEL);
        } catch (e) {
          fail(e instanceof Error ? e.message : String(e));
          return [];
        }
        const [opcode, payload] = start(ax, done, fail);
        ax.onEnd = (outcome) => {
          if (outcome !== "closed") fail(`exchange ${outcome}`);
        };
        return ax.send(now, opcode, payload, { expectResponseWithinMs: this.waitMs });
      });
    });
  }
}

function nocResult(r: InvokeResult): NocResult {
  const n = responseOf("NOCResponse", r, NocResponse);
  return { statusCode: n.statusCode, fabricIndex: n.fabricIndex ?? null };
}
