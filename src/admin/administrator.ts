/**
 * The administrator: a certificate authority with its own fabric that commissions devices (Core 5.5) and then
 * administers their fabrics over CASE (Core 11.18: Fabrics, RemoveFabric, UpdateFabricLabel, UpdateNOC,
 * SignVIDVerificationRequest; Core 11.19 OpenCommissioningWindow). This is the package's `matter-opcreds/admin`
 * entry point: everything the `opcreds` CLI does goes through this class.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { toHex } from "../bytes/bytes.ts";
import { OpcredsError } from "../bytes/errors.ts";
import { type AttestationTrustStore, developmentTrustStore } from "../cert/attestation-trust-store.ts";
import { decodeMatterCert } from "../cert/matter-cert-decode.ts";
import { CSR_NONCE_BYTES } from "../cert/nocsr-elements.ts";
import type { RevocationSet } from "../cert/revocation-set.ts";
import { MIN_COMMISSIONING_TIMEOUT_S } from "../clusters/administrator-commissioning/administrator-commissioning.ts";
import { OnOffCluster } from "../clusters/on-off/on-off-options.ts";
import { VID_VERIFICATION_CLIENT_CHALLENGE_BYTES } from "../clusters/operational-credentials/operational-credentials-limits.ts";
import {
  vendorFabricBindingMessage,
  vendorIdVerificationTbs,
} from "../clusters/operational-credentials/sign-vid-verification-request.ts";
import type { Crypto } from "../crypto/crypto.ts";
import { nodeCrypto } from "../crypto/node-crypto.ts";
import { P256PublicKey } from "../crypto/p256.ts";
import { NodeOperationalCertStatus } from "../fabric/status-codes.ts";
import { imStatusName } from "../im/status-code.ts";
import { onNetworkPairingCodes } from "../node/onboarding/pairing-codes.ts";
import { MATTER_UDP_PORT, type UdpPeer } from "../node/udp-transport.ts";
import {
  computePaseVerifier,
  encodePaseVerifier,
  isValidPasscode,
  PBKDF_ITERATIONS_MIN,
  PBKDF_SALT_MAX_BYTES,
} from "../sc/pase/pase-verifier.ts";
import { SecureChannelError } from "../sc/secure-channel-error.ts";
import type { SecureSession } from "../sc/secure-session.ts";
import { SecureChannelProtocolCode } from "../sc/status-report.ts";
import type { TlvNode } from "../tlv/tlv-node.ts";
import { AdminError } from "./admin-error.ts";
import { type AdminFabric, type AdminFabricOptions, DEFAULT_ADMIN_DATA_DIR } from "./admin-fabric.ts";
import { AdminStore, type NodeRecord } from "./admin-store.ts";
import {
  type CommissioningResult,
  checkCsrResponse,
  commission,
  type StepReport,
  timedSteps,
} from "./commissioning-flow.ts";
import { DeviceCommands, type FabricDescriptor, nocStatusText } from "./device-commands.ts";
import { type Discovery, dnssdDiscovery } from "./discovery.ts";
import { InteractionClient } from "./interaction-client.ts";
import { type PairingCode, parsePairingCode } from "./pairing-code.ts";

export {
  type AttestationTrustStore,
  developmentTrustStore,
  loadPaaTrustStore,
} from "../cert/attestation-trust-store.ts";
export { loadRevocationSet, type RevocationSet } from "../cert/revocation-set.ts";
export { AdminError, type AdminErrorCode } from "./admin-error.ts";
export { type AdminFabricOptions, DEFAULT_ADMIN_DATA_DIR } from "./admin-fabric.ts";
export type { NodeRecord } from "./admin-store.ts";
export { AdminFabricExistsError } from "./admin-store.ts";
export { type AttributePath, parseAttributePath } from "./attribute-path.ts";
export type { CommissioningResult, StepReport } from "./commissioning-flow.ts";
export type { FabricDescriptor } from "./device-commands.ts";
export { type PairingCode, parsePairingCode } from "./pairing-code.ts";
export { hex16, vendorText } from "./vendor-name.ts";

/** The fail-safe an administration operation arms before UpdateNOC (Core 11.10.7.2), in seconds. */
export const ROTATE_NOC_FAILSAFE_S = 60;
/** OpenCommissioningWindow's default CommissioningTimeout (seconds; 180..900 allowed, Core 11.19.8.1). */
export const DEFAULT_WINDOW_TIMEOUT_S = 300;
/** The endpoint `onOff` addresses by default (the first application endpoint). */
export const DEFAULT_ON_OFF_ENDPOINT = 1;

/** Options of `Administrator.open`. */
export type AdministratorOptions = {
  /** The data directory (default ./.opcreds-admin, created 0700 on first use with the fabric). */
  readonly dataDir?: string;
  /** The fabric created when the directory holds none yet (default: random fabric id, VID 0xFFF1). */
  readonly create?: AdminFabricOptions;
  readonly crypto?: Crypto;
  /** Bound of each request and handshake in milliseconds (default 20 s). */
  readonly requestTimeoutMs?: number;
  /** Device discovery (default: DNS-SD on every interface, opened on first use). */
  readonly discovery?: Discovery;
};

/** What `commission` takes besides the pairing code. */
export type CommissionOptions = {
  /** The device's IP address (skips commissionable discovery and is used for CASE). */
  readonly ip?: string;
  /** The device's UDP port with `ip` (default 5540). */
  readonly port?: number;
  readonly nodeId?: bigint;
  /** The PAA and CD signer trust store (default: the development store, which trusts only test roots). */
  readonly trust?: AttestationTrustStore;
  readonly revocation?: RevocationSet;
  readonly onStep?: (report: StepReport) => void;
};

/** The fabrics of a node as its Operational Credentials cluster reports them. */
export type NodeFabrics = {
  readonly supportedFabrics: number;
  readonly commissionedFabrics: number;
  /** Every fabric, from an unfiltered read; `ours` marks the administrator's own. */
  readonly fabrics: readonly (FabricDescriptor & { readonly ours: boolean; readonly rootFingerprint: string })[];
  /** When the NOC the administrator issued to the node expires. */
  readonly nocNotAfter: Date;
};

/** What `decommission` did: `removed` from the node (or found already gone), or only forgotten. */
export type Decommissioned = { readonly removed: boolean; readonly alreadyRemoved: boolean };

/** A commissioning window opened for another administrator. */
export type OpenedWindow = {
  readonly manualPairingCode: string;
  readonly qrPairingCode: string;
  readonly discriminator: number;
  readonly timeoutSeconds: number;
};

/** What a SignVIDVerificationRequest proved. */
export type VidVerification = {
  readonly fabricIndex: number;
  readonly vendorId: number;
  readonly fabricId: bigint;
  readonly vidVerificationStatement: Uint8Array | undefined;
};

/** A commissioner and administrator of Matter nodes on its own fabric. */
export class Administrator {
  readonly store: AdminStore;
  readonly client: InteractionClient;
  readonly commands: DeviceCommands;
  readonly #discovery: Discovery;
  #developmentTrust: AttestationTrustStore | undefined;

  private constructor(store: AdminStore, client: InteractionClient, discovery: Discovery) {
    this.store = store;
    this.client = client;
    this.commands = new DeviceCommands(client);
    this.#discovery = discovery;
  }

  /** Opens the data directory (creating the fabric on first use) and a UDP socket on an ephemeral port. */
  static async open(options: AdministratorOptions = {}): Promise<Administrator> {
    const crypto = options.crypto ?? nodeCrypto;
    const store = await AdminStore.open(options.dataDir ?? DEFAULT_ADMIN_DATA_DIR, crypto, {
      ...(options.create === undefined ? {} : { create: options.create }),
    });
    return Administrator.#withStore(store, options);
  }

  /**
   * Creates the administrator's fabric in a data directory that holds none yet (`admin init`): AdminFabricExistsError
   * when it does. `options.create` chooses fabric id, vendor id, label and ICAC.
   */
  static async init(options: AdministratorOptions = {}): Promise<Administrator> {
    const crypto = options.crypto ?? nodeCrypto;
    const store = await AdminStore.init(options.dataDir ?? DEFAULT_ADMIN_DATA_DIR, crypto, options.create ?? {});
    return Administrator.#withStore(store, options);
  }

  static async #withStore(store: AdminStore, options: AdministratorOptions): Promise<Administrator> {
    try {
      const client = await InteractionClient.open({
        crypto: options.crypto ?? nodeCrypto,
        resumption: store.resumption,
        ...(options.requestTimeoutMs === undefined ? {} : { waitMs: options.requestTimeoutMs }),
      });
      return new Administrator(store, client, options.discovery ?? dnssdDiscovery());
    } catch (e) {
      await store.close();
      throw e;
    }
  }

  /** The administrator's fabric. */
  get fabric(): AdminFabric {
    return this.store.fabric;
  }

  /** Commissions the device behind `code` (manual pairing code or MT: QR payload) onto our fabric. */
  async commission(code: string | PairingCode, options: CommissionOptions = {}): Promise<CommissioningResult> {
    const parsed = typeof code === "string" ? parsePairingCode(code) : code;
    const address = options.ip === undefined ? undefined : await resolveHost(options.ip);
    return commission(
      { commands: this.commands, store: this.store, discovery: this.#discovery, now: () => performance.now() },
      {
        code: parsed,
        ...(address === undefined ? {} : { address: { address, port: options.port ?? MATTER_UDP_PORT } }),
        ...(options.nodeId === undefined ? {} : { nodeId: options.nodeId }),
        trust: options.trust ?? this.#developmentTrustStore(),
        ...(options.revocation === undefined ? {} : { revocation: options.revocation }),
        ...(options.onStep === undefined ? {} : { onStep: options.onStep }),
      },
    );
  }

  /** The registry of commissioned nodes. */
  nodes(): Promise<NodeRecord[]> {
    return this.store.nodes();
  }

  /** Every fabric on the node (unfiltered Fabrics read over CASE), ours marked. */
  async fabrics(nodeId: bigint): Promise<NodeFabrics> {
    return this.#withSession(nodeId, async (session, record) => {
      const f = await this.commands.fabrics(session, false);
      return {
        supportedFabrics: f.supportedFabrics,
        commissionedFabrics: f.commissionedFabrics,
        fabrics: f.fabrics.map((d) => ({
          ...d,
          ours: d.fabricIndex === f.currentFabricIndex,
          rootFingerprint: toHex(this.client.crypto.sha256(d.rootPublicKey).subarray(0, 8)).toUpperCase(),
        })),
        nocNotAfter: record.nocNotAfter,
      };
    });
  }

  /**
   * RemoveFabric of another administrator's fabric. Our own fabric is refused (that is `decommission`), and so is
   * the device's last fabric unless `confirmLast` (the device would leave every ecosystem).
   */
  async removeFabric(nodeId: bigint, fabricIndex: number, options: { confirmLast?: boolean } = {}): Promise<void> {
    await this.#withSession(nodeId, async (session) => {
      const f = await this.commands.fabrics(session, false);
      if (fabricIndex === f.currentFabricIndex) {
        throw new AdminError(
          "admin.refused",
          `fabric ${fabricIndex} is this administrator's own; use decommission to remove it`,
          { step: "RemoveFabric" },
        );
      }
      if (!f.fabrics.some((d) => d.fabricIndex === fabricIndex)) {
        throw new AdminError("admin.refused", `the node has no fabric ${fabricIndex}`, { step: "RemoveFabric" });
      }
      if (f.commissionedFabrics <= 1 && options.confirmLast !== true) {
        throw new AdminError(
          "admin.refused",
          `fabric ${fabricIndex} is the device's last: removing it makes the device leave every ecosystem (confirm with --yes)`,
          { step: "RemoveFabric" },
        );
      }
      const r = await this.commands.removeFabric(session, fabricIndex);
      if (r.statusCode !== NodeOperationalCertStatus.OK) {
        throw new AdminError("admin.command-failed", `NOCResponse ${nocStatusText(r)}`, { step: "RemoveFabric" });
      }
    });
  }

  /**
   * RemoveFabric of our own fabric on the node, then the node leaves the registry. A NOCResponse lost because the
   * device dropped the session counts as success once a new CASE attempt is refused. An unreachable node is an
   * error and stays registered, unless `forget` drops it anyway (the device then still holds the fabric).
   */
  async decommission(nodeId: bigint, options: { forget?: boolean } = {}): Promise<Decommissioned> {
    const record = await this.#record(nodeId);
    let session: SecureSession;
    try {
      session = await this.#connect(record);
    } catch (e) {
      if (e instanceof AdminError && e.code === "admin.no-shared-root") {
        // The node answers but holds no fabric of ours any more (another administrator removed it).
        await this.store.removeNode(nodeId);
        return { removed: true, alreadyRemoved: true };
      }
      if (options.forget !== true) throw e;
      await this.store.removeNode(nodeId);
      return { removed: false, alreadyRemoved: false };
    }
    try {
      const r = await this.commands.removeFabric(session, record.fabricIndex);
      if (r.statusCode !== NodeOperationalCertStatus.OK) {
        throw new AdminError("admin.command-failed", `NOCResponse ${nocStatusText(r)}`, { step: "RemoveFabric" });
      }
    } catch (e) {
      if (!(e instanceof AdminError) || e.code === "admin.command-failed") throw e;
      // The answer was lost: the fabric is gone only if the node now explicitly refuses CASE on it.
      const refused = await this.client.case(toPeer(record), this.fabric.caseFabric, nodeId, { resume: false }).then(
        (s) => {
          this.client.closeSession(s);
          return false;
        },
        (err: unknown) => isNoSharedTrustRoot(err),
      );
      if (!refused) throw AdminError.atStep("RemoveFabric", e);
    } finally {
      this.client.closeSession(session);
    }
    await this.store.removeNode(nodeId);
    return { removed: true, alreadyRemoved: false };
  }

  /** UpdateFabricLabel of our fabric on the node, and the registry's label. */
  async label(nodeId: bigint, label: string): Promise<void> {
    await this.#withSession(nodeId, async (session, record) => {
      const r = await this.commands.updateFabricLabel(session, label);
      if (r.statusCode !== NodeOperationalCertStatus.OK) {
        throw new AdminError("admin.command-failed", `NOCResponse ${nocStatusText(r)}`, { step: "UpdateFabricLabel" });
      }
      await this.store.saveNode({ ...record, label });
    });
  }

  /**
   * A new NOC for the node's same node id and a new operational key (Core 11.18.6.9): ArmFailSafe,
   * CSRRequest(IsForUpdateNOC), UpdateNOC, CASE against the new NOC, CommissioningComplete. A failure disarms the
   * fail-safe (the device reverts) and the registry keeps the old NOC. `newIcac` first rotates our ICAC.
   */
  async rotateNoc(
    nodeId: bigint,
    options: { newIcac?: boolean; onStep?: (r: StepReport) => void } = {},
  ): Promise<{ readonly nocNotAfter: Date; readonly steps: readonly StepReport[] }> {
    const record = await this.#record(nodeId);
    const steps: StepReport[] = [];
    const step = timedSteps(() => performance.now(), steps, options.onStep);
    const session = await step("CASE", () => this.#connect(record));
    let armed = false;
    let fresh: SecureSession | undefined;
    try {
      await step("ArmFailSafe", async () => {
        await this.commands.armFailSafe(session, ROTATE_NOC_FAILSAFE_S, 0n);
        armed = true;
      });
      const csr = await step("CSRRequest", async () => {
        const dac = await this.commands.certificateChain(session, 1);
        const nonce = this.client.crypto.randomBytes(CSR_NONCE_BYTES);
        const response = await this.commands.csr(session, nonce, true);
        return checkCsrResponse(this.client.crypto, response, nonce, dac, session.attestationChallenge);
      });
      if (options.newIcac === true) await step("new ICAC", () => this.fabric.newIcac());
      const chain = await step("issue NOC", () => this.fabric.issueNoc(csr, nodeId));
      await step("UpdateNOC", async () => {
        const r = await this.commands.updateNoc(session, chain.noc, chain.icac);
        if (r.statusCode !== NodeOperationalCertStatus.OK)
          throw new AdminError("admin.command-failed", `NOCResponse ${nocStatusText(r)}`);
      });
      fresh = await step("CASE (new NOC)", () =>
        this.client.case(toPeer(record), this.fabric.caseFabric, nodeId, { resume: false }),
      );
      const on = fresh;
      await step("CommissioningComplete", async () => {
        await this.commands.commissioningComplete(on);
        armed = false;
      });
      await this.store.saveNode({ ...record, noc: chain.noc, icac: chain.icac, nocNotAfter: chain.nocNotAfter });
      return { nocNotAfter: chain.nocNotAfter, steps };
    } catch (e) {
      if (armed) await this.commands.armFailSafe(session, 0).catch(() => undefined);
      throw e;
    } finally {
      this.client.closeSession(session);
      if (fresh !== undefined) this.client.closeSession(fresh);
    }
  }

  /**
   * OpenCommissioningWindow (enhanced) with a fresh random passcode, discriminator and salt, so that another
   * ecosystem can commission the node; returns the codes to give it.
   */
  async openWindow(nodeId: bigint, options: { timeoutSeconds?: number } = {}): Promise<OpenedWindow> {
    const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_WINDOW_TIMEOUT_S;
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < MIN_COMMISSIONING_TIMEOUT_S || timeoutSeconds > 900) {
      throw new RangeError(`timeout must be ${MIN_COMMISSIONING_TIMEOUT_S}..900 seconds, got ${timeoutSeconds}`);
    }
    const crypto = this.client.crypto;
    const passcode = randomPasscode(crypto);
    const discriminator = crypto.randomBytes(2).reduce((a, b) => (a << 8) | b, 0) & 0xfff;
    const salt = crypto.randomBytes(PBKDF_SALT_MAX_BYTES);
    const iterations = PBKDF_ITERATIONS_MIN;
    const verifier = encodePaseVerifier(computePaseVerifier(crypto, passcode, { iterations, salt }));
    return this.#withSession(nodeId, async (session, record) => {
      await this.commands.openCommissioningWindow(session, {
        timeoutSeconds,
        verifier,
        discriminator,
        iterations,
        salt,
      });
      const { vendorId, productId } = record;
      const codes = onNetworkPairingCodes({ vendorId, productId, discriminator, passcode });
      return { manualPairingCode: codes.manualPairingCode, qrPairingCode: codes.qrCode, discriminator, timeoutSeconds };
    });
  }

  /**
   * SignVIDVerificationRequest (Core 11.18.6.13) for `fabricIndex` (default ours) with a random client challenge;
   * the signature is checked with that fabric's NOC public key over vendor_id_verification_tbs.
   */
  async verifyVid(nodeId: bigint, options: { fabricIndex?: number } = {}): Promise<VidVerification> {
    return this.#withSession(nodeId, async (session) => {
      const f = await this.commands.fabrics(session, false);
      const index = options.fabricIndex ?? f.currentFabricIndex;
      const fabric = f.fabrics.find((d) => d.fabricIndex === index);
      const noc = f.nocs.find((n) => n.fabricIndex === index);
      if (fabric === undefined) throw new AdminError("admin.refused", `the node has no fabric ${index}`);
      if (noc === undefined || noc.noc.length === 0) {
        throw new AdminError("admin.device-invalid", `the NOC of fabric ${index} is not readable`);
      }
      const clientChallenge = this.client.crypto.randomBytes(VID_VERIFICATION_CLIENT_CHALLENGE_BYTES);
      const r = await this.commands.signVidVerification(session, index, clientChallenge);
      if (r.fabricIndex !== index) {
        throw new AdminError("admin.device-invalid", `signed for fabric ${r.fabricIndex}, not ${index}`);
      }
      const tbs = vendorIdVerificationTbs({
        clientChallenge,
        attestationChallenge: session.attestationChallenge,
        fabricIndex: index,
        bindingMessage: vendorFabricBindingMessage(fabric.rootPublicKey, fabric.fabricId, fabric.vendorId),
        vidVerificationStatement: fabric.vidVerificationStatement,
      });
      const key = P256PublicKey.fromRaw(decodeMatterCert(noc.noc).publicKey);
      if (!this.client.crypto.ecdsaVerify(key, tbs, r.signature)) {
        throw new AdminError(
          "admin.device-invalid",
          `the VID verification signature does not verify with fabric ${index}'s NOC key`,
          { step: "SignVIDVerificationRequest" },
        );
      }
      return {
        fabricIndex: index,
        vendorId: fabric.vendorId,
        fabricId: fabric.fabricId,
        vidVerificationStatement: fabric.vidVerificationStatement,
      };
    });
  }

  /** One attribute's value (TLV node) read over CASE. */
  read(nodeId: bigint, path: { endpoint: number; cluster: number; attribute: number }): Promise<TlvNode> {
    return this.#withSession(nodeId, (session) =>
      this.client.readAttribute(session, path.endpoint, path.cluster, path.attribute),
    );
  }

  /** On, Off or Toggle of the On/Off cluster on `endpoint` (default 1). */
  async onOff(nodeId: bigint, command: "on" | "off" | "toggle", endpoint = DEFAULT_ON_OFF_ENDPOINT): Promise<void> {
    const id = OnOffCluster.commands[command === "on" ? "On" : command === "off" ? "Off" : "Toggle"];
    await this.#withSession(nodeId, async (session) => {
      const r = await this.client.invoke(session, OnOffCluster.id, id, undefined, { endpoint });
      if (r.kind !== "status" || r.status !== 0) {
        throw new AdminError(
          "admin.command-failed",
          r.kind === "status" ? `${imStatusName(r.status)} (0x${r.status.toString(16)})` : "unexpected response",
          {
            step: command,
          },
        );
      }
    });
  }

  /** Closes discovery, the socket and the data directory. */
  async close(): Promise<void> {
    await this.#discovery.close().catch(() => undefined);
    await this.client.close();
    await this.store.close();
  }

  #developmentTrustStore(): AttestationTrustStore {
    if (this.#developmentTrust === undefined) this.#developmentTrust = developmentTrustStore();
    return this.#developmentTrust;
  }

  async #record(nodeId: bigint): Promise<NodeRecord> {
    const record = await this.store.node(nodeId);
    if (record === undefined) {
      throw new AdminError("admin.unknown-node", `node ${nodeId} is not in the registry (see \`opcreds nodes\`)`);
    }
    return record;
  }

  /**
   * A CASE session to a registered node (resumed when a record exists): its last address first, then DNS-SD; a new
   * address is remembered.
   */
  async #connect(record: NodeRecord): Promise<SecureSession> {
    const caseFabric = this.fabric.caseFabric;
    let failure: AdminError | undefined;
    if (record.address !== null) {
      try {
        return await this.client.case(toPeer(record), caseFabric, record.nodeId);
      } catch (e) {
        failure = caseFailure(record.nodeId, toPeer(record), e);
      }
    }
    // The node may have moved (a new address after a DHCP lease, another device at the old one): ask DNS-SD.
    const found = await this.#discovery
      .resolveOperational(this.fabric.compressedFabricId, record.nodeId)
      .catch(() => undefined);
    const same = found !== undefined && record.address !== null && found.address === record.address.ip;
    if (found === undefined || (same && found.port === record.address?.port)) {
      throw (
        failure ??
        new AdminError("admin.not-found", `no address known for node ${record.nodeId} and DNS-SD found none`, {
          step: "CASE",
        })
      );
    }
    const session = await this.client.case(found, caseFabric, record.nodeId).catch((e: unknown) => {
      throw caseFailure(record.nodeId, found, e);
    });
    await this.store.saveNode({ ...record, address: { ip: found.address, port: found.port } });
    return session;
  }

  async #withSession<T>(nodeId: bigint, run: (session: SecureSession, record: NodeRecord) => Promise<T>): Promise<T> {
    const record = await this.#record(nodeId);
    const session = await this.#connect(record);
    try {
      return await run(session, record);
    } finally {
      this.client.closeSession(session);
    }
  }
}

/** True when `e` (or what it wraps) is a CASE responder's NoSharedTrustRoots StatusReport (Core 4.11.1.3). */
function isNoSharedTrustRoot(e: unknown): boolean {
  for (let x: unknown = e; x instanceof Error; x = x.cause) {
    if (x instanceof SecureChannelError && x.code === "case.peer-status") {
      return x.report?.protocolCode === SecureChannelProtocolCode.NO_SHARED_TRUST_ROOTS;
    }
  }
  return false;
}

/** A failed CASE to `nodeId` at `peer` as the AdminError a user can act on. */
function caseFailure(nodeId: bigint, peer: UdpPeer, e: unknown): AdminError {
  const where = `${peer.address} port ${peer.port}`;
  if (isNoSharedTrustRoot(e)) {
    return new AdminError(
      "admin.no-shared-root",
      `the node at ${where} holds no fabric of ours (CASE refused: NoSharedTrustRoots)`,
      {
        step: "CASE",
        cause: e,
      },
    );
  }
  if (e instanceof AdminError && (e.code === "admin.timeout" || e.code === "admin.exchange-failed")) {
    return new AdminError("admin.unreachable", `node ${nodeId} did not answer at ${where} (${e.reason})`, {
      step: "CASE",
      cause: e,
    });
  }
  if (e instanceof OpcredsError && !(e instanceof AdminError) && e.message.includes("exchange")) {
    return new AdminError("admin.unreachable", `node ${nodeId} did not answer at ${where} (${e.message})`, {
      step: "CASE",
      cause: e,
    });
  }
  return AdminError.atStep("CASE", e);
}

/** `host` as an IP literal: literals as they are, a host name through the system resolver (first address). */
async function resolveHost(host: string): Promise<string> {
  if (isIP(host) !== 0) return host;
  try {
    return (await lookup(host)).address;
  } catch (e) {
    throw new AdminError("admin.not-found", `cannot resolve host ${JSON.stringify(host)}: ${(e as Error).message}`, {
      step: "address",
      cause: e,
    });
  }
}

function toPeer(record: NodeRecord): UdpPeer {
  if (record.address === null) throw new AdminError("admin.not-found", `no address known for node ${record.nodeId}`);
  return { address: record.address.ip, port: record.address.port };
}

/** A uniformly random passcode allowed by Core 5.1.1.6. */
function randomPasscode(crypto: Crypto): number {
  for (;;) {
    const b = crypto.randomBytes(4);
    const v = (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) & 0x7ffffff;
    if (isValidPasscode(v)) return v;
  }
}
