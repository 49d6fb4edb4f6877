// A test node and a test commissioner that drive the Node Operational Credentials and General Commissioning clusters
// in process, over the same root-node composition production runs: PASE-like and CASE-like sessions (fabric index, subject, CATs, a 16-byte attestation challenge each),
// the ACL-based access check, effects applied to the session table, and a commissioner built on the project's own
// certificate authority (chains with/without ICAC, max-size 400-byte certificates, other roots, corrupted signatures).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AttestationProvider, openDevAttestationProvider } from "../../src/cert/attestation-provider.ts";
import {
  CertificateAuthority,
  type IssueSpec,
  issueMatterCert,
  keyIdentifier,
} from "../../src/cert/certificate-authority.ts";
import { csrPublicKey } from "../../src/cert/csr.ts";
import type { DnAttribute } from "../../src/cert/dn.ts";
import type { MatterCert } from "../../src/cert/matter-cert.ts";
import { decodeNocsrElements } from "../../src/cert/nocsr-elements.ts";
import type { AccessControlServer } from "../../src/clusters/access-control/access-control.ts";
import {
  CommissioningResponse,
  type GeneralCommissioningServer,
} from "../../src/clusters/general-commissioning/general-commissioning.ts";
import { AddNocRequest } from "../../src/clusters/operational-credentials/add-noc.ts";
import { AddTrustedRootCertificateRequest } from "../../src/clusters/operational-credentials/add-trusted-root-certificate.ts";
import { CsrRequest, CsrResponse } from "../../src/clusters/operational-credentials/csr-request.ts";
import { NocResponse } from "../../src/clusters/operational-credentials/noc-response.ts";
import type { OperationalCredentialsServer } from "../../src/clusters/operational-credentials/operational-credentials-cluster.ts";
import { OperationalCredentialsCluster } from "../../src/clusters/operational-credentials/operational-credentials-options.ts";
import { UpdateNocRequest } from "../../src/clusters/operational-credentials/update-noc.ts";
import type { Crypto } from "../../src/crypto/crypto.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import type { P256PrivateKey, P256PublicKey } from "../../src/crypto/p256.ts";
import type { AccessControlStore } from "../../src/fabric/access-control.ts";
import type { CommissioningTransaction } from "../../src/fabric/commissioning-transaction.ts";
import type { FabricIndex } from "../../src/fabric/fabric-index.ts";
import type { FabricLifecycleEvent, FabricTable, OperationalIdentityChange } from "../../src/fabric/fabric-table.ts";
import type { FailSafeContext } from "../../src/fabric/fail-safe-context.ts";
import type { GroupKeyStore } from "../../src/fabric/group-keys.ts";
import { type AttributeReadOutcome, readAttribute } from "../../src/im/attribute-read.ts";
import { type AttributeWriteOutcome, writeAttribute } from "../../src/im/attribute-write.ts";
import {
  type AccessChecker,
  type AfterResponseEffect,
  ClusterInstance,
  type SessionInfo,
} from "../../src/im/data-model.ts";
import { EventLog } from "../../src/im/events.ts";
import { type InvokeOutcome, invokeCommand } from "../../src/im/invoke.ts";
import { composeRootNode, type RootNodeComposition } from "../../src/node/root-node-composition.ts";
import type { ResumptionStore } from "../../src/sc/case/resumption-record.ts";
import { MemoryStorage } from "../../src/storage/memory-storage.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { ANONYMOUS, type TlvNode } from "../../src/tlv/tlv-node.ts";

const Cmd = OperationalCredentialsCluster.commands;

/** The largest Matter TLV certificate (TC_OPCREDS_3_1 steps 6-8 build chains of exactly this size). */
export const MAX_CERT_BYTES = 400;

let attestationPromise: Promise<AttestationProvider> | undefined;
/** The development attestation credentials, generated once per test process into a temporary directory. */
export function testAttestation(crypto: Crypto = nodeCrypto): Promise<AttestationProvider> {
  if (attestationPromise === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "opcreds-att-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    attestationPromise = openDevAttestationProvider(crypto, join(dir, "creds"));
  }
  return attestationPromise;
}

/** A mutable session record of the test node (SessionInfo is the immutable snapshot an action sees). */
export type TestSession = { -readonly [K in keyof SessionInfo]: SessionInfo[K] };

/** Options of TestNode.create. */
export type TestNodeOptions = {
  readonly storage?: Storage;
  readonly supportedFabrics?: number;
  readonly crypto?: Crypto;
  /** Attestation credentials (default: generated once per process by `testAttestation`). */
  readonly attestation?: AttestationProvider;
};

/**
 * The device under test: the root node's commissioning core built by the production composition (fabric layer,
 * commissioning transaction, lifecycle subscriptions, the root clusters), sessions, a clock, and logs of side effects.
 */
export class TestNode {
  readonly crypto: Crypto;
  readonly storage: Storage;
  /** What production's DeviceNode also runs. */
  readonly composition: RootNodeComposition;
  readonly fabrics: FabricTable;
  readonly transaction: CommissioningTransaction;
  readonly failSafe: FailSafeContext;
  readonly groupKeys: GroupKeyStore;
  readonly acl: AccessControlStore;
  readonly resumption: ResumptionStore;
  readonly attestation: AttestationProvider;
  /** The node's event log (AccessControlEntryChanged, ...). */
  readonly events: EventLog;
  /** The Access Control cluster AddNOC creates the admin entry through. */
  readonly accessControl: AccessControlServer;
  readonly opcreds: OperationalCredentialsServer;
  readonly generalCommissioning: GeneralCommissioningServer;
  readonly opcredsInstance: ClusterInstance;
  readonly gcInstance: ClusterInstance;
  readonly sessions: Map<number, TestSession>;
  /** Every afterResponse effect, in order. */
  readonly effects: AfterResponseEffect[] = [];
  /** Leave events: the fabric index, and whether the fabric still existed when the event was recorded. */
  readonly leaveEvents: { fabricIndex: number; fabricExisted: boolean }[];
  /** Fabric indices gone (removed, or a pending addition reverted), in order, as the node's parts hear it. */
  readonly fabricRemovals: number[] = [];
  /** Every fabric lifecycle event, in order. */
  readonly lifecycle: FabricLifecycleEvent[] = [];
  /** Failures the composition reported from background work. */
  readonly errors: { what: string; error: unknown }[];
  readonly identityChanges: OperationalIdentityChange[] = [];
  /** The access check the node injects: PASE is implicitly Administer, CASE goes through the ACL. */
  readonly access: AccessChecker;
  now = 0;
  #nextSessionId = 1;

  private constructor(parts: {
    crypto: Crypto;
    storage: Storage;
    composition: RootNodeComposition;
    attestation: AttestationProvider;
    events: EventLog;
    sessions: Map<number, TestSession>;
    leaveEvents: { fabricIndex: number; fabricExisted: boolean }[];
    errors: { what: string; error: unknown }[];
  }) {
    const c = parts.composition;
    this.crypto = parts.crypto;
    this.storage = parts.storage;
    this.composition = c;
    this.fabrics = c.fabrics;
    this.transaction = c.transaction;
    this.failSafe = c.failSafe;
    this.groupKeys = c.groupKeys;
    this.acl = c.acl;
    this.resumption = c.resumption;
    this.attestation = parts.attestation;
    this.events = parts.events;
    this.sessions = parts.sessions;
    this.leaveEvents = parts.leaveEvents;
    this.errors = parts.errors;
    this.accessControl = c.accessControl;
    this.opcreds = c.operationalCredentials;
    this.generalCommissioning = c.generalCommissioning;
    this.access = c.accessChecker();
    this.fabrics.onOperationalIdentityChange((change) => this.identityChanges.push(change));
    this.fabrics.onLifecycle((event) => this.lifecycle.push(event));
    c.onFabricGone((fabricIndex) => this.fabricRemovals.push(fabricIndex));
    this.opcredsInstance = new ClusterInstance(0, this.opcreds.cluster, 100);
    this.gcInstance = new ClusterInstance(0, this.generalCommissioning.cluster, 200);
  }

  /** Composes the root node over `storage` (default: in memory), runs its one-time repair, and wires the test logs. */
  static async create(options: TestNodeOptions = {}): Promise<TestNode> {
    const crypto = options.crypto ?? nodeCrypto;
    const storage = options.storage ?? new MemoryStorage();
    const events = new EventLog();
    const sessions = new Map<number, TestSession>();
    const leaveEvents: { fabricIndex: number; fabricExisted: boolean }[] = [];
    const errors: { what: string; error: unknown }[] = [];
    const attestation = options.attestation ?? (await testAttestation(crypto));
    const composition: RootNodeComposition = await composeRootNode({
      storage,
      crypto,
      attestation,
      events,
      supportedFabrics: options.supportedFabrics ?? 16,
      adoptFabric: (sessionId, fabricIndex) => {
        const s = sessions.get(sessionId);
        if (s !== undefined) s.fabricIndex = fabricIndex;
      },
      recordLeaveEvent: (fabricIndex) =>
        leaveEvents.push({ fabricIndex, fabricExisted: composition.fabrics.fabric(fabricIndex) !== undefined }),
      onError: (what, error) => errors.push({ what, error }),
    });
    await composition.repairUncommittedFabricData();
    return new TestNode({ crypto, storage, composition, attestation, events, sessions, leaveEvents, errors });
  }

  /** A new PASE session (accessing fabric 0) with a fresh attestation challenge; returns its id. */
  openPase(): number {
    const id = this.#nextSessionId++;
    this.sessions.set(id, {
      kind: "pase",
      fabricIndex: 0,
      subjectNodeId: 0n,
      cats: [],
      attestationChallenge: this.crypto.randomBytes(16),
      id,
    });
    return id;
  }

  /** A new CASE session on `fabricIndex` as node `subjectNodeId`; the fabric must exist (pending or committed). */
  openCase(fabricIndex: number, subjectNodeId: bigint, cats: readonly number[] = []): number {
    if (this.fabrics.fabric(fabricIndex) === undefined) throw new RangeError(`CASE: no fabric ${fabricIndex}`);
    const id = this.#nextSessionId++;
    this.sessions.set(id, {
      kind: "case",
      fabricIndex,
      subjectNodeId,
      cats: [...cats],
      attestationChallenge: this.crypto.randomBytes(16),
      id,
    });
    return id;
  }

  /** The snapshot of a live session. */
  session(id: number): SessionInfo {
    const s = this.sessions.get(id);
    if (s === undefined) throw new RangeError(`session ${id} is closed`);
    return { ...s, cats: [...s.cats] };
  }

  /** Applies effects the transport would run once the response is delivered. */
  #apply(effects: readonly AfterResponseEffect[]): void {
    for (const e of effects) {
      this.effects.push(e);
      if (e.type === "expire-fabric-sessions") {
        for (const [id, s] of this.sessions) if (s.fabricIndex === e.fabricIndex) this.sessions.delete(id);
      } else if (e.type === "abort-other-fabric-communication") {
        for (const [id, s] of this.sessions)
          if (s.fabricIndex === e.fabricIndex && id !== e.keepSessionId) this.sessions.delete(id);
      }
    }
  }

  /** Invokes a command of the Operational Credentials cluster (or `instance`) on session `sessionId`. */
  async invoke(
    sessionId: number,
    commandId: number,
    fields: TlvNode | undefined,
    instance: ClusterInstance = this.opcredsInstance,
  ): Promise<InvokeOutcome> {
    const out = await invokeCommand(
      instance,
      commandId,
      fields,
      { session: this.session(sessionId), timed: false, now: this.now },
      this.access,
    );
    this.#apply(out.afterResponse);
    return out;
  }

  /** Reads an attribute of the Operational Credentials cluster (or `instance`). */
  read(
    sessionId: number,
    attributeId: number,
    fabricFiltered = true,
    instance: ClusterInstance = this.opcredsInstance,
  ): AttributeReadOutcome {
    return readAttribute(
      instance,
      attributeId,
      { session: this.session(sessionId), now: this.now },
      { fabricFiltered },
      this.access,
    );
  }

  /** Writes an attribute of the Operational Credentials cluster. */
  write(sessionId: number, attributeId: number, value: TlvNode): Promise<AttributeWriteOutcome> {
    return writeAttribute(
      this.opcredsInstance,
      attributeId,
      value,
      { session: this.session(sessionId), timed: false, now: this.now },
      this.access,
    );
  }

  /** ArmFailSafe over `sessionId`; returns the CommissioningErrorEnum code. */
  async armFailSafe(sessionId: number, seconds = 900): Promise<number> {
    const out = await this.invoke(
      sessionId,
      0x00,
      { tag: ANONYMOUS, type: "struct", elements: [uintField(0, seconds), uintField(1, 0)] },
      this.gcInstance,
    );
    if (out.kind !== "response") throw new RangeError(`ArmFailSafe: status 0x${out.status.toString(16)}`);
    return CommissioningResponse.decodeNode(out.fields, "ArmFailSafeResponse").errorCode;
  }

  /** CommissioningComplete over `sessionId`; returns the CommissioningErrorEnum code, or the IM status outcome. */
  async commissioningComplete(sessionId: number): Promise<number | InvokeOutcome> {
    const out = await this.invoke(sessionId, 0x04, undefined, this.gcInstance);
    if (out.kind !== "response") return out;
    return CommissioningResponse.decodeNode(out.fields, "CommissioningCompleteResponse").errorCode;
  }

  /** Advances the clock and fires the fail-safe timer (expiry runs the cleanup). */
  async advance(ms: number): Promise<void> {
    this.now += ms;
    this.#apply(await this.generalCommissioning.failSafeTimerFired(this.now));
  }
}

function uintField(tag: number, value: number | bigint): TlvNode {
  return { tag: { form: "context", id: tag }, type: "uint", value: BigInt(value) };
}

/** A NOC chain as AddNOC/UpdateNOC send it. */
export type Chain = {
  readonly rcac: Uint8Array;
  readonly icac: Uint8Array | null;
  readonly noc: Uint8Array;
  readonly nocCert: MatterCert;
};

/** What a chain is issued with. */
export type ChainOptions = {
  readonly nodeId?: bigint;
  readonly fabricId?: bigint;
  readonly cats?: readonly number[];
  /** Issue an ICAC and sign the NOC with it (default: the CA's setting). */
  readonly withIcac?: boolean;
  /** A fabric id in the ICAC subject different from the NOC's. */
  readonly icacFabricId?: bigint;
  /** Pad every certificate to exactly MAX_CERT_BYTES (default: the CA's setting). */
  readonly maxSize?: boolean;
  /** Flip a bit of the NOC signature. */
  readonly corruptNocSignature?: boolean;
};

/** A signer: an issued certificate and its key. */
type Signer = { readonly cert: MatterCert; readonly key: P256PrivateKey };

/**
 * Issues a certificate exactly MAX_CERT_BYTES long: a commonName pad in the subject (and in the issuer, for a
 * self-signed root) and the serial length fill the difference; the size is computed from two trial issues.
 */
function issuePadded(crypto: Crypto, spec: IssueSpec, selfIssued: boolean): MatterCert {
  const build = (pad: number, serialBytes: number): MatterCert => {
    const cn: DnAttribute = { type: "commonName", value: "p".repeat(pad), printable: false };
    const subject = [...spec.subject, cn];
    return issueMatterCert(crypto, {
      ...spec,
      serial: 1n << BigInt(8 * (serialBytes - 1)),
      subject,
      issuer: selfIssued ? subject : spec.issuer,
    });
  };
  const one = build(1, 1).raw.length;
  const perChar = selfIssued ? 2 : 1;
  const missing = MAX_CERT_BYTES - one;
  if (missing < 0) throw new RangeError(`certificate is ${one} bytes before padding`);
  const cert = build(1 + Math.floor(missing / perChar), 1 + (missing % perChar));
  if (cert.raw.length !== MAX_CERT_BYTES) throw new RangeError(`padded certificate is ${cert.raw.length} bytes`);
  return cert;
}

/** An operational CA for tests: the project's CertificateAuthority, plus max-size issuance with the same keys. */
export class TestCa {
  readonly crypto: Crypto;
  readonly ca: CertificateAuthority;
  readonly rootKey: P256PrivateKey;
  readonly rcac: MatterCert;
  readonly icacKey: P256PrivateKey;
  #serial = 1000n;

  constructor(options: { crypto?: Crypto; maxSize?: boolean; rcacFabricId?: bigint } = {}) {
    this.crypto = options.crypto ?? nodeCrypto;
    this.ca = CertificateAuthority.create(
      this.crypto,
      options.rcacFabricId === undefined ? {} : { fabricId: options.rcacFabricId },
    );
    this.rootKey = this.ca.rootKey;
    this.icacKey = this.crypto.generateKeyPair();
    if (options.maxSize === true) {
      const subject: DnAttribute[] = [{ type: "matterRcacId", value: 0xcacacaca_00000001n }];
      if (options.rcacFabricId !== undefined) subject.push({ type: "matterFabricId", value: options.rcacFabricId });
      this.rcac = issuePadded(
        this.crypto,
        {
          serial: 1n,
          issuer: subject,
          subject,
          validity: this.#validity(),
          publicKey: this.rootKey.publicKey,
          signerKey: this.rootKey,
          role: "rcac",
        },
        true,
      );
    } else {
      this.rcac = this.ca.rcac;
    }
  }

  #validity() {
    const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000);
    return { notBefore, notAfter: new Date(notBefore.getTime() + 10 * 365 * 24 * 3600_000) };
  }

  /** Issues an ICAC (optionally max-size) signed by this root. */
  issueIcac(options: { fabricId?: bigint; maxSize?: boolean; validityShiftS?: number } = {}): Signer {
    const subject: DnAttribute[] = [{ type: "matterIcacId", value: 0x1ca0_0000_0000_0001n + this.#serial }];
    if (options.fabricId !== undefined) subject.push({ type: "matterFabricId", value: options.fabricId });
    const validity = this.#validity();
    const shifted = {
      notBefore: new Date(validity.notBefore.getTime() - (options.validityShiftS ?? 0) * 1000),
      notAfter: validity.notAfter,
    };
    const spec: IssueSpec = {
      serial: this.#serial++,
      issuer: this.rcac.subject,
      subject,
      validity: shifted,
      publicKey: this.icacKey.publicKey,
      signerKey: this.rootKey,
      authorityKeyId: this.rcac.subjectKeyId ?? keyIdentifier(this.rootKey.publicKey.raw),
      role: "icac",
    };
    const cert = options.maxSize === true ? issuePadded(this.crypto, spec, false) : issueMatterCert(this.crypto, spec);
    return { cert, key: this.icacKey };
  }

  /** Issues a NOC chain for `subjectKey` (a public key or a DER CSR). */
  issueChain(subjectKey: P256PublicKey | Uint8Array, options: ChainOptions & { validityShiftS?: number } = {}): Chain {
    const publicKey = subjectKey instanceof Uint8Array ? csrPublicKey(this.crypto, subjectKey) : subjectKey;
    const fabricId = options.fabricId ?? 0xfab0_0000_0000_0001n;
    const icac =
      options.withIcac === true
        ? this.issueIcac({
            fabricId: options.icacFabricId ?? fabricId,
            ...(options.maxSize === true ? { maxSize: true } : {}),
            ...(options.validityShiftS !== undefined ? { validityShiftS: options.validityShiftS } : {}),
          })
        : undefined;
    const signer = icac ?? { cert: this.rcac, key: this.rootKey };
    const subject: DnAttribute[] = [
      { type: "matterNodeId", value: options.nodeId ?? 0x0000_0000_0001_0001n },
      { type: "matterFabricId", value: fabricId },
      ...(options.cats ?? []).map((value): DnAttribute => ({ type: "matterCaseAuthTag", value })),
    ];
    const validity = this.#validity();
    const spec: IssueSpec = {
      serial: this.#serial++,
      issuer: signer.cert.subject,
      subject,
      validity: {
        notBefore: new Date(validity.notBefore.getTime() - (options.validityShiftS ?? 0) * 1000),
        notAfter: validity.notAfter,
      },
      publicKey,
      signerKey: signer.key,
      authorityKeyId: signer.cert.subjectKeyId!,
      role: "noc",
    };
    const nocCert =
      options.maxSize === true ? issuePadded(this.crypto, spec, false) : issueMatterCert(this.crypto, spec);
    const noc = nocCert.raw.slice();
    if (options.corruptNocSignature === true) noc[noc.length - 2]! ^= 0x01;
    return { rcac: this.rcac.raw, icac: icac === undefined ? null : icac.cert.raw, noc, nocCert };
  }
}

/** The payload of a response outcome, decoded with `schema`; a status outcome throws with the status in the message. */
export function responseOf<T>(out: InvokeOutcome, schema: { decodeNode(n: TlvNode, p: string): T }): T {
  if (out.kind !== "response") throw new RangeError(`expected a response, got status 0x${out.status.toString(16)}`);
  return schema.decodeNode(out.fields, "response");
}

/** The NOCResponse of an outcome. */
export function nocResponseOf(out: InvokeOutcome): NocResponse {
  if (out.kind === "response" && out.commandId !== Cmd.NOCResponse)
    throw new RangeError(`expected NOCResponse, got command 0x${out.commandId.toString(16)}`);
  return responseOf(out, NocResponse);
}

/** The IM status of a status outcome (a response outcome throws). */
export function statusOf(out: InvokeOutcome): number {
  if (out.kind !== "status") throw new RangeError(`expected a status, got response 0x${out.commandId.toString(16)}`);
  return out.status;
}

/** What a commissioner administers: its CA, fabric id, node id (the CaseAdminSubject), vendor id and IPK. */
export type CommissionerOptions = {
  readonly fabricId?: bigint;
  readonly nodeId?: bigint;
  readonly vendorId?: number;
  readonly withIcac?: boolean;
  readonly maxSize?: boolean;
  readonly ca?: TestCa;
  /** The node id the device gets. */
  readonly deviceNodeId?: bigint;
  readonly cats?: readonly number[];
};

/** A commissioner (the TH of the certification tests) driving a TestNode. */
export class TestCommissioner {
  readonly node: TestNode;
  readonly ca: TestCa;
  readonly fabricId: bigint;
  readonly nodeId: bigint;
  readonly vendorId: number;
  readonly withIcac: boolean;
  readonly maxSize: boolean;
  readonly deviceNodeId: bigint;
  readonly ipk: Uint8Array;
  readonly cats: readonly number[];
  /** Set by `commission()`. */
  fabricIndex: FabricIndex | undefined;
  /** The chain the device holds from this commissioner (after AddNOC/UpdateNOC). */
  chain: Chain | undefined;

  constructor(node: TestNode, options: CommissionerOptions = {}) {
    this.node = node;
    this.maxSize = options.maxSize ?? false;
    this.ca = options.ca ?? new TestCa({ crypto: node.crypto, maxSize: this.maxSize });
    this.fabricId = options.fabricId ?? 0xfab0_0000_0000_0001n;
    this.nodeId = options.nodeId ?? 0x0000_0000_0001_b669n;
    this.vendorId = options.vendorId ?? 0xfff1;
    this.withIcac = options.withIcac ?? false;
    this.deviceNodeId = options.deviceNodeId ?? 0x0000_0000_0000_1234n;
    this.ipk = node.crypto.randomBytes(16);
    this.cats = options.cats ?? [];
  }

  /** CSRRequest; returns the outcome and, on success, the CSR (DER) and the decoded response. */
  async csrRequest(
    sessionId: number,
    options: { nonce?: Uint8Array; forUpdate?: boolean } = {},
  ): Promise<{
    out: InvokeOutcome;
    csr?: Uint8Array;
    response?: { nocsrElements: Uint8Array; attestationSignature: Uint8Array };
  }> {
    const nonce = options.nonce ?? this.node.crypto.randomBytes(32);
    const out = await this.node.invoke(
      sessionId,
      Cmd.CSRRequest,
      CsrRequest.encodeNode(
        options.forUpdate === undefined ? { csrNonce: nonce } : { csrNonce: nonce, isForUpdateNoc: options.forUpdate },
        ANONYMOUS,
      ),
    );
    if (out.kind !== "response") return { out };
    const response = CsrResponse.decodeNode(out.fields, "CSRResponse");
    return { out, csr: decodeNocsrElements(response.nocsrElements).csr, response };
  }

  /** Issues this commissioner's chain for a CSR. */
  issue(csr: Uint8Array | P256PublicKey, options: ChainOptions = {}): Chain {
    return this.ca.issueChain(csr, {
      fabricId: this.fabricId,
      nodeId: this.deviceNodeId,
      withIcac: this.withIcac,
      maxSize: this.maxSize,
      ...options,
    });
  }

  /** AddTrustedRootCertificate. */
  addTrustedRoot(sessionId: number, rcac: Uint8Array = this.ca.rcac.raw): Promise<InvokeOutcome> {
    return this.node.invoke(
      sessionId,
      Cmd.AddTrustedRootCertificate,
      AddTrustedRootCertificateRequest.encodeNode({ rootCaCertificate: rcac }, ANONYMOUS),
    );
  }

  /** AddNOC with this commissioner's IPK, node id as CaseAdminSubject and vendor id unless overridden. */
  addNoc(
    sessionId: number,
    chain: Chain,
    over: { ipk?: Uint8Array; caseAdminSubject?: bigint; adminVendorId?: number; icacValue?: Uint8Array } = {},
  ): Promise<InvokeOutcome> {
    const icacValue = over.icacValue ?? chain.icac ?? undefined;
    return this.node.invoke(
      sessionId,
      Cmd.AddNOC,
      AddNocRequest.encodeNode(
        {
          nocValue: chain.noc,
          ...(icacValue !== undefined ? { icacValue } : {}),
          ipkValue: over.ipk ?? this.ipk,
          caseAdminSubject: over.caseAdminSubject ?? this.nodeId,
          adminVendorId: over.adminVendorId ?? this.vendorId,
        },
        ANONYMOUS,
      ),
    );
  }

  /** UpdateNOC. */
  updateNoc(sessionId: number, chain: Chain): Promise<InvokeOutcome> {
    return this.node.invoke(
      sessionId,
      Cmd.UpdateNOC,
      UpdateNocRequest.encodeNode(
        { nocValue: chain.noc, ...(chain.icac !== null ? { icacValue: chain.icac } : {}) },
        ANONYMOUS,
      ),
    );
  }

  /** A CASE session to the device on this commissioner's fabric, as this commissioner's node id. */
  openCase(): number {
    if (this.fabricIndex === undefined) throw new RangeError("not commissioned");
    return this.node.openCase(this.fabricIndex, this.nodeId, this.cats);
  }

  /**
   * Full commissioning: over `via` (default a new PASE session) arm the fail-safe, CSR, AddTrustedRoot, AddNOC, then
   * CommissioningComplete over a new CASE session. Returns the CASE session id.
   */
  async commission(via?: number): Promise<number> {
    const session = via ?? this.node.openPase();
    const armed = await this.node.armFailSafe(session, 900);
    if (armed !== 0) throw new RangeError(`ArmFailSafe: ${armed}`);
    const { csr, out } = await this.csrRequest(session);
    if (csr === undefined) throw new RangeError(`CSRRequest: ${JSON.stringify(out)}`);
    const chain = this.issue(csr);
    const root = await this.addTrustedRoot(session);
    if (root.kind !== "status" || root.status !== 0) throw new RangeError(`AddTrustedRoot: ${JSON.stringify(root)}`);
    const added = nocResponseOf(await this.addNoc(session, chain));
    if (added.statusCode !== 0 || added.fabricIndex === undefined)
      throw new RangeError(`AddNOC: ${JSON.stringify(added)}`);
    this.fabricIndex = added.fabricIndex as FabricIndex;
    this.chain = chain;
    const caseSession = this.openCase();
    const done = await this.node.commissioningComplete(caseSession);
    if (done !== 0) throw new RangeError(`CommissioningComplete: ${JSON.stringify(done)}`);
    return caseSession;
  }

  /** UpdateNOC flow on an open CASE session: arm, update CSR, issue, UpdateNOC. Returns the NOCResponse. */
  async updateNocFlow(caseSession: number, options: ChainOptions & { validityShiftS?: number } = {}) {
    await this.node.armFailSafe(caseSession, 900);
    const { csr } = await this.csrRequest(caseSession, { forUpdate: true });
    if (csr === undefined) throw new RangeError("update CSR failed");
    const chain = this.ca.issueChain(csr, {
      fabricId: this.fabricId,
      nodeId: this.deviceNodeId,
      withIcac: this.withIcac,
      maxSize: this.maxSize,
      ...options,
    });
    const response = nocResponseOf(await this.updateNoc(caseSession, chain));
    return { response, chain };
  }
}
