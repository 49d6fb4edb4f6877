/**
 * Scalar multiplication on P-256 through node:crypto's native ECDH, which returns only the x-coordinate of s*P; the
 * y-coordinate is recovered from a second native product, x((s+1)*P), with field arithmetic and no square root:
 *
 *   R = s*P = (x1, y) and R + P = (s+1)*P = (x2, .)  =>  x2 = l^2 - x1 - xp with l = (yp - y) / (xp - x1), so
 *   (x2 + x1 + xp) * (xp - x1)^2 = (yp - y)^2 = yp^2 - 2*yp*y + y^2,  with y^2 = x1^3 - 3*x1 + b (the curve), hence
 *   y = (yp^2 + y^2 - (x2 + x1 + xp) * (xp - x1)^2) / (2 * yp).
 *
 * xp = x1 only when s = +-1 and yp = 0 never happens on P-256 (odd order, no point of order 2), so the edge scalars
 * 0, 1 and n-1 take the plain path. The result is checked to be on the curve before it is returned.
 * Why: @noble/curves' constant-time `multiply` costs ~4-7 ms per variable-base product on this machine, the two native
 * ECDH products ~0.3 ms together (OpenSSL's constant-time ladder). SPAKE2+ (PASE) needs four or five products.
 */
import { createECDH } from "node:crypto";
import { p256 } from "@noble/curves/nist.js";
import { bigintToBytes } from "../bytes/bytes.ts";

type Point = InstanceType<typeof p256.Point>;
const Point = p256.Point;
const Fp = Point.Fp;
/** Order n of the P-256 group. */
const ORDER = Point.Fn.ORDER;
/** The curve's b coefficient (a = -3). */
const B = Point.CURVE().b;

/** x-coordinate of s*P by native ECDH (1 <= s < n, P not the identity). */
function nativeX(s: bigint, p: Uint8Array): bigint {
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(bigintToBytes(s, 32));
  return Fp.fromBytes(ecdh.computeSecret(p));
}

/** s*G by native ECDH key derivation (the full public point), 1 <= s < n. */
export function multiplyBase(s: bigint): Point {
  if (s <= 0n || s >= ORDER) throw new RangeError("scalar out of range [1, n)");
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(bigintToBytes(s, 32));
  return Point.fromBytes(ecdh.getPublicKey());
}

/** s*P for 0 <= s < n (0*P and s*identity are the identity). */
export function multiply(p: Point, s: bigint): Point {
  if (s < 0n || s >= ORDER) throw new RangeError("scalar out of range [0, n)");
  if (s === 0n || p.is0()) return Point.ZERO;
  if (s === 1n) return p;
  if (s === ORDER - 1n) return p.negate();
  const raw = p.toBytes(false);
  const { x: xp, y: yp } = p.toAffine();
  const x1 = nativeX(s, raw);
  const x2 = nativeX(s + 1n, raw);
  const ySquared = Fp.add(Fp.sub(Fp.mul(Fp.sqr(x1), x1), Fp.mul(3n, x1)), B);
  const dx = Fp.sub(xp, x1);
  const numerator = Fp.sub(Fp.add(Fp.sqr(yp), ySquared), Fp.mul(Fp.add(Fp.add(x2, x1), xp), Fp.sqr(dx)));
  const y = Fp.div(numerator, Fp.add(yp, yp));
  const r = Point.fromAffine({ x: x1, y });
  r.assertValidity();
  return r;
}
