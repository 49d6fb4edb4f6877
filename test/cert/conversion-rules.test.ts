// DER -> TLV import rejections (conformance notes 4.2) on signed X.509 certificates, and TLV <-> DER round-trip properties.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { bytesEqual, toHex } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import type { DnAttribute } from "../../src/cert/dn.ts";
import { decodeMatterCert } from "../../src/cert/matter-cert-decode.ts";
import { encodeMatterCert, matterCertTlvNode } from "../../src/cert/matter-cert-encode.ts";
import { derToMatterCert, matterCertFromDer } from "../../src/cert/matter-cert-from-x509.ts";
import { matterCertToDer } from "../../src/cert/matter-cert-to-x509.ts";
import { buildX509, parseX509, type X509TbsFields } from "../../src/cert/x509.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { OID } from "../../src/der/oids.ts";
import { encodeTlv } from "../../src/tlv/tlv-encoder.ts";
import { vectorFields, vectorKey } from "./cert-builder.ts";
import { derOf } from "./vectors.ts";

/** Node01_01 as X.509, rebuilt with `change` applied to its TBS fields and re-signed with ICA01's key. */
function x509Variant(change: (f: { -readonly [K in keyof X509TbsFields]: X509TbsFields[K] }) => void): Uint8Array {
  const x = parseX509(derOf("Node01_01"));
  const f: { -readonly [K in keyof X509TbsFields]: X509TbsFields[K] } = {
    serial: x.serial,
    issuer: x.issuer,
    notBefore: { form: x.notBeforeForm, date: x.notBefore },
    notAfter: { form: x.notAfterForm, date: x.notAfter },
    subject: x.subject,
    publicKey: x.publicKey,
    extensions: x.extensions.map((e) => ({ oid: e.oid, critical: e.critical, value: e.value })),
  };
  change(f);
  return buildX509(f, (tbs) => nodeCrypto.ecdsaSignDer(vectorKey("ICA01"), tbs));
}

function rejects(code: string, der: Uint8Array): void {
  assert.throws(
    () => derToMatterCert(der),
    (e: unknown) => e instanceof MalformedError && e.code === code,
    `expected ${code}`,
  );
}

function withCriticality(oid: string, critical: boolean) {
  return (f: { extensions: X509TbsFields["extensions"] }) => {
    f.extensions = f.extensions.map((e) => (e instanceof Uint8Array || e.oid !== oid ? e : { ...e, critical }));
  };
}

test("the unmodified rebuild converts (the builder itself is faithful)", () => {
  const rebuilt = x509Variant(() => {});
  assert.ok(bytesEqual(parseX509(rebuilt).tbsRaw, parseX509(derOf("Node01_01")).tbsRaw));
  assert.equal(matterCertFromDer(rebuilt).nodeId, 0xdededede00010001n);
});

test("DER import rejects wrong criticality of the five native extensions", () => {
  rejects("cert.extension-criticality", x509Variant(withCriticality(OID.basicConstraints, false)));
  rejects("cert.extension-criticality", x509Variant(withCriticality(OID.keyUsage, false)));
  rejects("cert.extension-criticality", x509Variant(withCriticality(OID.extKeyUsage, false)));
  rejects("cert.extension-criticality", x509Variant(withCriticality(OID.subjectKeyIdentifier, true)));
  rejects("cert.extension-criticality", x509Variant(withCriticality(OID.authorityKeyIdentifier, true)));
});

test("DER import rejects AKID issuer/serial, duplicate extensions, unsupported attributes and string types", () => {
  const akidWithSerial = Uint8Array.of(0x30, 0x19, 0x80, 0x14, ...new Array(20).fill(1), 0x82, 0x01, 0x05);
  rejects(
    "der.trailing",
    x509Variant((f) => {
      f.extensions = f.extensions.map((e) =>
        e instanceof Uint8Array || e.oid !== OID.authorityKeyIdentifier ? e : { ...e, value: akidWithSerial },
      );
    }),
  );
  rejects(
    "x509.duplicate-extension",
    x509Variant((f) => {
      f.extensions = [...f.extensions, f.extensions[0]!];
    }),
  );
  rejects(
    "cert.dn-attribute",
    x509Variant((f) => {
      f.subject = [...(f.subject as never[]), { oid: OID.emailAddress, tag: 0x16, value: "a@b" }];
    }),
  );
  rejects(
    "cert.dn-string-type",
    x509Variant((f) => {
      f.subject = [...(f.subject as never[]), { oid: OID.commonName, tag: 0x16, value: "ia5" }];
    }),
  );
  rejects(
    "cert.dn-matter-value",
    x509Variant((f) => {
      f.subject = [{ oid: OID.matterNodeId, tag: 0x0c, value: "dededede00010001" }];
    }),
  );
  rejects(
    "cert.time-form",
    x509Variant((f) => {
      f.notBefore = { form: "generalized", date: new Date("2020-10-15T14:23:43Z") };
    }),
  );
});

test("DER import rejects a path length constraint on a non-CA (RFC 5280 4.2.1.9), as the TLV decoder does", () => {
  // BasicConstraints ::= SEQUENCE { cA DEFAULT FALSE (absent), pathLenConstraint 0 }
  rejects(
    "cert.basic-constraints",
    x509Variant((f) => {
      f.extensions = f.extensions.map((e) =>
        e instanceof Uint8Array || e.oid !== OID.basicConstraints
          ? e
          : { ...e, value: Uint8Array.of(0x30, 3, 2, 1, 0) },
      );
    }),
  );
});

const string = fc.stringMatching(/^[A-Za-z0-9 ]{1,12}$/);
const attr: fc.Arbitrary<DnAttribute> = fc.oneof(
  fc.record({ type: fc.constant("commonName" as const), value: string, printable: fc.boolean() }),
  fc.record({ type: fc.constant("organizationName" as const), value: string, printable: fc.boolean() }),
  fc.record({ type: fc.constant("matterFabricId" as const), value: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
  fc.record({ type: fc.constant("matterCaseAuthTag" as const), value: fc.integer({ min: 0, max: 0xffffffff }) }),
);

test("round trip: TLV -> DER -> TLV is the identity for generated certificates", () => {
  const base = vectorFields("Node02_02");
  fc.assert(
    fc.property(
      fc.array(attr, { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 1, max: 0xffffffff }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.uint8Array({ minLength: 1, maxLength: 20 }).filter((s) => s.length === 1 || (s[0] !== 0 && s[0] !== 0xff)),
      fc.uint8Array({ minLength: 64, maxLength: 64 }),
      (subject, notBefore, notAfter, serialNumber, signature) => {
        const tlv = encodeMatterCert({ ...base, subject, notBefore, notAfter, serialNumber, signature });
        const cert = decodeMatterCert(tlv);
        assert.ok(bytesEqual(encodeMatterCert(cert), tlv));
        assert.ok(bytesEqual(derToMatterCert(matterCertToDer(cert)), tlv));
      },
    ),
    { numRuns: 300 },
  );
});

test("encodeMatterCert writes exactly what the generic TLV encoder makes of matterCertTlvNode", () => {
  const base = vectorFields("Node02_02");
  const anyString = fc.string({ unit: "binary", minLength: 1, maxLength: 20 });
  const anyAttr: fc.Arbitrary<DnAttribute> = fc.oneof(
    fc.record({ type: fc.constant("commonName" as const), value: anyString, printable: fc.constant(false) }),
    fc.record({ type: fc.constant("matterNodeId" as const), value: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
    fc.record({ type: fc.constant("matterCaseAuthTag" as const), value: fc.integer({ min: 0, max: 0xffffffff }) }),
    attr,
  );
  fc.assert(
    fc.property(
      fc.array(anyAttr, { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      (subject, notAfter, serialNumber) => {
        const f = { ...base, subject, notAfter, serialNumber };
        assert.equal(toHex(encodeMatterCert(f)), toHex(encodeTlv(matterCertTlvNode(f))));
      },
    ),
    { numRuns: 500 },
  );
  assert.throws(() => encodeMatterCert({ ...base, notAfter: -1 }), RangeError);
  assert.throws(() => encodeMatterCert({ ...base, notAfter: 1.5 }), RangeError);
  assert.throws(() => encodeMatterCert({ ...base, subject: [{ type: "matterNodeId", value: 2n ** 64n }] }), RangeError);
  assert.throws(
    () => encodeMatterCert({ ...base, subject: [{ type: "commonName", value: "\ud800", printable: false }] }),
    RangeError,
  );
});
