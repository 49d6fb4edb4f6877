/**
 * Seeds for a TLV struct schema found by asking the schema itself: start from an empty structure, add each member the
 * decoder reports missing ("missing mandatory field NAME (tag N)"), and change a member's type while the decoder
 * refuses it at that member. Optional members are then added one tag at a time when the result still decodes.
 */
import { MalformedError } from "../../src/bytes/errors.ts";
import { encodeTlv } from "../../src/tlv/tlv-encoder.ts";
import { ANONYMOUS, ctx, type TlvNode, type TlvTag } from "../../src/tlv/tlv-node.ts";
import type { FuzzRandom } from "./fuzz-random.ts";

/** A member being guessed: its context tag, the index of its candidate type and its own members. */
type Guess = { readonly tag: number; cand: number; children: Map<number, Guess> };

const CANDIDATES = 16;

function nodeOf(g: Guess, tag: TlvTag, rng: FuzzRandom): TlvNode {
  const bytes = (n: number): TlvNode => ({ tag, type: "bytes", value: rng.bytes(n) });
  switch (g.cand) {
    case 0:
      return { tag, type: "uint", value: 1n };
    case 1:
      return { tag, type: "utf8", value: "L1" };
    case 2:
      return bytes(32);
    case 3:
      return { tag, type: "bool", value: true };
    case 4:
      return {
        tag,
        type: "struct",
        elements: [...g.children.values()].sort((a, b) => a.tag - b.tag).map((c) => nodeOf(c, ctx(c.tag), rng)),
      };
    case 5:
      return { tag, type: "array", elements: [] };
    case 6:
      return bytes(64);
    case 7:
      return bytes(65);
    case 8:
      return bytes(16);
    case 9:
      return { tag, type: "int", value: -1n };
    case 10:
      return { tag, type: "null" };
    case 11:
      return { tag, type: "array", elements: [{ tag: ANONYMOUS, type: "struct", elements: [] }] };
    case 12:
      return { tag, type: "array", elements: [{ tag: ANONYMOUS, type: "uint", value: 1n }] };
    case 13:
      return {
        tag,
        type: "list",
        elements: [...g.children.values()].sort((a, b) => a.tag - b.tag).map((c) => nodeOf(c, ctx(c.tag), rng)),
      };
    case 14:
      return { tag, type: "uint", value: 0n };
    default:
      return bytes(300);
  }
}

/** What a struct schema offers for seeding: strict decoding of a whole TLV encoding. */
export type DecodingSchema = { decode(bytes: Uint8Array, path?: string): unknown };

/** Up to a few valid encodings for `schema` (fewer when guessing fails), plus the empty structure and list. */
export function schemaSeeds(schema: DecodingSchema, rng: FuzzRandom): Uint8Array[] {
  const asStruct = guessSeeds(schema, rng, STRUCT);
  return asStruct.length > 1 ? asStruct : [...asStruct, ...guessSeeds(schema, rng, LIST).slice(1)];
}

const STRUCT = 4;
const LIST = 13;

function guessSeeds(schema: DecodingSchema, rng: FuzzRandom, rootType: number): Uint8Array[] {
  const root: Guess = { tag: -1, cand: rootType, children: new Map() };
  const byPath = new Map<string, Guess>([["root", root]]);
  const encode = () => encodeTlv(nodeOf(root, ANONYMOUS, rng));
  const seeds: Uint8Array[] = [
    encodeTlv({ tag: ANONYMOUS, type: rootType === LIST ? "list" : "struct", elements: [] }),
  ];
  const tryDecode = (bytes: Uint8Array): MalformedError | undefined => {
    try {
      schema.decode(bytes);
      return undefined;
    } catch (e) {
      if (e instanceof MalformedError) return e;
      return new MalformedError("tlv.schema", String(e));
    }
  };
  let found: Uint8Array | undefined;
  for (let attempt = 0; attempt < 300; attempt++) {
    const bytes = encode();
    const error = tryDecode(bytes);
    if (error === undefined) {
      found = bytes;
      break;
    }
    const path = error.path ?? "";
    const missing = /missing mandatory field \w+ \(tag (\d+)\)/.exec(error.message);
    if (missing !== null) {
      const parent = byPath.get(path.slice(0, path.lastIndexOf("/")));
      if (parent === undefined || (parent.cand !== STRUCT && parent.cand !== LIST)) break;
      const child: Guess = { tag: Number(missing[1]), cand: 0, children: new Map() };
      parent.children.set(child.tag, child);
      byPath.set(path, child);
      continue;
    }
    const guess = byPath.get(path);
    if (guess === undefined || guess === root || guess.cand + 1 >= CANDIDATES) break;
    guess.cand++;
    guess.children = new Map();
    for (const key of [...byPath.keys()]) if (key.startsWith(`${path}/`)) byPath.delete(key);
  }
  if (found === undefined) return seeds;
  seeds.push(found);
  // Optional members: add one context tag at a time (0..7, not yet present) with the first type that still decodes.
  for (let tag = 0; tag < 8; tag++) {
    if (root.children.has(tag)) continue;
    for (let cand = 0; cand < CANDIDATES; cand++) {
      const extra: Guess = { tag, cand, children: new Map() };
      root.children.set(tag, extra);
      const bytes = encode();
      if (tryDecode(bytes) === undefined) {
        seeds.push(bytes);
        break;
      }
      root.children.delete(tag);
    }
  }
  return seeds;
}
