// DER -> TLV import without a rebuild: every DER the strict parse accepts converts back to the very same bytes, and
// what the former byte-exact rebuild caught is rejected by the parse itself (see matterCertFromDer).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { toHex } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import { DN_ATTRIBUTE_TYPES } from "../../src/cert/dn.ts";
import { matterCertFromDer } from "../../src/cert/matter-cert-from-x509.ts";
import { matterCertToDer } from "../../src/cert/matter-cert-to-x509.ts";
import { assembleX509, encodeTbsCertificate, parseX509, type Rdn, type X509TbsFields } from "../../src/cert/x509.ts";
import { DerReader, DerTag } from "../../src/der/der-reader.ts";
import { derBitString, encodeDer } from "../../src/der/der-writer.ts";
import { OID } from "../../src/der/oids.ts";
import { derOf } from "./vectors.ts";

type MutableTbs = { -readonly [K in keyof X509TbsFields]: X509TbsFields[K] };

/** Node01_01 with `change` applied to its TBS fields, carrying the original (now non-matching) DER signature. */
function variant(change: (f: MutableTbs) => void, signature?: Uint8Array): Uint8Array {
  const x = parseX509(derOf("Node01_01"));
  const f: MutableTbs = {
    serial: x.serial,
    issuer: x.issuer,
    notBefore: { form: x.notBeforeForm, date: x.notBefore },
    notAfter: { form: x.notAfterForm, date: x.notAfter },
    subject: x.subject,
    publicKey: x.publicKey,
    extensions: x.extensions.map((e) => ({ oid: e.oid, critical: e.critical, value: e.value })),
  };
  change(f);
  return assembleX509(encodeTbsCertificate(f), signature ?? x.signature);
}

/** Either a MalformedError, or an import whose certificate converts back to exactly `der`; returns true if accepted. */
function importsExactlyOrRejects(der: Uint8Array): boolean {
  let cert: ReturnType<typeof matterCertFromDer>;
  try {
    cert = matterCertFromDer(der);
  } catch (e) {
    assert.ok(e instanceof MalformedError, String(e));
    return false;
  }
  assert.equal(toHex(matterCertToDer(cert)), toHex(der));
  return true;
}

function rejects(code: string, der: Uint8Array): void {
  assert.throws(
    () => matterCertFromDer(der),
    (e: unknown) => e instanceof MalformedError && e.code === code,
    `expected ${code}`,
  );
}

test("DN attribute OIDs and TLV tags are one-to-one (the DER -> TLV -> DER mapping of types is invertible)", () => {
  const entries = Object.values(DN_ATTRIBUTE_TYPES);
  assert.equal(new Set(entries.map((e) => e.oid)).size, entries.length);
  assert.equal(new Set(entries.map((e) => e.tag)).size, entries.length);
});

test("a UTF8String keeps a leading BOM, so a common name starting with U+FEFF imports and converts back exactly", () => {
  const r = new DerReader(Uint8Array.of(DerTag.utf8String, 4, 0xef, 0xbb, 0xbf, 0x41));
  assert.equal(r.utf8String("s"), "\uFEFFA");
  const der = variant((f) => {
    f.subject = [...(f.subject as readonly Rdn[]), { oid: OID.commonName, tag: DerTag.utf8String, value: "\uFEFFcn" }];
  });
  assert.ok(importsExactlyOrRejects(der));
  const cn = matterCertFromDer(der).subject.at(-1);
  assert.deepEqual(cn, { type: "commonName", value: "\uFEFFcn", printable: false });
});

test("what has no exact TLV form is rejected by the parse itself", () => {
  const lowerNodeId = variant((f) => {
    f.subject = (f.subject as readonly Rdn[]).map((a) =>
      a.oid === OID.matterNodeId ? { ...a, value: a.value.toLowerCase() } : a,
    );
  });
  rejects("cert.dn-matter-value", lowerNodeId);
  const generalized2030 = variant((f) => {
    f.notBefore = { form: "generalized", date: new Date(Date.UTC(2030, 0, 1)) };
  });
  rejects("cert.time-form", generalized2030);
  const paddedKeyUsage = variant((f) => {
    f.extensions = f.extensions.map((e) =>
      e instanceof Uint8Array || e.oid !== OID.keyUsage ? e : { ...e, value: derBitString(Uint8Array.of(0x80, 0), 7) },
    );
  });
  rejects("cert.key-usage", paddedKeyUsage);
  const explicitCaFalse = variant((f) => {
    f.extensions = f.extensions.map((e) =>
      e instanceof Uint8Array || e.oid !== OID.basicConstraints
        ? e
        : { ...e, value: encodeDer({ tag: DerTag.sequence, children: [Uint8Array.of(DerTag.boolean, 1, 0)] }) },
    );
  });
  rejects("cert.extension", explicitCaFalse);
  // r = 1 written with a redundant leading zero.
  const paddedSignature = Uint8Array.of(0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01);
  assert.throws(
    () => matterCertFromDer(variant(() => {}, paddedSignature)),
    (e: unknown) => e instanceof MalformedError,
  );
});

test("property: structurally varied DNs and validity times import to the very same DER or are MalformedError", () => {
  const hex = fc.stringMatching(/^[0-9A-Fa-f]{15,17}$/);
  const text = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9 '()+,\-./:=?]{0,6}$/),
    fc.string({ unit: "grapheme", maxLength: 6 }),
    fc.constantFrom("\uFEFF", "\uFEFFx", "a\uFEFF", "é"),
  );
  const rdn: fc.Arbitrary<Rdn> = fc.oneof(
    fc.record({
      oid: fc.constantFrom(OID.commonName, OID.organizationName, "2.5.4.99"),
      tag: fc.constantFrom(DerTag.utf8String, DerTag.printableString, DerTag.ia5String),
      value: text,
    }),
    fc.record({
      oid: fc.constant(OID.matterNodeId),
      tag: fc.constantFrom(DerTag.utf8String, DerTag.printableString),
      value: hex,
    }),
  );
  const time = fc.record({
    form: fc.constantFrom("utc" as const, "generalized" as const),
    date: fc
      .integer({ min: Date.UTC(1995, 0, 1) / 1000, max: Date.UTC(2140, 0, 1) / 1000 })
      .map((s) => new Date(s * 1000)),
  });
  let accepted = 0;
  fc.assert(
    fc.property(fc.array(rdn, { minLength: 1, maxLength: 3 }), time, time, (subject, notBefore, notAfter) => {
      let der: Uint8Array;
      try {
        der = variant((f) => {
          f.subject = [...(f.subject as readonly Rdn[]).slice(0, 1), ...subject];
          f.notBefore = notBefore;
          f.notAfter = notAfter;
        });
      } catch {
        return; // not writable as DER at all (e.g. a PrintableString outside its set, UTCTime beyond 2049)
      }
      if (importsExactlyOrRejects(der)) accepted++;
    }),
    { numRuns: 400 },
  );
  assert.ok(accepted > 0, "some variants are accepted");
});
