// Tag constructors, equality and the text form used in error paths.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ANONYMOUS, commonTag, ctx, qualifiedTag, tagEquals, tagToString } from "../../src/tlv/tlv-node.ts";

test("tag constructors check their ranges", () => {
  assert.deepEqual(ctx(255), { form: "context", id: 255 });
  assert.throws(() => ctx(256), RangeError);
  assert.throws(() => ctx(1.5), RangeError);
  assert.throws(() => commonTag(2 ** 32), RangeError);
  assert.throws(() => qualifiedTag(0x10000, 0, 0), RangeError);
  assert.throws(() => qualifiedTag(0, -1, 0), RangeError);
});

test("tagEquals compares form and every number", () => {
  assert.ok(tagEquals(ctx(1), { form: "context", id: 1 }));
  assert.ok(!tagEquals(ctx(1), commonTag(1)));
  assert.ok(!tagEquals(ctx(1), ctx(2)));
  assert.ok(tagEquals(ANONYMOUS, { form: "anonymous" }));
  assert.ok(!tagEquals(ANONYMOUS, ctx(0)));
  assert.ok(tagEquals(qualifiedTag(0xfff1, 0xdeed, 1), qualifiedTag(0xfff1, 0xdeed, 1)));
  assert.ok(!tagEquals(qualifiedTag(0xfff1, 0xdeed, 1), qualifiedTag(0xfff2, 0xdeed, 1)));
  assert.ok(!tagEquals(qualifiedTag(0xfff1, 0xdeed, 1), qualifiedTag(0xfff1, 0xdeee, 1)));
});

test("tagToString gives distinct stable names per tag form", () => {
  assert.equal(tagToString(ANONYMOUS), "anon");
  assert.equal(tagToString(ctx(3)), "3");
  assert.equal(tagToString(commonTag(3)), "common:3");
  assert.equal(tagToString({ form: "implicit", id: 3 }), "implicit:3");
  assert.equal(tagToString(qualifiedTag(0xfff1, 0xdeed, 3)), "fff1:deed:3");
});

test("ANONYMOUS is frozen", () => {
  assert.ok(Object.isFrozen(ANONYMOUS));
});
