/**
 * The Verhoeff check digit (Core spec 5.1.4.1.3: the last digit of a Manual Pairing Code), over decimal strings.
 * The tables are built from their definitions: the multiplication, a position permutation and the inverses of D5.
 */
import { MalformedError } from "../../bytes/errors.ts";

/** The multiplication table of the dihedral group D5: 0-4 are rotations, 5-9 reflections. */
const D: readonly (readonly number[])[] = Array.from({ length: 10 }, (_, j) =>
  Array.from({ length: 10 }, (_, k) => (j < 5 ? (j + k) % 5 : (j - k + 5) % 5) + (j < 5 === k < 5 ? 0 : 5)),
);
/** The position permutation (1 5 7 6 2 8 3 0 9 4); row i of P applies it i times. */
const PERMUTATION: readonly number[] = [1, 5, 7, 6, 2, 8, 3, 0, 9, 4];
const P: readonly (readonly number[])[] = Array.from({ length: 8 }, (_, i) =>
  Array.from({ length: 10 }, (_, d) => {
    for (let n = 0; n < i; n++) d = PERMUTATION[d]!;
    return d;
  }),
);
/** The inverse of each element of D5. */
const INV: readonly number[] = D.map((row) => row.indexOf(0));

function digits(s: string): number[] {
  if (!/^[0-9]*$/.test(s)) throw new MalformedError("onboarding.digits", `not a decimal string: ${JSON.stringify(s)}`);
  return [...s].map(Number);
}

function checksum(ds: readonly number[], offset: number): number {
  let c = 0;
  for (let i = 0; i < ds.length; i++) {
    const d = ds[ds.length - 1 - i]!;
    c = D[c]![P[(i + offset) % 8]![d]!]!;
  }
  return c;
}

/** The check digit to append to `s` (a decimal string). */
export function verhoeffCheckDigit(s: string): number {
  return INV[checksum(digits(s), 1)]!;
}

/** True when the last digit of `s` is the Verhoeff check digit of the digits before it. */
export function verhoeffValid(s: string): boolean {
  return s.length > 0 && checksum(digits(s), 0) === 0;
}
