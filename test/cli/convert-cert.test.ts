// opcreds cert convert-cert: every opcert vector converts both ways, byte-exact, between every input and output encoding.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fromHex } from "../../src/bytes/bytes.ts";
import { isOneLine, OPCERTS, pool, REPO, runBin, runInProcess, tempDir } from "./cli-harness.ts";

const NAMES = readdirSync(OPCERTS)
  .filter((f) => f.endsWith(".matter-tlv.hex"))
  .map((f) => f.slice(0, -".matter-tlv.hex".length))
  .sort();

const FORMATS = [
  { flag: "-p", name: "x509-pem" },
  { flag: "-d", name: "x509-der" },
  { flag: "-X", name: "x509-hex" },
  { flag: "-c", name: "chip" },
  { flag: "-x", name: "chip-hex" },
  { flag: "-b", name: "chip-b64" },
] as const;

/** The expected bytes of vector `name` in every encoding (text files as stored, with their final newline). */
function expected(name: string): Record<string, Buffer> {
  const read = (ext: string) => readFileSync(join(OPCERTS, `${name}.${ext}`));
  return {
    "x509-pem": read("x509.pem"),
    "x509-der": Buffer.from(fromHex(read("x509.der.hex").toString("utf8"))),
    "x509-hex": read("x509.der.hex"),
    chip: Buffer.from(fromHex(read("matter-tlv.hex").toString("utf8"))),
    "chip-hex": read("matter-tlv.hex"),
    "chip-b64": read("matter-tlv.b64"),
  };
}

/** Writes vector `name` in every encoding into `dir`; returns the file path per encoding. */
function writeInputs(dir: string, name: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [format, bytes] of Object.entries(expected(name))) {
    files[format] = join(dir, `${name}.${format}`);
    writeFileSync(files[format]!, bytes);
  }
  return files;
}

test("the vectors are all there (9 certificates)", () => {
  assert.deepEqual(NAMES, [
    "ICA01",
    "ICA02",
    "Node01_01",
    "Node01_02",
    "Node02_01",
    "Node02_02",
    "Node02_03",
    "Root01",
    "Root02",
  ]);
});

test("every certificate, from every input encoding, to every output encoding, is byte-exact (in-process)", async () => {
  const { dir, remove } = tempDir();
  try {
    for (const name of NAMES) {
      const want = expected(name);
      const inputs = writeInputs(dir, name);
      for (const [inFormat, path] of Object.entries(inputs)) {
        for (const out of FORMATS) {
          const r = await runInProcess(["cert", "convert-cert", path, "-", out.flag]);
          assert.equal(r.code, 0, `${name} ${inFormat} -> ${out.name}: ${r.stderr}`);
          assert.deepEqual(r.stdout, want[out.name], `${name} ${inFormat} -> ${out.name}`);
        }
      }
      // Inline arguments: hex and base64 strings given on the command line.
      const inline = await runInProcess(["cert", "convert-cert", want["chip-b64"]!.toString().trim(), "-", "-X"]);
      assert.deepEqual(inline.stdout, want["x509-hex"], `${name} inline b64`);
    }
  } finally {
    remove();
  }
});

test("the default output encoding is Matter TLV base64 (chip-b64)", async () => {
  const r = await runInProcess(["cert", "convert-cert", join(OPCERTS, "Root02.x509.pem"), "-"]);
  assert.equal(r.code, 0);
  assert.deepEqual(r.stdout, readFileSync(join(OPCERTS, "Root02.matter-tlv.b64")));
});

test("real bin: each certificate converts byte-exact (rotating input and output encodings, files and stdout)", async () => {
  const { dir, remove } = tempDir();
  try {
    const jobs = NAMES.map((name, i) => async () => {
      const inputs = writeInputs(dir, name);
      const inFormat = FORMATS[i % FORMATS.length]!;
      const outFormat = FORMATS[(i + 3) % FORMATS.length]!; // always crosses X.509 <-> TLV
      const outPath = join(dir, `${name}.out`);
      const r = await runBin(["cert", "convert-cert", inputs[inFormat.name]!, outPath, outFormat.flag]);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.deepEqual(
        readFileSync(outPath),
        expected(name)[outFormat.name],
        `${name} ${inFormat.name} -> ${outFormat.name}`,
      );
    });
    await pool(jobs);
    const stdout = await runBin(["cert", "convert-cert", "test/vectors/opcerts/Node01_01.matter-tlv.hex", "-", "-d"], {
      cwd: REPO,
    });
    assert.equal(stdout.code, 0);
    assert.deepEqual(stdout.stdout, expected("Node01_01")["x509-der"]);
  } finally {
    remove();
  }
});

test("Node01_01_Err01 (damaged SKID tag) fails conversion with one line naming a tag error", async () => {
  const path = join(REPO, "test", "vectors", "opcerts-errors", "Node01_01_Err01.matter-tlv.hex");
  const r = await runInProcess(["cert", "convert-cert", path, "-", "-p"]);
  assert.equal(r.code, 1);
  assert.ok(isOneLine(r.stderr), r.stderr);
  assert.match(r.stderr, /tag/i);
  assert.equal(r.stdout.length, 0);
});
