// Certification Declaration: SDK vectors (TLV content and CMS), strict decoding, sign/verify, TC_DA_1_2 checks.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { fromHex, toHex } from "../../src/bytes/bytes.ts";
import { MalformedError, ValidationError } from "../../src/bytes/errors.ts";
import {
  type CertificationDeclaration,
  type CertificationDeclarationContext,
  certificationDeclarationSignerKeyId,
  decodeCertificationDeclaration,
  encodeCertificationDeclaration,
  signCertificationDeclaration,
  validateCertificationDeclaration,
  verifyCertificationDeclaration,
} from "../../src/cert/certification-declaration.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { P256PrivateKey } from "../../src/crypto/p256.ts";

const VECTORS = join(import.meta.dirname, "..", "vectors", "attestation");
const vectors = JSON.parse(readFileSync(join(VECTORS, "certification-declaration.json"), "utf8")) as {
  signerSubjectKeyId: string;
  cases: { name: string; elements: CertificationDeclaration; cdContent: string; cms: string }[];
  decodeErrors: { name: string; cdContent: string }[];
};
const signerKey = P256PrivateKey.fromPem(readFileSync(join(VECTORS, "Chip-Test-CD-Signing-Key.pem"), "utf8"));
const skid = fromHex(vectors.signerSubjectKeyId);

const rule = (id: string) => (e: unknown) => e instanceof ValidationError && e.rule === id;

test("encode matches the SDK's CD content byte for byte, and decode gives the fields back", () => {
  for (const c of vectors.cases) {
    assert.equal(toHex(encodeCertificationDeclaration(c.elements)), c.cdContent, c.name);
    assert.deepEqual(decodeCertificationDeclaration(fromHex(c.cdContent)), c.elements, c.name);
  }
});

test("the SDK's signed CDs verify with the test signer and decode", () => {
  for (const c of vectors.cases) {
    const cms = fromHex(c.cms);
    assert.equal(toHex(certificationDeclarationSignerKeyId(cms)), vectors.signerSubjectKeyId);
    assert.deepEqual(verifyCertificationDeclaration(nodeCrypto, cms, signerKey.publicKey, skid), c.elements);
  }
});

test("the SDK's malformed CD contents are rejected (vendor id beyond 16 bits; swapped tags)", () => {
  for (const e of vectors.decodeErrors) {
    assert.throws(() => decodeCertificationDeclaration(fromHex(e.cdContent)), MalformedError, e.name);
  }
});

const base: CertificationDeclaration = {
  formatVersion: 1,
  vendorId: 0xfff1,
  productIds: [0x8000],
  deviceTypeId: 0x0100,
  certificateId: "ZIG20142ZB330003-24",
  securityLevel: 0,
  securityInformation: 0,
  versionNumber: 1,
  certificationType: 0,
};

test("sign then verify round-trips, with optional fields and an authorized PAA list", () => {
  const full: CertificationDeclaration = {
    ...base,
    productIds: [0x8000, 0x8001, 0xffff],
    dacOriginVendorId: 0xfff2,
    dacOriginProductId: 0x8002,
    authorizedPaaList: [new Uint8Array(20).fill(7)],
  };
  for (const cd of [base, full]) {
    const cms = signCertificationDeclaration(nodeCrypto, cd, skid, signerKey);
    assert.deepEqual(verifyCertificationDeclaration(nodeCrypto, cms, signerKey.publicKey, skid), cd);
  }
  const other = P256PrivateKey.fromScalar(fromHex("05".repeat(32)));
  const cms = signCertificationDeclaration(nodeCrypto, base, skid, other);
  assert.throws(
    () => verifyCertificationDeclaration(nodeCrypto, cms, signerKey.publicKey, skid),
    rule("cms.signature"),
  );
});

test("decode rejects every schema violation with cd.schema", () => {
  const hex = toHex(encodeCertificationDeclaration(base));
  const cases: [string, string][] = [
    ["certificate_id 18 chars", hex.replace("2c04135a4947", "2c04125a4947").replace("2d3234", "2d32")],
    ["format_version signed", hex.replace("240001", "200001")],
    ["unknown tag 12", hex.replace(/18$/, "240c0018")],
    ["only dac_origin_vendor_id", hex.replace(/18$/, "2509f1ff18")],
    ["empty product_id_array", hex.replace("360205008018", "360218")],
    ["not a struct", `17${hex.slice(2)}`],
  ];
  for (const [name, h] of cases) {
    assert.throws(
      () => decodeCertificationDeclaration(fromHex(h)),
      (e: unknown) => e instanceof MalformedError && (e.code === "cd.schema" || e.code.startsWith("tlv.")),
      name,
    );
  }
  assert.throws(() => encodeCertificationDeclaration({ ...base, certificateId: "short" }), RangeError);
  assert.throws(() => encodeCertificationDeclaration({ ...base, productIds: [] }), RangeError);
  assert.throws(() => encodeCertificationDeclaration({ ...base, dacOriginVendorId: 1 }), RangeError);
});

test("TC_DA_1_2 checks: each violated rule is reported by its id", () => {
  const ctx: CertificationDeclarationContext = {
    vendorId: 0xfff1,
    productId: 0x8000,
    dac: { vendorId: 0xfff1, productId: 0x8000 },
    pai: { vendorId: 0xfff1 },
  };
  validateCertificationDeclaration(base, ctx);
  const cases: [string, CertificationDeclaration, CertificationDeclarationContext][] = [
    ["cd.format-version", { ...base, formatVersion: 2 }, ctx],
    ["cd.vendor-id", base, { ...ctx, vendorId: 0xfff2 }],
    ["cd.product-id", base, { ...ctx, productId: 0x8001 }],
    ["cd.device-type-id", { ...base, deviceTypeId: 0x80000000 }, ctx],
    ["cd.security-level", { ...base, securityLevel: 1 }, ctx],
    ["cd.security-information", { ...base, securityInformation: 1 }, ctx],
    ["cd.certification-type", { ...base, certificationType: 3 }, ctx],
    ["cd.certification-type", base, { ...ctx, allowDevelopmentType: false }],
    ["cd.dac-vendor-id", base, { ...ctx, dac: { vendorId: 0xfff2, productId: 0x8000 } }],
    ["cd.pai-vendor-id", base, { ...ctx, pai: { vendorId: 0xfff2 } }],
    ["cd.dac-product-id", base, { ...ctx, dac: { vendorId: 0xfff1, productId: 0x8001 } }],
    ["cd.pai-product-id", base, { ...ctx, pai: { vendorId: 0xfff1, productId: 0x8001 } }],
    ["cd.dac-origin", { ...base, dacOriginVendorId: 0xfff2, dacOriginProductId: 0x8000 }, ctx],
    [
      "cd.authorized-paa",
      { ...base, authorizedPaaList: [new Uint8Array(20)] },
      { ...ctx, paiAuthorityKeyId: new Uint8Array(20).fill(1) },
    ],
  ];
  for (const [id, cd, c] of cases) assert.throws(() => validateCertificationDeclaration(cd, c), rule(id), id);
  // dac_origin present and matching: the DAC VID may differ from vendor_id.
  const origin = { ...base, dacOriginVendorId: 0xfff2, dacOriginProductId: 0x8002 };
  validateCertificationDeclaration(origin, {
    ...ctx,
    dac: { vendorId: 0xfff2, productId: 0x8002 },
    pai: { vendorId: 0xfff2 },
  });
  const kid = new Uint8Array(20).fill(9);
  validateCertificationDeclaration({ ...base, authorizedPaaList: [kid] }, { ...ctx, paiAuthorityKeyId: kid });
});

test("property: encode/decode round-trips arbitrary valid declarations", () => {
  const u16 = fc.integer({ min: 0, max: 0xffff });
  const arb = fc.record({
    formatVersion: fc.integer({ min: 0, max: 255 }),
    vendorId: u16,
    productIds: fc.array(u16, { minLength: 1, maxLength: 100 }),
    deviceTypeId: fc.integer({ min: 0, max: 0xffffffff }),
    certificateId: fc.string({ minLength: 19, maxLength: 19, unit: "grapheme-ascii" }),
    securityLevel: fc.integer({ min: 0, max: 255 }),
    securityInformation: u16,
    versionNumber: u16,
    certificationType: fc.integer({ min: 0, max: 255 }),
  });
  fc.assert(
    fc.property(arb, (cd) => {
      assert.deepEqual(decodeCertificationDeclaration(encodeCertificationDeclaration(cd)), { ...cd });
    }),
  );
});

test("property: mutated CD contents either decode or throw MalformedError", () => {
  const bytes = fromHex(vectors.cases[1]!.cdContent);
  fc.assert(
    fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 }), (at, b) => {
      const m = bytes.slice();
      m[at] = b;
      try {
        decodeCertificationDeclaration(m);
      } catch (e) {
        if (!(e instanceof MalformedError)) throw e;
      }
    }),
    { numRuns: 1500 },
  );
});
