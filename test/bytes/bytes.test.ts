import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { ByteReader } from "../../src/bytes/byte-reader.ts";
import { ByteWriter } from "../../src/bytes/byte-writer.ts";
import { bigintToBytes, bytesToBigint, fromBase64, fromHex, toBase64, toHex } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";

test("hex and base64 round-trip any bytes", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      assert.deepEqual(fromHex(toHex(b)), b);
      assert.deepEqual(fromBase64(toBase64(b)), b);
    }),
  );
});

test("malformed hex and base64 are MalformedError", () => {
  assert.throws(() => fromHex("abc"), MalformedError);
  assert.throws(() => fromHex("zz"), MalformedError);
  assert.throws(() => fromBase64("a$=="), MalformedError);
});

test("reader overrun names the field and offset", () => {
  const r = new ByteReader(new Uint8Array([1, 2, 3]));
  assert.equal(r.u16le("a"), 0x0201);
  assert.throws(
    () => r.u32le("header/counter"),
    (e: unknown) =>
      e instanceof MalformedError && e.code === "bytes.overrun" && /header\/counter at 0x2/.test(e.message),
  );
});

test("writer then reader round-trips every integer kind", () => {
  const w = new ByteWriter(1);
  w.u8(0xff).u16le(0x1234).u32le(0xdeadbeef).u64le(0x0102030405060708n).i8(-1).i16le(-2).i32le(-3).i64le(-4n);
  w.u16be(0xabcd).u32be(7).u64be(9n);
  const r = new ByteReader(w.finish());
  assert.equal(r.u8("x"), 0xff);
  assert.equal(r.u16le("x"), 0x1234);
  assert.equal(r.u32le("x"), 0xdeadbeef);
  assert.equal(r.u64le("x"), 0x0102030405060708n);
  assert.equal(r.i8("x"), -1);
  assert.equal(r.i16le("x"), -2);
  assert.equal(r.i32le("x"), -3);
  assert.equal(r.i64le("x"), -4n);
  assert.equal(r.u16be("x"), 0xabcd);
  assert.equal(r.u32be("x"), 7);
  assert.equal(r.u64be("x"), 9n);
  r.expectEnd("x");
});

test("a writer's finished bytes do not change when it is written to again", () => {
  const full = new ByteWriter(2).u8(1).u8(2);
  const first = full.finish();
  full.u8(3);
  assert.deepEqual(first, Uint8Array.of(1, 2));
  assert.deepEqual(full.finish(), Uint8Array.of(1, 2, 3));
  const partial = new ByteWriter(8).u8(1);
  const before = partial.finish();
  partial.u8(2);
  assert.deepEqual(before, Uint8Array.of(1));
});

test("a writer grows from any capacity, zero included", () => {
  const w = new ByteWriter(0);
  for (let i = 0; i < 40; i++) w.u8(i);
  assert.deepEqual(
    w.finish(),
    Uint8Array.from({ length: 40 }, (_, i) => i),
  );
  assert.throws(() => new ByteWriter(-1), RangeError);
});

test("writer rejects out-of-range values", () => {
  assert.throws(() => new ByteWriter().u8(256), RangeError);
  assert.throws(() => new ByteWriter().u64le(-1n), RangeError);
});

test("bigint <-> bytes round-trips every length from 0 to 40, views at an odd offset included", () => {
  for (let length = 0; length <= 40; length++) {
    const backing = Uint8Array.from({ length: length + 3 }, (_, i) => (i * 151 + length * 7 + 1) & 0xff);
    const bytes = backing.subarray(3);
    const value = BigInt(`0x0${Buffer.from(bytes).toString("hex")}`);
    assert.equal(bytesToBigint(bytes), value);
    assert.deepEqual(bigintToBytes(value, length), Uint8Array.from(bytes));
  }
  assert.deepEqual(
    bigintToBytes(1n, 33),
    Uint8Array.from({ length: 33 }, (_, i) => (i === 32 ? 1 : 0)),
  );
});

test("bigint <-> bytes", () => {
  assert.deepEqual(bigintToBytes(0xfab000000000001dn, 8), fromHex("fab000000000001d"));
  assert.equal(bytesToBigint(fromHex("fab000000000001d")), 0xfab000000000001dn);
  assert.throws(() => bigintToBytes(256n, 1), RangeError);
});
