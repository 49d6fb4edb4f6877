// opcreds cert print-tlv: dumps TLV from files and inline hex/base64; malformed TLV is one error line, exit 1.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { isOneLine, OPCERTS, runBin, runInProcess } from "./cli-harness.ts";

test("real bin: prints the RCAC id of Root01 from inline hex", async () => {
  const hex = readFileSync(join(OPCERTS, "Root01.matter-tlv.hex"), "utf8").trim();
  const r = await runBin(["cert", "print-tlv", hex]);
  assert.equal(r.code, 0, r.stderr);
  const text = r.stdout.toString("utf8");
  assert.match(text, /^0x0000 struct \(11\) \{$/m);
  assert.match(text, /20: uint64 14612714909889200129 \(0xcacacaca00000001\)/);
});

test("hex file, base64 file and inline base64 print the same dump", async () => {
  const b64 = readFileSync(join(OPCERTS, "ICA01.matter-tlv.b64"), "utf8").trim();
  const a = await runInProcess(["cert", "print-tlv", join(OPCERTS, "ICA01.matter-tlv.hex")]);
  const b = await runInProcess(["cert", "print-tlv", join(OPCERTS, "ICA01.matter-tlv.b64")]);
  const c = await runInProcess(["cert", "print-tlv", b64]);
  assert.equal(a.code, 0);
  assert.ok(a.stdout.length > 200);
  assert.deepEqual(b.stdout, a.stdout);
  assert.deepEqual(c.stdout, a.stdout);
});

test("truncated TLV and non-TLV text are one-line errors with exit 1", async () => {
  const hex = readFileSync(join(OPCERTS, "Root01.matter-tlv.hex"), "utf8").trim();
  for (const arg of [hex.slice(0, 100), "not tlv at all!", "153001"]) {
    const r = await runInProcess(["cert", "print-tlv", arg]);
    assert.equal(r.code, 1, arg);
    assert.ok(isOneLine(r.stderr), r.stderr);
  }
});
