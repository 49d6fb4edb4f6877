/**
 * Base-38 (Core spec 5.1.3.1 "Base38 Encoding"): every 3 bytes (little-endian) become 5 characters, a trailing 2 bytes
 * become 4 and a trailing byte 2, least significant character first, over the alphabet 0-9 A-Z - and '.'.
 */
import { MalformedError } from "../../bytes/errors.ts";

/** The base-38 alphabet. */
export const BASE38_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-.";

const CHARS_PER_BYTES = [0, 2, 4, 5] as const;

/** Encodes bytes as base-38. */
export function base38Encode(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = Math.min(3, bytes.length - i);
    let value = 0;
    for (let j = n - 1; j >= 0; j--) value = value * 256 + bytes[i + j]!;
    for (let k = 0; k < CHARS_PER_BYTES[n]!; k++) {
      out += BASE38_ALPHABET[value % 38];
      value = Math.floor(value / 38);
    }
  }
  return out;
}

/** Decodes base-38; a bad character, a bad length or a chunk value too large is a MalformedError. */
export function base38Decode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i += 5) {
    const chunk = text.slice(i, i + 5);
    const n = CHARS_PER_BYTES.indexOf(chunk.length as 0 | 2 | 4 | 5);
    if (n <= 0) throw new MalformedError("onboarding.base38", `bad base-38 length ${text.length}`, { offset: i });
    let value = 0;
    for (let k = chunk.length - 1; k >= 0; k--) {
      const digit = BASE38_ALPHABET.indexOf(chunk[k]!);
      if (digit < 0)
        throw new MalformedError("onboarding.base38", `bad base-38 character ${JSON.stringify(chunk[k])}`, {
          offset: i + k,
        });
      value = value * 38 + digit;
    }
    if (value >= 2 ** (8 * n))
      throw new MalformedError("onboarding.base38", "base-38 chunk value out of range", { offset: i });
    for (let j = 0; j < n; j++) {
      out.push(value & 0xff);
      value = Math.floor(value / 256);
    }
  }
  return Uint8Array.from(out);
}
