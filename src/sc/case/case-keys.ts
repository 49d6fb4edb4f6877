/**
 * The CASE key schedule (Core spec 4.14.2.3-4.14.2.6): S2K and S3K protect TBEData2/3, the session keys come from the
 * shared secret and the transcript, and resumption derives S1RK, S2RK and the resumed keys from a stored shared secret.
 * Salts are concatenations of the payload bytes as sent or received, never re-encoded.
 */
import { concatBytes } from "../../bytes/bytes.ts";
import { MalformedError } from "../../bytes/errors.ts";
import type { Crypto } from "../../crypto/crypto.ts";
import type { SessionKeys } from "../secure-session.ts";
import {
  CASE_MIC_BYTES,
  CASE_SYMMETRIC_KEY_BYTES,
  RESUME1_MIC_NONCE,
  RESUME2_MIC_NONCE,
  SESSION_KEYS_INFO,
  SESSION_RESUMPTION_KEYS_INFO,
  SIGMA1_RESUME_INFO,
  SIGMA2_INFO,
  SIGMA2_RESUME_INFO,
  SIGMA3_INFO,
} from "./case-constants.ts";

/** S2K = HKDF(sharedSecret, salt = IPK || responderRandom || responderEphPubKey || SHA-256(Sigma1), "Sigma2", 16). */
export function sigma2Key(
  crypto: Crypto,
  sharedSecret: Uint8Array,
  ipk: Uint8Array,
  responderRandom: Uint8Array,
  responderEphPubKey: Uint8Array,
  sigma1: Uint8Array,
): Uint8Array {
  const salt = concatBytes(ipk, responderRandom, responderEphPubKey, crypto.sha256(sigma1));
  return crypto.hkdfSha256(sharedSecret, salt, SIGMA2_INFO, CASE_SYMMETRIC_KEY_BYTES);
}

/** S3K = HKDF(sharedSecret, salt = IPK || SHA-256(Sigma1 || Sigma2), "Sigma3", 16). */
export function sigma3Key(
  crypto: Crypto,
  sharedSecret: Uint8Array,
  ipk: Uint8Array,
  sigma1: Uint8Array,
  sigma2: Uint8Array,
): Uint8Array {
  const salt = concatBytes(ipk, crypto.sha256([sigma1, sigma2]));
  return crypto.hkdfSha256(sharedSecret, salt, SIGMA3_INFO, CASE_SYMMETRIC_KEY_BYTES);
}

function splitKeys(k: Uint8Array): SessionKeys {
  const n = CASE_SYMMETRIC_KEY_BYTES;
  return { i2rKey: k.slice(0, n), r2iKey: k.slice(n, 2 * n), attestationChallenge: k.slice(2 * n, 3 * n) };
}

/** I2RKey || R2IKey || AttestationChallenge = HKDF(sharedSecret, IPK || SHA-256(Sigma1 || Sigma2 || Sigma3), "SessionKeys", 48). */
export function caseSessionKeys(
  crypto: Crypto,
  sharedSecret: Uint8Array,
  ipk: Uint8Array,
  sigma1: Uint8Array,
  sigma2: Uint8Array,
  sigma3: Uint8Array,
): SessionKeys {
  const salt = concatBytes(ipk, crypto.sha256([sigma1, sigma2, sigma3]));
  return splitKeys(crypto.hkdfSha256(sharedSecret, salt, SESSION_KEYS_INFO, 3 * CASE_SYMMETRIC_KEY_BYTES));
}

/**
 * Resumed session keys = HKDF(sharedSecret, initiatorRandom || resumptionID, "SessionResumptionKeys", 48), where
 * resumptionID is the one Sigma1 presented (connectedhomeip mResumeResumptionId; matter.js agrees).
 */
export function resumedSessionKeys(
  crypto: Crypto,
  sharedSecret: Uint8Array,
  initiatorRandom: Uint8Array,
  sigma1ResumptionId: Uint8Array,
): SessionKeys {
  const salt = concatBytes(initiatorRandom, sigma1ResumptionId);
  return splitKeys(crypto.hkdfSha256(sharedSecret, salt, SESSION_RESUMPTION_KEYS_INFO, 3 * CASE_SYMMETRIC_KEY_BYTES));
}

/** Which resumption MIC: initiatorResumeMIC (S1RK, "NCASE_SigmaS1") or sigma2ResumeMIC (S2RK, "NCASE_SigmaS2"). */
export type ResumeMicKind = "sigma1" | "sigma2";

/** The key and nonce of a resumption MIC: HKDF(sharedSecret, initiatorRandom || resumptionID, info, 16), per kind. */
function resumeMicKey(
  crypto: Crypto,
  kind: ResumeMicKind,
  sharedSecret: Uint8Array,
  initiatorRandom: Uint8Array,
  resumptionId: Uint8Array,
): { readonly key: Uint8Array; readonly nonce: Uint8Array } {
  const info = kind === "sigma1" ? SIGMA1_RESUME_INFO : SIGMA2_RESUME_INFO;
  const salt = concatBytes(initiatorRandom, resumptionId);
  return {
    key: crypto.hkdfSha256(sharedSecret, salt, info, CASE_SYMMETRIC_KEY_BYTES),
    nonce: kind === "sigma1" ? RESUME1_MIC_NONCE : RESUME2_MIC_NONCE,
  };
}

/**
 * A resumption MIC: the AES-CCM tag over an empty message with key HKDF(sharedSecret, initiatorRandom || resumptionID,
 * "Sigma1_Resume" | "Sigma2_Resume", 16). For Sigma1 the resumptionID is the stored one, for Sigma2Resume the new one.
 */
export function resumeMic(
  crypto: Crypto,
  kind: ResumeMicKind,
  sharedSecret: Uint8Array,
  initiatorRandom: Uint8Array,
  resumptionId: Uint8Array,
): Uint8Array {
  const { key, nonce } = resumeMicKey(crypto, kind, sharedSecret, initiatorRandom, resumptionId);
  // Distinct empty arrays: node:crypto's CCM fails ("tag not set") when one empty buffer is both AAD and plaintext.
  return crypto.aesCcmEncrypt(key, nonce, new Uint8Array(0), new Uint8Array(0), CASE_MIC_BYTES);
}

/** True when `mic` is the resumption MIC for these inputs (checked by AES-CCM tag verification). */
export function verifyResumeMic(
  crypto: Crypto,
  kind: ResumeMicKind,
  sharedSecret: Uint8Array,
  initiatorRandom: Uint8Array,
  resumptionId: Uint8Array,
  mic: Uint8Array,
): boolean {
  const { key, nonce } = resumeMicKey(crypto, kind, sharedSecret, initiatorRandom, resumptionId);
  try {
    crypto.aesCcmDecrypt(key, nonce, mic, new Uint8Array(0), CASE_MIC_BYTES);
    return true;
  } catch (e) {
    if (e instanceof MalformedError) return false;
    throw e;
  }
}
