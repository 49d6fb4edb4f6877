// The native scalar products of src/crypto/p256-multiply.ts against noble's independent variable-time reference
// (multiplyUnsafe): random and edge scalars, random and edge points, and the rejected ranges.
import assert from "node:assert/strict";
import { test } from "node:test";
import { p256 } from "@noble/curves/nist.js";
import fc from "fast-check";
import { multiply, multiplyBase } from "../../src/crypto/p256-multiply.ts";

const Point = p256.Point;
const n = Point.Fn.ORDER;
const edge = fc.constantFrom(1n, 2n, 3n, n - 1n, n - 2n, n - 3n, n / 2n, n / 2n + 1n);
const nonZero = fc.oneof(edge, fc.bigInt({ min: 1n, max: n - 1n }));

test("multiply(P, s) equals noble's s*P for random and edge points and scalars", () => {
  fc.assert(
    fc.property(nonZero, fc.oneof(fc.constant(0n), nonZero), (k, s) => {
      const p = Point.BASE.multiplyUnsafe(k);
      const expected = s === 0n ? Point.ZERO : p.multiplyUnsafe(s);
      assert.ok(multiply(p, s).equals(expected), `k=${k} s=${s}`);
    }),
    { numRuns: 300 },
  );
});

test("multiplyBase(s) equals noble's s*G", () => {
  fc.assert(
    fc.property(nonZero, (s) => {
      assert.ok(multiplyBase(s).equals(Point.BASE.multiplyUnsafe(s)));
    }),
    { numRuns: 200 },
  );
});

test("the identity times anything is the identity; both y-coordinate signs of a product come out right", () => {
  assert.ok(multiply(Point.ZERO, 12345n).is0());
  // s*P and s*(-P) share x and differ in the sign of y: the recovery must tell them apart.
  const p = Point.BASE.multiplyUnsafe(987654321n);
  const s = 0x1234567890abcdefn;
  const a = multiply(p, s);
  const b = multiply(p.negate(), s);
  assert.equal(a.toAffine().x, b.toAffine().x);
  assert.ok(a.equals(b.negate()));
  assert.ok(!a.equals(b));
});

test("scalars outside the group are rejected", () => {
  assert.throws(() => multiply(Point.BASE, -1n), RangeError);
  assert.throws(() => multiply(Point.BASE, n), RangeError);
  assert.throws(() => multiplyBase(0n), RangeError);
  assert.throws(() => multiplyBase(n), RangeError);
});
