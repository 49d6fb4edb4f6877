/**
 * CertificateChainRequest (0x02) → CertificateChainResponse (0x03) (Core spec 11.18.6.3-4; conformance §1.2): the DER
 * DAC or PAI from the attestation provider.
 *
 * ```
 * CertificateChainRequest  ::= STRUCTURE { CertificateType [0] : CertificateChainTypeEnum }
 * CertificateChainResponse ::= STRUCTURE { Certificate [0] : octstr (max 600) }
 * ```
 */

import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import { type TlvType, tlvBytes, tlvEnum8, tlvField, tlvStruct } from "../../tlv/tlv-schema.ts";
import { CertificateChainType } from "./node-operational-cert-status.ts";
import { MAX_ATTESTATION_CERT_DER_BYTES } from "./operational-credentials-limits.ts";
import { OperationalCredentialsCluster, type OperationalCredentialsEnv } from "./operational-credentials-options.ts";

/** CertificateChainRequest schema. */
export const CertificateChainRequest = tlvStruct({ certificateType: tlvField(0, tlvEnum8) });
export type CertificateChainRequest = TlvType<typeof CertificateChainRequest>;

/** CertificateChainResponse schema. */
export const CertificateChainResponse = tlvStruct({
  certificate: tlvField(0, tlvBytes({ maxLength: MAX_ATTESTATION_CERT_DER_BYTES })),
});
export type CertificateChainResponse = TlvType<typeof CertificateChainResponse>;

/** The CertificateChainRequest command. */
export function certificateChainRequestCommand(
  env: OperationalCredentialsEnv,
): CommandDefinition<CertificateChainRequest, CertificateChainResponse> {
  return OperationalCredentialsCluster.command("CertificateChainRequest", "A", {
    requestSchema: CertificateChainRequest,
    response: OperationalCredentialsCluster.response("CertificateChainResponse", CertificateChainResponse),
    handler: async (req) => {
      // §1.2 step 1: CertificateType not in {1, 2} → INVALID_COMMAND.
      if (req.certificateType === CertificateChainType.DACCertificate)
        return { response: { certificate: env.attestation.dac } };
      if (req.certificateType === CertificateChainType.PAICertificate)
        return { response: { certificate: env.attestation.pai } };
      return { status: ImStatus.INVALID_COMMAND };
    },
  });
}
