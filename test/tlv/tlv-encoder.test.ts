// Core spec Appendix A examples (the same table the reference SDK's TLV tests use), both directions.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromHex, toHex } from "../../src/bytes/bytes.ts";
import { decodeTlv } from "../../src/tlv/tlv-decoder.ts";
import { encodeTlv } from "../../src/tlv/tlv-encoder.ts";
import { ANONYMOUS, commonTag, ctx, qualifiedTag, type TlvNode, type TlvTag } from "../../src/tlv/tlv-node.ts";

function strip(node: TlvNode): TlvNode {
  const { offset: _offset, ...rest } = node;
  if ("elements" in rest) return { ...rest, elements: rest.elements.map(strip) } as TlvNode;
  return rest as TlvNode;
}

const int = (value: bigint, tag: TlvTag = ANONYMOUS): TlvNode => ({ tag, type: "int", value });
const uint = (value: bigint, tag: TlvTag = ANONYMOUS): TlvNode => ({ tag, type: "uint", value });
const implicit2: TlvTag = { form: "implicit", id: 1 };
const implicit4: TlvTag = { form: "implicit", id: 100000 };

// [description, node to encode, expected hex]
const VECTORS: [string, TlvNode, string][] = [
  ["Boolean false", { tag: ANONYMOUS, type: "bool", value: false }, "08"],
  ["Boolean true", { tag: ANONYMOUS, type: "bool", value: true }, "09"],
  ["Signed Integer, 1-octet, value 42", int(42n), "002a"],
  ["Signed Integer, 1-octet, value -17", int(-17n), "00ef"],
  ["Unsigned Integer, 1-octet, value 42U", uint(42n), "042a"],
  ["Signed Integer, 2-octet, value 42", { tag: ANONYMOUS, type: "int", value: 42n, width: 2 }, "012a00"],
  ["Signed Integer, 4-octet, value -170000", int(-170000n), "02f067fdff"],
  ["Signed Integer, 8-octet, value 40000000000", int(40000000000n), "0300902f5009000000"],
  ["Unsigned Integer, 2-octet, value 42U", { tag: ANONYMOUS, type: "uint", value: 42n, width: 2 }, "052a00"],
  ["Unsigned Integer, 4-octet, value 170000U", uint(170000n), "0610980200"],
  ["Unsigned Integer, 8-octet, value 40000000000U", uint(40000000000n), "0700902f5009000000"],
  ["UTF-8 String, 1-octet length, Hello!", { tag: ANONYMOUS, type: "utf8", value: "Hello!" }, "0c0648656c6c6f21"],
  ["UTF-8 String, 1-octet length, Tschüs", { tag: ANONYMOUS, type: "utf8", value: "Tschüs" }, "0c0754736368c3bc73"],
  [
    "Octet String, 1-octet length, 00 01 02 03 04",
    { tag: ANONYMOUS, type: "bytes", value: fromHex("0001020304") },
    "10050001020304",
  ],
  ["Null", { tag: ANONYMOUS, type: "null" }, "14"],
  ["Single precision 0.0", { tag: ANONYMOUS, type: "float", value: 0, width: 4 }, "0a00000000"],
  ["Single precision 1/3", { tag: ANONYMOUS, type: "float", value: Math.fround(1 / 3), width: 4 }, "0aabaaaa3e"],
  ["Single precision 17.9", { tag: ANONYMOUS, type: "float", value: Math.fround(17.9), width: 4 }, "0a33338f41"],
  ["Single precision +inf", { tag: ANONYMOUS, type: "float", value: Infinity, width: 4 }, "0a0000807f"],
  ["Single precision -inf", { tag: ANONYMOUS, type: "float", value: -Infinity, width: 4 }, "0a000080ff"],
  ["Double precision 0.0", { tag: ANONYMOUS, type: "float", value: 0 }, "0b0000000000000000"],
  ["Double precision 1/3", { tag: ANONYMOUS, type: "float", value: 1 / 3 }, "0b555555555555d53f"],
  ["Double precision 17.9", { tag: ANONYMOUS, type: "float", value: 17.9, width: 8 }, "0b6666666666e63140"],
  ["Double precision +inf", { tag: ANONYMOUS, type: "float", value: Infinity }, "0b000000000000f07f"],
  ["Double precision -inf", { tag: ANONYMOUS, type: "float", value: -Infinity }, "0b000000000000f0ff"],
  ["Empty Structure", { tag: ANONYMOUS, type: "struct", elements: [] }, "1518"],
  ["Empty Array", { tag: ANONYMOUS, type: "array", elements: [] }, "1618"],
  ["Empty List", { tag: ANONYMOUS, type: "list", elements: [] }, "1718"],
  [
    "Structure, two context tags, {0 = 42, 1 = -17}",
    { tag: ANONYMOUS, type: "struct", elements: [int(42n, ctx(0)), int(-17n, ctx(1))] },
    "1520002a2001ef18",
  ],
  [
    "Array, signed 1-octet, [0, 1, 2, 3, 4]",
    { tag: ANONYMOUS, type: "array", elements: [0n, 1n, 2n, 3n, 4n].map((v) => int(v)) },
    "160000000100020003000418",
  ],
  [
    "List, mix of anonymous and context tags, [[1, 0 = 42, 2, 3, 0 = -17]]",
    {
      tag: ANONYMOUS,
      type: "list",
      elements: [int(1n), int(42n, ctx(0)), int(2n), int(3n), int(-17n, ctx(0))],
    },
    "17000120002a000200032000ef18",
  ],
  [
    'Array, mix of element types, [42, -170000, {}, 17.9, "Hello!"]',
    {
      tag: ANONYMOUS,
      type: "array",
      elements: [
        int(42n),
        int(-170000n),
        { tag: ANONYMOUS, type: "struct", elements: [] },
        { tag: ANONYMOUS, type: "float", value: Math.fround(17.9), width: 4 },
        { tag: ANONYMOUS, type: "utf8", value: "Hello!" },
      ],
    },
    "16002a02f067fdff15180a33338f410c0648656c6c6f2118",
  ],
  ["Context tag 1, {1 = 42U}", { tag: ANONYMOUS, type: "struct", elements: [uint(42n, ctx(1))] }, "1524012a18"],
  [
    "Context tag 1 within a list, [[1 = 42U]]",
    { tag: ANONYMOUS, type: "list", elements: [uint(42n, ctx(1))] },
    "1724012a18",
  ],
  ["Common profile tag 1, Matter::1 = 42U", uint(42n, commonTag(1)), "4401002a"],
  ["Common profile tag 100000, Matter::100000 = 42U", uint(42n, commonTag(100000)), "64a08601002a"],
  ["Implicit profile tag 1 (2-octet)", uint(42n, implicit2), "8401002a"],
  ["Implicit profile tag 100000 (4-octet)", uint(42n, implicit4), "a4a08601002a"],
  ["Fully qualified tag, 65521::57069:1 = 42U", uint(42n, qualifiedTag(0xfff1, 0xdeed, 1)), "c4f1ffedde01002a"],
  [
    "Fully qualified tag, 65521::57069:2857762541 = 42U",
    uint(42n, qualifiedTag(0xfff1, 0xdeed, 0xaa55feed)),
    "e4f1ffeddeedfe55aa2a",
  ],
  [
    "Structure with fully qualified tags, 65521::57069:1 = {65521::57069:43605 = 42U}",
    {
      tag: qualifiedTag(0xfff1, 0xdeed, 1),
      type: "struct",
      elements: [uint(42n, qualifiedTag(0xfff1, 0xdeed, 0xaa55))],
    },
    "d5f1ffedde0100c4f1ffedde55aa2a18",
  ],
];

for (const [name, node, hex] of VECTORS) {
  test(`spec vector: ${name}`, () => {
    assert.equal(toHex(encodeTlv(node)), hex);
    const decoded = strip(decodeTlv(fromHex(hex)));
    // Decoding reports the wire width; the encoder input may have left it to the minimal default.
    assert.equal(toHex(encodeTlv(decoded)), hex);
    assert.equal(decoded.type, node.type);
    assert.deepEqual(decoded.tag, node.tag);
    if ("value" in node && "value" in decoded) assert.deepEqual(decoded.value, node.value);
  });
}

test("minimal widths are chosen at each boundary", () => {
  const cases: [TlvNode, string][] = [
    [int(127n), "007f"],
    [int(128n), "018000"],
    [int(-128n), "0080"],
    [int(-129n), "017fff"],
    [int(32767n), "01ff7f"],
    [int(32768n), "0200800000"],
    [int(2147483648n), "030000008000000000"],
    [int(-9223372036854775808n), "030000000000000080"],
    [uint(255n), "04ff"],
    [uint(256n), "050001"],
    [uint(65536n), "0600000100"],
    [uint(0xffffffffffffffffn), "07ffffffffffffffff"],
  ];
  for (const [node, hex] of cases) assert.equal(toHex(encodeTlv(node)), hex);
});

test("string lengths switch to 2-octet lengths at 256 bytes", () => {
  const short = encodeTlv({ tag: ANONYMOUS, type: "bytes", value: new Uint8Array(255) });
  assert.equal(toHex(short.subarray(0, 2)), "10ff");
  const long = encodeTlv({ tag: ANONYMOUS, type: "utf8", value: "a".repeat(256) });
  assert.equal(toHex(long.subarray(0, 3)), "0d0001");
  assert.equal(long.length, 3 + 256);
});

test("an explicit width is honoured and a too-small one is a RangeError", () => {
  assert.equal(toHex(encodeTlv({ tag: ANONYMOUS, type: "uint", value: 1n, width: 8 })), "070100000000000000");
  assert.throws(() => encodeTlv({ tag: ANONYMOUS, type: "uint", value: 256n, width: 1 }), RangeError);
  assert.throws(() => encodeTlv({ tag: ANONYMOUS, type: "int", value: 128n, width: 1 }), RangeError);
  assert.throws(() => encodeTlv({ tag: ANONYMOUS, type: "uint", value: -1n }), RangeError);
  assert.throws(() => encodeTlv({ tag: ANONYMOUS, type: "uint", value: 1n << 64n }), RangeError);
});

test("the encoder refuses trees the decoder would reject", () => {
  assert.throws(() => encodeTlv({ tag: ANONYMOUS, type: "struct", elements: [uint(1n)] }), RangeError);
  assert.throws(
    () => encodeTlv({ tag: ANONYMOUS, type: "struct", elements: [uint(1n, ctx(1)), uint(2n, ctx(1))] }),
    RangeError,
  );
  assert.throws(() => encodeTlv({ tag: ANONYMOUS, type: "array", elements: [uint(1n, ctx(1))] }), RangeError);
  assert.throws(() => encodeTlv({ tag: { form: "context", id: 256 }, type: "null" }), RangeError);
  assert.throws(() => encodeTlv({ tag: ANONYMOUS, type: "utf8", value: "\ud800" }), RangeError);
  assert.throws(() => ctx(-1), RangeError);
});
