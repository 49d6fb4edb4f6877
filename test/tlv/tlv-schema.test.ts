// Typed schemas: field mapping, canonical order, optional/nullable/array/fabric index, strict type and range checks.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromHex, toHex } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import { decodeTlv } from "../../src/tlv/tlv-decoder.ts";
import { ANONYMOUS, commonTag, ctx } from "../../src/tlv/tlv-node.ts";
import {
  FABRIC_INDEX_TAG,
  type TlvType,
  tlvAny,
  tlvArray,
  tlvBool,
  tlvBytes,
  tlvFabricIndex,
  tlvField,
  tlvFloat32,
  tlvFloat64,
  tlvInt8,
  tlvInt16,
  tlvInt32,
  tlvInt64,
  tlvList,
  tlvNullable,
  tlvOptionalField,
  tlvString,
  tlvStruct,
  tlvUInt8,
  tlvUInt16,
  tlvUInt32,
  tlvUInt64,
  tlvUIntRange,
} from "../../src/tlv/tlv-schema.ts";

function schemaError(fn: () => unknown, path: string, messagePart?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MalformedError, `expected MalformedError, got ${String(e)}`);
    assert.equal(e.code, "tlv.schema", e.message);
    assert.equal(e.path, path);
    if (messagePart !== undefined) assert.match(e.message, new RegExp(messagePart));
    return true;
  });
}

// Shaped like the Operational Credentials NOCStruct (fabric-scoped) with an extra nullable and array field.
const Noc = tlvStruct({
  noc: tlvField(1, tlvBytes({ maxLength: 400 })),
  icac: tlvField(2, tlvNullable(tlvBytes({ maxLength: 400 }))),
  label: tlvOptionalField(3, tlvString({ maxLength: 32 })),
  fabricIndex: tlvFabricIndex,
});
type Noc = TlvType<typeof Noc>;

test("a struct encodes in ascending tag order whatever the property order", () => {
  const S = tlvStruct({ b: tlvField(2, tlvUInt8), a: tlvField(1, tlvBool), z: tlvField(0, tlvInt8) });
  assert.equal(toHex(S.encode({ a: true, b: 42, z: -17 })), "152000ef29012402" + "2a18");
});

test("struct round trip with optional, nullable and fabric index fields", () => {
  const full: Noc = { noc: fromHex("0102"), icac: null, label: "kitchen", fabricIndex: 1 };
  const bytes = Noc.encode(full);
  assert.equal(toHex(bytes), "153001020102" + "3402" + "2c03076b69746368656e" + "24fe01" + "18");
  assert.deepEqual(Noc.decode(bytes), full);
  const minimal: Noc = { noc: fromHex("01"), icac: fromHex("02") };
  assert.deepEqual(Noc.decode(Noc.encode(minimal)), minimal);
  assert.ok(!("label" in Noc.decode(Noc.encode(minimal))));
});

test("an optional field given as undefined is omitted", () => {
  assert.equal(toHex(Noc.encode({ noc: fromHex("01"), icac: null, label: undefined })), "1530010101340218");
});

test("unknown context tags in a struct are ignored on decode", () => {
  // {1: h'01', 2: null, 7: "extra", 0xFE: 3, common:9: 1}
  const value = Noc.decode(fromHex("15 30 01 01 01 34 02 2c 07 01 78 24 fe 03 44 09 00 01 18"));
  assert.deepEqual(value, { noc: fromHex("01"), icac: null, fabricIndex: 3 });
});

test("a missing mandatory field names the field path", () => {
  schemaError(() => Noc.decode(fromHex("15 30 01 01 01 18")), "root/icac", "missing mandatory field icac");
  schemaError(() => Noc.decode(fromHex("15 34 02 18"), "nocs/[0]"), "nocs/[0]/noc");
});

test("a known tag with the wrong type names the field path and offset", () => {
  assert.throws(
    () => Noc.decode(fromHex("15 30 01 01 01 34 02 24 03 05 18")),
    (e: unknown) => e instanceof MalformedError && e.code === "tlv.schema" && e.path === "root/label" && e.offset === 7,
  );
  schemaError(() => Noc.decode(fromHex("15 30 01 01 01 24 02 00 18")), "root/icac", "expected octstr, got uint8");
  schemaError(() => Noc.decode(fromHex("16 18")), "root", "expected struct, got array");
});

test("the fabric index field is tag 0xFE and rejects 255", () => {
  assert.equal(FABRIC_INDEX_TAG, 0xfe);
  schemaError(() => Noc.decode(fromHex("15 30 01 01 01 34 02 24 fe ff 18")), "root/fabricIndex");
  assert.throws(() => Noc.encode({ noc: fromHex("01"), icac: null, fabricIndex: 255 }), RangeError);
});

test("byte and string length constraints apply on both sides", () => {
  const Key = tlvBytes({ length: 4 });
  assert.deepEqual(Key.decode(fromHex("10 04 01 02 03 04")), fromHex("01020304"));
  schemaError(() => Key.decode(fromHex("10 03 01 02 03")), "root", "expected 4");
  assert.throws(() => Key.encode(new Uint8Array(5)), RangeError);
  const Bounded = tlvBytes({ minLength: 1, maxLength: 2 });
  schemaError(() => Bounded.decode(fromHex("10 00")), "root", "below minimum");
  schemaError(() => Bounded.decode(fromHex("10 03 00 00 00")), "root", "above maximum");
  const Label = tlvString({ maxLength: 4 });
  assert.equal(Label.decode(fromHex("0c 04 c3 bc c3 bc")), "üü");
  schemaError(() => Label.decode(fromHex("0c 06 c3 bc c3 bc c3 bc")), "root", "above maximum");
  assert.throws(() => Label.encode("üüü"), RangeError);
});

test("integers decode from any wire width if the value fits the schema", () => {
  assert.equal(tlvUInt8.decode(fromHex("07 2a 00 00 00 00 00 00 00")), 42);
  assert.equal(tlvUInt16.decode(fromHex("04 2a")), 42);
  schemaError(() => tlvUInt8.decode(fromHex("05 00 01")), "root", "out of uint8 range");
  assert.equal(tlvUInt32.decode(fromHex("06 ff ff ff ff")), 0xffffffff);
  assert.equal(tlvUInt64.decode(fromHex("07 ff ff ff ff ff ff ff ff")), 0xffffffffffffffffn);
  assert.equal(tlvInt8.decode(fromHex("03 80 ff ff ff ff ff ff ff")), -128);
  schemaError(() => tlvInt8.decode(fromHex("01 7f ff")), "root", "out of int8 range");
  assert.equal(tlvInt16.decode(fromHex("01 00 80")), -32768);
  assert.equal(tlvInt32.decode(fromHex("02 f0 67 fd ff")), -170000);
  assert.equal(tlvInt64.decode(fromHex("03 00 00 00 00 00 00 00 80")), -0x8000000000000000n);
  const Range = tlvUIntRange(1, 10);
  schemaError(() => Range.decode(fromHex("04 00")), "root");
  assert.equal(Range.decode(fromHex("04 0a")), 10);
});

test("signed and unsigned integers are distinct types", () => {
  schemaError(() => tlvUInt8.decode(fromHex("00 01")), "root", "expected uint8, got int8");
  schemaError(() => tlvInt8.decode(fromHex("04 01")), "root", "expected int8, got uint8");
});

test("integer encoding uses the minimal width and rejects out-of-range values", () => {
  assert.equal(toHex(tlvUInt32.encode(42)), "042a");
  assert.equal(toHex(tlvUInt64.encode(0x1_0000_0000n)), "070000000001000000");
  assert.equal(toHex(tlvInt64.encode(-1n)), "00ff");
  assert.throws(() => tlvUInt8.encode(256), RangeError);
  assert.throws(() => tlvUInt8.encode(-1), RangeError);
  assert.throws(() => tlvUInt8.encode(1.5), TypeError);
  assert.throws(() => tlvInt8.encode(128), RangeError);
  assert.throws(() => tlvUInt64.encode(1 as unknown as bigint), TypeError);
});

test("floats: single decodes only a 4-byte float, double accepts both", () => {
  assert.equal(toHex(tlvFloat32.encode(17.9)), "0a33338f41");
  assert.equal(tlvFloat32.decode(fromHex("0a 33 33 8f 41")), Math.fround(17.9));
  schemaError(() => tlvFloat32.decode(fromHex("0b 66 66 66 66 66 e6 31 40")), "root", "expected single");
  assert.equal(toHex(tlvFloat64.encode(17.9)), "0b6666666666e63140");
  assert.equal(tlvFloat64.decode(fromHex("0a 00 00 80 7f")), Infinity);
});

test("nullable accepts null or the inner type only", () => {
  const N = tlvNullable(tlvUInt16);
  assert.equal(toHex(N.encode(null)), "14");
  assert.equal(N.decode(fromHex("14")), null);
  assert.equal(N.decode(fromHex("05 00 01")), 256);
  schemaError(() => N.decode(fromHex("08")), "root", "expected uint16, got bool");
});

test("arrays map elements by index and bound their length", () => {
  const A = tlvArray(tlvUInt8, { maxLength: 3 });
  assert.equal(toHex(A.encode([1, 2])), "1604010402" + "18");
  assert.deepEqual(A.decode(fromHex("16 04 01 05 02 00 18")), [1, 2]);
  schemaError(() => A.decode(fromHex("16 04 01 04 02 04 03 04 04 18")), "root", "above maximum");
  schemaError(() => A.decode(fromHex("16 04 01 08 18")), "root/[1]", "expected uint8, got bool");
  schemaError(() => A.decode(fromHex("17 18")), "root", "expected array, got list");
  assert.throws(() => A.encode([1, 2, 3, 4]), RangeError);
  const Nested = tlvStruct({ targets: tlvField(0, tlvArray(tlvStruct({ cluster: tlvField(0, tlvUInt32) }))) });
  schemaError(() => Nested.decode(fromHex("15 36 00 15 28 00 18 18 18")), "root/targets/[0]/cluster");
});

test("a list schema reads context-tagged members like a struct, encoded as a TLV list", () => {
  const AttributePath = tlvList({
    endpoint: tlvOptionalField(2, tlvUInt16),
    cluster: tlvOptionalField(3, tlvUInt32),
    attribute: tlvOptionalField(4, tlvUInt32),
    listIndex: tlvOptionalField(5, tlvNullable(tlvUInt16)),
  });
  const bytes = AttributePath.encode({ endpoint: 0, cluster: 0x3e, listIndex: null });
  assert.equal(toHex(bytes), "172402002403" + "3e" + "3405" + "18");
  assert.deepEqual(AttributePath.decode(bytes), { endpoint: 0, cluster: 0x3e, listIndex: null });
  schemaError(() => AttributePath.decode(fromHex("17 24 02 00 24 02 01 18")), "root/endpoint", "appears twice");
  schemaError(() => AttributePath.decode(fromHex("15 18")), "root", "expected list, got struct");
});

test("tlvAny keeps the raw node and re-tags it on encode", () => {
  const S = tlvStruct({ data: tlvField(2, tlvAny) });
  const value = S.decode(fromHex("15 36 02 04 01 04 02 18 18"));
  assert.equal(value.data.type, "array");
  assert.equal(toHex(S.encode(value)), "1536020401040218" + "18");
  assert.deepEqual(decodeTlv(tlvAny.encode({ tag: ctx(9), type: "null" })).tag, ANONYMOUS);
});

test("profile-tagged fields follow the context-tagged ones", () => {
  const S = tlvStruct({ p: tlvField(commonTag(1), tlvUInt8), c: tlvField(200, tlvUInt8) });
  assert.equal(toHex(S.encode({ p: 1, c: 2 })), "15" + "24c802" + "44010001" + "18");
  assert.deepEqual(S.decode(fromHex("15 44 01 00 01 24 c8 02 18")), { p: 1, c: 2 });
});

test("schema definitions reject duplicate or anonymous field tags", () => {
  assert.throws(() => tlvStruct({ a: tlvField(1, tlvBool), b: tlvField(1, tlvBool) }), RangeError);
  assert.throws(() => tlvField(ANONYMOUS, tlvBool), RangeError);
  assert.throws(() => tlvField(256, tlvBool), RangeError);
});

test("encoding a struct without a mandatory field is a TypeError", () => {
  assert.throws(() => Noc.encode({ icac: null } as unknown as Noc), TypeError);
});

test("schema decode still applies the strict decoder", () => {
  assert.throws(
    () => Noc.decode(fromHex("15 30 01 01 01 34 02 18 00")),
    (e: unknown) => e instanceof MalformedError && e.code === "tlv.trailing",
  );
});

// Compile-time checks of the inferred type (tsc runs over test/).
const _typed: Noc = { noc: new Uint8Array(), icac: null };
// @ts-expect-error icac is mandatory
const _missing: Noc = { noc: new Uint8Array() };
void _typed;
void _missing;
