/**
 * Byte-level mutations of a seed, in the manner of libFuzzer's mutators: bit flips, interesting values (length and
 * integer edges of TLV, DER and the message headers), insertion, deletion, duplication, truncation, splicing with
 * another seed, and sometimes wholly random bytes. Stacked 1-4 times per input.
 */
import type { FuzzRandom } from "./fuzz-random.ts";

/** Longest input a mutation may produce (above the largest message a Matter UDP datagram carries, 1280 bytes). */
export const MAX_MUTATED_BYTES = 2048;

/** Byte values that sit on the edges of the encodings the decoders read (lengths, TLV control octets, DER tags). */
const INTERESTING_BYTES = [
  0x00, 0x01, 0x02, 0x04, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0xff, 0xfe, 0x15, 0x16, 0x17, 0x18, 0x24, 0x25, 0x26,
  0x27, 0x30, 0x31, 0x35, 0x36, 0x37, 0x10, 0x11, 0x12, 0x13, 0x0c, 0x0d, 0x0e, 0x0f, 0x1f, 0x20, 0x40, 0xa0, 0xa3,
  0x06, 0x03,
];

/** Multi-byte edges written in either byte order (lengths that overflow, maximal counters, ...). */
const INTERESTING_WORDS = [
  [0xff, 0xff],
  [0x00, 0x80],
  [0xff, 0x7f],
  [0xff, 0xff, 0xff, 0xff],
  [0x00, 0x00, 0x00, 0x80],
  [0xff, 0xff, 0xff, 0x7f],
  [0x00, 0x00, 0x00, 0x00],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
];

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function mutateOnce(rng: FuzzRandom, input: Uint8Array, seeds: readonly Uint8Array[]): Uint8Array {
  const n = input.length;
  const at = n === 0 ? 0 : rng.below(n);
  switch (rng.below(11)) {
    case 0: {
      if (n === 0) return rng.bytes(1 + rng.below(8));
      const out = input.slice();
      out[at] = (out[at] as number) ^ (1 << rng.below(8));
      return out;
    }
    case 1: {
      if (n === 0) return Uint8Array.of(rng.pick(INTERESTING_BYTES));
      const out = input.slice();
      out[at] = rng.pick(INTERESTING_BYTES);
      return out;
    }
    case 2: {
      if (n === 0) return input;
      const out = input.slice();
      out[at] = rng.next() & 0xff;
      return out;
    }
    case 3: {
      const word = rng.pick(INTERESTING_WORDS);
      const bytes = rng.below(2) === 0 ? word : [...word].reverse();
      const out = input.slice();
      for (let i = 0; i < bytes.length && at + i < n; i++) out[at + i] = bytes[i] as number;
      return out;
    }
    case 4: // insert random bytes
      return concat(input.subarray(0, at), rng.bytes(1 + rng.below(8)), input.subarray(at));
    case 5: {
      // delete a run
      const len = 1 + rng.below(Math.max(1, Math.min(16, n - at)));
      return concat(input.subarray(0, at), input.subarray(Math.min(n, at + len)));
    }
    case 6: {
      // duplicate a run (repeated TLV elements, nested containers)
      const len = 1 + rng.below(Math.max(1, Math.min(64, n - at)));
      const run = input.subarray(at, Math.min(n, at + len));
      const times = 1 + rng.below(4);
      return concat(input.subarray(0, at), ...Array.from({ length: times }, () => run), input.subarray(at));
    }
    case 7: // truncate
      return input.subarray(0, at);
    case 8: {
      // splice with another seed
      const other = rng.pick(seeds);
      const from = other.length === 0 ? 0 : rng.below(other.length);
      return concat(input.subarray(0, at), other.subarray(from, from + rng.below(other.length - from + 1)));
    }
    case 9: {
      // small arithmetic on one byte (lengths off by one)
      if (n === 0) return input;
      const out = input.slice();
      out[at] = ((out[at] as number) + (rng.below(2) === 0 ? 1 : -1) * (1 + rng.below(4))) & 0xff;
      return out;
    }
    default: {
      // overwrite a run with bytes copied from elsewhere in the input
      if (n < 2) return input;
      const from = rng.below(n);
      const len = 1 + rng.below(Math.min(32, n - Math.max(from, at)));
      const out = input.slice();
      out.set(input.subarray(from, from + len), at);
      return out;
    }
  }
}

/** One fuzz input derived from `seeds`: a seed mutated 1-4 times, or (1 in 32) random bytes of random length. */
export function mutate(rng: FuzzRandom, seeds: readonly Uint8Array[]): Uint8Array {
  if (seeds.length === 0 || rng.below(32) === 0) return rng.bytes(rng.below(rng.below(8) === 0 ? 1024 : 64));
  let input = rng.pick(seeds);
  const rounds = 1 + rng.below(4);
  for (let i = 0; i < rounds; i++) input = mutateOnce(rng, input, seeds);
  return input.length > MAX_MUTATED_BYTES ? input.subarray(0, MAX_MUTATED_BYTES) : input;
}
