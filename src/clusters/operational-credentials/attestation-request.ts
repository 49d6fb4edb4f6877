/**
 * AttestationRequest (0x00) → AttestationResponse (0x01) (Core spec 11.18.6.1-2; conformance §1.1, §3.2): the device
 * proves its identity by signing Attestation Elements (its CD, the echoed nonce, timestamp 0) together with the
 * attestation challenge of the session the request arrived on, with the DAC key.
 *
 * ```
 * AttestationRequest  ::= STRUCTURE { AttestationNonce [0] : octstr (32) }
 * AttestationResponse ::= STRUCTURE { AttestationElements [0] : octstr (max 900), AttestationSignature [1] : octstr (64) }
 * ```
 */
import { encodeAttestationElements } from "../../cert/attestation-elements.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import { type TlvType, tlvBytes, tlvField, tlvStruct } from "../../tlv/tlv-schema.ts";
import {
  ATTESTATION_NONCE_BYTES,
  MAX_RESPONSE_ELEMENTS_BYTES,
  SIGNATURE_BYTES,
} from "./operational-credentials-limits.ts";
import { OperationalCredentialsCluster, type OperationalCredentialsEnv } from "./operational-credentials-options.ts";

/** AttestationRequest schema (the nonce length is checked by the handler: INVALID_COMMAND either way). */
export const AttestationRequest = tlvStruct({ attestationNonce: tlvField(0, tlvBytes()) });
export type AttestationRequest = TlvType<typeof AttestationRequest>;

/** AttestationResponse schema. */
export const AttestationResponse = tlvStruct({
  attestationElements: tlvField(0, tlvBytes({ maxLength: MAX_RESPONSE_ELEMENTS_BYTES })),
  attestationSignature: tlvField(1, tlvBytes({ length: SIGNATURE_BYTES })),
});
export type AttestationResponse = TlvType<typeof AttestationResponse>;

/** The AttestationRequest command. */
export function attestationRequestCommand(
  env: OperationalCredentialsEnv,
): CommandDefinition<AttestationRequest, AttestationResponse> {
  return OperationalCredentialsCluster.command("AttestationRequest", "A", {
    requestSchema: AttestationRequest,
    response: OperationalCredentialsCluster.response("AttestationResponse", AttestationResponse),
    handler: async (req, ctx) => {
      // §1.1 step 1: AttestationNonce.size != 32 → INVALID_COMMAND (TC_DA_1_2 steps 13, 14).
      if (req.attestationNonce.length !== ATTESTATION_NONCE_BYTES) return { status: ImStatus.INVALID_COMMAND };
      let attestationElements: Uint8Array;
      try {
        // §3.2: the SDK writes timestamp 0 and no firmware information or vendor-reserved elements.
        attestationElements = encodeAttestationElements({
          certificationDeclaration: env.attestation.cd,
          attestationNonce: req.attestationNonce,
          timestamp: 0,
          vendorReserved: [],
        });
      } catch {
        // §1.1 step 3: element construction error → FAILURE.
        return { status: ImStatus.FAILURE };
      }
      // §1.1: signature over AttestationElements || AttestationChallenge of the current session, with the DAC key.
      const attestationSignature = env.attestation.signWithDac([attestationElements, ctx.session.attestationChallenge]);
      return { response: { attestationElements, attestationSignature } };
    },
  });
}
