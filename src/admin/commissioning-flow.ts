/**
 * On-network commissioning as a commissioner (Core spec 5.5), in the spec's order: PASE; read Basic Information and
 * BasicCommissioningInfo; ArmFailSafe; SetRegulatoryConfig; device attestation (6.2); CSRRequest and its checks
 * (6.4.6.1); NOC issuance; AddTrustedRootCertificate; AddNOC; operational discovery (4.3.2); CASE;
 * CommissioningComplete; UpdateFabricLabel. Each step is timed and reported; a failure names its step, disarms the
 * fail-safe over PASE when the session still lives (so the device reverts) and leaves the registry untouched.
 */
import { bytesEqual, toHex } from "../bytes/bytes.ts";
import { OpcredsError } from "../bytes/errors.ts";
import { ATTESTATION_NONCE_BYTES, verifyAttestationSignature } from "../cert/attestation-elements.ts";
import type { AttestationTrustStore } from "../cert/attestation-trust-store.ts";
import { verifyCsr } from "../cert/csr.ts";
import { type VerifiedAttestation, verifyDeviceAttestation } from "../cert/device-attestation-verifier.ts";
import { CSR_NONCE_BYTES, decodeNocsrElements } from "../cert/nocsr-elements.ts";
import type { RevocationSet } from "../cert/revocation-set.ts";
import { parseX509 } from "../cert/x509.ts";
import { RegulatoryLocationType } from "../clusters/general-commissioning/general-commissioning.ts";
import { CertificateChainType } from "../clusters/operational-credentials/node-operational-cert-status.ts";
import type { Crypto } from "../crypto/crypto.ts";
import { P256PublicKey } from "../crypto/p256.ts";
import { NodeOperationalCertStatus } from "../fabric/status-codes.ts";
import type { UdpPeer } from "../node/udp-transport.ts";
import { PaseBusyError } from "../sc/pase/pase-initiator.ts";
import type { SecureSession } from "../sc/secure-session.ts";
import { AdminError } from "./admin-error.ts";
import type { AdminStore, NodeRecord } from "./admin-store.ts";
import { type DeviceCommands, nocStatusText } from "./device-commands.ts";
import type { Discovery } from "./discovery.ts";
import type { InteractionClient } from "./interaction-client.ts";
import type { PairingCode } from "./pairing-code.ts";
import { hex16, vendorText } from "./vendor-name.ts";

/** How long PASE retries a busy device in all (a commissioning window holds an abandoned attempt for 30 s). */
const PASE_BUSY_RETRY_LIMIT_MS = 35_000;
/** The breadcrumb values written along the way (Core 11.10.6.1: a commissioner's progress marker). */
const BREADCRUMB = { armed: 1n, regulatory: 2n } as const;

/** One finished step of a commissioning or an administration operation, with its wall-clock duration. */
export type StepReport = { readonly step: string; readonly ms: number; readonly detail?: string };

/** A step runner: times `run`, records and reports its StepReport, and names the step in any error it throws. */
export type StepRunner = <T>(name: string, run: () => Promise<T>, detail?: (value: T) => string) => Promise<T>;

/** The step runner of one operation: reports go to `steps` and `onStep`, durations come from `now` (ms). */
export function timedSteps(
  now: () => number,
  steps: StepReport[],
  onStep: ((report: StepReport) => void) | undefined,
): StepRunner {
  return async (name, run, detail) => {
    const t0 = now();
    let value: Awaited<ReturnType<typeof run>>;
    try {
      value = await run();
    } catch (e) {
      throw AdminError.atStep(name, e);
    }
    const report: StepReport = { step: name, ms: now() - t0, ...(detail ? { detail: detail(value) } : {}) };
    steps.push(report);
    onStep?.(report);
    return value;
  };
}

/** What `commission` needs besides the administrator's client and store. */
export type CommissioningRequest = {
  readonly code: PairingCode;
  /** The device's address; without it the device is found by DNS-SD from the code's discriminator. */
  readonly address?: UdpPeer;
  /** The node id to give the device (default: the registry's next free one). */
  readonly nodeId?: bigint;
  readonly trust: AttestationTrustStore;
  readonly revocation?: RevocationSet;
  /** Called after each step. */
  readonly onStep?: (report: StepReport) => void;
};

/** A commissioned node. */
export type CommissioningResult = {
  readonly nodeId: bigint;
  readonly fabricIndex: number;
  readonly vendorId: number;
  readonly productId: number;
  readonly address: UdpPeer;
  readonly attestation: VerifiedAttestation;
  /** What went wrong after the device committed our fabric (e.g. a label it refused). */
  readonly warnings: readonly string[];
  readonly steps: readonly StepReport[];
  readonly ms: number;
};

/** What the flow runs on: the administrator's requests, state, discovery and clock. */
export type CommissioningContext = {
  readonly commands: DeviceCommands;
  readonly store: AdminStore;
  readonly discovery: Discovery;
  readonly now: () => number;
};

/** Runs the whole commissioning of one device; see the module doc for the steps and the failure policy. */
export async function commission(c: CommissioningContext, req: CommissioningRequest): Promise<CommissioningResult> {
  const { commands, store } = c;
  const client = commands.client;
  const crypto = client.crypto;
  const fabric = store.fabric;
  const steps: StepReport[] = [];
  const started = c.now();
  const step = timedSteps(c.now, steps, req.onStep);

  const nodeId = await store.allocateNodeId(req.nodeId);
  const peer =
    req.address ??
    (await step(
      "discovery",
      () => c.discovery.findCommissionable(req.code.discriminator),
      (p) => `${p.address} port ${p.port}`,
    ));

  const pase = await step("PASE", () => establishPase(client, peer, req.code.passcode));
  let armed = false;
  let caseSession: SecureSession | undefined;
  let tableFull = false;
  try {
    const info = await step(
      "read",
      () => commands.commissioningInfo(pase),
      (i) =>
        `VID ${hex16(i.vendorId)} PID ${hex16(i.productId)}, fabrics ${i.commissionedFabrics}/${i.supportedFabrics}`,
    );
    tableFull = info.commissionedFabrics >= info.supportedFabrics;
    await step("ArmFailSafe", async () => {
      await commands.armFailSafe(pase, info.basicCommissioningInfo.failSafeExpiryLengthSeconds, BREADCRUMB.armed);
      armed = true;
    });
    await step("SetRegulatoryConfig", () =>
      commands.setRegulatoryConfig(
        pase,
        // Core 11.10.6.3: a device that is indoor-only or outdoor-only gets its own capability.
        info.locationCapability ?? RegulatoryLocationType.IndoorOutdoor,
        BREADCRUMB.regulatory,
      ),
    );

    const attestation = await step(
      "attestation",
      async () => {
        const nonce = crypto.randomBytes(ATTESTATION_NONCE_BYTES);
        // Three independent requests, each on its own exchange (Core 4.10: exchanges are concurrent), so they cost one
        // round trip instead of three; nothing is trusted before all three are verified together below.
        const [dac, pai, response] = await Promise.all([
          commands.certificateChain(pase, CertificateChainType.DACCertificate),
          commands.certificateChain(pase, CertificateChainType.PAICertificate),
          commands.attestation(pase, nonce),
        ]);
        const verified = verifyDeviceAttestation(
          crypto,
          {
            dac,
            pai,
            attestation: {
              elements: response.attestationElements,
              signature: response.attestationSignature,
              nonce,
              challenge: pase.attestationChallenge,
            },
            vendorId: info.vendorId,
            productId: info.productId,
          },
          {
            trust: req.trust,
            // The commissioner has a clock: an expired DAC is refused (the SDK's IsCertificateValidAtCurrentTime).
            now: new Date(),
            ...(req.revocation === undefined ? {} : { revocation: req.revocation }),
          },
        );
        return { verified, dac };
      },
      ({ verified }) => `PAA ${toHex(verified.paaSubjectKeyId).toUpperCase()}${verified.testPaa ? " (test PAA)" : ""}`,
    );

    const csr = await step("CSRRequest", async () => {
      const nonce = crypto.randomBytes(CSR_NONCE_BYTES);
      const response = await commands.csr(pase, nonce);
      return checkCsrResponse(crypto, response, nonce, attestation.dac, pase.attestationChallenge);
    });
    const chain = await step(
      "issue NOC",
      () => fabric.issueNoc(csr, nodeId),
      () => `node id ${nodeId}`,
    );
    await step("AddTrustedRootCertificate", () => commands.addTrustedRootCertificate(pase, chain.rcac));
    const fabricIndex = await step(
      "AddNOC",
      async () => {
        const r = await commands.addNoc(pase, {
          noc: chain.noc,
          icac: chain.icac,
          ipkEpochKey: fabric.ipkEpochKey,
          caseAdminSubject: fabric.adminNodeId,
          adminVendorId: fabric.vendorId,
        });
        if (r.statusCode === NodeOperationalCertStatus.OK && r.fabricIndex !== undefined) return r.fabricIndex;
        const message = `NOCResponse ${nocStatusText(r)}`;
        if (r.statusCode === NodeOperationalCertStatus.TableFull) tableFull = true;
        throw new AdminError("admin.command-failed", message);
      },
      (i) => `fabric index ${i}`,
    );

    const operational = await step(
      "operational discovery",
      async () =>
        req.address ??
        (await c.discovery.resolveOperational(fabric.compressedFabricId, nodeId).catch(() => undefined)) ??
        peer,
      (p) => `${p.address} port ${p.port}`,
    );
    caseSession = await step("CASE", () => client.case(operational, fabric.caseFabric, nodeId, { resume: false }));
    const session = caseSession;
    await step("CommissioningComplete", async () => {
      await commands.commissioningComplete(session);
      armed = false;
    });
    // The device has committed our fabric: from here on the node is ours, whatever happens to the label.
    const record: NodeRecord = {
      nodeId,
      fabricIndex,
      vendorId: info.vendorId,
      productId: info.productId,
      // Our fabric's label on the node, as UpdateFabricLabel writes it below.
      label: fabric.label,
      address: { ip: operational.address, port: operational.port },
      noc: chain.noc,
      icac: chain.icac,
      nocNotAfter: chain.nocNotAfter,
      commissionedAt: new Date(),
    };
    await store.saveNode(record);
    const warnings: string[] = [];
    await step("UpdateFabricLabel", async () => {
      const r = await commands.updateFabricLabel(session, fabric.label).catch((e: unknown) => {
        warnings.push(`UpdateFabricLabel: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      });
      if (r === undefined || r.statusCode === NodeOperationalCertStatus.OK) return;
      // Commissioning is complete; a label the device refuses (LabelConflict: another fabric has it) is not fatal.
      warnings.push(
        `UpdateFabricLabel: NOCResponse ${nocStatusText(r)}; the fabric has no label (set one with \`node ${nodeId} label TEXT\`)`,
      );
      await store.saveNode({ ...record, label: "" });
    });

    return {
      nodeId,
      fabricIndex,
      vendorId: info.vendorId,
      productId: info.productId,
      address: operational,
      attestation: attestation.verified,
      warnings,
      steps,
      ms: c.now() - started,
    };
  } catch (e) {
    // A full fabric table (AddNOC's TableFull, or a device that refuses earlier): name the ecosystems on it.
    const hint = tableFull ? await tableFullHint(commands, pase) : "";
    if (armed) {
      // The device reverts AddTrustedRootCertificate/AddNOC when the fail-safe ends (Core 11.10.7.2.2).
      await commands.armFailSafe(pase, 0).catch(() => undefined);
    }
    if (hint !== "" && e instanceof AdminError) throw e.extended(hint);
    throw e;
  } finally {
    client.closeSession(pase);
    if (caseSession !== undefined) client.closeSession(caseSession);
  }
}

/**
 * PASE with the device. A device busy with another commissioner's handshake answers Busy with a minimum wait (Core
 * 4.11.1.3): wait it and try again, for at most PASE_BUSY_RETRY_LIMIT_MS in all. A wrong passcode is named as such.
 */
async function establishPase(client: InteractionClient, peer: UdpPeer, passcode: number): Promise<SecureSession> {
  let waited = 0;
  for (;;) {
    try {
      return await client.pase(peer, passcode);
    } catch (e) {
      if (e instanceof PaseBusyError && waited + e.minimumWaitMs <= PASE_BUSY_RETRY_LIMIT_MS) {
        await new Promise((resolve) => setTimeout(resolve, e.minimumWaitMs));
        waited += e.minimumWaitMs;
        continue;
      }
      if (e instanceof AdminError && (e.code === "admin.timeout" || e.code === "admin.exchange-failed")) {
        throw new AdminError(
          "admin.unreachable",
          `no answer from ${peer.address} port ${peer.port} (is the device's commissioning window open?)`,
          { cause: e },
        );
      }
      if (e instanceof OpcredsError && !(e instanceof AdminError) && /exchange/.test(e.message)) {
        throw new AdminError(
          "admin.unreachable",
          `no answer from ${peer.address} port ${peer.port} (${e.message}; is the device's commissioning window open?)`,
          { cause: e },
        );
      }
      // Core 4.14.1.3: a wrong passcode shows as the responder's confirmation cB failing to verify.
      if (e instanceof Error && /\bcB\b/.test(e.message)) {
        throw new AdminError("admin.wrong-passcode", `wrong passcode (${e.message})`, { cause: e });
      }
      throw e;
    }
  }
}

/**
 * The CSRResponse checks of Core 11.18.6.6 from the commissioner's side: the NOCSR elements decode, their CSRNonce is
 * the one sent, the AttestationSignature verifies with the DAC's key over NOCSRElements || AttestationChallenge, and
 * the CSR is a well-formed P-256 PKCS#10 request whose self-signature verifies. Returns the CSR (DER).
 */
export function checkCsrResponse(
  crypto: Crypto,
  response: { nocsrElements: Uint8Array; attestationSignature: Uint8Array },
  nonce: Uint8Array,
  dac: Uint8Array,
  attestationChallenge: Uint8Array,
): Uint8Array {
  const elements = decodeNocsrElements(response.nocsrElements);
  if (!bytesEqual(elements.csrNonce, nonce)) {
    throw new AdminError("admin.device-invalid", "CSRNonce in NOCSRElements is not the nonce sent");
  }
  const dacKey = P256PublicKey.fromRaw(parseX509(dac).publicKey);
  if (
    !verifyAttestationSignature(
      crypto,
      dacKey,
      response.nocsrElements,
      attestationChallenge,
      response.attestationSignature,
    )
  ) {
    throw new AdminError("admin.device-invalid", "the NOCSR elements' signature does not verify with the DAC key");
  }
  verifyCsr(crypto, elements.csr);
  return elements.csr;
}

/** When AddNOC says TableFull: the device's fabrics (read over the PASE session), so the user knows whom to ask. */
async function tableFullHint(commands: DeviceCommands, pase: SecureSession): Promise<string> {
  try {
    const f = await commands.fabrics(pase, false);
    const list = f.fabrics
      .map((d) => `${d.fabricIndex} ${vendorText(d.vendorId)}${d.label === "" ? "" : ` "${d.label}"`}`)
      .join("; ");
    return `; the device holds ${f.commissionedFabrics} of ${f.supportedFabrics} fabrics: ${list}. Remove the device from one of these ecosystems first`;
  } catch {
    return "";
  }
}
