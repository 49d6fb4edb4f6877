// opcreds cert gen-cert: root -> ICA -> node issued through the real bin validate with validate-cert; bad usage exits 2.
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { isOneLine, pool, runBin, runInProcess, tempDir } from "./cli-harness.ts";

test("real bin: gen-cert root, ICA and node (mixed formats) -> validate-cert succeeds; keys are written 0600", async () => {
  const { dir, remove } = tempDir();
  try {
    const p = (f: string) => join(dir, f);
    const common = ["-V", "2020-10-15 14:23:43", "-l", "7305"];
    const root = await runBin([
      "cert",
      "gen-cert",
      "-t",
      "r",
      "-i",
      "CACACACA00000001",
      ...common,
      "-O",
      p("root.key"),
      "-o",
      p("root.pem"),
      "-F",
      "x509-pem",
    ]);
    assert.equal(root.code, 0, root.stderr);
    const ica = await runBin([
      "cert",
      "gen-cert",
      "-t",
      "c",
      "-i",
      "0xCACACACA00000002",
      "-f",
      "FAB000000000001D",
      "-C",
      p("root.pem"),
      "-K",
      p("root.key"),
      ...common,
      "-O",
      p("ica.key"),
      "-o",
      p("ica.chip"),
      "-F",
      "chip",
    ]);
    assert.equal(ica.code, 0, ica.stderr);
    const node = await runBin([
      "cert",
      "gen-cert",
      "-t",
      "n",
      "-i",
      "DEDEDEDE0000001D",
      "-f",
      "FAB000000000001D",
      "-a",
      "ABCD0002",
      "-a",
      "12340001",
      "-c",
      "TestNode",
      "-C",
      p("ica.chip"),
      "-K",
      p("ica.key"),
      ...common,
      "-O",
      p("node.key"),
      "-o",
      p("node.b64"),
    ]);
    assert.equal(node.code, 0, node.stderr);
    assert.equal(statSync(p("node.key")).mode & 0o777, 0o600);
    assert.match(readFileSync(p("root.pem"), "utf8"), /^-----BEGIN CERTIFICATE-----\n/);

    const ok = await runBin([
      "cert",
      "validate-cert",
      p("node.b64"),
      "-c",
      p("ica.chip"),
      "-t",
      p("root.pem"),
      "--at",
      "2030-01-01T00:00:00Z",
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(
      ok.stdout.toString(),
      /node 0xDEDEDEDE0000001D, fabric 0xFAB000000000001D, CATs 0xABCD0002,0x12340001/,
    );

    // The NotAfter is the last second of the 7305-day lifetime, as in the SDK vectors.
    const printed = await runInProcess(["cert", "print-cert", p("node.b64")]);
    assert.match(printed.stdout.toString(), /Not After\s+: 0x4CB9B56E {2}\( 2040\/10\/15 14:23:42 UTC \)/);
    assert.match(printed.stdout.toString(), /commonName = TestNode/);

    // The node key that was written is the key of the certificate.
    const pub = await runInProcess(["cert", "convert-key", p("node.key"), "-", "-E"]);
    assert.match(
      printed.stdout.toString().replace(/\s+/g, ""),
      new RegExp(pub.stdout.toString().trim().slice(0, 32), "i"),
    );
  } finally {
    remove();
  }
});

test("gen-cert with an existing key (-k, public key only) and no -O issues a node certificate for that key", async () => {
  const { dir, remove } = tempDir();
  try {
    const p = (f: string) => join(dir, f);
    const pubHex = JSON.parse(readFileSync("test/vectors/opcerts/Node01_01.json", "utf8")).publicKey as string;
    const r = await runInProcess([
      "cert",
      "gen-cert",
      "-t",
      "n",
      "-i",
      "1",
      "-f",
      "1",
      "-k",
      pubHex,
      "-C",
      "test/vectors/opcerts/ICA01.x509.pem",
      "-K",
      "test/vectors/opcerts/ICA01.key.pem",
      "-l",
      "30",
      "-o",
      p("n.hex"),
      "-F",
      "chip-hex",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const v = await runInProcess([
      "cert",
      "validate-cert",
      p("n.hex"),
      "-c",
      "test/vectors/opcerts/ICA01.x509.pem",
      "-t",
      "test/vectors/opcerts/Root01.x509.pem",
    ]);
    assert.equal(v.code, 0, v.stderr);
    const printed = await runInProcess(["cert", "print-cert", p("n.hex")]);
    assert.match(printed.stdout.toString(), /Public Key\s+: 04 /);
  } finally {
    remove();
  }
});

test("usage errors exit 2 with one line; a CA key that does not match its certificate exits 1", async () => {
  const usage: string[][] = [
    ["cert", "gen-cert", "-t", "r", "-i", "1", "-o", "-", "-O", "-"], // no lifetime
    ["cert", "gen-cert", "-t", "x", "-i", "1", "-l", "1", "-o", "-", "-O", "-"], // bad type
    ["cert", "gen-cert", "-t", "n", "-i", "1", "-f", "1", "-l", "1", "-o", "-", "-O", "-"], // no CA
    ["cert", "gen-cert", "-t", "n", "-i", "0", "-f", "1", "-l", "1", "-o", "-", "-O", "-", "-C", "a", "-K", "b"], // node id 0
    ["cert", "gen-cert", "-t", "n", "-i", "1", "-f", "1", "-a", "ABCD0000", "-l", "1", "-o", "-", "-O", "-"], // CAT version 0
    ["cert", "gen-cert", "-t", "r", "-i", "1", "-f", "0", "-l", "1", "-o", "-", "-O", "-"], // fabric id 0
    ["cert", "gen-cert", "-t", "r", "-i", "12345678901234567", "-l", "1", "-o", "-", "-O", "-"], // id too long
    ["cert", "validate-cert", "x"], // no -t
    ["cert", "convert-cert", "only-one-arg"],
    ["cert", "convert-cert", "a", "b", "c"],
    ["cert", "nope"],
    ["--bogus"],
  ];
  for (const args of usage) {
    const r = await runInProcess(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.ok(isOneLine(r.stderr), `${args.join(" ")}: ${JSON.stringify(r.stderr)}`);
  }
  const mismatch = await runInProcess([
    "cert",
    "gen-cert",
    "-t",
    "c",
    "-i",
    "2",
    "-C",
    "test/vectors/opcerts/Root01.x509.pem",
    "-K",
    "test/vectors/opcerts/Root02.key.pem",
    "-l",
    "1",
    "-o",
    "-",
    "-O",
    "-",
  ]);
  assert.equal(mismatch.code, 1);
  assert.match(mismatch.stderr, /does not belong/);
});

test("real bin: usage errors exit 2 and help / version exit 0", async () => {
  const runs: [string[], number][] = [
    [["cert", "gen-cert", "-t", "n"], 2],
    [["--help"], 0],
    [["--version"], 0],
    // Only its help: a real `start` speaks Matter and mDNS, which must never happen outside a private network namespace.
    [["start", "--help"], 0],
  ];
  await pool(
    runs.map(([args, code]) => async () => {
      const r = await runBin(args);
      assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      if (code === 2) assert.ok(isOneLine(r.stderr), r.stderr);
      else assert.ok(r.stdout.length > 0, args.join(" "));
    }),
  );
});

test("resign-cert moves Node01_02 (signed by Root01) under ICA01: it then validates through ICA01, not directly", async () => {
  const { dir, remove } = tempDir();
  try {
    const out = join(dir, "resigned.pem");
    const v = (n: string) => `test/vectors/opcerts/${n}`;
    const r = await runInProcess([
      "cert",
      "resign-cert",
      "-c",
      v("Node01_02.x509.pem"),
      "-C",
      v("ICA01.x509.pem"),
      "-K",
      v("ICA01.key.pem"),
      "-o",
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const ok = await runInProcess([
      "cert",
      "validate-cert",
      out,
      "-c",
      v("ICA01.x509.pem"),
      "-t",
      v("Root01.x509.pem"),
      "--at",
      "2021-01-01",
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const direct = await runInProcess(["cert", "validate-cert", out, "-t", v("Root01.x509.pem"), "--at", "2021-01-01"]);
    assert.equal(direct.code, 1);
    const wrongKey = await runInProcess([
      "cert",
      "resign-cert",
      "-c",
      v("Node01_02.x509.pem"),
      "-C",
      v("ICA01.x509.pem"),
      "-K",
      v("Root01.key.pem"),
      "-o",
      "-",
    ]);
    assert.equal(wrongKey.code, 1);
    assert.ok(isOneLine(wrongKey.stderr));
  } finally {
    remove();
  }
});
