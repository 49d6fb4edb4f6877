// tlvStruct options: ascending tag order ([ tag-order ] protocol structs) and unknown members skipped or rejected.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fromHex } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import { ANONYMOUS, commonTag, ctx, type TlvNode } from "../../src/tlv/tlv-node.ts";
import {
  tlvBool,
  tlvBytes,
  tlvField,
  tlvOptionalField,
  tlvStruct,
  tlvUInt8,
  tlvUInt16,
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

const fields = {
  a: tlvField(1, tlvUInt8),
  b: tlvField(2, tlvBool),
  c: tlvOptionalField(5, tlvUInt16),
};
const Lenient = tlvStruct(fields);
const Ordered = tlvStruct(fields, { ordered: true });
const OrderedSkip = tlvStruct(fields, { ordered: true, unknownMembers: "skip" });
const Reject = tlvStruct(fields, { unknownMembers: "reject" });
const OrderedReject = tlvStruct(fields, { ordered: true, unknownMembers: "reject" });

// {1: 7, 2: true}
const inOrder = "15 2401 07 2902 18";
// {2: true, 1: 7}
const swapped = "15 2902 2401 07 18";

test("without options a struct keeps its lenient behaviour: any order, unknown tags of any form skipped", () => {
  assert.deepEqual(Lenient.decode(fromHex(swapped)), { a: 7, b: true });
  assert.deepEqual(Lenient.decode(fromHex("15 2409 01 2401 07 44010001 2902 18")), { a: 7, b: true });
});

test("ordered: members in ascending tag order decode; an out-of-order member names its path", () => {
  assert.deepEqual(Ordered.decode(fromHex(inOrder)), { a: 7, b: true });
  assert.deepEqual(Ordered.decode(fromHex("15 2401 07 2902 2505 3412 18")), { a: 7, b: true, c: 0x1234 });
  schemaError(() => Ordered.decode(fromHex(swapped), "Msg"), "Msg/a", "out of tag order");
  schemaError(() => Ordered.decode(fromHex("15 2401 07 2505 0100 2902 18")), "root/b", "out of tag order");
});

test("ordered: a repeated tag is out of order, whether known or unknown", () => {
  // The strict decoder already rejects repeated tags in bytes (tlv.duplicate-tag); a built node reaches the schema.
  const u = (id: number, value: bigint): TlvNode => ({ tag: ctx(id), type: "uint", value });
  const b2: TlvNode = { tag: ctx(2), type: "bool", value: true };
  const struct = (...elements: TlvNode[]): TlvNode => ({ tag: ANONYMOUS, type: "struct", elements });
  schemaError(() => Ordered.decodeNode(struct(u(1, 7n), u(1, 7n), b2), "S"), "S/a", "out of tag order");
  schemaError(() => Ordered.decodeNode(struct(u(1, 7n), b2, u(3, 0n), u(3, 0n)), "S"), "S/3", "out of tag order");
  // Without `ordered` a repeated known field is still rejected, by name.
  schemaError(() => Lenient.decodeNode(struct(u(1, 7n), u(1, 7n), b2), "S"), "S/a", "appears twice");
});

test("ordered + skip: unknown context members are skipped but still take part in the order", () => {
  assert.deepEqual(OrderedSkip.decode(fromHex("15 2401 07 2902 2403 00 2409 01 18")), { a: 7, b: true });
  // An unknown tag 0 after tag 1 breaks the order: skipped members still count (as the old secure channel reader did).
  schemaError(() => OrderedSkip.decode(fromHex("15 2401 07 2400 00 2902 18")), "root/0", "out of tag order");
  // The default of `unknownMembers` is skip.
  assert.deepEqual(Ordered.decode(fromHex("15 2401 07 2902 2409 01 18")), { a: 7, b: true });
});

test("ordered + skip: unknown non-context members are skipped wherever they are", () => {
  // A common-profile tag between context members, and one before them.
  assert.deepEqual(OrderedSkip.decode(fromHex("15 2401 07 44010001 2902 18")), { a: 7, b: true });
  assert.deepEqual(OrderedSkip.decode(fromHex("15 44010001 2401 07 2902 18")), { a: 7, b: true });
});

test("ordered: known profile-tagged fields follow the context-tagged ones in canonical order", () => {
  const S = tlvStruct({ c: tlvField(200, tlvUInt8), p: tlvField(commonTag(1), tlvUInt8) }, { ordered: true });
  assert.deepEqual(S.decode(fromHex("15 24c8 02 440100 01 18")), { c: 2, p: 1 });
  schemaError(() => S.decode(fromHex("15 440100 01 24c8 02 18")), "root/c", "out of tag order");
});

test("reject: an unknown context member is MalformedError naming its tag", () => {
  schemaError(() => Reject.decode(fromHex("15 2401 07 2902 2409 01 18")), "root/9", "unknown member");
  schemaError(() => OrderedReject.decode(fromHex("15 2401 07 2902 2409 01 18"), "M"), "M/9", "unknown member");
  // Known members in any order still decode when only `unknownMembers` is set.
  assert.deepEqual(Reject.decode(fromHex(swapped)), { a: 7, b: true });
});

test("reject: an unknown non-context member is MalformedError too", () => {
  schemaError(() => Reject.decode(fromHex("15 2401 07 44010001 2902 18")), "root/common:1", "unknown member");
  schemaError(() => OrderedReject.decode(fromHex("15 44010001 2401 07 2902 18")), "root/common:1");
});

test("nested ordered structs report the full path", () => {
  const Outer = tlvStruct({ x: tlvField(1, tlvBytes()), inner: tlvOptionalField(2, Ordered) }, { ordered: true });
  assert.deepEqual(Outer.decode(fromHex(`15 3001 01aa 3502 2401 07 2902 18 18`)), {
    x: fromHex("aa"),
    inner: { a: 7, b: true },
  });
  schemaError(() => Outer.decode(fromHex(`15 3001 01aa 3502 2902 2401 07 18 18`), "Out"), "Out/inner/a");
});

test("encoding is the same canonical order with or without options", () => {
  const value = { b: false, c: 3, a: 1 };
  assert.deepEqual(Ordered.encode(value), Lenient.encode(value));
  assert.deepEqual(OrderedReject.decode(OrderedReject.encode(value)), { a: 1, b: false, c: 3 });
});

test("robustness: random and mutated bytes into ordered/reject structs decode or raise MalformedError", () => {
  const sample = Ordered.encode({ a: 1, b: true, c: 0x1234 });
  const input = fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    fc
      .tuple(fc.nat(sample.length - 1), fc.integer({ min: 1, max: 255 }))
      .map(([at, x]) => sample.map((v, k) => (k === at ? v ^ x : v))),
  );
  fc.assert(
    fc.property(input, (bytes) => {
      for (const s of [Ordered, OrderedReject, Reject]) {
        try {
          s.decode(bytes);
        } catch (e) {
          assert.ok(e instanceof MalformedError, String(e));
        }
      }
    }),
    { numRuns: 500 },
  );
});

test("a field given the spec's member name keeps its property name in values and gives the spec's name in errors", () => {
  const Named = tlvStruct(
    { resumptionId: tlvField(1, tlvUInt8, "resumptionID"), mic: tlvOptionalField(2, tlvBool, "initiatorResumeMIC") },
    { ordered: true },
  );
  assert.deepEqual(Named.decode(fromHex("15 2401 07 2902 18")), { resumptionId: 7, mic: true });
  assert.equal(fromHex("15 2401 07 18").join(), Named.encode({ resumptionId: 7 }).join());
  schemaError(
    () => Named.decode(fromHex("15 2902 18"), "Sigma1"),
    "Sigma1/resumptionID",
    "missing mandatory field resumptionID",
  );
  schemaError(
    () => Named.decode(fromHex("15 2401 07 2402 01 18"), "Sigma1"),
    "Sigma1/initiatorResumeMIC",
    "expected bool",
  );
  schemaError(() => Named.decode(fromHex("15 2902 2401 07 18"), "Sigma1"), "Sigma1/resumptionID", "out of tag order");
  assert.throws(() => Named.encode({ mic: true } as never), /mandatory field resumptionID is missing/);
});
