/**
 * The size limits of the Node Operational Credentials cluster (Core spec 11.18; conformance §0.1), defined once with
 * their units. Values that the fabric and cert layers already define are re-exported from there.
 */
export { MAX_ATTESTATION_CERT_DER_BYTES } from "../../cert/attestation-cert.ts";
export { ATTESTATION_NONCE_BYTES } from "../../cert/attestation-elements.ts";
export { MAX_CERT_TLV_BYTES } from "../../cert/matter-cert.ts";
export { CSR_NONCE_BYTES } from "../../cert/nocsr-elements.ts";
export { MAX_FABRIC_LABEL_BYTES, VID_VERIFICATION_STATEMENT_BYTES } from "../../fabric/fabric-record.ts";
export { IPK_BYTES } from "../../sc/case/case-constants.ts";

/** RESP_MAX: the largest AttestationElements / NOCSRElements, in bytes. */
export const MAX_RESPONSE_ELEMENTS_BYTES = 900;
/** NOCResponse DebugText limit, in UTF-8 bytes (string max 128; the SDK truncates). */
export const MAX_DEBUG_TEXT_BYTES = 128;
/** SignVIDVerificationRequest ClientChallenge length, in bytes. */
export const VID_VERIFICATION_CLIENT_CHALLENGE_BYTES = 32;
/** Raw ECDSA P-256 signature (r || s) length, in bytes. */
export const SIGNATURE_BYTES = 64;
