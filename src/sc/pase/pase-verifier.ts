/**
 * The PASE verifier a commissionee stores instead of its passcode (Core spec 3.10 and "Onboarding Payload":
 * passcode rules; "Spake2p verifier" serialization w0 (32) || L (65)) and the PBKDF parameter limits of PASE.
 */

import { ByteReader } from "../../bytes/byte-reader.ts";
import { MalformedError } from "../../bytes/errors.ts";
import type { Crypto } from "../../crypto/crypto.ts";
import {
  assertSpake2pPoint,
  computeL,
  computeW0W1,
  isReducedScalar,
  SPAKE2P_POINT_BYTES,
  SPAKE2P_SCALAR_BYTES,
  type Spake2pW0W1,
} from "../../crypto/spake2p.ts";

/** Minimum PBKDF2 iteration count for PASE (Core spec: CRYPTO_PBKDF_ITERATIONS_MIN). */
export const PBKDF_ITERATIONS_MIN = 1000;
/** Maximum PBKDF2 iteration count for PASE (Core spec: CRYPTO_PBKDF_ITERATIONS_MAX). */
export const PBKDF_ITERATIONS_MAX = 100_000;
/** Minimum PBKDF2 salt length for PASE, in bytes. */
export const PBKDF_SALT_MIN_BYTES = 16;
/** Maximum PBKDF2 salt length for PASE, in bytes. */
export const PBKDF_SALT_MAX_BYTES = 32;
/** Largest passcode value (8 decimal digits; 99999999 itself is on the invalid list). */
export const MAX_PASSCODE = 99_999_998;
/** Length of the serialized verifier w0 || L, in bytes. */
export const PASE_VERIFIER_BYTES = SPAKE2P_SCALAR_BYTES + SPAKE2P_POINT_BYTES;

/** Passcodes the spec forbids ("Passcode": trivial values SHALL NOT be used). */
export const INVALID_PASSCODES: readonly number[] = Object.freeze([
  0, 11111111, 22222222, 33333333, 44444444, 55555555, 66666666, 77777777, 88888888, 99999999, 12345678, 87654321,
]);

/** What the responder holds: w0 (32-byte scalar) and L = w1*G (65-byte uncompressed point). */
export type PaseVerifier = { readonly w0: Uint8Array; readonly L: Uint8Array };

/** PBKDF2 parameters of a commissioning window. */
export type PbkdfParameters = { readonly iterations: number; readonly salt: Uint8Array };

/** True when `passcode` is in 1..99999998 and not one of the spec's trivial values. */
export function isValidPasscode(passcode: number): boolean {
  return (
    Number.isInteger(passcode) && passcode >= 1 && passcode <= MAX_PASSCODE && !INVALID_PASSCODES.includes(passcode)
  );
}

/** True when the iteration count and salt length are within the PASE limits. */
export function isValidPbkdfParameters(params: PbkdfParameters): boolean {
  return (
    Number.isInteger(params.iterations) &&
    params.iterations >= PBKDF_ITERATIONS_MIN &&
    params.iterations <= PBKDF_ITERATIONS_MAX &&
    params.salt.length >= PBKDF_SALT_MIN_BYTES &&
    params.salt.length <= PBKDF_SALT_MAX_BYTES
  );
}

function checkArguments(passcode: number, params: PbkdfParameters): void {
  if (!isValidPasscode(passcode)) throw new RangeError(`invalid passcode (1..${MAX_PASSCODE}, not a trivial value)`);
  if (!isValidPbkdfParameters(params)) {
    throw new RangeError(
      `PBKDF parameters out of range: iterations ${PBKDF_ITERATIONS_MIN}..${PBKDF_ITERATIONS_MAX}, salt ${PBKDF_SALT_MIN_BYTES}..${PBKDF_SALT_MAX_BYTES} bytes`,
    );
  }
}

/** The prover's w0 and w1 for a passcode; invalid passcodes or parameters are a RangeError. */
export function computePaseW0W1(crypto: Crypto, passcode: number, params: PbkdfParameters): Spake2pW0W1 {
  checkArguments(passcode, params);
  return computeW0W1(crypto, passcode, params.salt, params.iterations);
}

/** The verifier {w0, L} for a passcode; invalid passcodes or parameters are a RangeError. */
export function computePaseVerifier(crypto: Crypto, passcode: number, params: PbkdfParameters): PaseVerifier {
  const { w0, w1 } = computePaseW0W1(crypto, passcode, params);
  return { w0, L: computeL(w1) };
}

/** The 97-byte "Spake2p verifier" serialization w0 || L. */
export function encodePaseVerifier(verifier: PaseVerifier): Uint8Array {
  if (verifier.w0.length !== SPAKE2P_SCALAR_BYTES || verifier.L.length !== SPAKE2P_POINT_BYTES) {
    throw new RangeError("verifier w0 must be 32 bytes and L 65 bytes");
  }
  const out = new Uint8Array(PASE_VERIFIER_BYTES);
  out.set(verifier.w0, 0);
  out.set(verifier.L, SPAKE2P_SCALAR_BYTES);
  return out;
}

/** Parses a serialized verifier strictly: exactly 97 bytes, w0 < n, L a valid uncompressed point (`pase.verifier`). */
export function decodePaseVerifier(bytes: Uint8Array, path = "verifier"): PaseVerifier {
  const r = new ByteReader(bytes);
  const w0 = r.take(SPAKE2P_SCALAR_BYTES, `${path}/w0`).slice();
  const L = r.take(SPAKE2P_POINT_BYTES, `${path}/L`).slice();
  r.expectEnd(path);
  if (!isReducedScalar(w0))
    throw new MalformedError("pase.verifier", "w0 is not reduced mod n", { path: `${path}/w0` });
  try {
    assertSpake2pPoint(L, `${path}/L`);
  } catch (e) {
    throw new MalformedError(
      "pase.verifier",
      "L is not an uncompressed P-256 point",
      { path: `${path}/L` },
      { cause: e },
    );
  }
  return { w0, L };
}
