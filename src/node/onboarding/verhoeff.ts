/**
 * The Verhoeff check digit (Core spec 5.1.4.1.3: the last digit of a Manual Pairing Code), over decimal strings.
 * Tables are the standard dihedral group D5 multiplication, permutation and inverse tables.
 */
import { MalformedError } from "../../bytes/errors.ts";

const D: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const P: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const INV: readonly number[] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

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
