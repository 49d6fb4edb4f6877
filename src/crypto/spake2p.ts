/**
 * SPAKE2+ P256-SHA256-HKDF-HMAC-SHA256 as Matter uses it (Core spec 3.10, draft-bar-cfrg-spake2plus-02):
 * w0/w1 from PBKDF2, the shares pA/pB, the transcript TT, Ka/Ke and the confirmations cA/cB.
 * Scalar products go through node:crypto's native ECDH (p256-multiply.ts); point parsing, validation, addition and
 * encoding come from @noble/curves, because node:crypto exposes no point arithmetic.
 */
import { p256 } from "@noble/curves/nist.js";
import { bigintToBytes, bytesToBigint, fromHex } from "../bytes/bytes.ts";
import { MalformedError } from "../bytes/errors.ts";
import type { Crypto } from "./crypto.ts";
import { multiply, multiplyBase } from "./p256-multiply.ts";

type Point = InstanceType<typeof p256.Point>;

const Point = p256.Point;
/** Order n of the P-256 group. */
const ORDER = Point.Fn.ORDER;

/** Size of a P-256 scalar (w0, w1, x, y) in bytes. */
export const SPAKE2P_SCALAR_BYTES = 32;
/** Size of an uncompressed P-256 point (pA, pB, L, Z, V) in bytes. */
export const SPAKE2P_POINT_BYTES = 65;
/** Size of each PBKDF2 half (w0s, w1s) before reduction mod n: CRYPTO_W_SIZE_BYTES = CRYPTO_GROUP_SIZE_BYTES + 8 (3.10). */
const SPAKE2P_WS_BYTES = 40;
/** Size of a confirmation value cA / cB (HMAC-SHA256) in bytes. */
export const SPAKE2P_CONFIRMATION_BYTES = 32;

/** M for P-256 (draft-bar-cfrg-spake2plus-02 section 4), compressed SEC1 form. */
export const SPAKE2P_M = fromHex("02886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f");
/** N for P-256 (draft-bar-cfrg-spake2plus-02 section 4), compressed SEC1 form. */
export const SPAKE2P_N = fromHex("03d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b49");

/** The protocol's fixed points; their products use the native path like every other (no precomputed tables). */
const M = Point.fromBytes(SPAKE2P_M);
const N = Point.fromBytes(SPAKE2P_N);
// TT carries M and N in uncompressed form, like every other point in it (as connectedhomeip and matter.js do).
const M_RAW = M.toBytes(false);
const N_RAW = N.toBytes(false);
const CONFIRMATION_KEYS_INFO = new TextEncoder().encode("ConfirmationKeys");

/** Most w0 values whose products w0*M and w0*N the verifier keeps (least recently used dropped first). */
const VERIFIER_W0_CACHE_SIZE = 4;

/**
 * w0*M and w0*N by w0: a device answers every PASE attempt of a commissioning window (and of later windows with the
 * same verifier) with the same w0, so the two fixed-point products are computed once per verifier, not per attempt.
 */
const verifierProducts = new Map<string, { readonly w0M: Point; readonly w0N: Point }>();

function productsOf(w0: Uint8Array, w0s: bigint): { readonly w0M: Point; readonly w0N: Point } {
  const key = Buffer.from(w0.buffer, w0.byteOffset, w0.byteLength).toString("latin1");
  let products = verifierProducts.get(key);
  if (products !== undefined) verifierProducts.delete(key);
  else {
    products = { w0M: multiply(M, w0s), w0N: multiply(N, w0s) };
    if (verifierProducts.size >= VERIFIER_W0_CACHE_SIZE) verifierProducts.delete(verifierProducts.keys().next().value!);
  }
  verifierProducts.set(key, products);
  return products;
}

/** The prover's secrets w0 and w1 (32-byte big-endian scalars, already reduced mod n). */
export type Spake2pW0W1 = { readonly w0: Uint8Array; readonly w1: Uint8Array };

/** Everything one side derives from the exchange; `cA`/`cB` are the confirmations each side sends or expects. */
export type Spake2pKeys = {
  readonly Z: Uint8Array;
  readonly V: Uint8Array;
  readonly Ka: Uint8Array;
  readonly Ke: Uint8Array;
  readonly KcA: Uint8Array;
  readonly KcB: Uint8Array;
  readonly cA: Uint8Array;
  readonly cB: Uint8Array;
};

/** Optional transcript identities (Matter leaves both empty) and a fixed ephemeral scalar (test vectors only). */
export type Spake2pOptions = {
  readonly idProver?: Uint8Array;
  readonly idVerifier?: Uint8Array;
  readonly scalar?: Uint8Array;
};

function scalarOf(bytes: Uint8Array, field: string): bigint {
  if (bytes.length !== SPAKE2P_SCALAR_BYTES) {
    throw new RangeError(`${field} must be ${SPAKE2P_SCALAR_BYTES} bytes, got ${bytes.length}`);
  }
  const v = bytesToBigint(bytes);
  if (v >= ORDER) throw new RangeError(`${field} is not reduced mod n`);
  return v;
}

/** Parses a peer's uncompressed point; off-curve, wrong-length or compressed input is `crypto.spake2p-point`. */
function peerPoint(raw: Uint8Array, field: string): Point {
  // Core spec 3.10: pA and pB are uncompressed points; the receiver SHALL validate them (on the curve, not identity).
  if (raw.length !== SPAKE2P_POINT_BYTES || raw[0] !== 0x04) {
    throw new MalformedError("crypto.spake2p-point", `expected a ${SPAKE2P_POINT_BYTES}-byte uncompressed point`, {
      path: field,
    });
  }
  try {
    const p = Point.fromBytes(raw);
    p.assertValidity();
    if (p.is0()) throw new MalformedError("crypto.spake2p-point", "identity point", { path: field });
    return p;
  } catch (e) {
    if (e instanceof MalformedError) throw e;
    throw new MalformedError("crypto.spake2p-point", "not a point on P-256", { path: field }, { cause: e });
  }
}

/** Checks that `raw` is a 65-byte uncompressed P-256 point other than the identity; else `crypto.spake2p-point`. */
export function assertSpake2pPoint(raw: Uint8Array, field: string): void {
  peerPoint(raw, field);
}

/** True when `scalar` is 32 bytes encoding a value below the group order n. */
export function isReducedScalar(scalar: Uint8Array): boolean {
  return scalar.length === SPAKE2P_SCALAR_BYTES && bytesToBigint(scalar) < ORDER;
}

/** Uncompressed bytes of a derived point; the identity cannot occur with honest inputs and is treated as malformed. */
function rawPoint(p: Point, field: string): Uint8Array {
  if (p.is0()) throw new MalformedError("crypto.spake2p-point", "derived the identity point", { path: field });
  return p.toBytes(false);
}

/** A uniformly random scalar in [1, n) drawn from `crypto.randomBytes` by rejection. */
function randomScalar(crypto: Crypto): bigint {
  for (;;) {
    const v = bytesToBigint(crypto.randomBytes(SPAKE2P_SCALAR_BYTES));
    if (v > 0n && v < ORDER) return v;
  }
}

function lengthPrefixed(parts: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const p of parts) {
    const len = new Uint8Array(8);
    // TT entries are prefixed with their length as an 8-byte little-endian integer (3.10).
    new DataView(len.buffer).setBigUint64(0, BigInt(p.length), true);
    out.push(len, p);
  }
  return out;
}

/** Constant-time equality of two byte arrays of equal public length. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * w0 and w1 from a passcode (Core spec 3.10 "Computation of pA, pB"): PBKDF2-SHA256(passcode as u32 LE, salt,
 * iterations) gives w0s || w1s (2 x 40 bytes); each is reduced mod n.
 */
export function computeW0W1(crypto: Crypto, passcode: number, salt: Uint8Array, iterations: number): Spake2pW0W1 {
  if (!Number.isInteger(passcode) || passcode < 0 || passcode > 0xffffffff) {
    throw new RangeError(`passcode out of range: ${passcode}`);
  }
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`bad PBKDF2 iteration count ${iterations}`);
  const pw = new Uint8Array(4);
  new DataView(pw.buffer).setUint32(0, passcode, true);
  const ws = crypto.pbkdf2Sha256(pw, salt, iterations, 2 * SPAKE2P_WS_BYTES);
  const w0 = bytesToBigint(ws.subarray(0, SPAKE2P_WS_BYTES)) % ORDER;
  const w1 = bytesToBigint(ws.subarray(SPAKE2P_WS_BYTES)) % ORDER;
  return { w0: bigintToBytes(w0, SPAKE2P_SCALAR_BYTES), w1: bigintToBytes(w1, SPAKE2P_SCALAR_BYTES) };
}

/** L = w1 * G, the verifier's half of the registration record (65-byte uncompressed point). */
export function computeL(w1: Uint8Array): Uint8Array {
  const s = scalarOf(w1, "w1");
  if (s === 0n) throw new RangeError("w1 is zero");
  return multiplyBase(s).toBytes(false);
}

/**
 * Ka || Ke = SHA-256(TT) and KcA || KcB = HKDF(Ka, salt = [], "ConfirmationKeys", 32);
 * cA = HMAC(KcA, pB) and cB = HMAC(KcB, pA) (Core spec 3.10).
 */
function deriveKeys(
  crypto: Crypto,
  context: Uint8Array,
  options: Spake2pOptions,
  X: Uint8Array,
  Y: Uint8Array,
  Z: Uint8Array,
  V: Uint8Array,
  w0: Uint8Array,
): Spake2pKeys {
  const tt = lengthPrefixed([
    context,
    options.idProver ?? new Uint8Array(0),
    options.idVerifier ?? new Uint8Array(0),
    M_RAW,
    N_RAW,
    X,
    Y,
    Z,
    V,
    w0,
  ]);
  const k = crypto.sha256(tt);
  const Ka = k.slice(0, 16);
  const Ke = k.slice(16, 32);
  const kc = crypto.hkdfSha256(Ka, new Uint8Array(0), CONFIRMATION_KEYS_INFO, 32);
  const KcA = kc.slice(0, 16);
  const KcB = kc.slice(16, 32);
  return { Z, V, Ka, Ke, KcA, KcB, cA: crypto.hmacSha256(KcA, Y), cB: crypto.hmacSha256(KcB, X) };
}

/** The prover (PASE initiator, knows w0 and w1): sends pA = X, receives pB = Y, derives the keys. */
export class Spake2pProver {
  /** pA = x*G + w0*M, uncompressed. */
  readonly X: Uint8Array;
  readonly #crypto: Crypto;
  readonly #context: Uint8Array;
  readonly #options: Spake2pOptions;
  readonly #w0: Uint8Array;
  readonly #w0s: bigint;
  readonly #w1s: bigint;
  readonly #x: bigint;

  constructor(crypto: Crypto, context: Uint8Array, secrets: Spake2pW0W1, options: Spake2pOptions = {}) {
    this.#crypto = crypto;
    this.#context = context;
    this.#options = options;
    this.#w0 = secrets.w0;
    this.#w0s = scalarOf(secrets.w0, "w0");
    this.#w1s = scalarOf(secrets.w1, "w1");
    this.#x = options.scalar !== undefined ? scalarOf(options.scalar, "x") : randomScalar(crypto);
    if (this.#x === 0n) throw new RangeError("x is zero");
    this.X = rawPoint(multiplyBase(this.#x).add(multiply(M, this.#w0s)), "pA");
  }

  /** Z = x*(Y - w0*N), V = w1*(Y - w0*N), then the transcript keys; a bad pB is `crypto.spake2p-point`. */
  finish(Y: Uint8Array): Spake2pKeys {
    const y = peerPoint(Y, "pB");
    const base = y.subtract(multiply(N, this.#w0s));
    const Z = rawPoint(multiply(base, this.#x), "Z");
    const V = rawPoint(multiply(base, this.#w1s), "V");
    return deriveKeys(this.#crypto, this.#context, this.#options, this.X, Y, Z, V, this.#w0);
  }
}

/** The verifier (PASE responder, holds only w0 and L): receives pA = X, sends pB = Y, derives the keys. */
export class Spake2pVerifier {
  /** pB = y*G + w0*N, uncompressed. */
  readonly Y: Uint8Array;
  readonly #crypto: Crypto;
  readonly #context: Uint8Array;
  readonly #options: Spake2pOptions;
  readonly #w0: Uint8Array;
  readonly #L: Point;
  readonly #w0M: Point;
  readonly #y: bigint;

  constructor(crypto: Crypto, context: Uint8Array, w0: Uint8Array, L: Uint8Array, options: Spake2pOptions = {}) {
    this.#crypto = crypto;
    this.#context = context;
    this.#options = options;
    this.#w0 = w0;
    const w0s = scalarOf(w0, "w0");
    this.#L = peerPoint(L, "L");
    this.#y = options.scalar !== undefined ? scalarOf(options.scalar, "y") : randomScalar(crypto);
    if (this.#y === 0n) throw new RangeError("y is zero");
    const { w0M, w0N } = productsOf(w0, w0s);
    this.#w0M = w0M;
    this.Y = rawPoint(multiplyBase(this.#y).add(w0N), "pB");
  }

  /** Z = y*(X - w0*M), V = y*L, then the transcript keys; a bad pA is `crypto.spake2p-point`. */
  finish(X: Uint8Array): Spake2pKeys {
    const x = peerPoint(X, "pA");
    const Z = rawPoint(multiply(x.subtract(this.#w0M), this.#y), "Z");
    const V = rawPoint(multiply(this.#L, this.#y), "V");
    return deriveKeys(this.#crypto, this.#context, this.#options, X, this.Y, Z, V, this.#w0);
  }
}
