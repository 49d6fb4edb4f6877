// Attestation provider: development credentials generated once and reloaded, files and modes, loading from files.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fromBase64, toBase64 } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import { validateAttestationChain } from "../../src/cert/attestation-cert.ts";
import {
  decodeAttestationElements,
  encodeAttestationElements,
  verifyAttestationSignature,
} from "../../src/cert/attestation-elements.ts";
import {
  ATTESTATION_FILES,
  DEV_CERTIFICATION_DECLARATION,
  loadAttestationProvider,
  openDevAttestationProvider,
  StaticAttestationProvider,
} from "../../src/cert/attestation-provider.ts";
import {
  validateCertificationDeclaration,
  verifyCertificationDeclaration,
} from "../../src/cert/certification-declaration.ts";
import { parseX509 } from "../../src/cert/x509.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { P256PrivateKey, P256PublicKey } from "../../src/crypto/p256.ts";

const VECTORS = join(import.meta.dirname, "..", "vectors", "attestation");
const pemDer = (path: string) => fromBase64(readFileSync(path, "utf8").replace(/-----[^-]+-----/g, ""));
const devPaa = pemDer(join(VECTORS, "Chip-Development-PAA-Cert.pem"));
const cdSignerKey = P256PrivateKey.fromPem(readFileSync(join(VECTORS, "Chip-Test-CD-Signing-Key.pem"), "utf8"));

const root = mkdtempSync(join(tmpdir(), "opcreds-attestation-"));
after(() => rmSync(root, { recursive: true, force: true }));
const notBefore = new Date("2025-01-01T00:00:00Z");

test("first use generates PAI, DAC and CD under the Development PAA and stores them with safe modes", async () => {
  const dir = join(root, "dev");
  const p = await openDevAttestationProvider(nodeCrypto, dir, { notBefore });
  const chain = validateAttestationChain(nodeCrypto, { dac: p.dac, pai: p.pai, paa: devPaa });
  assert.equal(chain.vendorId, 0xfff1);
  assert.equal(chain.productId, 0x8000);
  assert.equal(chain.pai.productId, undefined);
  assert.equal(parseX509(p.dac).notBefore.getTime(), notBefore.getTime());

  const cd = verifyCertificationDeclaration(nodeCrypto, p.cd, cdSignerKey.publicKey);
  assert.deepEqual(cd, DEV_CERTIFICATION_DECLARATION);
  validateCertificationDeclaration(cd, {
    vendorId: 0xfff1,
    productId: 0x8000,
    dac: { vendorId: chain.vendorId, productId: chain.productId },
    pai: { vendorId: chain.pai.vendorId! },
  });

  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, ATTESTATION_FILES.dacKey)).mode & 0o777, 0o600);
  for (const f of Object.values(ATTESTATION_FILES)) assert.ok(statSync(join(dir, f)).size > 0, f);
});

test("later opens reload the same identity instead of generating a new one", async () => {
  const dir = join(root, "reload");
  const a = await openDevAttestationProvider(nodeCrypto, dir, { notBefore });
  const b = await openDevAttestationProvider(nodeCrypto, dir, { notBefore: new Date("2030-01-01T00:00:00Z") });
  assert.deepEqual(b.dac, a.dac);
  assert.deepEqual(b.pai, a.pai);
  assert.deepEqual(b.cd, a.cd);
  const data = Uint8Array.of(1, 2, 3);
  const dacKey = P256PublicKey.fromRaw(parseX509(a.dac).publicKey);
  assert.ok(nodeCrypto.ecdsaVerify(dacKey, data, b.signWithDac(data)));
});

test("the provider signs attestation elements || challenge with the DAC key", async () => {
  const p = await openDevAttestationProvider(nodeCrypto, join(root, "sign"), { notBefore });
  const elements = encodeAttestationElements({
    certificationDeclaration: p.cd,
    attestationNonce: new Uint8Array(32).fill(3),
    timestamp: 0,
    vendorReserved: [],
  });
  assert.ok(elements.length <= 900);
  const challenge = new Uint8Array(16).fill(9);
  const sig = p.signWithDac([elements, challenge]);
  const dacKey = P256PublicKey.fromRaw(parseX509(p.dac).publicKey);
  assert.ok(verifyAttestationSignature(nodeCrypto, dacKey, elements, challenge, sig));
  assert.deepEqual(decodeAttestationElements(elements).certificationDeclaration, p.cd);
});

test("loads credentials from explicit files (PEM or DER certificates) and rejects a key that is not the DAC's", async () => {
  const src = await openDevAttestationProvider(nodeCrypto, join(root, "src"), { notBefore });
  const dir = join(root, "files");
  const dev = join(root, "src");
  const pem = (der: Uint8Array) => `-----BEGIN CERTIFICATE-----\n${toBase64(der)}\n-----END CERTIFICATE-----\n`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  writeFileSync(join(dir, "dac.pem"), pem(src.dac));
  writeFileSync(join(dir, "pai.der"), src.pai);
  writeFileSync(join(dir, "cd.bin"), src.cd);
  const paths = {
    dac: join(dir, "dac.pem"),
    pai: join(dir, "pai.der"),
    cd: join(dir, "cd.bin"),
    dacKey: join(dev, ATTESTATION_FILES.dacKey),
  };
  const loaded = await loadAttestationProvider(nodeCrypto, paths);
  assert.deepEqual(loaded.dac, src.dac);
  assert.deepEqual(loaded.pai, src.pai);
  assert.deepEqual(loaded.cd, src.cd);
  writeFileSync(join(dir, "other-key.pem"), nodeCrypto.generateKeyPair().toSec1Pem());
  await assert.rejects(
    loadAttestationProvider(nodeCrypto, { ...paths, dacKey: join(dir, "other-key.pem") }),
    (e: unknown) => e instanceof MalformedError && e.code === "attestation.dac-key",
  );
  assert.throws(
    () =>
      new StaticAttestationProvider(nodeCrypto, {
        dac: src.pai,
        pai: src.pai,
        cd: src.cd,
        dacKey: nodeCrypto.generateKeyPair(),
      }),
  );
});
