// chip-cert habits of `opcreds cert`: lint on a single certificate (rules checked, chain rules skipped and why),
// repeated -c/-t up to chip-cert's limit, PEM bundles read as chip-cert reads them, gen-cert offering only what it
// does, and the README's certificate examples running as written.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fromHex, toHex } from "../../src/bytes/bytes.ts";
import type { MatterCertFields } from "../../src/cert/matter-cert.ts";
import { decodeMatterCert } from "../../src/cert/matter-cert-decode.ts";
import { encodeMatterCert } from "../../src/cert/matter-cert-encode.ts";
import { tbsDer } from "../../src/cert/matter-cert-to-x509.ts";
import { MAX_CHAIN_CERTS } from "../../src/cli/cert/validate-target.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { P256PrivateKey } from "../../src/crypto/p256.ts";
import { isOneLine, OPCERTS, REPO, runInProcess, tempDir } from "./cli-harness.ts";

const at2030 = ["--at", "2030-01-01T00:00:00Z"];
const v = (name: string) => join(OPCERTS, name);

/** A NOC under ICA01 that breaks node id range, CAT and key usage rules (and is a CA). */
function brokenNoc(): Uint8Array {
  const ica = decodeMatterCert(fromHex(readFileSync(v("ICA01.matter-tlv.hex"), "utf8")));
  const icaKey = P256PrivateKey.fromPem(readFileSync(v("ICA01.key.pem"), "utf8"));
  const good = decodeMatterCert(fromHex(readFileSync(v("Node01_01.matter-tlv.hex"), "utf8")));
  const fields: MatterCertFields = {
    ...good,
    subject: [
      { type: "matterNodeId", value: 0xffff_fff0_0000_0001n },
      { type: "matterFabricId", value: 0xfab0_0000_0000_001dn },
      { type: "matterCaseAuthTag", value: 0xabcd_0000 },
    ],
    extensions: [
      { type: "basicConstraints", isCa: false },
      { type: "keyUsage", keyUsage: 0x20 },
      { type: "subjectKeyId", keyId: good.subjectKeyId! },
      { type: "authorityKeyId", keyId: ica.subjectKeyId! },
    ],
    signature: new Uint8Array(64),
  };
  return encodeMatterCert({ ...fields, signature: nodeCrypto.ecdsaSign(icaKey, tbsDer(fields)) });
}

test("lint on a NOC alone lists every rule it checked as ok and the chain rules it skipped with the reason", async () => {
  const r = await runInProcess(["cert", "lint", v("Node01_01.x509.pem")]);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.toString();
  assert.match(out, /^checked \d+ rules on the noc alone:$/m);
  for (const rule of ["noc.subject.node-id-range", "noc.cat.duplicate-id", "leaf.key-usage", "leaf.ext-key-usage"]) {
    assert.match(out, new RegExp(`^ {2}ok +${rule.replaceAll(".", "\\.")}: `, "m"), rule);
  }
  assert.doesNotMatch(out, /BROKEN/);
  assert.match(out, /^skipped \d+ chain rules/m);
  assert.match(out, /^ {2}chain\.signature: needs the issuing certificate/m);
  assert.match(out, /^ {2}time\.expired: no validation time: give --at/m);
});

test("lint on a broken NOC alone names each broken rule and exits 1; with --at the time rules are checked", async () => {
  const { dir, remove } = tempDir();
  try {
    writeFileSync(join(dir, "bad.hex"), toHex(brokenNoc()));
    const r = await runInProcess(["cert", "lint", join(dir, "bad.hex"), "--at", "2050-01-01"]);
    assert.equal(r.code, 1);
    assert.ok(isOneLine(r.stderr), r.stderr);
    const out = r.stdout.toString();
    for (const rule of ["noc.subject.node-id-range", "noc.cat.version-zero", "leaf.key-usage", "time.expired"]) {
      assert.match(out, new RegExp(`^${rule.replaceAll(".", "\\.")}: noc: `, "m"), `finding ${rule}`);
      assert.match(out, new RegExp(`^ {2}BROKEN +${rule.replaceAll(".", "\\.")}: `, "m"), `checked ${rule}`);
    }
    assert.doesNotMatch(out, /^ {2}time\.expired: no validation time/m);
  } finally {
    remove();
  }
});

test("lint on an ICAC alone checks the CA rules; -c without -t is a usage error", async () => {
  const ica = await runInProcess(["cert", "lint", v("ICA01.x509.pem")]);
  assert.equal(ica.code, 0, ica.stderr);
  assert.match(ica.stdout.toString(), /on the icac alone:[\s\S]* {2}ok +ca\.key-usage: /);
  const onlyC = await runInProcess(["cert", "lint", v("Node01_01.x509.pem"), "-c", v("ICA01.x509.pem")]);
  assert.equal(onlyC.code, 2);
  assert.match(onlyC.stderr, /give -t RCAC/);
});

test("validate-cert and lint take repeated -c/-t in any order and find the path by issuer", async () => {
  const chain = ["-c", v("ICA02.x509.pem"), "-t", v("Root02.x509.pem"), "-c", v("ICA01.x509.pem")];
  const ok = await runInProcess([
    "cert",
    "validate-cert",
    v("Node01_01.x509.pem"),
    ...chain,
    "-t",
    v("Root01.x509.pem"),
    ...at2030,
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout.toString(), /^valid at 2030-01-01T00:00:00\.000Z: noc node 0xDEDEDEDE00010001/);
  const lint = await runInProcess(["cert", "lint", v("Node01_01.x509.pem"), ...chain, "-t", v("Root01.x509.pem")]);
  assert.equal(lint.code, 0, lint.stdout.toString() + lint.stderr);
  // Without the root that issued ICA01, no path links up: the failure names the broken link.
  const noRoot = await runInProcess(["cert", "validate-cert", v("Node01_01.x509.pem"), ...chain, ...at2030]);
  assert.equal(noRoot.code, 1);
  assert.match(noRoot.stderr, /^invalid: chain\./);
});

test(`more than ${MAX_CHAIN_CERTS} -c/-t certificates are refused as chip-cert refuses them`, async () => {
  const many = Array.from({ length: MAX_CHAIN_CERTS + 1 }, () => ["-t", v("Root01.x509.pem")]).flat();
  for (const cmd of ["validate-cert", "lint"]) {
    const r = await runInProcess(["cert", cmd, v("Node01_01.x509.pem"), ...many]);
    assert.equal(r.code, 2, cmd);
    assert.match(r.stderr, /too many certificate files/);
  }
  const atLimit = Array.from({ length: MAX_CHAIN_CERTS - 1 }, () => ["-t", v("Root02.x509.pem")]).flat();
  const r = await runInProcess([
    "cert",
    "validate-cert",
    v("Node01_01.x509.pem"),
    ...atLimit,
    "-c",
    v("ICA01.x509.pem"),
    "-t",
    v("Root01.x509.pem"),
    ...at2030,
  ]);
  assert.equal(r.code, 2, "one over: the limit counts -c and -t together");
  const fits = await runInProcess([
    "cert",
    "validate-cert",
    v("Node01_01.x509.pem"),
    ...atLimit.slice(2),
    "-c",
    v("ICA01.x509.pem"),
    "-t",
    v("Root01.x509.pem"),
    ...at2030,
  ]);
  assert.equal(fits.code, 0, fits.stderr);
});

test("a PEM bundle gives its first certificate, as chip-cert reads it", async () => {
  const { dir, remove } = tempDir();
  try {
    const bundle = join(dir, "bundle.pem");
    writeFileSync(bundle, readFileSync(v("Node01_01.x509.pem"), "utf8") + readFileSync(v("ICA01.x509.pem"), "utf8"));
    const r = await runInProcess(["cert", "convert-cert", bundle, "-", "-x"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString().trim(), readFileSync(v("Node01_01.matter-tlv.hex"), "utf8").trim());
    // A key block before the certificate is skipped, as OpenSSL's PEM reader skips it.
    const withKey = join(dir, "with-key.pem");
    writeFileSync(withKey, readFileSync(v("Root01.key.pem"), "utf8") + readFileSync(v("Root01.x509.pem"), "utf8"));
    const root = await runInProcess(["cert", "lint", withKey]);
    assert.equal(root.code, 0, root.stderr);
  } finally {
    remove();
  }
});

test("gen-cert offers only the types and flags it implements: no -t f, -x or -2", async () => {
  const help = (await runInProcess(["cert", "gen-cert", "--help"])).stdout.toString();
  assert.doesNotMatch(help, /-x, |-2, |future|firmware/);
  assert.match(help, /choices:\s+"r", "c", "n"\)/);
  const f = await runInProcess(["cert", "gen-cert", "-t", "f", "-i", "1", "-l", "1", "-o", "-", "-O", "-"]);
  assert.equal(f.code, 2);
  assert.match(f.stderr, /Allowed choices are r, c, n/);
});

test("the README's certificate CLI examples run as written", async () => {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## The certificate CLI"), readme.indexOf("## Layout"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block !== undefined, "the certificate CLI section has a sh block");
  const commands = block
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter((l) => l.length > 0);
  assert.ok(commands.length >= 6, commands.join("\n"));
  const { dir, remove } = tempDir();
  try {
    for (const command of commands) {
      const [npx, bin, ...args] = command.split(/\s+/);
      assert.deepEqual([npx, bin], ["npx", "opcreds"], command);
      const r = await runInProcess(args, { cwd: dir });
      assert.equal(r.code, 0, `${command}\n${r.stderr}`);
    }
  } finally {
    remove();
  }
});
