// opcreds cert convert-key: every chip-cert key format round-trips for every vector key; public-only inputs stay public.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { isOneLine, OPCERTS, runBin, runInProcess, tempDir } from "./cli-harness.ts";

const NAMES = readdirSync(OPCERTS)
  .filter((f) => f.endsWith(".key.pem"))
  .map((f) => f.slice(0, -".key.pem".length))
  .sort();

const PRIVATE_FLAGS = ["-p", "-d", "-x", "--pkcs8-pem", "--pkcs8-der", "-c", "-b", "-e"];
const PUBLIC_FLAGS = ["-P", "-C", "-B", "-E"];

function vectorJson(name: string): { publicKey: string; privateKeyScalar: string } {
  return JSON.parse(readFileSync(join(OPCERTS, `${name}.json`), "utf8"));
}

test("every vector key converts to every private format and back to the identical SEC1 PEM", async () => {
  assert.ok(NAMES.length >= 9);
  const { dir, remove } = tempDir();
  try {
    for (const name of NAMES) {
      const pemPath = join(OPCERTS, `${name}.key.pem`);
      const pem = readFileSync(pemPath, "utf8");
      for (const flag of PRIVATE_FLAGS) {
        const out = join(dir, `${name}${flag}`);
        const a = await runInProcess(["cert", "convert-key", pemPath, out, flag]);
        assert.equal(a.code, 0, `${name} ${flag}: ${a.stderr}`);
        const b = await runInProcess(["cert", "convert-key", out, "-", "-p"]);
        assert.equal(b.code, 0, `${name} ${flag} back: ${b.stderr}`);
        assert.equal(b.stdout.toString("utf8"), pem, `${name} ${flag}`);
      }
      const json = vectorJson(name);
      const e = await runInProcess(["cert", "convert-key", pemPath, "-", "-e"]);
      assert.equal(e.stdout.toString("utf8").trim(), json.publicKey + json.privateKeyScalar);
    }
  } finally {
    remove();
  }
});

test("public key formats carry the vector public key and refuse conversion to a private format", async () => {
  const { dir, remove } = tempDir();
  try {
    const json = vectorJson("Node01_01");
    const pemPath = join(OPCERTS, "Node01_01.key.pem");
    for (const flag of PUBLIC_FLAGS) {
      const out = join(dir, `pub${flag}`);
      assert.equal((await runInProcess(["cert", "convert-key", pemPath, out, flag])).code, 0);
      const hex = await runInProcess(["cert", "convert-key", out, "-", "-E"]);
      assert.equal(hex.code, 0, hex.stderr);
      assert.equal(hex.stdout.toString("utf8").trim(), json.publicKey, flag);
      const priv = await runInProcess(["cert", "convert-key", out, "-", "-p"]);
      assert.equal(priv.code, 1);
      assert.ok(isOneLine(priv.stderr), priv.stderr);
      assert.match(priv.stderr, /only a public key/);
    }
  } finally {
    remove();
  }
});

test("a serialized key pair whose public half does not match its scalar is rejected", async () => {
  const json = vectorJson("Root01");
  const other = vectorJson("Root02");
  const r = await runInProcess(["cert", "convert-key", other.publicKey + json.privateKeyScalar, "-", "-p"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /does not match/);
});

test("real bin: inline serialized key pair to SEC1 PEM on stdout; conflicting formats are a usage error", async () => {
  const json = vectorJson("Root01");
  const { dir, remove } = tempDir();
  try {
    writeFileSync(join(dir, "k.hex"), `${json.publicKey}${json.privateKeyScalar}\n`);
    const [inline, conflict] = await Promise.all([
      runBin(["cert", "convert-key", json.publicKey + json.privateKeyScalar, "-", "-p"]),
      runBin(["cert", "convert-key", join(dir, "k.hex"), "-", "-p", "-d"]),
    ]);
    assert.equal(inline.code, 0, inline.stderr);
    assert.equal(inline.stdout.toString("utf8"), readFileSync(join(OPCERTS, "Root01.key.pem"), "utf8"));
    assert.equal(conflict.code, 2);
    assert.ok(isOneLine(conflict.stderr), conflict.stderr);
  } finally {
    remove();
  }
});
