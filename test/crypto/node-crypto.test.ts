import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { fromHex, toHex } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import { derToRawSignature, rawToDerSignature } from "../../src/crypto/ecdsa-signature.ts";
import { NodeCrypto, nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { P256_PUBLIC_KEY_CACHE_SIZE, P256PrivateKey, P256PublicKey } from "../../src/crypto/p256.ts";
import { derInteger, derSequence } from "../../src/der/der-writer.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const VECTORS = new URL("../vectors/opcerts/", import.meta.url);

test("SHA-256 FIPS 180-2 vector 'abc'", () => {
  assert.equal(
    toHex(nodeCrypto.sha256(enc("abc"))),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.deepEqual(nodeCrypto.sha256([enc("a"), enc("bc")]), nodeCrypto.sha256(enc("abc")));
});

test("HMAC-SHA256 RFC 4231 test case 2", () => {
  assert.equal(
    toHex(nodeCrypto.hmacSha256(enc("Jefe"), enc("what do ya want for nothing?"))),
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  );
});

test("HKDF-SHA256 RFC 5869 test case 1", () => {
  const okm = nodeCrypto.hkdfSha256(
    fromHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
    fromHex("000102030405060708090a0b0c"),
    fromHex("f0f1f2f3f4f5f6f7f8f9"),
    42,
  );
  assert.equal(toHex(okm), "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
});

test("PBKDF2-HMAC-SHA256 RFC 7914 section 11 vector", () => {
  assert.equal(
    toHex(nodeCrypto.pbkdf2Sha256(enc("passwd"), enc("salt"), 1, 64)),
    "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
  );
});

test("AES-128-CCM RFC 3610 packet vector #1 (8-byte tag), and tamper detection", () => {
  const key = fromHex("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf");
  const nonce = fromHex("00000003020100a0a1a2a3a4a5");
  const aad = fromHex("0001020304050607");
  const plain = fromHex("08090a0b0c0d0e0f101112131415161718191a1b1c1d1e");
  const out = nodeCrypto.aesCcmEncrypt(key, nonce, plain, aad, 8);
  assert.equal(toHex(out), "588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0");
  assert.deepEqual(nodeCrypto.aesCcmDecrypt(key, nonce, out, aad, 8), plain);
  const bad = Uint8Array.from(out);
  bad[3]! ^= 1;
  assert.throws(
    () => nodeCrypto.aesCcmDecrypt(key, nonce, bad, aad, 8),
    (e: unknown) => e instanceof MalformedError,
  );
  assert.throws(() => nodeCrypto.aesCcmDecrypt(key, nonce, out, fromHex("00"), 8), MalformedError);
});

test("AES-CCM round-trips with the default 16-byte tag", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 40 }), (plain, aad) => {
      const key = new Uint8Array(16).fill(7);
      const nonce = new Uint8Array(13).fill(1);
      const ct = nodeCrypto.aesCcmEncrypt(key, nonce, plain, aad);
      assert.equal(ct.length, plain.length + 16);
      assert.deepEqual(nodeCrypto.aesCcmDecrypt(key, nonce, ct, aad), plain);
    }),
    { numRuns: 50 },
  );
});

test("P-256 keys: the published test key matches its certificate's public key; formats round-trip", () => {
  const json = JSON.parse(readFileSync(new URL("Node01_01.json", VECTORS), "utf8"));
  const key = P256PrivateKey.fromPem(readFileSync(new URL("Node01_01.key.pem", VECTORS), "utf8"));
  assert.equal(toHex(key.publicKey.raw), json.publicKey);
  assert.equal(toHex(key.toScalar()), json.privateKeyScalar);
  const again = P256PrivateKey.fromScalar(key.toScalar());
  assert.deepEqual(again.publicKey.raw, key.publicKey.raw);
  assert.deepEqual(P256PrivateKey.fromDer(key.toSec1Der()).toScalar(), key.toScalar());
  assert.deepEqual(P256PrivateKey.fromDer(key.toPkcs8Der()).toScalar(), key.toScalar());
  assert.deepEqual(P256PrivateKey.fromPem(key.toSec1Pem()).toScalar(), key.toScalar());
  assert.deepEqual(P256PublicKey.fromSpkiDer(key.publicKey.toSpkiDer()).raw, key.publicKey.raw);
  assert.deepEqual(P256PublicKey.fromPem(key.publicKey.toPem()).raw, key.publicKey.raw);
});

test("P-256 key import rejects bad input with MalformedError", () => {
  assert.throws(() => P256PublicKey.fromRaw(new Uint8Array(64)), MalformedError);
  const offCurve = new Uint8Array(65);
  offCurve[0] = 4;
  offCurve[64] = 1;
  assert.throws(() => P256PublicKey.fromRaw(offCurve), MalformedError);
  assert.throws(() => P256PrivateKey.fromScalar(new Uint8Array(32)), MalformedError);
  assert.throws(() => P256PrivateKey.fromScalar(new Uint8Array(32).fill(0xff)), MalformedError);
  assert.throws(() => P256PrivateKey.fromPem("nope"), MalformedError);
  assert.throws(() => P256PublicKey.fromSpkiDer(new Uint8Array([0x30, 0])), MalformedError);
});

test("ECDSA raw and DER sign/verify; a flipped bit fails", () => {
  const key = nodeCrypto.generateKeyPair();
  const msg = enc("matter");
  const raw = nodeCrypto.ecdsaSign(key, msg);
  assert.equal(raw.length, 64);
  assert.ok(nodeCrypto.ecdsaVerify(key.publicKey, msg, raw));
  assert.ok(nodeCrypto.ecdsaVerify(key.publicKey, [enc("mat"), enc("ter")], raw));
  const bad = Uint8Array.from(raw);
  bad[10]! ^= 1;
  assert.equal(nodeCrypto.ecdsaVerify(key.publicKey, msg, bad), false);
  assert.equal(nodeCrypto.ecdsaVerify(key.publicKey, msg, raw.subarray(1)), false);
  const der = nodeCrypto.ecdsaSignDer(key, msg);
  assert.ok(nodeCrypto.ecdsaVerifyDer(key.publicKey, msg, der));
  assert.ok(nodeCrypto.ecdsaVerify(key.publicKey, msg, derToRawSignature(der)));
  assert.ok(nodeCrypto.ecdsaVerifyDer(key.publicKey, msg, rawToDerSignature(raw)));
  assert.equal(nodeCrypto.ecdsaVerifyDer(key.publicKey, msg, new Uint8Array([0x30, 0x00])), false);
});

test("raw <-> DER signature conversion round-trips and rejects malformed DER", () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (raw) => {
      assert.deepEqual(derToRawSignature(rawToDerSignature(raw)), raw);
    }),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (junk) => {
      try {
        derToRawSignature(junk);
      } catch (e) {
        assert.ok(e instanceof MalformedError);
      }
    }),
  );
  // Non-minimal INTEGER (leading zero before a byte < 0x80).
  assert.throws(() => derToRawSignature(fromHex("3008020200010202 0001".replace(/ /g, ""))), MalformedError);
});

test("ECDH agrees on both sides", () => {
  const a = nodeCrypto.generateKeyPair();
  const b = nodeCrypto.generateKeyPair();
  const ab = nodeCrypto.ecdh(a, b.publicKey);
  assert.equal(ab.length, 32);
  assert.deepEqual(ab, nodeCrypto.ecdh(b, a.publicKey));
});

test("a seeded NodeCrypto generates the same key pair", () => {
  const seeded = (): NodeCrypto => {
    let i = 0;
    return new NodeCrypto((n) => Uint8Array.from({ length: n }, () => (i++ * 31 + 7) & 0xff));
  };
  assert.deepEqual(seeded().generateKeyPair().publicKey.raw, seeded().generateKeyPair().publicKey.raw);
});

test("AES-CCM with an empty message that is the same array as the (empty) AAD (regression)", () => {
  const key = new Uint8Array(16);
  const nonce = new Uint8Array(13);
  const empty = new Uint8Array(0);
  const ct = nodeCrypto.aesCcmEncrypt(key, nonce, empty, empty);
  assert.equal(ct.length, 16);
  assert.deepEqual(nodeCrypto.aesCcmDecrypt(key, nonce, ct, empty), empty);
});

test("P256PublicKey.fromRaw reuses the imported KeyObject of a point, copies raw, and keeps the cache bounded (LRU)", () => {
  const n = P256_PUBLIC_KEY_CACHE_SIZE;
  const keys = Array.from({ length: n + 1 }, () => nodeCrypto.generateKeyPair().publicKey.raw);
  // A cached key still verifies what its private key signs.
  const signer = nodeCrypto.generateKeyPair();
  const sig = nodeCrypto.ecdsaSign(signer, Uint8Array.of(1, 2, 3));
  P256PublicKey.fromRaw(signer.publicKey.raw);
  assert.ok(nodeCrypto.ecdsaVerify(P256PublicKey.fromRaw(signer.publicKey.raw), Uint8Array.of(1, 2, 3), sig));

  const first = P256PublicKey.fromRaw(keys[0]!);
  const again = P256PublicKey.fromRaw(Uint8Array.from(keys[0]!));
  assert.equal(again.keyObject, first.keyObject);
  assert.notEqual(again.raw, first.raw);
  again.raw[1]! ^= 0xff;
  assert.deepEqual(P256PublicKey.fromRaw(keys[0]!).raw, keys[0]);
  // keys[0] plus n - 2 others fill all but one slot; touching keys[0] again makes keys[1] the least recently used,
  // so the next two imports evict keys[1] and keep keys[0].
  for (const k of keys.slice(1, n - 1)) P256PublicKey.fromRaw(k);
  P256PublicKey.fromRaw(keys[0]!);
  P256PublicKey.fromRaw(keys[n - 1]!);
  P256PublicKey.fromRaw(keys[n]!);
  assert.equal(P256PublicKey.fromRaw(keys[0]!).keyObject, first.keyObject);
  // n other keys evict it.
  for (const k of keys.slice(1)) P256PublicKey.fromRaw(k);
  assert.notEqual(P256PublicKey.fromRaw(keys[0]!).keyObject, first.keyObject);
  // An invalid point is never cached: it fails every time.
  const offCurve = Uint8Array.from(keys[0]!);
  offCurve[64]! ^= 1;
  assert.throws(() => P256PublicKey.fromRaw(offCurve), MalformedError);
  assert.throws(() => P256PublicKey.fromRaw(offCurve), MalformedError);
});

test("rawToDerSignature equals the generic DER writer's SEQUENCE of two unsigned INTEGERs, leading zeros included", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 64, maxLength: 64 }),
      fc.nat(32),
      fc.nat(32),
      fc.boolean(),
      (raw, rZeros, sZeros, topBit) => {
        const r = raw.slice(0, 32);
        const s = raw.slice(32);
        r.fill(0, 0, rZeros);
        s.fill(0, 0, sZeros);
        if (topBit && rZeros < 32) r[rZeros]! |= 0x80;
        const joined = new Uint8Array(64);
        joined.set(r);
        joined.set(s, 32);
        assert.equal(toHex(rawToDerSignature(joined)), toHex(derSequence(derInteger(r), derInteger(s))));
        assert.deepEqual(derToRawSignature(rawToDerSignature(joined)), joined);
      },
    ),
    { numRuns: 500 },
  );
});
