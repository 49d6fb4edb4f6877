/**
 * Sizes, KDF labels and AES-CCM nonces of CASE (Core spec 4.14.2, "CASE Protocol Details"; connectedhomeip
 * CASESession.cpp kKDFSR2Info, kTBEData2_Nonce, ...). Labels and nonces are ASCII without a terminator.
 */

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** initiatorRandom / responderRandom: 32 bytes. */
export const SIGMA_RANDOM_BYTES = 32;
/** destinationId: an HMAC-SHA256, CRYPTO_HASH_LEN_BYTES. */
export const DESTINATION_ID_BYTES = 32;
/** Ephemeral public keys: uncompressed P-256 points, CRYPTO_PUBLIC_KEY_SIZE_BYTES. */
export const EPHEMERAL_PUBLIC_KEY_BYTES = 65;
/** resumptionID: 16 bytes. */
export const RESUMPTION_ID_BYTES = 16;
/** AES-CCM MIC / tag: CRYPTO_AEAD_MIC_LENGTH_BYTES. */
export const CASE_MIC_BYTES = 16;
/** Raw ECDSA signature r || s: CRYPTO_GROUP_SIZE_BYTES * 2. */
export const CASE_SIGNATURE_BYTES = 64;
/** Symmetric keys S2K, S3K, S1RK, S2RK: CRYPTO_SYMMETRIC_KEY_LENGTH_BYTES. */
export const CASE_SYMMETRIC_KEY_BYTES = 16;
/** The operational IPK: an operational group key, 16 bytes. */
export const IPK_BYTES = 16;
/** The ECDH shared secret (X coordinate), 32 bytes. */
export const SHARED_SECRET_BYTES = 32;

/** HKDF info of S2K (TBEData2 key). */
export const SIGMA2_INFO = ascii("Sigma2");
/** HKDF info of S3K (TBEData3 key). */
export const SIGMA3_INFO = ascii("Sigma3");
/** HKDF info of S1RK (initiatorResumeMIC key). */
export const SIGMA1_RESUME_INFO = ascii("Sigma1_Resume");
/** HKDF info of S2RK (sigma2ResumeMIC key). */
export const SIGMA2_RESUME_INFO = ascii("Sigma2_Resume");
/** HKDF info of the session keys of a full CASE handshake. */
export const SESSION_KEYS_INFO = ascii("SessionKeys");
/** HKDF info of the session keys of a resumed session. */
export const SESSION_RESUMPTION_KEYS_INFO = ascii("SessionResumptionKeys");

/** AES-CCM nonce of TBEData2 (13 bytes). */
export const TBE_DATA2_NONCE = ascii("NCASE_Sigma2N");
/** AES-CCM nonce of TBEData3. */
export const TBE_DATA3_NONCE = ascii("NCASE_Sigma3N");
/** AES-CCM nonce of initiatorResumeMIC. */
export const RESUME1_MIC_NONCE = ascii("NCASE_SigmaS1");
/** AES-CCM nonce of sigma2ResumeMIC. */
export const RESUME2_MIC_NONCE = ascii("NCASE_SigmaS2");
