// Round-trip and robustness properties of the TLV codec and schemas (fast-check, bounded sizes).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { fromHex } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import { decodeTlv } from "../../src/tlv/tlv-decoder.ts";
import { encodeTlv, minimalIntWidth, minimalUIntWidth } from "../../src/tlv/tlv-encoder.ts";
import { ANONYMOUS, type TlvIntWidth, type TlvNode, type TlvTag, tagToString } from "../../src/tlv/tlv-node.ts";
import {
  tlvArray,
  tlvBytes,
  tlvFabricIndex,
  tlvField,
  tlvNullable,
  tlvOptionalField,
  tlvString,
  tlvStruct,
  tlvUInt8,
  tlvUInt64,
} from "../../src/tlv/tlv-schema.ts";

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });

const taggedArb: fc.Arbitrary<TlvTag> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 255 }).map((id): TlvTag => ({ form: "context", id })) },
  { weight: 1, arbitrary: u32.map((id): TlvTag => ({ form: "common", id })) },
  { weight: 1, arbitrary: u32.map((id): TlvTag => ({ form: "implicit", id })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(u16, u16, u32)
      .map(([vendorId, profileNum, id]): TlvTag => ({ form: "qualified", vendorId, profileNum, id })),
  },
);
const anyTagArb: fc.Arbitrary<TlvTag> = fc.oneof(fc.constant(ANONYMOUS), taggedArb);

const widths: TlvIntWidth[] = [1, 2, 4, 8];
const intArb = fc
  .bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })
  .chain((value) =>
    fc
      .constantFrom<TlvIntWidth | undefined>(undefined, ...widths.filter((w) => w >= minimalIntWidth(value)))
      .map(
        (width): TlvNode =>
          width === undefined ? { tag: ANONYMOUS, type: "int", value } : { tag: ANONYMOUS, type: "int", value, width },
      ),
  );
const uintArb = fc
  .bigInt({ min: 0n, max: (1n << 64n) - 1n })
  .chain((value) =>
    fc
      .constantFrom<TlvIntWidth | undefined>(undefined, ...widths.filter((w) => w >= minimalUIntWidth(value)))
      .map(
        (width): TlvNode =>
          width === undefined
            ? { tag: ANONYMOUS, type: "uint", value }
            : { tag: ANONYMOUS, type: "uint", value, width },
      ),
  );
const floatArb = fc.oneof(
  fc.double().map((value): TlvNode => ({ tag: ANONYMOUS, type: "float", value })),
  fc.double().map((value): TlvNode => ({ tag: ANONYMOUS, type: "float", value: Math.fround(value), width: 4 })),
);
const leafArb: fc.Arbitrary<TlvNode> = fc.oneof(
  intArb,
  uintArb,
  floatArb,
  fc.boolean().map((value): TlvNode => ({ tag: ANONYMOUS, type: "bool", value })),
  fc.constant<TlvNode>({ tag: ANONYMOUS, type: "null" }),
  fc.string({ unit: "binary", maxLength: 40 }).map((value): TlvNode => ({ tag: ANONYMOUS, type: "utf8", value })),
  fc.uint8Array({ maxLength: 300 }).map((value): TlvNode => ({ tag: ANONYMOUS, type: "bytes", value })),
);

const withTag = (node: TlvNode, tag: TlvTag): TlvNode => ({ ...node, tag }) as TlvNode;

const { node: nodeArb } = fc.letrec<{ node: TlvNode; container: TlvNode }>((tie) => ({
  node: fc.oneof({ maxDepth: 4, depthIdentifier: "tlv" }, leafArb, tie("container")),
  container: fc.oneof(
    fc
      .uniqueArray(fc.tuple(taggedArb, tie("node")), { maxLength: 5, selector: ([tag]) => tagToString(tag) })
      .map(
        (members): TlvNode => ({ tag: ANONYMOUS, type: "struct", elements: members.map(([t, n]) => withTag(n, t)) }),
      ),
    fc.array(tie("node"), { maxLength: 5 }).map((elements): TlvNode => ({ tag: ANONYMOUS, type: "array", elements })),
    fc
      .array(fc.tuple(anyTagArb, tie("node")), { maxLength: 5 })
      .map((members): TlvNode => ({ tag: ANONYMOUS, type: "list", elements: members.map(([t, n]) => withTag(n, t)) })),
  ),
}));
const rootArb = fc.tuple(anyTagArb, nodeArb).map(([tag, node]) => withTag(node, tag));

/** The node as the decoder reports it: wire widths filled in, no offsets. */
function expected(node: TlvNode): TlvNode {
  switch (node.type) {
    case "int":
      return { tag: node.tag, type: "int", value: node.value, width: node.width ?? minimalIntWidth(node.value) };
    case "uint":
      return { tag: node.tag, type: "uint", value: node.value, width: node.width ?? minimalUIntWidth(node.value) };
    case "float":
      return { tag: node.tag, type: "float", value: node.value, width: node.width ?? 8 };
    case "struct":
    case "array":
    case "list":
      return { tag: node.tag, type: node.type, elements: node.elements.map(expected) };
    default:
      return node;
  }
}

function stripOffsets(node: TlvNode): TlvNode {
  const { offset: _offset, ...rest } = node;
  if ("elements" in rest) return { ...rest, elements: rest.elements.map(stripOffsets) } as TlvNode;
  return rest as TlvNode;
}

/** Decodes, or returns the MalformedError; anything else thrown fails the property. */
function decodeOrMalformed(bytes: Uint8Array): TlvNode | MalformedError {
  try {
    return decodeTlv(bytes);
  } catch (e) {
    if (e instanceof MalformedError) {
      assert.match(e.code, /^tlv\./);
      assert.equal(typeof e.offset, "number");
      assert.ok(e.offset! >= 0 && e.offset! <= bytes.length, `offset ${e.offset} outside input`);
      return e;
    }
    throw e;
  }
}

test("round trip: every node tree encodes and decodes to itself", () => {
  fc.assert(
    fc.property(rootArb, (node) => {
      const bytes = encodeTlv(node);
      const decoded = stripOffsets(decodeTlv(bytes));
      assert.deepStrictEqual(decoded, expected(node));
      assert.deepStrictEqual(encodeTlv(decoded), bytes);
    }),
    { numRuns: 300 },
  );
});

test("robustness: random bytes decode or throw MalformedError", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const result = decodeOrMalformed(bytes);
      // Whatever decodes re-encodes to something that decodes to the same tree.
      if (!(result instanceof MalformedError)) {
        assert.deepStrictEqual(stripOffsets(decodeTlv(encodeTlv(result))), stripOffsets(result));
      }
    }),
    { numRuns: 2000 },
  );
});

type Mutation = { kind: "flip" | "set" | "insert" | "delete" | "truncate"; at: number; byte: number };
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("flip", "set", "insert", "delete", "truncate"),
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
});

function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = Array.from(bytes);
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === "flip" && out.length > 0) out[at] = out[at]! ^ (1 << (m.byte % 8));
    else if (m.kind === "set" && out.length > 0) out[at] = m.byte;
    else if (m.kind === "insert") out.splice(at, 0, m.byte);
    else if (m.kind === "delete") out.splice(at, 1);
    else if (m.kind === "truncate") out = out.slice(0, at);
  }
  return Uint8Array.from(out);
}

test("robustness: mutated valid encodings decode or throw MalformedError", () => {
  fc.assert(
    fc.property(rootArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (node, mutations) => {
      decodeOrMalformed(mutate(encodeTlv(node), mutations));
    }),
    { numRuns: 1000 },
  );
});

test("robustness: a mutated operational certificate decodes or throws MalformedError", () => {
  const cert = fromHex(readFileSync(new URL("./vectors/Node01_01.matter-tlv.hex", import.meta.url), "utf8"));
  fc.assert(
    fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (mutations) => {
      decodeOrMalformed(mutate(cert, mutations));
    }),
    { numRuns: 1000 },
  );
});

const Sample = tlvStruct({
  id: tlvField(0, tlvUInt64),
  name: tlvOptionalField(1, tlvString({ maxLength: 32 })),
  keys: tlvField(2, tlvArray(tlvBytes({ maxLength: 16 }), { maxLength: 4 })),
  level: tlvField(3, tlvNullable(tlvUInt8)),
  fabricIndex: tlvFabricIndex,
});

const sampleArb = fc.record(
  {
    id: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    name: fc.string({ maxLength: 8 }),
    keys: fc.array(fc.uint8Array({ maxLength: 16 }), { maxLength: 4 }),
    level: fc.option(fc.integer({ min: 0, max: 255 }), { nil: null }),
    fabricIndex: fc.integer({ min: 1, max: 254 }),
  },
  { requiredKeys: ["id", "keys", "level"] },
);

test("schema round trip: decode(encode(value)) equals value", () => {
  fc.assert(
    fc.property(sampleArb, (value) => {
      // fc.record builds null-prototype objects; compare with a plain copy.
      assert.deepStrictEqual(Sample.decode(Sample.encode(value)), { ...value });
    }),
    { numRuns: 300 },
  );
});

test("schema robustness: mutated encodings decode or throw MalformedError", () => {
  fc.assert(
    fc.property(sampleArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (value, mutations) => {
      try {
        Sample.decode(mutate(Sample.encode(value), mutations));
      } catch (e) {
        if (!(e instanceof MalformedError)) throw e;
        assert.match(e.code, /^tlv\./);
      }
    }),
    { numRuns: 1000 },
  );
});
