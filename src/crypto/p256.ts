/**
 * P-256 keys as ready-to-use node:crypto KeyObjects (imported once, reused for every operation: importing costs about
 * four verifications). Formats: raw uncompressed point / scalar, SPKI, SEC1 and PKCS#8 (DER and PEM).
 */
import { createECDH, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { MalformedError } from "../bytes/errors.ts";

/** Length of an uncompressed P-256 point 0x04 || X || Y. */
export const P256_PUBLIC_KEY_BYTES = 65;
/** Length of a P-256 private scalar. */
export const P256_PRIVATE_KEY_BYTES = 32;

/** Most imported public keys `P256PublicKey.fromRaw` keeps (least recently used dropped first). */
export const P256_PUBLIC_KEY_CACHE_SIZE = 64;

const b64url = (b: Uint8Array): string => Buffer.from(b).toString("base64url");

/**
 * Imported KeyObjects by raw point (as a latin1 string): chains and CASE peers reuse a handful of keys, and importing
 * one costs more than a verification. Only points that imported successfully are kept; a KeyObject is immutable.
 */
const keyCache = new Map<string, KeyObject>();

function cacheKeyOf(raw: Uint8Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("latin1");
}

/** A P-256 public key; `raw` is the 65-byte uncompressed point. */
export class P256PublicKey {
  readonly raw: Uint8Array;
  readonly keyObject: KeyObject;

  private constructor(raw: Uint8Array, keyObject: KeyObject) {
    this.raw = raw;
    this.keyObject = keyObject;
  }

  /** Imports an uncompressed point; anything that is not a point on P-256 is `crypto.public-key`. */
  static fromRaw(raw: Uint8Array): P256PublicKey {
    if (raw.length !== P256_PUBLIC_KEY_BYTES || raw[0] !== 0x04) {
      throw new MalformedError(
        "crypto.public-key",
        `expected a 65-byte uncompressed P-256 point, got ${raw.length} bytes`,
      );
    }
    const cacheKey = cacheKeyOf(raw);
    let keyObject = keyCache.get(cacheKey);
    if (keyObject !== undefined) {
      // Refresh its position: Map iteration order is insertion order, so the first entry is the least recently used.
      keyCache.delete(cacheKey);
    } else {
      try {
        keyObject = createPublicKey({
          key: { kty: "EC", crv: "P-256", x: b64url(raw.subarray(1, 33)), y: b64url(raw.subarray(33, 65)) },
          format: "jwk",
        });
      } catch (cause) {
        throw new MalformedError("crypto.public-key", "not a point on P-256", {}, { cause });
      }
      if (keyCache.size >= P256_PUBLIC_KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value!);
    }
    keyCache.set(cacheKey, keyObject);
    return new P256PublicKey(Uint8Array.from(raw), keyObject);
  }

  /** Imports a DER SubjectPublicKeyInfo holding a P-256 key. */
  static fromSpkiDer(der: Uint8Array): P256PublicKey {
    return P256PublicKey.#fromKeyObject(() => createPublicKey({ key: Buffer.from(der), format: "der", type: "spki" }));
  }

  /** Imports a PEM public key (SPKI). */
  static fromPem(pem: string): P256PublicKey {
    return P256PublicKey.#fromKeyObject(() => createPublicKey({ key: pem, format: "pem" }));
  }

  static #fromKeyObject(make: () => KeyObject): P256PublicKey {
    let key: KeyObject;
    try {
      key = make();
    } catch (cause) {
      throw new MalformedError("crypto.public-key", "not a public key", {}, { cause });
    }
    if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
      throw new MalformedError("crypto.public-key", "not a P-256 key");
    }
    const jwk = key.export({ format: "jwk" });
    const raw = new Uint8Array(65);
    raw[0] = 4;
    raw.set(Buffer.from(jwk.x!, "base64url"), 1);
    raw.set(Buffer.from(jwk.y!, "base64url"), 33);
    return new P256PublicKey(raw, key);
  }

  /** DER SubjectPublicKeyInfo. */
  toSpkiDer(): Uint8Array {
    return new Uint8Array(this.keyObject.export({ format: "der", type: "spki" }));
  }

  /** PEM SubjectPublicKeyInfo. */
  toPem(): string {
    return this.keyObject.export({ format: "pem", type: "spki" }).toString();
  }
}

/** A P-256 private key with its public key. */
export class P256PrivateKey {
  readonly publicKey: P256PublicKey;
  readonly keyObject: KeyObject;

  private constructor(keyObject: KeyObject, publicKey: P256PublicKey) {
    this.keyObject = keyObject;
    this.publicKey = publicKey;
  }

  /** Imports a 32-byte big-endian scalar in [1, n-1]; anything else is `crypto.private-key`. */
  static fromScalar(d: Uint8Array): P256PrivateKey {
    if (d.length !== P256_PRIVATE_KEY_BYTES) {
      throw new MalformedError("crypto.private-key", `expected a 32-byte scalar, got ${d.length} bytes`);
    }
    let pub: Uint8Array;
    try {
      const ecdh = createECDH("prime256v1");
      ecdh.setPrivateKey(Buffer.from(d));
      pub = new Uint8Array(ecdh.getPublicKey());
    } catch (cause) {
      throw new MalformedError("crypto.private-key", "scalar out of range for P-256", {}, { cause });
    }
    const keyObject = createPrivateKey({
      key: {
        kty: "EC",
        crv: "P-256",
        d: b64url(d),
        x: b64url(pub.subarray(1, 33)),
        y: b64url(pub.subarray(33, 65)),
      },
      format: "jwk",
    });
    return new P256PrivateKey(keyObject, P256PublicKey.fromRaw(pub));
  }

  /** Imports a PEM private key (SEC1 "EC PRIVATE KEY" or PKCS#8 "PRIVATE KEY"). */
  static fromPem(pem: string): P256PrivateKey {
    return P256PrivateKey.#fromKeyObject(() => createPrivateKey({ key: pem, format: "pem" }));
  }

  /** Imports a DER private key, SEC1 or PKCS#8. */
  static fromDer(der: Uint8Array): P256PrivateKey {
    return P256PrivateKey.#fromKeyObject(() => {
      try {
        return createPrivateKey({ key: Buffer.from(der), format: "der", type: "sec1" });
      } catch {
        return createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" });
      }
    });
  }

  static #fromKeyObject(make: () => KeyObject): P256PrivateKey {
    let key: KeyObject;
    try {
      key = make();
    } catch (cause) {
      throw new MalformedError("crypto.private-key", "not a private key", {}, { cause });
    }
    if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
      throw new MalformedError("crypto.private-key", "not a P-256 key");
    }
    const jwk = key.export({ format: "jwk" });
    const raw = new Uint8Array(65);
    raw[0] = 4;
    raw.set(Buffer.from(jwk.x!, "base64url"), 1);
    raw.set(Buffer.from(jwk.y!, "base64url"), 33);
    return new P256PrivateKey(key, P256PublicKey.fromRaw(raw));
  }

  /** The 32-byte big-endian scalar. */
  toScalar(): Uint8Array {
    const jwk = this.keyObject.export({ format: "jwk" });
    const d = new Uint8Array(Buffer.from(jwk.d!, "base64url"));
    if (d.length === P256_PRIVATE_KEY_BYTES) return d;
    const out = new Uint8Array(P256_PRIVATE_KEY_BYTES);
    out.set(d, P256_PRIVATE_KEY_BYTES - d.length);
    return out;
  }

  /** SEC1 ECPrivateKey DER. */
  toSec1Der(): Uint8Array {
    return new Uint8Array(this.keyObject.export({ format: "der", type: "sec1" }));
  }

  /** SEC1 PEM ("EC PRIVATE KEY"). */
  toSec1Pem(): string {
    return this.keyObject.export({ format: "pem", type: "sec1" }).toString();
  }

  /** PKCS#8 PrivateKeyInfo DER. */
  toPkcs8Der(): Uint8Array {
    return new Uint8Array(this.keyObject.export({ format: "der", type: "pkcs8" }));
  }
}
