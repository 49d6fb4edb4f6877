// opcreds cert gen-att-cert -> validate-att-cert and gen-cd -> print-cd through the real bin.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { isOneLine, REPO, runBin, runInProcess, tempDir } from "./cli-harness.ts";

const ATT = join(REPO, "test", "vectors", "attestation");

test("real bin: gen-att-cert PAI and DAC under the development PAA -> validate-att-cert", async () => {
  const { dir, remove } = tempDir();
  try {
    const p = (f: string) => join(dir, f);
    const pai = await runBin([
      "cert",
      "gen-att-cert",
      "-t",
      "i",
      "-c",
      "Test PAI",
      "-V",
      "FFF1",
      "-C",
      join(ATT, "Chip-Development-PAA-Cert.pem"),
      "-K",
      join(ATT, "Chip-Development-PAA-Key.pem"),
      "-f",
      "2024-01-01",
      "-l",
      "3650",
      "-O",
      p("pai.key"),
      "-o",
      p("pai.pem"),
    ]);
    assert.equal(pai.code, 0, pai.stderr);
    const dac = await runBin([
      "cert",
      "gen-att-cert",
      "-t",
      "d",
      "-c",
      "Test DAC",
      "-V",
      "FFF1",
      "-P",
      "8000",
      "-C",
      p("pai.pem"),
      "-K",
      p("pai.key"),
      "-f",
      "2024-01-01",
      "-l",
      "365",
      "-O",
      p("dac.key"),
      "-o",
      p("dac.pem"),
    ]);
    assert.equal(dac.code, 0, dac.stderr);
    const ok = await runBin([
      "cert",
      "validate-att-cert",
      "-d",
      p("dac.pem"),
      "-i",
      p("pai.pem"),
      "-a",
      join(ATT, "Chip-Development-PAA-Cert.pem"),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout.toString(), /vendor id 0xFFF1, product id 0x8000/);
    const wrongPaa = await runInProcess([
      "cert",
      "validate-att-cert",
      "-d",
      p("dac.pem"),
      "-i",
      p("pai.pem"),
      "-a",
      join(ATT, "Chip-Test-PAA-FFF1-Cert.pem"),
    ]);
    assert.equal(wrongPaa.code, 1);
    assert.ok(isOneLine(wrongPaa.stderr), wrongPaa.stderr);
    assert.match(wrongPaa.stderr, /chain\.pai-issuer/);
    // VID/PID in the common name (-a) validate as well; a DAC without PID is a usage error.
    const cn = await runInProcess([
      "cert",
      "gen-att-cert",
      "-t",
      "d",
      "-a",
      "-c",
      "DAC",
      "-V",
      "FFF1",
      "-P",
      "8001",
      "-C",
      p("pai.pem"),
      "-K",
      p("pai.key"),
      "-f",
      "2024-01-01",
      "-l",
      "30",
      "-O",
      p("dac2.key"),
      "-o",
      p("dac2.pem"),
    ]);
    assert.equal(cn.code, 0, cn.stderr);
    const cnOk = await runInProcess([
      "cert",
      "validate-att-cert",
      "-d",
      p("dac2.pem"),
      "-i",
      p("pai.pem"),
      "-a",
      join(ATT, "Chip-Development-PAA-Cert.pem"),
    ]);
    assert.equal(cnOk.code, 0, cnOk.stderr);
    assert.match(cnOk.stdout.toString(), /product id 0x8001/);
    const noPid = await runInProcess([
      "cert",
      "gen-att-cert",
      "-t",
      "d",
      "-c",
      "DAC",
      "-V",
      "FFF1",
      "-C",
      p("pai.pem"),
      "-K",
      p("pai.key"),
      "-l",
      "30",
      "-O",
      "-",
      "-o",
      "-",
    ]);
    assert.equal(noPid.code, 2);
  } finally {
    remove();
  }
});

test("real bin: gen-cd -> print-cd shows every field and verifies with the signer certificate", async () => {
  const { dir, remove } = tempDir();
  try {
    const cd = join(dir, "cd.der");
    const gen = await runBin([
      "cert",
      "gen-cd",
      "-K",
      join(ATT, "Chip-Test-CD-Signing-Key.pem"),
      "-C",
      join(ATT, "Chip-Test-CD-Signing-Cert.pem"),
      "-O",
      cd,
      "-V",
      "FFF1",
      "-p",
      "8000",
      "-p",
      "8001",
      "-d",
      "0100",
      "-c",
      "ZIG20142ZB330003-24",
      "-l",
      "0",
      "-i",
      "0",
      "-n",
      "2694",
      "-t",
      "0",
      "-o",
      "FFF2",
      "-r",
      "8002",
      "-a",
      join(ATT, "Chip-Test-PAA-FFF1-Cert.pem"),
    ]);
    assert.equal(gen.code, 0, gen.stderr);
    const printed = await runBin(["cert", "print-cd", cd, "-C", join(ATT, "Chip-Test-CD-Signing-Cert.pem")]);
    assert.equal(printed.code, 0, printed.stderr);
    const text = printed.stdout.toString();
    for (const re of [
      /^SignerKeyId value: hex:62FA823359ACFAA9963E1CFA140ADDF504F37160$/m,
      /^Signature: verified$/m,
      /Vendor Id\s+: 0xFFF1/,
      /Product Ids\s+: 0x8000 0x8001/,
      /Device Type Id\s+: 0x00000100/,
      /Certificate Id\s+: ZIG20142ZB330003-24/,
      /Version Number\s+: 9876/,
      /DAC Origin Vendor Id : 0xFFF2/,
      /DAC Origin Product Id: 0x8002/,
      /Authorized PAA SKID\s+: [0-9A-F]{40}/,
      /4: utf8 \(19\) "ZIG20142ZB330003-24"/,
    ]) {
      assert.match(text, re);
    }
    // A CD checked against the wrong signer fails with one line.
    const wrong = await runInProcess(["cert", "print-cd", cd, "-C", join(ATT, "Chip-Test-PAA-FFF1-Cert.pem")]);
    assert.equal(wrong.code, 1);
    assert.ok(isOneLine(wrong.stderr), wrong.stderr);
    // An invalid certificate id length is a usage error.
    const bad = await runInProcess([
      "cert",
      "gen-cd",
      "-K",
      join(ATT, "Chip-Test-CD-Signing-Key.pem"),
      "-C",
      join(ATT, "Chip-Test-CD-Signing-Cert.pem"),
      "-O",
      "-",
      "-V",
      "FFF1",
      "-p",
      "8000",
      "-d",
      "0100",
      "-c",
      "short",
    ]);
    assert.equal(bad.code, 2, bad.stderr);
  } finally {
    remove();
  }
});
