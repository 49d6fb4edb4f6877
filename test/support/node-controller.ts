// The in-process test controller of the node-level netns tests: the project's own TransportDriver on an ephemeral UDP
// port (PASE as commissioner, CASE on a test fabric with its own in-memory resumption records) and Interaction Model
// requests over its sessions (Invoke, optionally timed, Core 8.7.2; Read, Core 8.4), with typed wrappers for the
// General Commissioning and Node Operational Credentials commands a commissioner sends (Core 5.5, 11.18.6).

import {
  emptyFields,
  type Fields,
  InteractionClient,
  type InvokeResult,
  type ReadPath,
  TIMED_REQUEST_TIMEOUT_MS,
} from "../../src/admin/interaction-client.ts";
import { compressedFabricId } from "../../src/cert/compressed-fabric-id.ts";
import { decodeNocsrElements } from "../../src/cert/nocsr-elements.ts";
import {
  ArmFailSafeRequest,
  CommissioningResponse,
  GeneralCommissioningCluster,
} from "../../src/clusters/general-commissioning/general-commissioning.ts";
import { AddNocRequest } from "../../src/clusters/operational-credentials/add-noc.ts";
import { AddTrustedRootCertificateRequest } from "../../src/clusters/operational-credentials/add-trusted-root-certificate.ts";
import { CsrRequest, CsrResponse } from "../../src/clusters/operational-credentials/csr-request.ts";
import { NocResponse } from "../../src/clusters/operational-credentials/noc-response.ts";
import { OperationalCredentialsCluster } from "../../src/clusters/operational-credentials/operational-credentials-options.ts";
import { RemoveFabricRequest } from "../../src/clusters/operational-credentials/remove-fabric.ts";
import { UpdateNocRequest } from "../../src/clusters/operational-credentials/update-noc.ts";
import type { Crypto } from "../../src/crypto/crypto.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { fabricIndex } from "../../src/fabric/fabric-index.ts";
import { operationalGroupKey } from "../../src/fabric/group-keys.ts";
import type { UdpPeer } from "../../src/node/udp-transport.ts";
import type { CaseFabric } from "../../src/sc/case/case-fabric.ts";
import { ResumptionStore } from "../../src/sc/case/resumption-record.ts";
import type { SecureSession } from "../../src/sc/secure-session.ts";
import { MemoryStorage } from "../../src/storage/memory-storage.ts";
import type { TlvNode } from "../../src/tlv/tlv-node.ts";
import { type Chain, TestCa } from "./test-commissioner.ts";

const Cmd = OperationalCredentialsCluster.commands;

/** How long one request or handshake may take before it rejects (default of `NodeController.open`). */
export const DEFAULT_WAIT_MS = 20_000;
/** The vendor id the test commissioners put in AddNOC's AdminVendorId (a test vendor id, Core 2.5.2). */
export const TEST_ADMIN_VENDOR_ID = 0xfff1;

export { emptyFields, type Fields, type InvokeResult, type ReadPath, TIMED_REQUEST_TIMEOUT_MS };

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

/** A test controller: one UDP socket, its sessions and its resumption records, with a commissioner's typed commands. */
export class NodeController extends InteractionClient {
  /** Binds an ephemeral UDP port; `waitMs` bounds each request and handshake. */
  static override async open(options: { crypto?: Crypto; waitMs?: number } = {}): Promise<NodeController> {
    const crypto = options.crypto ?? nodeCrypto;
    const resumption = await ResumptionStore.open(new MemoryStorage());
    const { driver, track } = await InteractionClient.openDriver({ crypto, resumption });
    const controller = new NodeController(crypto, driver, resumption, options.waitMs ?? DEFAULT_WAIT_MS);
    track.client = controller;
    return controller;
  }

  /** CASE as the administrator of a test fabric (or a bare CaseFabric); see InteractionClient.case. */
  override case(
    peer: UdpPeer,
    fabric: TestFabric | CaseFabric,
    peerNodeId: bigint,
    options: { resume?: boolean } = {},
  ): Promise<SecureSession> {
    return super.case(peer, "caseFabric" in fabric ? fabric.caseFabric : fabric, peerNodeId, options);
  }

  /** ArmFailSafe (breadcrumb 0); resolves with its ErrorCode. */
  async armFailSafe(session: SecureSession, expiryLengthSeconds: number): Promise<number> {
    const r = await this.invoke(
      session,
      GeneralCommissioningCluster.id,
      GeneralCommissioningCluster.commands.ArmFailSafe,
      (t) => ArmFailSafeRequest.encodeNode({ expiryLengthSeconds, breadcrumb: 0n }, t),
    );
    return responseOf("ArmFailSafeResponse", r, CommissioningResponse).errorCode;
  }

  /** CommissioningComplete; resolves with its ErrorCode. */
  async commissioningComplete(session: SecureSession): Promise<number> {
    const r = await this.invoke(
      session,
      GeneralCommissioningCluster.id,
      GeneralCommissioningCluster.commands.CommissioningComplete,
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
    return this.invoke(session, OperationalCredentialsCluster.id, command, fields);
  }
}

function nocResult(r: InvokeResult): NocResult {
  const n = responseOf("NOCResponse", r, NocResponse);
  return { statusCode: n.statusCode, fabricIndex: n.fabricIndex ?? null };
}
