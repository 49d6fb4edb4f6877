// Audit of issue 2 item 5: the firmware-signing and network-identity certificate kinds, and future (unknown)
// extensions, convert TLV -> X.509 DER -> TLV byte-exact, with the kind, the DN attribute and the extension bytes kept.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesEqual, fromHex, toHex } from "../../src/bytes/bytes.ts";
import { decodeMatterCert } from "../../src/cert/matter-cert-decode.ts";
import { derToMatterCert, matterCertFromDer } from "../../src/cert/matter-cert-from-x509.ts";
import { matterCertToDer, tbsDer } from "../../src/cert/matter-cert-to-x509.ts";
import { encodeX509Extension } from "../../src/cert/x509.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { OID } from "../../src/der/oids.ts";
import { type Fields, sign, vectorFields, vectorKey } from "./cert-builder.ts";

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack).indexOf(Buffer.from(needle)) >= 0;
}

/** Converts both ways and checks every byte survives. */
function roundTrip(tlv: Uint8Array): Uint8Array {
  const der = matterCertToDer(tlv);
  assert.ok(bytesEqual(derToMatterCert(der), tlv), "DER -> TLV reproduces the TLV");
  assert.ok(bytesEqual(matterCertToDer(matterCertFromDer(der)), der), "TLV -> DER reproduces the DER");
  return der;
}

test("firmware-signing kind: subject FirmwareSigningId converts both ways byte-exact and keeps its OID and hex text", () => {
  const f: Fields = vectorFields("Node01_01");
  f.subject = [
    { type: "matterFirmwareSigningId", value: 0xf1f2f3f4f5f6f7f8n },
    { type: "commonName", value: "fw signer", printable: true },
  ];
  const tlv = sign(f, vectorKey("ICA01"));
  const cert = decodeMatterCert(tlv);
  assert.equal(cert.kind, "firmware-signing");
  const der = roundTrip(tlv);
  // 1.3.6.1.4.1.37244.1.2 followed by the id as 16 uppercase hex digits in a UTF8String.
  assert.ok(contains(der, fromHex("060a2b0601040182a27c0102")));
  assert.ok(contains(der, Uint8Array.of(0x0c, 16, ...Buffer.from("F1F2F3F4F5F6F7F8", "ascii"))));
  // PrintableString (tag 0x13) kept for the common name.
  assert.ok(contains(der, Uint8Array.of(0x13, 9, ...Buffer.from("fw signer", "ascii"))));
  // The signature still verifies over the TBS rebuilt from the TLV.
  assert.ok(nodeCrypto.ecdsaVerify(vectorKey("ICA01").publicKey, tbsDer(cert), cert.signature));
});

test("a subject with non-ASCII text, CATs and a node id above 2^63 converts both ways byte-exact, each as its X.509 text", () => {
  const f: Fields = vectorFields("Node01_01");
  const nodeId = 0xfffffffe_0000_00a1n;
  f.subject = [
    { type: "matterNodeId", value: nodeId },
    { type: "matterFabricId", value: 0x1dn },
    { type: "matterCaseAuthTag", value: 0xabcd_0001 },
    { type: "matterCaseAuthTag", value: 0x0000_000f },
    { type: "commonName", value: "Küche ☕", printable: false },
  ];
  const tlv = sign(f, vectorKey("ICA01"));
  const cert = decodeMatterCert(tlv);
  const der = roundTrip(tlv);
  assert.ok(contains(der, Uint8Array.of(0x0c, 16, ...Buffer.from("FFFFFFFE000000A1", "ascii"))), "node id");
  assert.ok(contains(der, Uint8Array.of(0x0c, 16, ...Buffer.from("000000000000001D", "ascii"))), "fabric id");
  assert.ok(contains(der, Uint8Array.of(0x0c, 8, ...Buffer.from("ABCD0001", "ascii"))), "first CAT");
  assert.ok(contains(der, Uint8Array.of(0x0c, 8, ...Buffer.from("0000000F", "ascii"))), "second CAT");
  const cn = Buffer.from("Küche ☕", "utf8");
  assert.ok(contains(der, Uint8Array.of(0x0c, cn.length, ...cn)), "common name as UTF-8 bytes with their length");
  assert.ok(nodeCrypto.ecdsaVerify(vectorKey("ICA01").publicKey, tbsDer(cert), cert.signature));
});

test("a TBS is not built from a Matter id beyond 64 bits or a CAT beyond 32 bits (no truncated hex text)", () => {
  const f: Fields = vectorFields("Node01_01");
  f.subject = [{ type: "matterNodeId", value: 1n << 64n }];
  assert.throws(() => tbsDer(f), RangeError);
  f.subject = [{ type: "matterCaseAuthTag", value: 2 ** 32 }];
  assert.throws(() => tbsDer(f), RangeError);
});

test("network-identity kind: a self-signed CN=* certificate converts both ways byte-exact", () => {
  const f: Fields = vectorFields("Root01");
  f.subject = [{ type: "commonName", value: "*", printable: false }];
  f.issuer = f.subject;
  const tlv = sign(f, vectorKey("Root01"));
  const cert = decodeMatterCert(tlv);
  assert.equal(cert.kind, "network-identity");
  const der = roundTrip(tlv);
  assert.ok(contains(der, fromHex("300c310a300806035504030c012a")), "subject CN=* as a UTF8String");
});

test("future extensions (critical and not, several, in their place) are kept verbatim both ways", () => {
  const f: Fields = vectorFields("Node01_01");
  const san = encodeX509Extension(OID.subjectAltName, false, fromHex("30068204612e6263"));
  const policy = encodeX509Extension("2.5.29.32", true, fromHex("3006300406022a03"));
  // A future extension between native ones, and another at the end: order is significant for the signature.
  const native = f.extensions;
  f.extensions = [native[0]!, { type: "future", der: san }, ...native.slice(1), { type: "future", der: policy }];
  const tlv = sign(f, vectorKey("ICA01"));
  const cert = decodeMatterCert(tlv);
  assert.deepEqual(
    cert.futureExtensions.map((e) => [e.oid, e.critical]),
    [
      [OID.subjectAltName, false],
      ["2.5.29.32", true],
    ],
  );
  const der = roundTrip(tlv);
  const at = (x: Uint8Array) => Buffer.from(der).indexOf(Buffer.from(x));
  assert.ok(at(san) > 0 && at(policy) > at(san), "both extensions present, in TLV order");
  assert.equal(toHex(decodeMatterCert(derToMatterCert(der)).futureExtensions[1]!.der), toHex(policy));
});
