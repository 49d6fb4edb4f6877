// PKCS#10 CSR: build, strict parse, self-signature verification, OpenSSL interop, robustness.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { fromHex, toHex } from "../../src/bytes/bytes.ts";
import { MalformedError, ValidationError } from "../../src/bytes/errors.ts";
import { buildCsr, csrPublicKey, MAX_CSR_DER_BYTES, parseCsr, verifyCsr } from "../../src/cert/csr.ts";
import { NodeCrypto, nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { P256PrivateKey } from "../../src/crypto/p256.ts";
import { OID } from "../../src/der/oids.ts";

const VECTORS = join(import.meta.dirname, "..", "vectors", "attestation");
const opensslCsr = fromHex(readFileSync(join(VECTORS, "openssl-p256-csr.der.hex"), "utf8"));

const key = P256PrivateKey.fromScalar(fromHex("11".repeat(32)));

test("buildCsr produces the SDK's shape: v0, O=CSR (UTF8String), P-256 SPKI, empty [0], ecdsa-with-SHA256", () => {
  const der = buildCsr(nodeCrypto, key);
  assert.ok(der.length <= MAX_CSR_DER_BYTES, `${der.length} bytes`);
  const csr = verifyCsr(nodeCrypto, der);
  assert.equal(csr.version, 0);
  assert.equal(toHex(csr.subjectRaw), "300e310c300a060355040a0c03435352");
  assert.equal(toHex(csr.attributesRaw), "a000");
  assert.equal(csr.signatureAlgorithm, OID.ecdsaWithSHA256);
  assert.deepEqual(csr.publicKey.raw, key.publicKey.raw);
  // The signed part up to the signature is identical to OpenSSL's for the same subject (only key and signature differ).
  assert.equal(toHex(der.subarray(3, 37)), toHex(opensslCsr.subarray(3, 37)));
});

test("an OpenSSL-made CSR parses and its self-signature verifies", () => {
  const csr = verifyCsr(nodeCrypto, opensslCsr);
  assert.equal(csr.publicKey.raw.length, 65);
  assert.equal(toHex(csr.publicKey.raw).slice(0, 8), "046a6cc6");
  assert.deepEqual(csrPublicKey(nodeCrypto, opensslCsr).raw, csr.publicKey.raw);
});

test("a CSR whose signed bytes changed fails csr.signature", () => {
  const der = buildCsr(nodeCrypto, key);
  const bad = der.slice();
  // Change the subject O=CSR to O=DSR: still well-formed, no longer what was signed.
  const at = toHex(der).indexOf("435352") / 2;
  bad[at] = 0x44; // "DSR"
  assert.throws(
    () => verifyCsr(nodeCrypto, bad),
    (e: unknown) => e instanceof ValidationError && e.rule === "csr.signature",
  );
  // The same request signed by another key does not verify either.
  const other = P256PrivateKey.fromScalar(fromHex("22".repeat(32)));
  const mixed = buildCsr(nodeCrypto, other);
  const spliced = Uint8Array.from([...der.subarray(0, der.length - 72), ...mixed.subarray(mixed.length - 72)]);
  assert.throws(
    () => verifyCsr(nodeCrypto, spliced),
    (e: unknown) => (e instanceof ValidationError && e.rule === "csr.signature") || e instanceof MalformedError,
  );
});

test("strict parse: wrong version, curve, algorithm, missing attributes and trailing bytes are malformed", () => {
  const hex = toHex(opensslCsr);
  const cases: [string, string][] = [
    ["version 1", hex.replace("3070020100", "3070020101")],
    ["secp256k1-like curve OID", hex.replace("06082a8648ce3d030107", "06082a8648ce3d030108")],
    ["ecdsa-with-SHA384", hex.replace("300a06082a8648ce3d040302", "300a06082a8648ce3d040303")],
    ["trailing byte", `${hex.replace(/^3081c7/, "3081c8")}00`],
    ["bytes after the request", `${hex}00`],
  ];
  for (const [name, h] of cases) {
    assert.throws(() => parseCsr(fromHex(h)), MalformedError, name);
  }
  // Attributes [0] removed (and every enclosing length fixed) is malformed.
  const noAttrs = fromHex(hex.replace("3081c73070", "3081c5306e").replace("a000300a", "300a"));
  assert.throws(() => parseCsr(noAttrs), MalformedError);
});

test("a deterministic Crypto yields a deterministic key and a verifiable CSR", () => {
  let n = 0;
  const seeded = new NodeCrypto((len) => Uint8Array.from({ length: len }, () => (n++ * 37 + 11) & 0xff));
  const k = seeded.generateKeyPair();
  const csr = verifyCsr(seeded, buildCsr(seeded, k));
  assert.deepEqual(csr.publicKey.raw, k.publicKey.raw);
});

test("property: mutated CSRs either parse or throw MalformedError", () => {
  const base = buildCsr(nodeCrypto, key);
  fc.assert(
    fc.property(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 }), (at, b) => {
      const m = base.slice();
      m[at] = b;
      try {
        parseCsr(m);
      } catch (e) {
        if (!(e instanceof MalformedError)) throw e;
      }
    }),
    { numRuns: 1500 },
  );
});
