import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { bytesEqual, toHex } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import { buildX509, encodeTbsCertificate, findExtension, parseX509 } from "../../src/cert/x509.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { P256PrivateKey } from "../../src/crypto/p256.ts";
import { OID } from "../../src/der/oids.ts";
import { CERT_NAMES, derOf, jsonOf, keyPemOf } from "./vectors.ts";

test("every vector parses with the fields of its JSON", () => {
  for (const name of CERT_NAMES) {
    const der = derOf(name);
    const json = jsonOf(name);
    const cert = parseX509(der);
    assert.equal(cert.raw.length, json.sizes.x509DER, name);
    assert.equal(toHex(cert.serial), json.serialNumber, name);
    assert.equal(toHex(cert.publicKey), json.publicKey, name);
    assert.equal(cert.notBefore.toISOString().replace(".000", ""), json.notBefore.utc, name);
    assert.equal(cert.notAfter.toISOString().replace(".000", ""), json.notAfter.utc, name);
    assert.equal(cert.subject.length, json.subject.length, name);
    const skid = findExtension(cert, OID.subjectKeyIdentifier);
    assert.ok(skid && !skid.critical, name);
    assert.equal(findExtension(cert, OID.basicConstraints)?.critical, true, name);
  }
});

test("re-encoding a parsed vector's TBS reproduces it byte for byte", () => {
  for (const name of CERT_NAMES) {
    const cert = parseX509(derOf(name));
    const tbs = encodeTbsCertificate({
      serial: cert.serial,
      issuer: cert.issuer,
      notBefore: { form: cert.notBeforeForm, date: cert.notBefore },
      notAfter: { form: cert.notAfterForm, date: cert.notAfter },
      subject: cert.subject,
      publicKey: cert.publicKey,
      extensions: cert.extensions.map((e) => e.raw),
    });
    assert.ok(bytesEqual(tbs, cert.tbsRaw), name);
  }
});

test("buildX509 signs a certificate that parses and verifies", () => {
  const key = P256PrivateKey.fromPem(keyPemOf("Root01"));
  const der = buildX509(
    {
      serial: 0x1234n,
      issuer: [{ oid: OID.commonName, tag: 0x0c, value: "Issuer" }],
      notBefore: new Date("2021-01-01T00:00:00Z"),
      notAfter: new Date("2060-01-01T00:00:00Z"),
      subject: [{ oid: OID.commonName, tag: 0x13, value: "Subject" }],
      publicKey: key.publicKey.raw,
      extensions: [{ oid: OID.basicConstraints, critical: true, value: Uint8Array.of(0x30, 0x00) }],
    },
    (tbs) => nodeCrypto.ecdsaSignDer(key, tbs),
  );
  const cert = parseX509(der);
  assert.equal(cert.notAfterForm, "generalized");
  assert.equal(cert.notBeforeForm, "utc");
  assert.equal(cert.subject[0]?.tag, 0x13);
  assert.ok(nodeCrypto.ecdsaVerifyDer(key.publicKey, cert.tbsRaw, cert.signature));
});

test("rejects trailing bytes and a v2 certificate", () => {
  const der = derOf("Node01_01");
  assert.throws(() => parseX509(Uint8Array.of(...der, 0)), MalformedError);
  const v2 = der.slice();
  // [0] { INTEGER 2 } -> INTEGER 1 (v2)
  const at = toHex(v2).indexOf("a003020102") / 2;
  v2[at + 4] = 1;
  assert.throws(
    () => parseX509(v2),
    (e: unknown) => e instanceof MalformedError && e.code === "x509.version",
  );
});

test("random mutations of a DER certificate parse or raise MalformedError", () => {
  const der = derOf("Node02_02");
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(der.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      (muts) => {
        const m = der.slice();
        for (const [i, v] of muts) m[i] = v;
        try {
          parseX509(m);
        } catch (e) {
          assert.ok(e instanceof MalformedError, String(e));
        }
      },
    ),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 700 }), (bytes) => {
      try {
        parseX509(bytes);
      } catch (e) {
        assert.ok(e instanceof MalformedError, String(e));
      }
    }),
  );
});
