// opcreds cert verify-attestation: a development device through the real bin, then failures (one line naming the
// rule, exit 1), PEM vs DER PAA directories, a malformed PAA file, revocation vectors and usage errors (exit 2).
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { generatePaa } from "../../src/cert/attestation-cert.ts";
import { openDevAttestationProvider } from "../../src/cert/attestation-provider.ts";
import { DEVELOPMENT_STORE_NOTICE } from "../../src/cli/cert/verify-attestation.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { isOneLine, REPO, runBin, runInProcess, tempDir } from "./cli-harness.ts";

const ATT = join(REPO, "test", "vectors", "attestation");
const REV = join(REPO, "test", "vectors", "revocation");
const { dir, remove } = tempDir();
after(remove);
const p = (f: string) => join(dir, f);
const notBefore = new Date("2025-01-01T00:00:00Z");
const ready = openDevAttestationProvider(nodeCrypto, p("device"), { notBefore });
const device = ["--dac", p("device/dac.der"), "--pai", p("device/pai.der"), "--cd", p("device/cd.der")];

test("real bin: a development device verifies against the development store, which it announces on stderr", async () => {
  await ready;
  const r = await runBin(["cert", "verify-attestation", ...device, "--vid", "FFF1", "--pid", "8000"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, `${DEVELOPMENT_STORE_NOTICE}\n`);
  const out = r.stdout.toString();
  assert.match(out, /^device attestation verified: vendor id 0xFFF1, product id 0x8000$/m);
  assert.match(
    out,
    /^PAA: Matter Development PAA \(SKID FA92CF095EFA42E11430651632FEFE1B2C77A7C8\) \[public test PAA\]$/m,
  );
  assert.match(out, /^certification type: 0 \(development and test\)$/m);
});

test("real bin: a CD that does not match --vid fails with one line naming the rule, exit 1", async () => {
  await ready;
  const r = await runBin(["cert", "verify-attestation", ...device, "--vid", "FFF2", "--pid", "8000"]);
  assert.equal(r.code, 1);
  const line = r.stderr.split("\n").slice(1).join("\n");
  assert.ok(isOneLine(line), r.stderr);
  assert.match(line, /^invalid: cd\.vendor-id: vendor_id 0xFFF1 is not the device's 0xFFF2\n$/);
});

test("--paa directories: PEM and DER PAAs load; a development device is refused by the production store", async () => {
  await ready;
  const pem = p("paa-pem");
  const der = p("paa-der");
  mkdirSync(pem);
  mkdirSync(der);
  writeFileSync(join(pem, "dev.pem"), readFileSync(join(ATT, "Chip-Development-PAA-Cert.pem")));
  const other = generatePaa(nodeCrypto, nodeCrypto.generateKeyPair(), {
    commonName: "Vendor PAA",
    notBefore,
    notAfter: new Date("2045-01-01T00:00:00Z"),
  });
  writeFileSync(join(der, "vendor.der"), other);
  for (const dirs of [
    ["--paa", pem],
    ["--paa", der],
    ["--paa", pem, "--paa", der],
  ]) {
    const r = await runInProcess(["cert", "verify-attestation", ...device, ...dirs]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(isOneLine(r.stderr), r.stderr);
    assert.match(r.stderr, /^invalid: paa\.test-in-production: PAA is a public test PAA \(SKID FA92CF09/);
  }
});

test("--paa with a file that is neither PEM nor DER: one line naming the file, exit 1", async () => {
  await ready;
  const bad = p("paa-bad");
  mkdirSync(bad);
  writeFileSync(join(bad, "broken.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  const r = await runInProcess(["cert", "verify-attestation", ...device, "--paa", bad]);
  assert.equal(r.code, 1);
  assert.ok(isOneLine(r.stderr), r.stderr);
  assert.match(r.stderr, /broken\.pem: neither a PEM CERTIFICATE nor a DER certificate \[trust-store\.file\]/);
  const missing = await runInProcess(["cert", "verify-attestation", ...device, "--paa", p("no-such-dir")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no-such-dir: cannot read the PAA directory \(ENOENT\) \[trust-store\.directory\]/);
});

test("--revocation-set: the connectedhomeip revoked DAC is refused (hex inputs), the same device passes another set", async () => {
  const v = JSON.parse(readFileSync(join(REV, "revoked-dac-01.json"), "utf8"));
  const args = [
    "cert",
    "verify-attestation",
    "--dac",
    v.dac_cert,
    "--pai",
    v.pai_cert,
    "--cd",
    v.certification_declaration,
  ];
  const ids = ["--vid", "FFF1", "--pid", "8001"];
  const revoked = await runInProcess([...args, ...ids, "--revocation-set", join(REV, "revocation-set.json")]);
  assert.equal(revoked.code, 1);
  assert.match(revoked.stderr, /\ninvalid: revocation\.dac: DAC revoked \(serial 19367D978EAC533A\)\n$/);
  const fine = await runInProcess([...args, ...ids, "--revocation-set", join(REV, "revocation-set-for-paa.json")]);
  assert.equal(fine.code, 0, fine.stderr);
  assert.match(fine.stdout.toString(), /vendor id 0xFFF1, product id 0x8001/);
  assert.doesNotMatch(fine.stdout.toString(), /no revocation set/);
});

test("usage errors exit 2: --vid without --pid, a missing --cd, a bad --vid", async () => {
  await ready;
  const onlyVid = await runInProcess(["cert", "verify-attestation", ...device, "--vid", "FFF1"]);
  assert.equal(onlyVid.code, 2);
  assert.match(onlyVid.stderr, /--vid and --pid go together/);
  const noCd = await runInProcess([
    "cert",
    "verify-attestation",
    "--dac",
    p("device/dac.der"),
    "--pai",
    p("device/pai.der"),
  ]);
  assert.equal(noCd.code, 2);
  const badVid = await runInProcess(["cert", "verify-attestation", ...device, "--vid", "XYZ", "--pid", "8000"]);
  assert.equal(badVid.code, 2);
});
