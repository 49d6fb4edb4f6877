/**
 * The one synchronous cryptographic interface every layer takes as an argument (STYLE.md rules 10, 11): tests pass a
 * seeded implementation, the node passes NodeCrypto. Algorithms are those of the Matter Core spec chapter 3.
 */
import type { P256PrivateKey, P256PublicKey } from "./p256.ts";

/** Data to hash or sign: one array, or several hashed as their concatenation. */
export type CryptoData = Uint8Array | readonly Uint8Array[];

/** Matter's cryptographic primitives (Core spec 3.1-3.8): SHA-256, HMAC, HKDF, PBKDF2, AES-128-CCM, P-256 ECDSA and ECDH. */
export interface Crypto {
  /** `n` cryptographically random bytes. */
  randomBytes(n: number): Uint8Array;
  /** A fresh P-256 key pair drawn from `randomBytes`, so a seeded Crypto is deterministic. */
  generateKeyPair(): P256PrivateKey;
  sha256(data: CryptoData): Uint8Array;
  hmacSha256(key: Uint8Array, data: CryptoData): Uint8Array;
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, length: number): Uint8Array;
  /** AES-128-CCM; returns ciphertext || tag. */
  aesCcmEncrypt(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
    tagLength?: number,
  ): Uint8Array;
  /** AES-128-CCM; a tag mismatch throws MalformedError `crypto.ccm-auth`. */
  aesCcmDecrypt(
    key: Uint8Array,
    nonce: Uint8Array,
    ciphertextAndTag: Uint8Array,
    aad: Uint8Array,
    tagLength?: number,
  ): Uint8Array;
  /** ECDSA-P256-SHA256; raw r || s (64 bytes). */
  ecdsaSign(key: P256PrivateKey, data: CryptoData): Uint8Array;
  /** ECDSA-P256-SHA256 verification of a raw r || s signature; false for any mismatch or malformed signature. */
  ecdsaVerify(key: P256PublicKey, data: CryptoData, signature: Uint8Array): boolean;
  /** ECDSA-P256-SHA256; DER Ecdsa-Sig-Value. */
  ecdsaSignDer(key: P256PrivateKey, data: CryptoData): Uint8Array;
  /** ECDSA-P256-SHA256 verification of a DER signature. */
  ecdsaVerifyDer(key: P256PublicKey, data: CryptoData, derSignature: Uint8Array): boolean;
  /** ECDH shared secret (the X coordinate, 32 bytes). */
  ecdh(key: P256PrivateKey, peer: P256PublicKey): Uint8Array;
}
