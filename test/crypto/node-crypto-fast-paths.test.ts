// The fast paths of NodeCrypto and the P-256 keys agree with node:crypto's own primitives: HKDF written over HMAC,
// ECDH on the raw point, ephemeral keys validated without an import, the pooled system random source.
import assert from "node:assert/strict";
import { createPrivateKey, diffieHellman, hkdfSync } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { fromHex } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import { NodeCrypto, nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { P256PrivateKey, P256PublicKey } from "../../src/crypto/p256.ts";

test("HKDF-SHA256 matches RFC 5869 test cases 1 and 3", () => {
  const ikm = new Uint8Array(22).fill(0x0b);
  assert.deepEqual(
    nodeCrypto.hkdfSha256(ikm, fromHex("000102030405060708090a0b0c"), fromHex("f0f1f2f3f4f5f6f7f8f9"), 42),
    fromHex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
  );
  assert.deepEqual(
    nodeCrypto.hkdfSha256(ikm, new Uint8Array(0), new Uint8Array(0), 42),
    fromHex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"),
  );
});

test("HKDF-SHA256 equals node's hkdfSync for any key, salt, info and length; a length over 255 blocks is a RangeError", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 80 }),
      fc.uint8Array({ maxLength: 100 }),
      fc.uint8Array({ maxLength: 40 }),
      fc.integer({ min: 1, max: 200 }),
      (ikm, salt, info, length) => {
        assert.deepEqual(
          nodeCrypto.hkdfSha256(ikm, salt, info, length),
          new Uint8Array(hkdfSync("sha256", ikm, salt, info, length)),
        );
      },
    ),
  );
  assert.throws(
    () => nodeCrypto.hkdfSha256(new Uint8Array(32), new Uint8Array(0), new Uint8Array(0), 255 * 32 + 1),
    RangeError,
  );
});

test("ECDH on the raw point equals node's diffieHellman on KeyObjects, for keys made from a scalar or from PEM", () => {
  const a = nodeCrypto.generateKeyPair();
  const b = P256PrivateKey.fromPem(nodeCrypto.generateKeyPair().toSec1Pem());
  const expected = new Uint8Array(diffieHellman({ privateKey: a.keyObject, publicKey: b.publicKey.keyObject }));
  assert.deepEqual(nodeCrypto.ecdh(a, b.publicKey), expected);
  assert.deepEqual(nodeCrypto.ecdh(b, a.publicKey), expected);
  assert.deepEqual(nodeCrypto.ecdh(a, P256PublicKey.fromEphemeral(b.publicKey.raw)), expected);
});

test("a key made from a scalar signs with its KeyObject made on first use, and its public KeyObject verifies", () => {
  const key = P256PrivateKey.fromScalar(fromHex("5a".repeat(32)));
  const again = createPrivateKey({ key: Buffer.from(key.toSec1Der()), format: "der", type: "sec1" });
  assert.ok(key.keyObject.equals(again));
  const sig = nodeCrypto.ecdsaSign(key, Uint8Array.of(7));
  assert.ok(nodeCrypto.ecdsaVerify(key.publicKey, Uint8Array.of(7), sig));
  assert.ok(nodeCrypto.ecdsaVerify(P256PublicKey.fromEphemeral(key.publicKey.raw), Uint8Array.of(7), sig));
});

test("fromEphemeral accepts exactly the points fromRaw accepts (curve equation, coordinates below p)", () => {
  const valid = nodeCrypto.generateKeyPair().publicKey.raw;
  const accepts = (f: (raw: Uint8Array) => unknown, raw: Uint8Array): boolean => {
    try {
      f(raw);
      return true;
    } catch (e) {
      assert.ok(e instanceof MalformedError && e.code === "crypto.public-key");
      return false;
    }
  };
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 255 }), (at, value) => {
      const raw = Uint8Array.from(valid);
      raw[at] = value;
      assert.equal(accepts(P256PublicKey.fromEphemeral, raw), accepts(P256PublicKey.fromRaw, raw));
    }),
  );
  // x = p (a coordinate equal to the field prime) and a short or compressed input are refused.
  const xIsP = Uint8Array.from(valid);
  xIsP.set(fromHex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"), 1);
  assert.equal(accepts(P256PublicKey.fromEphemeral, xIsP), false);
  assert.equal(accepts(P256PublicKey.fromEphemeral, valid.subarray(0, 33)), false);
  assert.deepEqual(P256PublicKey.fromEphemeral(valid).raw, valid);
});

test("the pooled system random source never hands out the same bytes twice and serves large requests", () => {
  const crypto = new NodeCrypto();
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) seen.add(Buffer.from(crypto.randomBytes(8)).toString("hex"));
  assert.equal(seen.size, 2000);
  const big = crypto.randomBytes(10_000);
  assert.equal(big.length, 10_000);
  assert.ok(big.some((b) => b !== 0));
  assert.equal(crypto.randomBytes(0).length, 0);
});
