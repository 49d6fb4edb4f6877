/** The Crypto interface over node:crypto (native OpenSSL): every primitive Matter needs except SPAKE2+ point arithmetic. */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  pbkdf2Sync,
  randomFillSync,
  sign,
  verify,
} from "node:crypto";
import { bytesToBigint } from "../bytes/bytes.ts";
import { MalformedError } from "../bytes/errors.ts";
import type { Crypto, CryptoData } from "./crypto.ts";
import { P256PrivateKey, type P256PublicKey } from "./p256.ts";

/** Order n of the P-256 group. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
/** AES-128-CCM key and nonce sizes (Core spec 3.6). */
const CCM_KEY_BYTES = 16;
const CCM_NONCE_BYTES = 13;
const CCM_DEFAULT_TAG_BYTES = 16;
const EMPTY = Buffer.alloc(0);
/** SHA-256 output size, HKDF's HashLen (RFC 5869). */
const SHA256_BYTES = 32;
/** The system random source is drawn in blocks of this size and handed out in order, each byte once. */
const RANDOM_POOL_BYTES = 4096;
/** Requests above this size bypass the pool. */
const RANDOM_POOL_MAX_REQUEST = 256;

/**
 * The system CSPRNG (OpenSSL RAND_bytes) read a block at a time: a handshake asks for a dozen small values (randoms,
 * scalars, exchange ids, counters) and each native call costs more than the bytes. No byte is returned twice.
 */
function pooledSystemRandom(): (n: number) => Uint8Array {
  const pool = new Uint8Array(RANDOM_POOL_BYTES);
  let used = RANDOM_POOL_BYTES;
  return (n) => {
    if (n > RANDOM_POOL_MAX_REQUEST) return new Uint8Array(randomFillSync(new Uint8Array(n)));
    if (used + n > RANDOM_POOL_BYTES) {
      randomFillSync(pool);
      used = 0;
    }
    const out = pool.slice(used, used + n);
    pool.fill(0, used, used + n);
    used += n;
    return out;
  };
}

function joined(data: CryptoData): Uint8Array {
  if (data instanceof Uint8Array) return data;
  return Buffer.concat(data as Uint8Array[]);
}

function checkCcmArgs(key: Uint8Array, nonce: Uint8Array, tagLength: number): void {
  if (key.length !== CCM_KEY_BYTES) throw new RangeError(`AES-128-CCM key must be 16 bytes, got ${key.length}`);
  if (nonce.length !== CCM_NONCE_BYTES) throw new RangeError(`AES-CCM nonce must be 13 bytes, got ${nonce.length}`);
  if (![4, 6, 8, 10, 12, 14, 16].includes(tagLength)) throw new RangeError(`bad CCM tag length ${tagLength}`);
}

/** node:crypto implementation; pass `random` for deterministic tests (it also drives key generation). */
export class NodeCrypto implements Crypto {
  readonly #random: (n: number) => Uint8Array;

  constructor(random?: (n: number) => Uint8Array) {
    this.#random = random ?? pooledSystemRandom();
  }

  randomBytes(n: number): Uint8Array {
    return this.#random(n);
  }

  generateKeyPair(): P256PrivateKey {
    for (;;) {
      const d = this.#random(32);
      const v = bytesToBigint(d);
      if (v > 0n && v < P256_ORDER) return P256PrivateKey.fromScalar(d);
    }
  }

  sha256(data: CryptoData): Uint8Array {
    const h = createHash("sha256");
    if (data instanceof Uint8Array) h.update(data);
    else for (const d of data) h.update(d);
    return new Uint8Array(h.digest());
  }

  hmacSha256(key: Uint8Array, data: CryptoData): Uint8Array {
    const h = createHmac("sha256", key);
    if (data instanceof Uint8Array) h.update(data);
    else for (const d of data) h.update(d);
    return new Uint8Array(h.digest());
  }

  /** RFC 5869 extract-then-expand written over HMAC: node's hkdfSync costs twice as much for Matter's short outputs. */
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    if (!Number.isInteger(length) || length < 0 || length > 255 * SHA256_BYTES) {
      throw new RangeError(`bad HKDF output length ${length}`);
    }
    // An empty salt is HashLen zero bytes (RFC 5869 2.2); HMAC pads any key with zeros, so the two are the same key.
    const prk = createHmac("sha256", salt).update(ikm).digest();
    const okm = new Uint8Array(length);
    let previous: Uint8Array = EMPTY;
    for (let i = 1, at = 0; at < length; i++) {
      previous = createHmac("sha256", prk).update(previous).update(info).update(Uint8Array.of(i)).digest();
      okm.set(previous.subarray(0, Math.min(SHA256_BYTES, length - at)), at);
      at += SHA256_BYTES;
    }
    return okm;
  }

  pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, length: number): Uint8Array {
    return new Uint8Array(pbkdf2Sync(password, salt, iterations, length, "sha256"));
  }

  aesCcmEncrypt(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
    tagLength = CCM_DEFAULT_TAG_BYTES,
  ): Uint8Array {
    checkCcmArgs(key, nonce, tagLength);
    const c = createCipheriv("aes-128-ccm", key, nonce, { authTagLength: tagLength });
    c.setAAD(aad, { plaintextLength: plaintext.length });
    // Node's CCM fails ("tag not set") when an empty message is the very same view as the AAD: pass a distinct empty buffer.
    const head = c.update(plaintext.length === 0 ? EMPTY : plaintext);
    const tail = c.final();
    return new Uint8Array(Buffer.concat([head, tail, c.getAuthTag()]));
  }

  aesCcmDecrypt(
    key: Uint8Array,
    nonce: Uint8Array,
    ciphertextAndTag: Uint8Array,
    aad: Uint8Array,
    tagLength = CCM_DEFAULT_TAG_BYTES,
  ): Uint8Array {
    checkCcmArgs(key, nonce, tagLength);
    if (ciphertextAndTag.length < tagLength) {
      throw new MalformedError("crypto.ccm-auth", `ciphertext shorter than its ${tagLength}-byte tag`);
    }
    const split = ciphertextAndTag.length - tagLength;
    const d = createDecipheriv("aes-128-ccm", key, nonce, { authTagLength: tagLength });
    d.setAuthTag(ciphertextAndTag.subarray(split));
    d.setAAD(aad, { plaintextLength: split });
    const plain = d.update(split === 0 ? EMPTY : ciphertextAndTag.subarray(0, split));
    try {
      d.final();
    } catch (cause) {
      throw new MalformedError("crypto.ccm-auth", "AES-CCM authentication failed", {}, { cause });
    }
    return new Uint8Array(plain);
  }

  ecdsaSign(key: P256PrivateKey, data: CryptoData): Uint8Array {
    return new Uint8Array(sign("sha256", joined(data), { key: key.keyObject, dsaEncoding: "ieee-p1363" }));
  }

  ecdsaVerify(key: P256PublicKey, data: CryptoData, signature: Uint8Array): boolean {
    if (signature.length !== 64) return false;
    return verify("sha256", joined(data), { key: key.keyObject, dsaEncoding: "ieee-p1363" }, signature);
  }

  ecdsaSignDer(key: P256PrivateKey, data: CryptoData): Uint8Array {
    return new Uint8Array(sign("sha256", joined(data), { key: key.keyObject, dsaEncoding: "der" }));
  }

  ecdsaVerifyDer(key: P256PublicKey, data: CryptoData, derSignature: Uint8Array): boolean {
    try {
      return verify("sha256", joined(data), { key: key.keyObject, dsaEncoding: "der" }, derSignature);
    } catch {
      return false;
    }
  }

  ecdh(key: P256PrivateKey, peer: P256PublicKey): Uint8Array {
    return key.sharedSecret(peer);
  }
}

/** The default instance, with the system's random source. */
export const nodeCrypto: Crypto = new NodeCrypto();
