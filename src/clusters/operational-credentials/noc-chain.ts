/**
 * The incoming NOC chain of AddNOC/UpdateNOC (conformance §1.4 step 13, §1.5 step 7; SDK ValidateIncomingNOCChain):
 * the NOC is decoded for the fields the fabric table needs, and the chain is validated at the table's point in the SDK
 * order. Every chain problem is InvalidNOC except a non-operational node id, which is InvalidNodeOpId.
 */
import { MalformedError, ProtocolError } from "../../bytes/errors.ts";
import { KEY_PURPOSE } from "../../cert/extensions.ts";
import { decodeMatterCert } from "../../cert/matter-cert-decode.ts";
import { lintChain, type ValidationOptions } from "../../cert/validate.ts";
import type { Crypto } from "../../crypto/crypto.ts";
import type { NocInstall } from "../../fabric/fabric-table.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import { NodeOperationalCertStatus } from "./node-operational-cert-status.ts";

function invalidNoc(message: string, cause?: unknown): ProtocolError {
  return new ProtocolError(
    "opcreds.invalid-noc",
    message,
    ImStatus.FAILURE,
    NodeOperationalCertStatus.InvalidNOC,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Decodes NOCValue (and checks ICACValue decodes) into the fields the fabric table installs. Undecodable certificates,
 * or a NOC without a single node id and fabric id, throw ProtocolError carrying InvalidNOC.
 */
export function decodeIncomingNoc(noc: Uint8Array, icac: Uint8Array | null): NocInstall {
  try {
    const cert = decodeMatterCert(noc);
    if (icac !== null) decodeMatterCert(icac);
    if (cert.kind !== "noc" || cert.nodeId === undefined || cert.fabricId === undefined)
      throw invalidNoc("NOCValue is not a NOC with one node id and one fabric id");
    return {
      noc,
      icac,
      fabricId: cert.fabricId,
      nodeId: cert.nodeId,
      cats: cert.cats,
      nocPublicKey: cert.publicKey,
    };
  } catch (e) {
    if (e instanceof MalformedError) throw invalidNoc(`undecodable certificate: ${e.message}`, e);
    throw e;
  }
}

/**
 * The leaf requirements of fabric install (§6 item 16; SDK ValidateIncomingNOCChain): the required key usages are
 * digitalSignature and the required key purposes serverAuth, each a subset of what the NOC carries. CASE asks for
 * clientAuth as well, install does not. Options the node passes override these.
 */
const NOC_INSTALL_VALIDATION: ValidationOptions = {
  requiredKeyPurposes: [KEY_PURPOSE.serverAuth],
  allowExtraKeyUsage: true,
};

/**
 * Validates RCAC → [ICAC] → NOC ignoring validity times (§6 item 16: NOC install is time-agnostic), in the SDK's order:
 * a non-operational node id first (InvalidNodeOpId: the SDK's LoadCert of the NOC fails with WRONG_NODE_ID before any
 * path is built, and WRONG_NODE_ID is the one VerifyCredentials error not turned into UNSUPPORTED_CERT_FORMAT), then
 * every chain rule (InvalidNOC), then the fabric id of a supplied ICAC even when the path does not use it (InvalidNOC:
 * the SDK compares the ICAC's fabric id with the NOC's after FindValidCert, FABRIC_MISMATCH_ON_ICA).
 */
export function validateIncomingNocChain(
  crypto: Crypto,
  chain: { readonly noc: Uint8Array; readonly icac: Uint8Array | null; readonly rcac: Uint8Array },
  options: ValidationOptions = {},
): void {
  const findings = lintChain({
    noc: chain.noc,
    icac: chain.icac ?? undefined,
    rcac: chain.rcac,
    options: { ...NOC_INSTALL_VALIDATION, ...options },
    crypto,
  });
  const errors = findings.filter((f) => f.severity === "error");
  const nodeId = errors.find((f) => f.rule === "noc.subject.node-id-range");
  if (nodeId !== undefined) {
    throw new ProtocolError(
      "opcreds.invalid-node-op-id",
      `${nodeId.rule}: ${nodeId.message}`,
      ImStatus.FAILURE,
      NodeOperationalCertStatus.InvalidNodeOpId,
    );
  }
  const error = errors[0];
  if (error !== undefined) throw invalidNoc(`${error.rule}: ${error.message}`);
  if (chain.icac !== null) {
    // Decodes: lintChain reported no error, so both certificates decoded.
    const icac = decodeMatterCert(chain.icac);
    const noc = decodeMatterCert(chain.noc);
    if (icac.fabricId !== undefined && icac.fabricId !== noc.fabricId)
      throw invalidNoc("icac.fabric-id-mismatch: the supplied ICAC names another fabric id than the NOC");
  }
}
