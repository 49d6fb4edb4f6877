/**
 * PASE key schedule (Core spec, PASE: "Session encryption keys" and the SPAKE2+ context): the SPAKE2+ context is
 * SHA-256("CHIP PAKE V1 Commissioning" || PBKDFParamRequest || PBKDFParamResponse), over the payload bytes as sent;
 * I2RKey || R2IKey || AttestationChallenge = HKDF-SHA256(Ke, salt = [], info = "SessionKeys", 48).
 */
import type { Crypto } from "../../crypto/crypto.ts";
import { SESSION_KEY_BYTES } from "../../message/message-protection.ts";

/** Prefix of the SPAKE2+ context hash. */
const PASE_CONTEXT_PREFIX = new TextEncoder().encode("CHIP PAKE V1 Commissioning");
const SESSION_KEYS_INFO = new TextEncoder().encode("SessionKeys");

/** The keys of an established PASE session. */
export type PaseSessionKeys = {
  readonly i2rKey: Uint8Array;
  readonly r2iKey: Uint8Array;
  readonly attestationChallenge: Uint8Array;
};

/** The SPAKE2+ context: SHA-256 over the prefix and both PBKDF messages' payload bytes. */
export function paseContext(crypto: Crypto, request: Uint8Array, response: Uint8Array): Uint8Array {
  return crypto.sha256([PASE_CONTEXT_PREFIX, request, response]);
}

/** Session keys from the SPAKE2+ shared key Ke. */
export function derivePaseSessionKeys(crypto: Crypto, Ke: Uint8Array): PaseSessionKeys {
  const k = crypto.hkdfSha256(Ke, new Uint8Array(0), SESSION_KEYS_INFO, 3 * SESSION_KEY_BYTES);
  return {
    i2rKey: k.slice(0, SESSION_KEY_BYTES),
    r2iKey: k.slice(SESSION_KEY_BYTES, 2 * SESSION_KEY_BYTES),
    attestationChallenge: k.slice(2 * SESSION_KEY_BYTES, 3 * SESSION_KEY_BYTES),
  };
}
