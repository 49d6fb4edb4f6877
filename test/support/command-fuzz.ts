// Shared pieces of the clusters' robustness properties: CommandFields that are random bytes or a valid payload with
// one damaged byte, and their strict decoding (a refusal must be MalformedError, nothing else).
import assert from "node:assert/strict";
import fc from "fast-check";
import { MalformedError } from "../../src/bytes/errors.ts";
import { decodeTlv } from "../../src/tlv/tlv-decoder.ts";
import type { TlvNode } from "../../src/tlv/tlv-node.ts";

/** Random bytes (at most `maxLength`), or `base` with one byte XOR-ed by a non-zero value. */
export function randomOrMutated(base: Uint8Array, maxLength: number): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength }),
    fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
      const m = base.slice();
      m[i]! ^= x;
      return m;
    }),
  );
}

/** The decoded CommandFields, or undefined when the strict decoder refused the bytes (asserted to be MalformedError). */
export function decodeFieldsOrMalformed(bytes: Uint8Array): TlvNode | undefined {
  try {
    return decodeTlv(bytes);
  } catch (e) {
    assert.ok(e instanceof MalformedError, String(e));
    return undefined;
  }
}
