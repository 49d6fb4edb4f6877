// Malformed inputs (truncated PEM, random bytes, wrong kind, missing file) give exit 1 and one stderr line; lint lists
// every finding of a certificate built to break several rules.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { fromHex, toHex } from "../../src/bytes/bytes.ts";
import type { MatterCertFields } from "../../src/cert/matter-cert.ts";
import { decodeMatterCert } from "../../src/cert/matter-cert-decode.ts";
import { encodeMatterCert } from "../../src/cert/matter-cert-encode.ts";
import { tbsDer } from "../../src/cert/matter-cert-to-x509.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { P256PrivateKey } from "../../src/crypto/p256.ts";
import { isOneLine, OPCERTS, pool, runBin, runInProcess, tempDir } from "./cli-harness.ts";

test("real bin: truncated PEM, random bytes, wrong kind and a missing file exit 1 with one line, no stack trace", async () => {
  const { dir, remove } = tempDir();
  try {
    const pem = readFileSync(join(OPCERTS, "Node01_01.x509.pem"), "utf8");
    writeFileSync(join(dir, "trunc.pem"), pem.slice(0, pem.length / 2));
    writeFileSync(join(dir, "random.bin"), new Uint8Array([0x15, 0x30, 0x01, 0x08, 0xde, 0xad, 0xbe, 0xef, 0x99]));
    const cases: [string[], RegExp][] = [
      [["cert", "print-cert", join(dir, "trunc.pem")], /truncated PEM/],
      [["cert", "convert-cert", join(dir, "random.bin"), "-", "-p"], /malformed: /],
      [["cert", "convert-cert", join(OPCERTS, "Root01.key.pem"), "-", "-p"], /not a CERTIFICATE/],
      [
        ["cert", "validate-cert", "missing-file.pem", "-t", join(OPCERTS, "Root01.x509.pem")],
        /neither a readable file/,
      ],
    ];
    await pool(
      cases.map(([args, re]) => async () => {
        const r = await runBin(args);
        assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
        assert.ok(isOneLine(r.stderr), JSON.stringify(r.stderr));
        assert.match(r.stderr, re);
        assert.equal(r.stdout.length, 0);
      }),
    );
  } finally {
    remove();
  }
});

// Seed 1364530081 once produced a message naming a qualified TLV tag ("2801:1801:548") that the one-line check took for a
// stack frame (regression: the check now looks for a parenthesised file position).
for (const seed of [1364530081, undefined]) {
  test(`property: random and mutated certificate inputs either convert or exit 1 with one line (seed ${seed ?? "random"})`, async () => {
    const { dir, remove } = tempDir();
    try {
      const tlv = fromHex(readFileSync(join(OPCERTS, "Node02_03.matter-tlv.hex"), "utf8"));
      const der = fromHex(readFileSync(join(OPCERTS, "ICA02.x509.der.hex"), "utf8"));
      const path = join(dir, "in");
      const bytes = fc.oneof(
        fc.uint8Array({ maxLength: 400 }),
        fc
          .tuple(fc.constantFrom(tlv, der), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat())
          .map(([base, at, b, cut]) => {
            const m = base.slice(0, base.length - (cut % 8 === 0 ? cut % base.length : 0));
            if (m.length > 0) m[at % m.length] = b;
            return m;
          }),
      );
      await fc.assert(
        fc.asyncProperty(bytes, fc.boolean(), async (input, asHex) => {
          writeFileSync(path, asHex ? toHex(input) : input);
          for (const args of [
            ["cert", "convert-cert", path, "-", "-X"],
            ["cert", "print-tlv", path],
          ]) {
            const r = await runInProcess(args);
            if (r.code !== 0) {
              assert.equal(r.code, 1, `${args[1]}: ${r.stderr}`);
              assert.ok(isOneLine(r.stderr), JSON.stringify(r.stderr));
              assert.ok(
                !r.stderr.startsWith("error: TypeError") && !r.stderr.startsWith("error: RangeError"),
                r.stderr,
              );
            }
          }
        }),
        seed === undefined ? { numRuns: 150 } : { numRuns: 150, seed },
      );
    } finally {
      remove();
    }
  });
}

test("real bin: lint lists every rule a NOC built to break several rules breaks", async () => {
  const { dir, remove } = tempDir();
  try {
    const ica = decodeMatterCert(fromHex(readFileSync(join(OPCERTS, "ICA01.matter-tlv.hex"), "utf8")));
    const icaKey = P256PrivateKey.fromPem(readFileSync(join(OPCERTS, "ICA01.key.pem"), "utf8"));
    const good = decodeMatterCert(fromHex(readFileSync(join(OPCERTS, "Node01_01.matter-tlv.hex"), "utf8")));
    const fields: MatterCertFields = {
      ...good,
      subject: [
        { type: "matterNodeId", value: 0xffff_fff0_0000_0001n }, // not an operational node id
        { type: "matterFabricId", value: 0xfab0_0000_0000_001dn },
        { type: "matterCaseAuthTag", value: 0xabcd_0000 }, // version 0
        { type: "matterCaseAuthTag", value: 0x1234_0001 },
        { type: "matterCaseAuthTag", value: 0x1234_0002 }, // same identifier as the previous one
      ],
      extensions: [
        { type: "basicConstraints", isCa: true },
        { type: "keyUsage", keyUsage: 0x20 }, // keyCertSign instead of digitalSignature
        { type: "subjectKeyId", keyId: good.subjectKeyId! },
        { type: "authorityKeyId", keyId: ica.subjectKeyId! },
      ],
      signature: new Uint8Array(64),
    };
    const signed = encodeMatterCert({ ...fields, signature: nodeCrypto.ecdsaSign(icaKey, tbsDer(fields)) });
    writeFileSync(join(dir, "bad.hex"), toHex(signed));
    const r = await runBin([
      "cert",
      "lint",
      join(dir, "bad.hex"),
      "-c",
      join(OPCERTS, "ICA01.x509.pem"),
      "-t",
      join(OPCERTS, "Root01.x509.pem"),
    ]);
    assert.equal(r.code, 1);
    assert.ok(isOneLine(r.stderr), r.stderr);
    const lines = r.stdout.toString().trim().split("\n");
    const rules = new Set(lines.map((l) => l.slice(0, l.indexOf(":"))));
    for (const rule of [
      "noc.subject.node-id-range",
      "noc.cat.version-zero",
      "noc.cat.duplicate-id",
      "leaf.is-ca",
      "leaf.key-usage",
      "leaf.ext-key-usage",
    ]) {
      assert.ok(rules.has(rule), `${rule} missing from:\n${lines.join("\n")}`);
    }
    for (const line of lines) assert.match(line, /^[a-z0-9.-]+: /);
    // A clean chain lints with no findings and exit 0.
    const clean = await runInProcess([
      "cert",
      "lint",
      join(OPCERTS, "Node01_01.x509.pem"),
      "-c",
      join(OPCERTS, "ICA01.x509.pem"),
      "-t",
      join(OPCERTS, "Root01.x509.pem"),
    ]);
    assert.equal(clean.code, 0, clean.stdout.toString());
    assert.equal(clean.stdout.length, 0);
  } finally {
    remove();
  }
});
