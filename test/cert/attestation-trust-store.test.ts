// Attestation trust stores: the development store's public test anchors, the built-in CSA CD signers (checked against
// the CSA root and the SDK's key ids), and production stores loaded from PEM/DER PAA directories.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fromBase64, fromHex, toHex } from "../../src/bytes/bytes.ts";
import { MalformedError, ValidationError } from "../../src/bytes/errors.ts";
import { generateDac, generatePaa, generatePai } from "../../src/cert/attestation-cert.ts";
import {
  CSA_CD_ROOT_CERT,
  CSA_CD_SIGNING_CERTS,
  developmentTrustStore,
  isTestCdSignerKeyId,
  isTestPaaKeyId,
  loadPaaTrustStore,
} from "../../src/cert/attestation-trust-store.ts";
import { parseX509 } from "../../src/cert/x509.ts";
import { derToRawSignature } from "../../src/crypto/ecdsa-signature.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { P256PublicKey } from "../../src/crypto/p256.ts";

const root = mkdtempSync(join(tmpdir(), "opcreds-trust-"));
after(() => rmSync(root, { recursive: true, force: true }));
const VECTORS = join(import.meta.dirname, "..", "vectors", "attestation");

const toPem = (der: Uint8Array) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE-----\n`;
const spec = { notBefore: new Date("2024-01-01T00:00:00Z"), notAfter: new Date("2044-01-01T00:00:00Z") };

function newPaa(commonName: string) {
  const key = nodeCrypto.generateKeyPair();
  const der = generatePaa(nodeCrypto, key, { ...spec, commonName });
  return { der, key };
}

test("development store: the four public test PAAs, all marked test, found by SKID", () => {
  const store = developmentTrustStore();
  assert.equal(store.kind, "development");
  assert.equal(store.isDevelopment, true);
  assert.equal(store.paas.length, 4);
  assert.ok(store.paas.every((p) => p.test));
  const expected = {
    FA92CF095EFA42E11430651632FEFE1B2C77A7C8: "Chip-Development-PAA-Cert.pem",
    "6AFD22771F511FECBF1641976710DCDC31A1717E": "Chip-Test-PAA-FFF1-Cert.pem",
    E2AEC49DF9EA9F32EC2C6CE3F07B5AA4A89801EB: "Chip-Test-PAA-FFF2-Cert.pem",
    "785CE705B86B8F4E6FC793AA60CB43EA696882D5": "Chip-Test-PAA-NoVID-Cert.pem",
  };
  for (const [skid, source] of Object.entries(expected)) {
    assert.equal(store.findPaa(fromHex(skid))?.source, source);
    assert.equal(isTestPaaKeyId(fromHex(skid)), true);
  }
  assert.equal(store.findPaa(new Uint8Array(20)), undefined);
  assert.equal(isTestPaaKeyId(new Uint8Array(20)), false);
});

test("development store: the test CD signer (62FA8233…7160) and the five CSA CD signers, with the SDK's key ids", () => {
  const store = developmentTrustStore();
  const testKid = fromHex("62FA823359ACFAA9963E1CFA140ADDF504F37160");
  assert.equal(store.findCdSigner(testKid)?.test, true);
  assert.equal(isTestCdSignerKeyId(testKid), true);
  // Key ids of gCdSigningKey001..005 in connectedhomeip DefaultDeviceAttestationVerifier.cpp.
  const csaKids = [
    "FE343F959947763B61EE4539131338494FE67D8E",
    "DD04DB585B214C1C581587E6568DF487B6DDC701",
    "471035E7C04EAAA8BE7C4D4C13E3E4C20995A84B",
    "F68603A3692E981072419EA1E1AB3854BD7795D3",
    "637F2634AD62EAFE6AF662EFB96F6FD2FCBFFC2F",
  ].map((k) => fromHex(k));
  for (const kid of csaKids) {
    const s = store.findCdSigner(kid);
    assert.ok(s !== undefined, toHex(kid));
    assert.equal(s.test, false);
    assert.equal(isTestCdSignerKeyId(kid), false);
  }
  assert.equal(store.cdSigners.length, 6);
});

test("the built-in CSA CD signing certificates are signed by the CSA Matter Certification and Testing CA", () => {
  const csaRoot = parseX509(fromBase64(CSA_CD_ROOT_CERT));
  const rootKey = P256PublicKey.fromRaw(csaRoot.publicKey);
  assert.equal(CSA_CD_SIGNING_CERTS.length, 5);
  for (const c of CSA_CD_SIGNING_CERTS) {
    const x = parseX509(fromBase64(c.der));
    assert.deepEqual(x.issuerRaw, csaRoot.subjectRaw, c.name);
    assert.equal(nodeCrypto.ecdsaVerify(rootKey, x.tbsRaw, derToRawSignature(x.signature)), true, c.name);
  }
});

test("loadPaaTrustStore: PEM and DER files load into a production store; the same PAA in both forms is one entry", async () => {
  const dir = join(root, "pem-der");
  mkdirSync(dir);
  const a = newPaa("PAA A");
  const b = newPaa("PAA B");
  writeFileSync(join(dir, "a.pem"), toPem(a.der));
  writeFileSync(join(dir, "a.der"), a.der);
  writeFileSync(join(dir, "b.DER"), b.der);
  writeFileSync(join(dir, "README.md"), "not a certificate, ignored by extension");
  const store = await loadPaaTrustStore([dir]);
  assert.equal(store.kind, "production");
  assert.equal(store.isDevelopment, false);
  assert.equal(store.paas.length, 2);
  for (const { der } of [a, b]) {
    const skid = parseSkid(der);
    const p = store.findPaa(skid);
    assert.ok(p !== undefined);
    assert.deepEqual(p.der, der);
    assert.equal(p.test, false);
  }
  // Production stores know the CSA signers and the test signer (to refuse it by name), not more.
  assert.equal(store.cdSigners.length, 6);
});

function parseSkid(der: Uint8Array): Uint8Array {
  const x = parseX509(der);
  const ext = x.extensions.find((e) => e.oid === "2.5.29.14")!;
  return ext.value.subarray(2);
}

test("loadPaaTrustStore: several directories, and a public test PAA in them is marked test", async () => {
  const d1 = join(root, "multi-1");
  const d2 = join(root, "multi-2");
  mkdirSync(d1);
  mkdirSync(d2);
  const a = newPaa("PAA multi");
  writeFileSync(join(d1, "a.crt"), toPem(a.der));
  writeFileSync(join(d2, "dev.pem"), readFileSync(join(VECTORS, "Chip-Development-PAA-Cert.pem")));
  const store = await loadPaaTrustStore([d1, d2]);
  assert.equal(store.paas.length, 2);
  assert.equal(store.findPaa(fromHex("FA92CF095EFA42E11430651632FEFE1B2C77A7C8"))?.test, true);
  assert.equal(store.findPaa(parseSkid(a.der))?.test, false);
});

test("loadPaaTrustStore: a file that is neither PEM nor DER is a MalformedError naming the file", async () => {
  const dir = join(root, "garbage");
  mkdirSync(dir);
  writeFileSync(join(dir, "bad.pem"), "hello, not a certificate\n");
  await assert.rejects(
    loadPaaTrustStore([dir]),
    (err: unknown) =>
      err instanceof MalformedError && err.code === "trust-store.file" && err.message.includes(join(dir, "bad.pem")),
  );
  const keyOnly = join(root, "key-only");
  mkdirSync(keyOnly);
  writeFileSync(join(keyOnly, "key.pem"), readFileSync(join(VECTORS, "Chip-Development-PAA-Key.pem")));
  await assert.rejects(loadPaaTrustStore([keyOnly]), { code: "trust-store.file" });
  const truncated = join(root, "truncated");
  mkdirSync(truncated);
  writeFileSync(join(truncated, "t.der"), newPaa("T").der.subarray(0, 100));
  await assert.rejects(
    loadPaaTrustStore([truncated]),
    (err: unknown) => err instanceof MalformedError && err.message.includes(join(truncated, "t.der")),
  );
});

test("loadPaaTrustStore: a certificate that is not a PAA (a PAI) is a ValidationError naming the file", async () => {
  const dir = join(root, "not-paa");
  mkdirSync(dir);
  const paa = newPaa("PAA for PAI");
  const pai = generatePai(
    nodeCrypto,
    nodeCrypto.generateKeyPair().publicKey,
    { cert: paa.der, key: paa.key },
    {
      ...spec,
      commonName: "PAI",
      vendorId: 0xfff1,
    },
  );
  writeFileSync(join(dir, "pai.der"), pai);
  await assert.rejects(
    loadPaaTrustStore([dir]),
    (err: unknown) => err instanceof ValidationError && err.rule === "paa.path-len" && err.message.includes("pai.der"),
  );
  // generateDac is the same story: a DAC is no trust anchor.
  const dac = generateDac(
    nodeCrypto,
    nodeCrypto.generateKeyPair().publicKey,
    { cert: pai, key: paa.key },
    {
      ...spec,
      commonName: "DAC",
      vendorId: 0xfff1,
      productId: 0x8000,
    },
  );
  writeFileSync(join(dir, "pai.der"), dac);
  await assert.rejects(
    loadPaaTrustStore([dir]),
    (err: unknown) => err instanceof ValidationError && err.rule === "paa.ca",
  );
});

test("loadPaaTrustStore: an empty or missing directory is a clear error", async () => {
  const empty = join(root, "empty");
  mkdirSync(empty);
  writeFileSync(join(empty, "notes.txt"), "no certificates here");
  await assert.rejects(loadPaaTrustStore([empty]), { code: "trust-store.empty" });
  await assert.rejects(
    loadPaaTrustStore([join(root, "missing")]),
    (err: unknown) =>
      err instanceof MalformedError && err.code === "trust-store.directory" && /ENOENT/.test(err.message),
  );
  await assert.rejects(loadPaaTrustStore([join(empty, "notes.txt")]), /not a directory/);
  await assert.rejects(loadPaaTrustStore([]), RangeError);
});
