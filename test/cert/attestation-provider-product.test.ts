// A product's attestation credentials (loadProductAttestation) are checked against each other and the device's
// VID/PID, each refusal naming the file at fault; development credentials follow a change of VID/PID.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { MalformedError, ValidationError } from "../../src/bytes/errors.ts";
import { checkAttestationCertFormat } from "../../src/cert/attestation-cert.ts";
import {
  ATTESTATION_FILES,
  DEV_CERTIFICATION_DECLARATION,
  loadProductAttestation,
  openDevAttestationProvider,
} from "../../src/cert/attestation-provider.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";

const root = mkdtempSync(join(tmpdir(), "opcreds-product-"));
after(() => rmSync(root, { recursive: true, force: true }));
const notBefore = new Date("2025-01-01T00:00:00Z");
const device = { vendorId: 0xfff2, productId: 0x8001 };

/** A complete credentials directory for `device`, generated under the Development PAA. */
async function productDir(name: string, options: Parameters<typeof openDevAttestationProvider>[2] = {}) {
  const dir = join(root, name);
  await openDevAttestationProvider(nodeCrypto, dir, { notBefore, ...device, ...options });
  return dir;
}

/** Asserts that loading `dir` fails with `kind`, a message naming `file` (path inside dir) and matching `text`. */
async function refused(dir: string, file: string, kind: typeof MalformedError | typeof ValidationError, text: RegExp) {
  await assert.rejects(loadProductAttestation(nodeCrypto, dir, device), (e: unknown) => {
    assert.ok(e instanceof kind, `${String(e)}`);
    assert.ok((e as Error).message.includes(join(dir, file)), (e as Error).message);
    assert.match((e as Error).message, text);
    return true;
  });
}

test("a product directory whose key, DAC, PAI and CD fit the device's VID/PID loads", async () => {
  const dir = await productDir("fits");
  const p = await loadProductAttestation(nodeCrypto, dir, device);
  assert.deepEqual(p.dac, new Uint8Array(readFileSync(join(dir, ATTESTATION_FILES.dac))));
  const sig = p.signWithDac(new Uint8Array([1, 2, 3]));
  assert.equal(sig.length, 64);
});

test("a DAC for another VID/PID than the device's is refused naming dac.der and both VID/PID pairs", async () => {
  const dir = await productDir("fits-other");
  await assert.rejects(
    loadProductAttestation(nodeCrypto, dir, { vendorId: 0xfff1, productId: 0x8000 }),
    (e: unknown) =>
      e instanceof ValidationError &&
      e.message.includes(join(dir, "dac.der")) &&
      /VID 0xFFF2 PID 0x8001.*VID 0xFFF1 PID 0x8000/.test(e.message),
  );
});

test("a CD naming another vendor is refused naming cd.der", async () => {
  const dir = await productDir("cd-vid", {
    certificationDeclaration: { ...DEV_CERTIFICATION_DECLARATION, vendorId: 0xfff3, productIds: [0x8001] },
  });
  await refused(dir, "cd.der", ValidationError, /vendor_id 0xFFF3/);
});

test("a CD whose product list lacks the device's PID is refused naming cd.der", async () => {
  const dir = await productDir("cd-pid", {
    certificationDeclaration: { ...DEV_CERTIFICATION_DECLARATION, vendorId: 0xfff2, productIds: [0x8005] },
  });
  await refused(dir, "cd.der", ValidationError, /product_id_array/);
});

test("a DAC key that is not the DAC's is refused naming the key file", async () => {
  const dir = await productDir("key");
  const other = await productDir("key-other");
  copyFileSync(join(other, ATTESTATION_FILES.dacKey), join(dir, ATTESTATION_FILES.dacKey));
  await refused(dir, ATTESTATION_FILES.dacKey, MalformedError, /does not match the DAC/);
});

test("a DAC not issued by the supplied PAI is refused naming dac.der and pai.der", async () => {
  const dir = await productDir("pai");
  const other = await productDir("pai-other");
  copyFileSync(join(other, ATTESTATION_FILES.pai), join(dir, ATTESTATION_FILES.pai));
  await refused(dir, "dac.der", ValidationError, /pai\.der/);
});

test("a truncated or missing file is refused naming it", async () => {
  const dir = await productDir("truncated");
  writeFileSync(join(dir, "pai.der"), readFileSync(join(dir, "pai.der")).subarray(0, 100));
  await refused(dir, "pai.der", MalformedError, /runs past the end|length/);
  const missing = await productDir("missing");
  rmSync(join(missing, "cd.der"));
  await refused(missing, "cd.der", ValidationError, /missing/);
  const garbage = await productDir("garbage-key");
  writeFileSync(join(garbage, ATTESTATION_FILES.dacKey), "not a key\n");
  await refused(garbage, ATTESTATION_FILES.dacKey, MalformedError, /private key/);
});

test("the DAC key may be given as dac-key.der (PKCS#8 or SEC1 DER)", async () => {
  const dir = await productDir("der-key");
  const pem = readFileSync(join(dir, ATTESTATION_FILES.dacKey), "utf8");
  const { createPrivateKey } = await import("node:crypto");
  writeFileSync(join(dir, "dac-key.der"), createPrivateKey(pem).export({ format: "der", type: "pkcs8" }));
  rmSync(join(dir, ATTESTATION_FILES.dacKey));
  const p = await loadProductAttestation(nodeCrypto, dir, device);
  assert.equal(p.signWithDac(new Uint8Array(1)).length, 64);
});

test("development credentials made for one VID/PID are regenerated when the device starts with another", async () => {
  const dir = join(root, "dev-change");
  mkdirSync(dir);
  const first = await openDevAttestationProvider(nodeCrypto, dir, { notBefore });
  const reasons: string[] = [];
  const same = await openDevAttestationProvider(nodeCrypto, dir, { onRegenerate: (r) => reasons.push(r) });
  assert.deepEqual(same.dac, first.dac, "same VID/PID: the stored identity is kept");
  assert.equal(reasons.length, 0);
  const changed = await openDevAttestationProvider(nodeCrypto, dir, {
    ...device,
    onRegenerate: (r) => reasons.push(r),
  });
  assert.equal(reasons.length, 1);
  assert.match(reasons[0]!, /VID 0xFFF1 PID 0x8000.*VID 0xFFF2 PID 0x8001/);
  const dac = checkAttestationCertFormat(changed.dac, "dac");
  assert.equal(dac.vendorId, 0xfff2);
  assert.equal(dac.productId, 0x8001);
  // What was written is what the next start loads, and it now fits the device (CD included).
  const reloaded = await loadProductAttestation(nodeCrypto, dir, device);
  assert.deepEqual(reloaded.dac, changed.dac);
});
