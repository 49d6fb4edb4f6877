/**
 * NodeOperationalCertStatusEnum (Core spec 11.18.4.2) and CertificateChainTypeEnum (11.18.4.3) of the Node
 * Operational Credentials cluster. Values 7 and 8 are reserved: no path of the reference SDK emits them (conformance §0.3).
 */

import { NodeOperationalCertStatus } from "../../fabric/status-codes.ts";

/** NodeOperationalCertStatusEnum: the StatusCode of NOCResponse (one definition, in the fabric layer). */
export { NodeOperationalCertStatus };

const NAMES = new Map<number, string>(Object.entries(NodeOperationalCertStatus).map(([k, v]) => [v, k]));

/** The spec name of a status value ("MissingCsr"), or `0x..` for an unknown value. */
export function nodeOperationalCertStatusName(status: number): string {
  return NAMES.get(status) ?? `0x${status.toString(16).padStart(2, "0")}`;
}

/** CertificateChainTypeEnum (CertificateChainRequest.CertificateType). */
export const CertificateChainType = { DACCertificate: 1, PAICertificate: 2 } as const;
/** One CertificateChainTypeEnum value. */
export type CertificateChainType = (typeof CertificateChainType)[keyof typeof CertificateChainType];
