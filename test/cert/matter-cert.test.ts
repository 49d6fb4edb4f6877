import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { bytesEqual, fromHex, toHex } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import { dnToString } from "../../src/cert/dn.ts";
import { MAX_CERT_TLV_BYTES } from "../../src/cert/matter-cert.ts";
import { decodeMatterCert } from "../../src/cert/matter-cert-decode.ts";
import { encodeMatterCert } from "../../src/cert/matter-cert-encode.ts";
import { derToMatterCert, matterCertFromDer } from "../../src/cert/matter-cert-from-x509.ts";
import { matterCertToDer, tbsDer } from "../../src/cert/matter-cert-to-x509.ts";
import { parseX509 } from "../../src/cert/x509.ts";
import { CERT_NAMES, derOf, jsonOf, OPCERTS_DIR, tlvOf } from "./vectors.ts";

const KIND: Record<string, string> = { R: "rcac", I: "icac", N: "noc" };

test("every vector decodes with the fields of its JSON and the kind of its name", () => {
  for (const name of CERT_NAMES) {
    const tlv = tlvOf(name);
    const json = jsonOf(name);
    const cert = decodeMatterCert(tlv);
    assert.equal(tlv.length, json.sizes.matterTLV, name);
    assert.equal(cert.kind, KIND[name[0]!], name);
    assert.equal(toHex(cert.serialNumber), json.serialNumber, name);
    assert.equal(cert.notBefore, json.notBefore.matterEpochSeconds, name);
    assert.equal(cert.notAfter, json.notAfter.matterEpochSeconds, name);
    assert.equal(toHex(cert.publicKey), json.publicKey, name);
    assert.equal(toHex(cert.signature), json.signatureRawRS, name);
    assert.equal(cert.keyUsage, json.extensions.keyUsageBitmap, name);
    assert.equal(cert.basicConstraints?.isCa, json.extensions.basicConstraints.isCA, name);
    assert.equal(toHex(cert.subjectKeyId!), json.extensions.subjectKeyId, name);
    assert.equal(toHex(cert.authorityKeyId!), json.extensions.authorityKeyId, name);
    assert.equal(cert.subject.length, json.subject.length, `${name}: ${dnToString(cert.subject)}`);
    assert.ok(bytesEqual(cert.raw, tlv));
  }
});

test("TLV -> X.509 reproduces every stored DER byte for byte", () => {
  for (const name of CERT_NAMES) {
    assert.equal(toHex(matterCertToDer(tlvOf(name))), toHex(derOf(name)), name);
  }
});

test("X.509 -> TLV reproduces every stored TLV byte for byte", () => {
  for (const name of CERT_NAMES) {
    assert.equal(toHex(derToMatterCert(derOf(name))), toHex(tlvOf(name)), name);
  }
});

test("the rebuilt TBS is the TBS of the stored DER", () => {
  for (const name of CERT_NAMES) {
    assert.ok(bytesEqual(tbsDer(decodeMatterCert(tlvOf(name))), parseX509(derOf(name)).tbsRaw), name);
  }
});

test("Node02_03 carries CAT 0xABCD0001; every other node none", () => {
  for (const name of CERT_NAMES.filter((n) => n.startsWith("Node"))) {
    const cert = decodeMatterCert(tlvOf(name));
    assert.deepEqual(cert.cats, name === "Node02_03" ? [0xabcd0001] : [], name);
    assert.equal(cert.fabricId, 0xfab000000000001dn, name);
  }
  assert.equal(decodeMatterCert(tlvOf("Node01_01")).nodeId, 0xdededede00010001n);
  assert.equal(decodeMatterCert(tlvOf("ICA01")).fabricId, undefined);
});

test("Node01_01_Err01 (SKID with a common-profile tag) fails with a tag error", () => {
  const err = fromHex(
    readFileSync(join(OPCERTS_DIR, "..", "opcerts-errors", "Node01_01_Err01.matter-tlv.hex"), "utf8"),
  );
  assert.throws(
    () => matterCertToDer(err),
    (e: unknown) => e instanceof MalformedError && e.code === "cert.tag" && /extensions\[3\]/.test(e.message),
  );
});

test("oversized TLV and DER inputs are rejected before decoding", () => {
  assert.throws(
    () => decodeMatterCert(new Uint8Array(MAX_CERT_TLV_BYTES + 1)),
    (e: unknown) => e instanceof MalformedError && e.code === "cert.too-large",
  );
  assert.throws(
    () => derToMatterCert(new Uint8Array(601)),
    (e: unknown) => e instanceof MalformedError && e.code === "cert.too-large",
  );
});

test("elements out of order, missing or extra are tag errors", () => {
  const cert = decodeMatterCert(tlvOf("Root01"));
  const tlv = encodeMatterCert(cert);
  assert.ok(bytesEqual(tlv, tlvOf("Root01")));
  // Drop the trailing end-of-container and the signature: missing element.
  const hex = toHex(tlv);
  const sigAt = hex.lastIndexOf("300b40");
  const truncated = fromHex(`${hex.slice(0, sigAt)}18`);
  assert.throws(
    () => decodeMatterCert(truncated),
    (e: unknown) => e instanceof MalformedError && e.code === "cert.missing-element",
  );
  // Extra element (context 12) before the end.
  const extra = fromHex(`${hex.slice(0, -2)}240c0018`);
  assert.throws(
    () => decodeMatterCert(extra),
    (e: unknown) => e instanceof MalformedError && e.code === "cert.tag",
  );
});

test("DER -> TLV rejects non-critical basic constraints and critical SKID", () => {
  const der = derOf("Node01_01");
  const hex = toHex(der);
  // basicConstraints: 30 0c 06 03 55 1d 13 01 01 ff 04 02 30 00 -> drop the critical flag (lengths shrink by 3).
  const bcAt = hex.indexOf("300c0603551d130101ff04023000");
  assert.ok(bcAt > 0);
  const noCrit = `${hex.slice(0, bcAt)}30090603551d1304023000${hex.slice(bcAt + 28)}`;
  // Outer lengths are now wrong, so the conversion fails one way or another, always as MalformedError.
  assert.throws(() => derToMatterCert(fromHex(noCrit)), MalformedError);
});

test("robustness: mutated and random TLV certificates decode or raise MalformedError", () => {
  const tlv = tlvOf("Node02_03");
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(tlv.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      (muts) => {
        const m = tlv.slice();
        for (const [i, v] of muts) m[i] = v;
        try {
          const c = decodeMatterCert(m);
          matterCertToDer(c);
        } catch (e) {
          assert.ok(e instanceof MalformedError, String(e));
        }
      },
    ),
    { numRuns: 1000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 450 }), (bytes) => {
      try {
        decodeMatterCert(bytes);
      } catch (e) {
        assert.ok(e instanceof MalformedError, String(e));
      }
    }),
  );
});

test("robustness: mutated DER certificates convert or raise MalformedError", () => {
  const der = derOf("Node02_01");
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(der.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
      (muts) => {
        const m = der.slice();
        for (const [i, v] of muts) m[i] = v;
        try {
          matterCertFromDer(m);
        } catch (e) {
          assert.ok(e instanceof MalformedError, String(e));
        }
      },
    ),
    { numRuns: 1000 },
  );
});

test("DER import: the TLV of every accepted certificate decodes strictly to the very same certificate it owns", () => {
  let accepted = 0;
  for (const name of ["Node01_01", "Node02_03", "ICA01", "Root02"]) {
    const der = derOf(name);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(der.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 2 }),
        (muts) => {
          const m = der.slice();
          for (const [i, v] of muts) m[i] = v;
          let cert: ReturnType<typeof matterCertFromDer>;
          try {
            cert = matterCertFromDer(m);
          } catch (e) {
            assert.ok(e instanceof MalformedError, String(e));
            return;
          }
          accepted++;
          // Byte-exact: the accepted DER is exactly what the certificate converts back to.
          assert.equal(toHex(matterCertToDer(cert)), toHex(m));
          const copy = decodeMatterCert(cert.raw);
          assert.deepEqual(cert, copy);
          // The certificate holds no views into the input.
          m.fill(0);
          assert.deepEqual(cert, copy);
          assert.ok(bytesEqual(matterCertToDer(cert), matterCertToDer(copy)));
        },
      ),
      { numRuns: 300 },
    );
  }
  assert.ok(accepted > 0);
});
