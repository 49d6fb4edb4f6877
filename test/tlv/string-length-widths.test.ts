// Audit of issue 2 item 2: UTF-8 and octet strings with 1-, 2-, 4- and 8-byte length fields all decode (the other
// tests only cover 4/8-byte lengths as overruns), inside a struct too; the encoder picks the minimal length width.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromHex, toHex } from "../../src/bytes/bytes.ts";
import { decodeTlv } from "../../src/tlv/tlv-decoder.ts";
import { encodeTlv } from "../../src/tlv/tlv-encoder.ts";
import { ctx } from "../../src/tlv/tlv-node.ts";

const ABC = "414243";

test("UTF-8 strings with 1/2/4/8-byte lengths (types 0x0c..0x0f) decode to the same value", () => {
  for (const hex of ["0c03", "0d0300", "0e03000000", "0f0300000000000000"]) {
    const node = decodeTlv(fromHex(hex + ABC));
    assert.equal(node.type, "utf8", hex);
    assert.equal(node.type === "utf8" && node.value, "ABC", hex);
    // Re-encoding picks the minimal 1-byte length.
    assert.equal(toHex(encodeTlv(node)), `0c03${ABC}`, hex);
  }
});

test("octet strings with 1/2/4/8-byte lengths (types 0x10..0x13) decode to the same bytes", () => {
  for (const hex of ["1003", "110300", "1203000000", "130300000000000000"]) {
    const node = decodeTlv(fromHex(hex + ABC));
    assert.equal(node.type, "bytes", hex);
    assert.equal(node.type === "bytes" && toHex(node.value), ABC, hex);
    assert.equal(toHex(encodeTlv(node)), `1003${ABC}`, hex);
  }
});

test("a context-tagged 4-byte-length string inside a struct decodes with its tag", () => {
  const node = decodeTlv(fromHex(`15 2e 05 03000000 ${ABC} 18`.replace(/ /g, "")));
  assert.equal(node.type, "struct");
  const el = node.type === "struct" ? node.elements[0] : undefined;
  assert.deepEqual(el?.tag, ctx(5));
  assert.equal(el?.type === "utf8" && el.value, "ABC");
});

test("the encoder switches to a 4-byte length at 65536 bytes", () => {
  const big = encodeTlv({ tag: { form: "anonymous" }, type: "bytes", value: new Uint8Array(65536) });
  assert.equal(toHex(big.subarray(0, 5)), "1200000100");
  const back = decodeTlv(big);
  assert.equal(back.type === "bytes" && back.value.length, 65536);
});
