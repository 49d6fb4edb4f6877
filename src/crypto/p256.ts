/**
 * P-256 keys as ready-to-use node:crypto KeyObjects (imported once, reused for every operation: importing costs about
 * one and a half verifications). Formats: raw uncompressed point / scalar, SPKI, SEC1 and PKCS#8 (DER and PEM).
 * Ephemeral keys (CASE) skip the KeyObject import unless it is used: ECDH runs on the raw point and the scalar.
 */
import { createECDH, createPrivateKey, createPublicKey, type ECDH, type KeyObject } from "node:crypto";
import { InternalError, MalformedError } from "../bytes/errors.ts";

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

/** The field prime p and the coefficient b of P-256 (y^2 = x^3 - 3x + b mod p, SEC 2 section 2.4.2). */
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

function coordinate(raw: Uint8Array, from: number): bigint {
  return BigInt(`0x${Buffer.from(raw.buffer, raw.byteOffset + from, 32).toString("hex")}`);
}

/**
 * Full public-key validation of an uncompressed point (SP 800-56A 5.6.2.3.3; the cofactor is 1, so a point on the
 * curve is in the group): both coordinates below p and the curve equation holds. The uncompressed form cannot encode
 * the identity. This is what OpenSSL checks on import, at a fraction of an import's cost.
 */
function isOnCurve(raw: Uint8Array): boolean {
  const x = coordinate(raw, 1);
  const y = coordinate(raw, 33);
  if (x >= P || y >= P) return false;
  return (y * y - (x * x * x - 3n * x + B)) % P === 0n;
}

function importPoint(raw: Uint8Array): KeyObject {
  return createPublicKey({
    key: { kty: "EC", crv: "P-256", x: b64url(raw.subarray(1, 33)), y: b64url(raw.subarray(33, 65)) },
    format: "jwk",
  });
}

function checkUncompressed(raw: Uint8Array): void {
  if (raw.length !== P256_PUBLIC_KEY_BYTES || raw[0] !== 0x04) {
    throw new MalformedError(
      "crypto.public-key",
      `expected a 65-byte uncompressed P-256 point, got ${raw.length} bytes`,
    );
  }
}

/** Makes a public key around a point known to be valid; its KeyObject is imported on first use (module-internal). */
let trustedPublicKey: (raw: Uint8Array) => P256PublicKey;

/** A P-256 public key; `raw` is the 65-byte uncompressed point. */
export class P256PublicKey {
  readonly raw: Uint8Array;
  #keyObject: KeyObject | undefined;

  static {
    trustedPublicKey = (raw) => new P256PublicKey(raw, undefined);
  }

  private constructor(raw: Uint8Array, keyObject: KeyObject | undefined) {
    this.raw = raw;
    this.#keyObject = keyObject;
  }

  /** The node:crypto KeyObject (imported on first use for an ephemeral key, at construction otherwise). */
  get keyObject(): KeyObject {
    if (this.#keyObject === undefined) {
      try {
        this.#keyObject = importPoint(this.raw);
      } catch (cause) {
        throw new InternalError("a validated P-256 point failed to import", { cause });
      }
    }
    return this.#keyObject;
  }

  /**
   * A peer's ephemeral key (CASE Sigma1/Sigma2): validated as `fromRaw` does, but neither imported nor cached until a
   * KeyObject is asked for, since ECDH works on the raw point and the key is used once.
   */
  static fromEphemeral(raw: Uint8Array): P256PublicKey {
    checkUncompressed(raw);
    if (!isOnCurve(raw)) throw new MalformedError("crypto.public-key", "not a point on P-256");
    return new P256PublicKey(Uint8Array.from(raw), undefined);
  }

  /** Imports an uncompressed point; anything that is not a point on P-256 is `crypto.public-key`. */
  static fromRaw(raw: Uint8Array): P256PublicKey {
    checkUncompressed(raw);
    const cacheKey = cacheKeyOf(raw);
    let keyObject = keyCache.get(cacheKey);
    if (keyObject !== undefined) {
      // Refresh its position: Map iteration order is insertion order, so the first entry is the least recently used.
      keyCache.delete(cacheKey);
    } else {
      try {
        keyObject = importPoint(raw);
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
  #keyObject: KeyObject | undefined;
  /** The scalar in a native ECDH context: made by `fromScalar`, or from the KeyObject on the first `sharedSecret`. */
  #ecdh: ECDH | undefined;

  private constructor(keyObject: KeyObject | undefined, ecdh: ECDH | undefined, publicKey: P256PublicKey) {
    this.#keyObject = keyObject;
    this.#ecdh = ecdh;
    this.publicKey = publicKey;
  }

  /** The node:crypto KeyObject (imported on first use for a key made from a scalar: an ephemeral key never signs). */
  get keyObject(): KeyObject {
    if (this.#keyObject === undefined) {
      const pub = this.publicKey.raw;
      this.#keyObject = createPrivateKey({
        key: {
          kty: "EC",
          crv: "P-256",
          d: b64url(this.toScalar()),
          x: b64url(pub.subarray(1, 33)),
          y: b64url(pub.subarray(33, 65)),
        },
        format: "jwk",
      });
    }
    return this.#keyObject;
  }

  /** Imports a 32-byte big-endian scalar in [1, n-1]; anything else is `crypto.private-key`. */
  static fromScalar(d: Uint8Array): P256PrivateKey {
    if (d.length !== P256_PRIVATE_KEY_BYTES) {
      throw new MalformedError("crypto.private-key", `expected a 32-byte scalar, got ${d.length} bytes`);
    }
    const ecdh = createECDH("prime256v1");
    let pub: Uint8Array;
    try {
      ecdh.setPrivateKey(Buffer.from(d));
      pub = new Uint8Array(ecdh.getPublicKey());
    } catch (cause) {
      throw new MalformedError("crypto.private-key", "scalar out of range for P-256", {}, { cause });
    }
    // OpenSSL computed the point from the scalar: it is valid, so its import can wait until a KeyObject is needed.
    return new P256PrivateKey(undefined, ecdh, trustedPublicKey(pub));
  }

  /** The ECDH shared secret with `peer` (the x-coordinate of d*Q, 32 bytes), on the raw point (no import needed). */
  sharedSecret(peer: P256PublicKey): Uint8Array {
    if (this.#ecdh === undefined) {
      const ecdh = createECDH("prime256v1");
      ecdh.setPrivateKey(this.toScalar());
      this.#ecdh = ecdh;
    }
    return new Uint8Array(this.#ecdh.computeSecret(peer.raw));
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
    return new P256PrivateKey(key, undefined, P256PublicKey.fromRaw(raw));
  }

  /** The 32-byte big-endian scalar. */
  toScalar(): Uint8Array {
    const d =
      this.#ecdh !== undefined
        ? new Uint8Array(this.#ecdh.getPrivateKey())
        : new Uint8Array(Buffer.from(this.keyObject.export({ format: "jwk" }).d!, "base64url"));
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
