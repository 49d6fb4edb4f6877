// Device attestation verification (commissioner side): a development device end to end, then one test per rule a
// device can break (untrusted PAA, nonce, signature, CD vs BasicInformation, revocation, production-store refusals),
// and the connectedhomeip revocation vectors through the whole verifier.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fromHex, toBase64, toHex } from "../../src/bytes/bytes.ts";
import { generateDac, generatePaa, generatePai } from "../../src/cert/attestation-cert.ts";
import { encodeAttestationElements } from "../../src/cert/attestation-elements.ts";
import {
  DEV_CERTIFICATION_DECLARATION,
  openDevAttestationProvider,
  type StaticAttestationProvider,
} from "../../src/cert/attestation-provider.ts";
import {
  AttestationTrustStore,
  developmentTrustStore,
  loadPaaTrustStore,
  productionTrustStore,
} from "../../src/cert/attestation-trust-store.ts";
import {
  type CertificationDeclaration,
  signCertificationDeclaration,
} from "../../src/cert/certification-declaration.ts";
import {
  AttestationError,
  type DeviceAttestationInput,
  type DeviceAttestationOptions,
  verifyDeviceAttestation,
} from "../../src/cert/device-attestation-verifier.ts";
import { parseRevocationSet } from "../../src/cert/revocation-set.ts";
import { parseX509 } from "../../src/cert/x509.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { P256PrivateKey } from "../../src/crypto/p256.ts";

const root = mkdtempSync(join(tmpdir(), "opcreds-dav-"));
after(() => rmSync(root, { recursive: true, force: true }));
const VECTORS = join(import.meta.dirname, "..", "vectors");
const pemDer = (path: string) =>
  new Uint8Array(
    Buffer.from(
      readFileSync(path, "utf8")
        .replace(/-----[^-]+-----/g, "")
        .replace(/\s+/g, ""),
      "base64",
    ),
  );
const devPaa = pemDer(join(VECTORS, "attestation", "Chip-Development-PAA-Cert.pem"));
const devPaaKey = P256PrivateKey.fromPem(
  readFileSync(join(VECTORS, "attestation", "Chip-Development-PAA-Key.pem"), "utf8"),
);
const testCdKey = P256PrivateKey.fromPem(
  readFileSync(join(VECTORS, "attestation", "Chip-Test-CD-Signing-Key.pem"), "utf8"),
);
const TEST_CD_KID = fromHex("62FA823359ACFAA9963E1CFA140ADDF504F37160");
const notBefore = new Date("2025-01-01T00:00:00Z");
const now = new Date("2025-06-01T00:00:00Z");
const spec = { notBefore, notAfter: new Date("2045-01-01T00:00:00Z") };

let counter = 0;
async function devDevice(cd?: CertificationDeclaration): Promise<StaticAttestationProvider> {
  return openDevAttestationProvider(nodeCrypto, join(root, `dev-${counter++}`), {
    notBefore,
    ...(cd !== undefined ? { certificationDeclaration: cd } : {}),
  });
}

/** What a commissioner collects: the device's AttestationResponse to a fresh nonce on a session challenge. */
function attestationOf(device: { cd: Uint8Array; signWithDac(d: Uint8Array[]): Uint8Array }) {
  const nonce = nodeCrypto.randomBytes(32);
  const challenge = nodeCrypto.randomBytes(16);
  const elements = encodeAttestationElements({
    certificationDeclaration: device.cd,
    attestationNonce: nonce,
    timestamp: 0,
    vendorReserved: [],
  });
  return { elements, signature: device.signWithDac([elements, challenge]), nonce, challenge };
}

function inputOf(
  device: StaticAttestationProvider,
  extra: Partial<DeviceAttestationInput> = {},
): DeviceAttestationInput {
  return {
    dac: device.dac,
    pai: device.pai,
    attestation: attestationOf(device),
    vendorId: 0xfff1,
    productId: 0x8000,
    ...extra,
  };
}

function fails(input: DeviceAttestationInput, options: DeviceAttestationOptions, rule: string, message?: RegExp): void {
  assert.throws(
    () => verifyDeviceAttestation(nodeCrypto, input, options),
    (err: unknown) => {
      assert.ok(err instanceof AttestationError, `not an AttestationError: ${String(err)}`);
      assert.equal(err.rule, rule, err.message);
      assert.ok(err.message.startsWith(`${rule}: `), err.message);
      assert.ok(!err.message.includes("\n"), "one line");
      if (message !== undefined) assert.match(err.message, message);
      return true;
    },
  );
}

const dev = () => ({ trust: developmentTrustStore(), now });

test("a development device passes with the development store: VID/PID, PAA, CD and warnings", async () => {
  const device = await devDevice();
  const r = verifyDeviceAttestation(nodeCrypto, inputOf(device), dev());
  assert.equal(r.vendorId, 0xfff1);
  assert.equal(r.productId, 0x8000);
  assert.equal(toHex(r.paaSubjectKeyId).toUpperCase(), "FA92CF095EFA42E11430651632FEFE1B2C77A7C8");
  assert.equal(r.testPaa, true);
  assert.equal(r.certificationType, 0);
  assert.deepEqual(r.cd.productIds, [0x8000]);
  assert.ok(r.warnings.some((w) => /no revocation set/.test(w)));
  assert.ok(r.warnings.some((w) => /test CD signer/.test(w)));
  // Offline, with the CD file instead of an AttestationResponse.
  const offline = verifyDeviceAttestation(nodeCrypto, { dac: device.dac, pai: device.pai, cd: device.cd }, dev());
  assert.equal(offline.vendorId, 0xfff1);
  assert.ok(offline.warnings.some((w) => /BasicInformation VendorID\/ProductID not given/.test(w)));
});

test("a chain under a PAA the store does not hold: paa.not-trusted naming the PAI's AKID", async () => {
  const paaKey = nodeCrypto.generateKeyPair();
  const paa = generatePaa(nodeCrypto, paaKey, { ...spec, commonName: "Unknown PAA" });
  const paiKey = nodeCrypto.generateKeyPair();
  const pai = generatePai(
    nodeCrypto,
    paiKey.publicKey,
    { cert: paa, key: paaKey },
    { ...spec, commonName: "PAI", vendorId: 0xfff1 },
  );
  const dacKey = nodeCrypto.generateKeyPair();
  const dac = generateDac(
    nodeCrypto,
    dacKey.publicKey,
    { cert: pai, key: paiKey },
    {
      ...spec,
      commonName: "DAC",
      vendorId: 0xfff1,
      productId: 0x8000,
    },
  );
  const akid = toHex(parseSkidOf(paa)).toUpperCase();
  const device = await devDevice();
  fails({ ...inputOf(device), dac, pai }, dev(), "paa.not-trusted", new RegExp(`PAA not trusted \\(AKID ${akid}\\)`));
});

function parseSkidOf(der: Uint8Array): Uint8Array {
  return parseX509(der)
    .extensions.find((e) => e.oid === "2.5.29.14")!
    .value.subarray(2);
}

test("an AttestationResponse to another nonce: attestation.nonce-mismatch", async () => {
  const device = await devDevice();
  const input = inputOf(device);
  const other = { ...input.attestation!, nonce: nodeCrypto.randomBytes(32) };
  fails({ ...input, attestation: other }, dev(), "attestation.nonce-mismatch", /is not the nonce sent/);
});

test("a bad AttestationSignature: attestation.signature; a wrong length: attestation.signature-format", async () => {
  const device = await devDevice();
  const input = inputOf(device);
  const sig = Uint8Array.from(input.attestation!.signature);
  sig[10]! ^= 1;
  fails({ ...input, attestation: { ...input.attestation!, signature: sig } }, dev(), "attestation.signature");
  // Signed over another challenge (another session) is the same failure.
  fails(
    { ...input, attestation: { ...input.attestation!, challenge: nodeCrypto.randomBytes(16) } },
    dev(),
    "attestation.signature",
  );
  fails(
    { ...input, attestation: { ...input.attestation!, signature: sig.subarray(0, 63) } },
    dev(),
    "attestation.signature-format",
  );
  const junk = Uint8Array.of(0x15, 0x18);
  fails({ ...input, attestation: { ...input.attestation!, elements: junk } }, dev(), "attestation.elements-malformed");
});

test("a CD whose vendor_id is not BasicInformation.VendorID: cd.vendor-id; ProductID not listed: cd.product-id", async () => {
  const device = await devDevice();
  fails(inputOf(device, { vendorId: 0xfff2 }), dev(), "cd.vendor-id", /0xFFF2/);
  fails(inputOf(device, { productId: 0x8001 }), dev(), "cd.product-id", /0x8001/);
  // A CD for another vendor than the DAC's.
  const foreign = await devDevice({ ...DEV_CERTIFICATION_DECLARATION, vendorId: 0xfff2 });
  fails(inputOf(foreign, { vendorId: 0xfff2 }), dev(), "cd.dac-vendor-id");
});

function revocationEntry(issuer: Uint8Array, serials: Uint8Array[]) {
  const x = parseX509(issuer);
  return {
    type: "revocation_set",
    issuer_subject_key_id: toHex(parseSkidOf(issuer)).toUpperCase(),
    issuer_name: toBase64(x.subjectRaw),
    revoked_serial_numbers: serials.map((s) => toHex(s).toUpperCase()),
    crl_signer_cert: toBase64(issuer),
  };
}

test("a revoked DAC (listed by its PAI) and a revoked PAI (listed by the PAA): revocation.dac, revocation.pai", async () => {
  const device = await devDevice();
  const dacSerial = parseX509(device.dac).serial;
  const paiSerial = parseX509(device.pai).serial;
  const dacSet = parseRevocationSet(JSON.stringify([revocationEntry(device.pai, [dacSerial])]));
  const paiSet = parseRevocationSet(JSON.stringify([revocationEntry(devPaa, [paiSerial])]));
  const bothSet = parseRevocationSet(
    JSON.stringify([revocationEntry(device.pai, [dacSerial]), revocationEntry(devPaa, [paiSerial])]),
  );
  const serialHex = toHex(dacSerial).toUpperCase();
  fails(inputOf(device), { ...dev(), revocation: dacSet }, "revocation.dac", new RegExp(serialHex));
  fails(inputOf(device), { ...dev(), revocation: paiSet }, "revocation.pai");
  fails(inputOf(device), { ...dev(), revocation: bothSet }, "revocation.pai-and-dac");
  // Another device's serial revokes nothing here.
  const other = await devDevice();
  const r = verifyDeviceAttestation(nodeCrypto, inputOf(other), { ...dev(), revocation: dacSet });
  assert.ok(!r.warnings.some((w) => /revocation/.test(w)));
});

test("connectedhomeip revocation vectors through the verifier (CD offline, Test PAA FFF1, PID 0x8001)", () => {
  const dir = join(VECTORS, "revocation");
  const load = (name: string) => {
    const j = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8"));
    return {
      dac: fromHex(j.dac_cert),
      pai: fromHex(j.pai_cert),
      cd: fromHex(j.certification_declaration),
      vendorId: 0xfff1,
      productId: j.basic_info_pid as number,
    };
  };
  const set = (name: string) => parseRevocationSet(readFileSync(join(dir, `${name}.json`), "utf8"), name);
  fails(load("revoked-dac-01"), { ...dev(), revocation: set("revocation-set") }, "revocation.dac", /19367D978EAC533A/);
  fails(
    load("revoked-pai"),
    { ...dev(), revocation: set("revocation-set-for-paa") },
    "revocation.pai",
    /302664392B8A3F2A/,
  );
  fails(load("revoked-dac-and-pai"), { ...dev(), revocation: set("revocation-set") }, "revocation.pai-and-dac");
  const ok = verifyDeviceAttestation(nodeCrypto, load("revoked-dac-01"), {
    ...dev(),
    revocation: set("revocation-set-for-paa"),
  });
  assert.equal(ok.productId, 0x8001);
  assert.equal(toHex(ok.paaSubjectKeyId).toUpperCase(), "6AFD22771F511FECBF1641976710DCDC31A1717E");
});

test("a production store refuses a public test PAA, whether or not its directory holds one", async () => {
  const device = await devDevice();
  const dir = join(root, "prod-with-dev-paa");
  mkdirSync(dir);
  writeFileSync(join(dir, "dev.der"), devPaa);
  const withDev = await loadPaaTrustStore([dir]);
  fails(inputOf(device), { trust: withDev, now }, "paa.test-in-production", /FA92CF09/);
  const other = productionTrustStore([
    { der: generatePaa(nodeCrypto, nodeCrypto.generateKeyPair(), { ...spec, commonName: "Other" }), source: "o" },
  ]);
  fails(inputOf(device), { trust: other, now }, "paa.test-in-production");
});

/** A device under a freshly generated (non-test) PAA, with a CD signed by `cdKey` named by `cdKid`. */
function productionDevice(cd: CertificationDeclaration, cdKid: Uint8Array, cdKey: P256PrivateKey) {
  const paaKey = nodeCrypto.generateKeyPair();
  const paa = generatePaa(nodeCrypto, paaKey, { ...spec, commonName: "Vendor PAA" });
  const paiKey = nodeCrypto.generateKeyPair();
  const pai = generatePai(
    nodeCrypto,
    paiKey.publicKey,
    { cert: paa, key: paaKey },
    { ...spec, commonName: "PAI", vendorId: 0xfff1 },
  );
  const dacKey = nodeCrypto.generateKeyPair();
  const dac = generateDac(
    nodeCrypto,
    dacKey.publicKey,
    { cert: pai, key: paiKey },
    {
      ...spec,
      commonName: "DAC",
      vendorId: 0xfff1,
      productId: 0x8000,
    },
  );
  const cms = signCertificationDeclaration(nodeCrypto, cd, cdKid, cdKey);
  const device = { cd: cms, signWithDac: (d: Uint8Array[]) => nodeCrypto.ecdsaSign(dacKey, d) };
  const input: DeviceAttestationInput = {
    dac,
    pai,
    attestation: attestationOf(device),
    vendorId: 0xfff1,
    productId: 0x8000,
  };
  return { paa, input };
}

test("a production store refuses a CD signed by the test CD signer: cd.test-signer-in-production", async () => {
  const { paa, input } = productionDevice(
    { ...DEV_CERTIFICATION_DECLARATION, certificationType: 2 },
    TEST_CD_KID,
    testCdKey,
  );
  fails(input, { trust: productionTrustStore([{ der: paa, source: "vendor" }]), now }, "cd.test-signer-in-production");
});

test("certification type against the signer: test signer only for type 0; production refuses type 0 of any signer", () => {
  // Development store, test signer, certification_type 2 (official): refused as the SDK does.
  const official = { ...DEV_CERTIFICATION_DECLARATION, certificationType: 2 };
  const dev1 = productionDevice(official, TEST_CD_KID, testCdKey);
  const devStore = new AttestationTrustStore(
    "development",
    productionTrustStore([{ der: dev1.paa, source: "vendor" }]).paas,
    developmentTrustStore().cdSigners,
  );
  fails(dev1.input, { trust: devStore, now }, "cd.test-signer-certification-type", /certification_type 2/);

  // A production store with a (stand-in) production CD signer: type 0 refused, type 2 accepted.
  const signerKey = nodeCrypto.generateKeyPair();
  const signerKid = nodeCrypto.randomBytes(20);
  const signer = { subjectKeyId: signerKid, publicKey: signerKey.publicKey, test: false, name: "stand-in CSA signer" };
  const type0 = productionDevice(DEV_CERTIFICATION_DECLARATION, signerKid, signerKey);
  const prod0 = new AttestationTrustStore(
    "production",
    productionTrustStore([{ der: type0.paa, source: "vendor" }]).paas,
    [signer],
  );
  fails(type0.input, { trust: prod0, now }, "cd.development-type-in-production");
  const type2 = productionDevice(official, signerKid, signerKey);
  const prod2 = new AttestationTrustStore(
    "production",
    productionTrustStore([{ der: type2.paa, source: "vendor" }]).paas,
    [signer],
  );
  const r = verifyDeviceAttestation(nodeCrypto, type2.input, { trust: prod2, now });
  assert.equal(r.certificationType, 2);
  assert.equal(r.testPaa, false);
  assert.ok(!r.warnings.some((w) => /test/.test(w)), r.warnings.join("; "));
  // An unknown signer key id: cd.signer-not-trusted.
  const unknown = productionDevice(official, nodeCrypto.randomBytes(20), signerKey);
  const prodU = new AttestationTrustStore(
    "production",
    productionTrustStore([{ der: unknown.paa, source: "vendor" }]).paas,
    [signer],
  );
  fails(unknown.input, { trust: prodU, now }, "cd.signer-not-trusted");
  // The right key id with another key: cd.signature.
  const forged = productionDevice(official, signerKid, nodeCrypto.generateKeyPair());
  const prodF = new AttestationTrustStore(
    "production",
    productionTrustStore([{ der: forged.paa, source: "vendor" }]).paas,
    [signer],
  );
  fails(forged.input, { trust: prodF, now }, "cd.signature");
});

test("the DAC against the current time: dac.expired outside its validity; without a time, a warning", async () => {
  const device = await devDevice();
  fails(inputOf(device), { trust: developmentTrustStore(), now: new Date("2024-06-01T00:00:00Z") }, "dac.expired");
  const r = verifyDeviceAttestation(nodeCrypto, inputOf(device), { trust: developmentTrustStore() });
  assert.ok(r.warnings.some((w) => /current time/.test(w)));
});

test("a chain rule broken (DAC signed by another PAI key): the chain's rule id, as an AttestationError", async () => {
  const device = await devDevice();
  const otherPaiKey = nodeCrypto.generateKeyPair();
  const dac = generateDac(
    nodeCrypto,
    nodeCrypto.generateKeyPair().publicKey,
    { cert: device.pai, key: otherPaiKey },
    {
      ...spec,
      commonName: "DAC",
      vendorId: 0xfff1,
      productId: 0x8000,
    },
  );
  assert.throws(
    () => verifyDeviceAttestation(nodeCrypto, { ...inputOf(device), dac }, dev()),
    (err: unknown) =>
      err instanceof AttestationError && err.rule === "dac.signature" && err.result === "kDacSignatureInvalid",
  );
  // A PAI signed by the Development PAA for another vendor than the DAC's.
  const paiKey = nodeCrypto.generateKeyPair();
  const pai = generatePai(
    nodeCrypto,
    paiKey.publicKey,
    { cert: devPaa, key: devPaaKey },
    { ...spec, commonName: "PAI", vendorId: 0xfff2 },
  );
  const dac2 = generateDac(
    nodeCrypto,
    nodeCrypto.generateKeyPair().publicKey,
    { cert: pai, key: paiKey },
    {
      ...spec,
      commonName: "DAC",
      vendorId: 0xfff1,
      productId: 0x8000,
    },
  );
  fails({ ...inputOf(device), dac: dac2, pai }, dev(), "chain.vid-mismatch");
});

test("API misuse is TypeError/RangeError, not an attestation failure", async () => {
  const device = await devDevice();
  const input = inputOf(device);
  assert.throws(() => verifyDeviceAttestation(nodeCrypto, { ...input, cd: device.cd }, dev()), TypeError);
  assert.throws(() => verifyDeviceAttestation(nodeCrypto, { dac: device.dac, pai: device.pai }, dev()), TypeError);
  assert.throws(
    () =>
      verifyDeviceAttestation(
        nodeCrypto,
        { ...input, attestation: { ...input.attestation!, nonce: new Uint8Array(16) } },
        dev(),
      ),
    RangeError,
  );
  fails({ ...input, pai: new Uint8Array(0) }, dev(), "attestation.pai-missing");
});
