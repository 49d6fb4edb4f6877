/**
 * The commands and reads an administrator sends to a node, typed: General Commissioning (Core 11.10), Node
 * Operational Credentials (Core 11.18), Administrator Commissioning (Core 11.19) and the attributes commissioning
 * reads. Each answer is checked; a failure status is an AdminError naming the command and the status.
 */
import { MalformedError } from "../bytes/errors.ts";
import {
  AdministratorCommissioningCluster,
  AdministratorCommissioningStatus,
  OpenCommissioningWindowRequest,
} from "../clusters/administrator-commissioning/administrator-commissioning.ts";
import { BasicInformationCluster } from "../clusters/basic-information/basic-information.ts";
import {
  ArmFailSafeRequest,
  BasicCommissioningInfo,
  CommissioningError,
  CommissioningResponse,
  GeneralCommissioningCluster,
  SetRegulatoryConfigRequest,
} from "../clusters/general-commissioning/general-commissioning.ts";
import { AddNocRequest } from "../clusters/operational-credentials/add-noc.ts";
import { AddTrustedRootCertificateRequest } from "../clusters/operational-credentials/add-trusted-root-certificate.ts";
import { AttestationRequest, AttestationResponse } from "../clusters/operational-credentials/attestation-request.ts";
import {
  CertificateChainRequest,
  CertificateChainResponse,
} from "../clusters/operational-credentials/certificate-chain-request.ts";
import { CsrRequest, CsrResponse } from "../clusters/operational-credentials/csr-request.ts";
import { FabricDescriptorStruct } from "../clusters/operational-credentials/fabric-descriptor-struct.ts";
import { NocResponse } from "../clusters/operational-credentials/noc-response.ts";
import { NocStruct } from "../clusters/operational-credentials/noc-struct.ts";
import { nodeOperationalCertStatusName } from "../clusters/operational-credentials/node-operational-cert-status.ts";
import { OperationalCredentialsCluster } from "../clusters/operational-credentials/operational-credentials-options.ts";
import { RemoveFabricRequest } from "../clusters/operational-credentials/remove-fabric.ts";
import {
  SignVidVerificationRequest,
  SignVidVerificationResponse,
} from "../clusters/operational-credentials/sign-vid-verification-request.ts";
import { UpdateFabricLabelRequest } from "../clusters/operational-credentials/update-fabric-label.ts";
import { UpdateNocRequest } from "../clusters/operational-credentials/update-noc.ts";
import type { AttributeReportIB } from "../im/messages/attribute-report-ib.ts";
import { imStatusName } from "../im/status-code.ts";
import type { SecureSession } from "../sc/secure-session.ts";
import type { TlvNode } from "../tlv/tlv-node.ts";
import { type TlvSchema, tlvArray, tlvUInt8, tlvUInt16 } from "../tlv/tlv-schema.ts";
import { AdminError } from "./admin-error.ts";
import type { Fields, InteractionClient, InvokeResult } from "./interaction-client.ts";

const AC_CLUSTER = AdministratorCommissioningCluster.id;
const AcCmd = AdministratorCommissioningCluster.commands;
const GC_CLUSTER = GeneralCommissioningCluster.id;
const GcCmd = GeneralCommissioningCluster.commands;
const OC_CLUSTER = OperationalCredentialsCluster.id;
const OcAttr = OperationalCredentialsCluster.attributes;
const OcCmd = OperationalCredentialsCluster.commands;

/** The attributes commissioning reads over PASE before it arms the fail-safe (Core 5.5 step 3). */
export type CommissioningInfo = {
  readonly vendorId: number;
  readonly productId: number;
  readonly basicCommissioningInfo: BasicCommissioningInfo;
  readonly locationCapability: number | undefined;
  readonly supportedFabrics: number;
  readonly commissionedFabrics: number;
};

/** One entry of the Fabrics attribute as an administrator sees it. */
export type FabricDescriptor = FabricDescriptorStruct & { readonly fabricIndex: number };

/** NOCResponse's fields. */
export type NocResult = {
  readonly statusCode: number;
  readonly fabricIndex: number | undefined;
  readonly debugText: string | undefined;
};

/** NOCResponse's StatusCode by name, with the device's DebugText when it sent one ("TableFull (no room)"). */
export function nocStatusText(r: NocResult): string {
  const name = nodeOperationalCertStatusName(r.statusCode);
  return r.debugText === undefined || r.debugText === "" ? name : `${name} (${JSON.stringify(r.debugText)})`;
}

/** Typed requests of one administrator over `client`. */
export class DeviceCommands {
  readonly client: InteractionClient;

  constructor(client: InteractionClient) {
    this.client = client;
  }

  /** The Basic Information, General Commissioning and Operational Credentials attributes of Core 5.5 step 3. */
  async commissioningInfo(session: SecureSession): Promise<CommissioningInfo> {
    const reports = await this.client.read(session, [
      { endpoint: 0, cluster: BasicInformationCluster.id, attribute: BasicInformationCluster.attributes.VendorID },
      { endpoint: 0, cluster: BasicInformationCluster.id, attribute: BasicInformationCluster.attributes.ProductID },
      { endpoint: 0, cluster: GC_CLUSTER, attribute: GeneralCommissioningCluster.attributes.BasicCommissioningInfo },
      { endpoint: 0, cluster: GC_CLUSTER, attribute: GeneralCommissioningCluster.attributes.LocationCapability },
      { endpoint: 0, cluster: OC_CLUSTER, attribute: OcAttr.SupportedFabrics },
      { endpoint: 0, cluster: OC_CLUSTER, attribute: OcAttr.CommissionedFabrics },
    ]);
    const need = <T>(cluster: number, attribute: number, schema: TlvSchema<T>, name: string): T => {
      const v = attributeValue(reports, cluster, attribute, schema, name);
      if (v === undefined) throw new AdminError("admin.read-failed", `the device did not report ${name}`);
      return v;
    };
    return {
      vendorId: need(BasicInformationCluster.id, BasicInformationCluster.attributes.VendorID, tlvUInt16, "VendorID"),
      productId: need(BasicInformationCluster.id, BasicInformationCluster.attributes.ProductID, tlvUInt16, "ProductID"),
      basicCommissioningInfo: need(
        GC_CLUSTER,
        GeneralCommissioningCluster.attributes.BasicCommissioningInfo,
        BasicCommissioningInfo,
        "BasicCommissioningInfo",
      ),
      locationCapability: attributeValue(
        reports,
        GC_CLUSTER,
        GeneralCommissioningCluster.attributes.LocationCapability,
        tlvUInt8,
        "LocationCapability",
      ),
      supportedFabrics: need(OC_CLUSTER, OcAttr.SupportedFabrics, tlvUInt8, "SupportedFabrics"),
      commissionedFabrics: need(OC_CLUSTER, OcAttr.CommissionedFabrics, tlvUInt8, "CommissionedFabrics"),
    };
  }

  /** ArmFailSafe; a non-OK ErrorCode is an AdminError. `expiryLengthSeconds` 0 disarms. */
  async armFailSafe(session: SecureSession, expiryLengthSeconds: number, breadcrumb = 0n): Promise<void> {
    const r = await this.client.invoke(session, GC_CLUSTER, GcCmd.ArmFailSafe, (t) =>
      ArmFailSafeRequest.encodeNode({ expiryLengthSeconds, breadcrumb }, t),
    );
    checkCommissioningResponse("ArmFailSafe", r);
  }

  /** SetRegulatoryConfig with `config` and country code "XX" (unknown). */
  async setRegulatoryConfig(session: SecureSession, config: number, breadcrumb: bigint): Promise<void> {
    const r = await this.client.invoke(session, GC_CLUSTER, GcCmd.SetRegulatoryConfig, (t) =>
      SetRegulatoryConfigRequest.encodeNode({ newRegulatoryConfig: config, countryCode: "XX", breadcrumb }, t),
    );
    checkCommissioningResponse("SetRegulatoryConfig", r);
  }

  /** CommissioningComplete; a non-OK ErrorCode is an AdminError. */
  async commissioningComplete(session: SecureSession): Promise<void> {
    const r = await this.client.invoke(session, GC_CLUSTER, GcCmd.CommissioningComplete);
    checkCommissioningResponse("CommissioningComplete", r);
  }

  /** CertificateChainRequest: the DAC or the PAI (X.509 DER). */
  async certificateChain(session: SecureSession, type: number): Promise<Uint8Array> {
    const r = await this.#oc(session, OcCmd.CertificateChainRequest, (t) =>
      CertificateChainRequest.encodeNode({ certificateType: type }, t),
    );
    return responseOf("CertificateChainRequest", r, OcCmd.CertificateChainResponse, CertificateChainResponse)
      .certificate;
  }

  /** AttestationRequest with `nonce`. */
  async attestation(session: SecureSession, nonce: Uint8Array): Promise<AttestationResponse> {
    const r = await this.#oc(session, OcCmd.AttestationRequest, (t) =>
      AttestationRequest.encodeNode({ attestationNonce: nonce }, t),
    );
    return responseOf("AttestationRequest", r, OcCmd.AttestationResponse, AttestationResponse);
  }

  /** CSRRequest with `nonce` (for UpdateNOC when `isForUpdateNoc`). */
  async csr(session: SecureSession, nonce: Uint8Array, isForUpdateNoc = false): Promise<CsrResponse> {
    const r = await this.#oc(session, OcCmd.CSRRequest, (t) =>
      CsrRequest.encodeNode(isForUpdateNoc ? { csrNonce: nonce, isForUpdateNoc } : { csrNonce: nonce }, t),
    );
    return responseOf("CSRRequest", r, OcCmd.CSRResponse, CsrResponse);
  }

  /** AddTrustedRootCertificate; anything but SUCCESS is an AdminError. */
  async addTrustedRootCertificate(session: SecureSession, rcac: Uint8Array): Promise<void> {
    const r = await this.#oc(session, OcCmd.AddTrustedRootCertificate, (t) =>
      AddTrustedRootCertificateRequest.encodeNode({ rootCaCertificate: rcac }, t),
    );
    if (r.kind === "status" && r.status === 0) return;
    throw new AdminError("admin.command-failed", describe(r), { step: "AddTrustedRootCertificate" });
  }

  /** AddNOC; resolves with NOCResponse whatever its StatusCode (the caller decides). */
  async addNoc(
    session: SecureSession,
    req: {
      noc: Uint8Array;
      icac: Uint8Array | null;
      ipkEpochKey: Uint8Array;
      caseAdminSubject: bigint;
      adminVendorId: number;
    },
  ): Promise<NocResult> {
    const r = await this.#oc(session, OcCmd.AddNOC, (t) =>
      AddNocRequest.encodeNode(
        {
          nocValue: req.noc,
          ...(req.icac === null ? {} : { icacValue: req.icac }),
          ipkValue: req.ipkEpochKey,
          caseAdminSubject: req.caseAdminSubject,
          adminVendorId: req.adminVendorId,
        },
        t,
      ),
    );
    return nocResult("AddNOC", r);
  }

  /** UpdateNOC; resolves with NOCResponse whatever its StatusCode. */
  async updateNoc(session: SecureSession, noc: Uint8Array, icac: Uint8Array | null): Promise<NocResult> {
    const r = await this.#oc(session, OcCmd.UpdateNOC, (t) =>
      UpdateNocRequest.encodeNode(icac === null ? { nocValue: noc } : { nocValue: noc, icacValue: icac }, t),
    );
    return nocResult("UpdateNOC", r);
  }

  /** UpdateFabricLabel; resolves with NOCResponse whatever its StatusCode. */
  async updateFabricLabel(session: SecureSession, label: string): Promise<NocResult> {
    const r = await this.#oc(session, OcCmd.UpdateFabricLabel, (t) =>
      UpdateFabricLabelRequest.encodeNode({ label }, t),
    );
    return nocResult("UpdateFabricLabel", r);
  }

  /** RemoveFabric of `fabricIndex`; resolves with NOCResponse whatever its StatusCode. */
  async removeFabric(session: SecureSession, fabricIndex: number): Promise<NocResult> {
    const r = await this.#oc(session, OcCmd.RemoveFabric, (t) => RemoveFabricRequest.encodeNode({ fabricIndex }, t));
    return nocResult("RemoveFabric", r);
  }

  /** SignVIDVerificationRequest for `fabricIndex` with `clientChallenge`. */
  async signVidVerification(
    session: SecureSession,
    fabricIndex: number,
    clientChallenge: Uint8Array,
  ): Promise<SignVidVerificationResponse> {
    const r = await this.#oc(session, OcCmd.SignVIDVerificationRequest, (t) =>
      SignVidVerificationRequest.encodeNode({ fabricIndex, clientChallenge }, t),
    );
    return responseOf("SignVIDVerificationRequest", r, OcCmd.SignVIDVerificationResponse, SignVidVerificationResponse);
  }

  /** OpenCommissioningWindow (enhanced, a timed invoke) with a PAKE verifier the caller computed. */
  async openCommissioningWindow(
    session: SecureSession,
    req: { timeoutSeconds: number; verifier: Uint8Array; discriminator: number; iterations: number; salt: Uint8Array },
  ): Promise<void> {
    const r = await this.client.invoke(
      session,
      AC_CLUSTER,
      AcCmd.OpenCommissioningWindow,
      (t) =>
        OpenCommissioningWindowRequest.encodeNode(
          {
            commissioningTimeout: req.timeoutSeconds,
            pakePasscodeVerifier: req.verifier,
            discriminator: req.discriminator,
            iterations: req.iterations,
            salt: req.salt,
          },
          t,
        ),
      { timed: true },
    );
    if (r.kind === "status" && r.status === 0) return;
    throw new AdminError("admin.command-failed", describe(r, ADMINISTRATOR_STATUS), {
      step: "OpenCommissioningWindow",
    });
  }

  /** The Fabrics attribute (unfiltered unless `fabricFiltered`), SupportedFabrics, CommissionedFabrics, CurrentFabricIndex and NOCs. */
  async fabrics(
    session: SecureSession,
    fabricFiltered = false,
  ): Promise<{
    fabrics: FabricDescriptor[];
    nocs: { fabricIndex: number; noc: Uint8Array; icac: Uint8Array | null }[];
    supportedFabrics: number;
    commissionedFabrics: number;
    currentFabricIndex: number;
  }> {
    const reports = await this.client.read(
      session,
      [OcAttr.Fabrics, OcAttr.NOCs, OcAttr.SupportedFabrics, OcAttr.CommissionedFabrics, OcAttr.CurrentFabricIndex].map(
        (attribute) => ({ endpoint: 0, cluster: OC_CLUSTER, attribute }),
      ),
      fabricFiltered,
    );
    const fabricList = listOf(reports, OcAttr.Fabrics, FabricDescriptorStruct, "Fabrics");
    const nocList = listOf(reports, OcAttr.NOCs, NocStruct, "NOCs");
    const one = (attribute: number, name: string): number => {
      const v = attributeValue(reports, OC_CLUSTER, attribute, tlvUInt8, name);
      if (v === undefined) throw new AdminError("admin.read-failed", `the device did not report ${name}`);
      return v;
    };
    return {
      fabrics: fabricList.map((f) => ({ ...f, fabricIndex: f.fabricIndex ?? 0 })),
      nocs: nocList.map((n) => ({ fabricIndex: n.fabricIndex ?? 0, noc: n.noc, icac: n.icac })),
      supportedFabrics: one(OcAttr.SupportedFabrics, "SupportedFabrics"),
      commissionedFabrics: one(OcAttr.CommissionedFabrics, "CommissionedFabrics"),
      currentFabricIndex: one(OcAttr.CurrentFabricIndex, "CurrentFabricIndex"),
    };
  }

  #oc(session: SecureSession, command: number, fields: Fields): Promise<InvokeResult> {
    return this.client.invoke(session, OC_CLUSTER, command, fields);
  }
}

/** Administrator Commissioning's cluster-specific status names (Core 11.19.6), by value. */
const ADMINISTRATOR_STATUS = new Map<number, string>(
  Object.entries(AdministratorCommissioningStatus).map(([name, value]) => [value, name]),
);

/** A status answer as "CONSTRAINT_ERROR (0x87)" (with its cluster status when present). */
function describe(r: InvokeResult, clusterNames?: ReadonlyMap<number, string>): string {
  if (r.kind === "response") return `unexpected response 0x${r.commandId.toString(16)}`;
  const base = `${imStatusName(r.status)} (0x${r.status.toString(16)})`;
  if (r.clusterStatus === undefined) return base;
  return `${base}, cluster status ${clusterNames?.get(r.clusterStatus) ?? r.clusterStatus}`;
}

function responseOf<T>(what: string, r: InvokeResult, expected: number, schema: TlvSchema<T>): T {
  if (r.kind === "status") throw new AdminError("admin.command-failed", describe(r), { step: what });
  if (r.commandId !== expected || r.fields === undefined) {
    throw new AdminError("admin.device-invalid", `answered with command 0x${r.commandId.toString(16)}`, { step: what });
  }
  try {
    return schema.decodeNode(r.fields, what);
  } catch (e) {
    throw AdminError.atStep(what, e);
  }
}

function nocResult(what: string, r: InvokeResult): NocResult {
  const n = responseOf(what, r, OcCmd.NOCResponse, NocResponse);
  return { statusCode: n.statusCode, fabricIndex: n.fabricIndex, debugText: n.debugText };
}

function checkCommissioningResponse(what: string, r: InvokeResult): void {
  const expected =
    what === "ArmFailSafe"
      ? GcCmd.ArmFailSafeResponse
      : what === "SetRegulatoryConfig"
        ? GcCmd.SetRegulatoryConfigResponse
        : GcCmd.CommissioningCompleteResponse;
  const { errorCode, debugText } = responseOf(what, r, expected, CommissioningResponse);
  if (errorCode === 0) return;
  const name = Object.entries(CommissioningError).find(([, v]) => v === errorCode)?.[0] ?? `ErrorCode ${errorCode}`;
  throw new AdminError("admin.command-failed", `${name}${debugText === "" ? "" : ` (${debugText})`}`, { step: what });
}

function reportOf(reports: readonly AttributeReportIB[], cluster: number, attribute: number): TlvNode | undefined {
  return reports.find((r) => r.attributeData?.path.cluster === cluster && r.attributeData.path.attribute === attribute)
    ?.attributeData?.data;
}

function attributeValue<T>(
  reports: readonly AttributeReportIB[],
  cluster: number,
  attribute: number,
  schema: TlvSchema<T>,
  name: string,
): T | undefined {
  const node = reportOf(reports, cluster, attribute);
  if (node === undefined) return undefined;
  try {
    return schema.decodeNode(node, name);
  } catch (e) {
    if (e instanceof MalformedError) throw new AdminError("admin.device-invalid", e.message, { cause: e });
    throw e;
  }
}

/**
 * A list attribute: the whole list, or (Core 8.4.5.2 chunking) an empty list followed by items appended one report
 * each (ListIndex null in the path).
 */
function listOf<T>(reports: readonly AttributeReportIB[], attribute: number, item: TlvSchema<T>, name: string): T[] {
  const out: T[] = [];
  const list = tlvArray(item);
  for (const r of reports) {
    const d = r.attributeData;
    if (d === undefined || d.path.cluster !== OC_CLUSTER || d.path.attribute !== attribute) continue;
    try {
      if (d.data.type === "array") {
        out.length = 0;
        out.push(...list.decodeNode(d.data, name));
      } else {
        out.push(item.decodeNode(d.data, name));
      }
    } catch (e) {
      if (e instanceof MalformedError) throw new AdminError("admin.device-invalid", e.message, { cause: e });
      throw e;
    }
  }
  return out;
}
