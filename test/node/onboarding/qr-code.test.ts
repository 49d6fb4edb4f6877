// QR Code Model 2 encoder and terminal renderer: published vectors (ISO/IEC 18004 Annex I "01234567" 1-M, Thonky
// "HELLO WORLD" 1-Q, zxing EncoderTestCase, Nayuki QrCodeTest full matrices), format/version information tables,
// capacity limits, and a small independent decoder (format info, unmask, de-interleave, RS syndromes, segment parse)
// used for round-trip properties.
import assert from "node:assert/strict";
import { test } from "node:test";
import { QrCode as MatterJsQrCode } from "@matter/types";
import fc from "fast-check";
import { BASE38_ALPHABET } from "../../../src/node/onboarding/base38.ts";
import {
  alignmentPatternPositions,
  dataCodewordCount,
  encodeQrCode,
  formatInformationBits,
  maskPenalty,
  QR_ALPHANUMERIC_CHARSET,
  QR_ECC_LEVELS,
  type QrCode,
  type QrEcc,
  QrMode,
  qrBlockStructure,
  reedSolomonRemainder,
  totalCodewordCount,
  versionInformationBits,
} from "../../../src/node/onboarding/qr-code.ts";
import { decodeQrCodePayload, encodeQrCodePayload } from "../../../src/node/onboarding/qr-code-payload.ts";
import { renderQrForTerminal } from "../../../src/node/onboarding/qr-terminal.ts";
import { CommissioningFlow, DiscoveryCapability } from "../../../src/node/onboarding/setup-payload.ts";

// --- An independent decoder ---------------------------------------------------------------------------------------

// GF(256) / 0x11d, built here separately from the encoder's tables.
const EXP: number[] = [];
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP.push(x);
    x = x & 0x80 ? ((x << 1) ^ 0x11d) & 0xff : x << 1;
  }
}
function gfMulSlow(a: number, b: number): number {
  let p = 0;
  for (; b > 0; b >>= 1, a = a & 0x80 ? ((a << 1) ^ 0x11d) & 0xff : a << 1) if (b & 1) p ^= a;
  return p;
}
/** Syndromes S_i = c(a^i), i < n: all zero iff the block is a codeword of the generator with roots a^0..a^(n-1). */
function syndromes(block: readonly number[], n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const c of block) s = gfMulSlow(s, EXP[i]!) ^ c;
    out.push(s);
  }
  return out;
}

// ISO/IEC 18004 Annex E Table E.1, typed in from the standard.
const ALIGNMENT_TABLE: readonly (readonly number[])[] = [
  [],
  [6, 18],
  [6, 22],
  [6, 26],
  [6, 30],
  [6, 34],
  [6, 22, 38],
  [6, 24, 42],
  [6, 26, 46],
  [6, 28, 50],
  [6, 30, 54],
  [6, 32, 58],
  [6, 34, 62],
  [6, 26, 46, 66],
  [6, 26, 48, 70],
  [6, 26, 50, 74],
  [6, 30, 54, 78],
  [6, 30, 56, 82],
  [6, 30, 58, 86],
  [6, 34, 62, 90],
  [6, 28, 50, 72, 94],
  [6, 26, 50, 74, 98],
  [6, 30, 54, 78, 102],
  [6, 28, 54, 80, 106],
  [6, 32, 58, 84, 110],
  [6, 30, 58, 86, 114],
  [6, 34, 62, 90, 118],
  [6, 26, 50, 74, 98, 122],
  [6, 30, 54, 78, 102, 126],
  [6, 26, 52, 78, 104, 130],
  [6, 30, 56, 82, 108, 134],
  [6, 34, 60, 86, 112, 138],
  [6, 30, 58, 86, 114, 142],
  [6, 34, 62, 90, 118, 146],
  [6, 30, 54, 78, 102, 126, 150],
  [6, 24, 50, 76, 102, 128, 154],
  [6, 28, 54, 80, 106, 132, 158],
  [6, 32, 58, 84, 110, 136, 162],
  [6, 26, 54, 82, 110, 138, 166],
  [6, 30, 58, 86, 114, 142, 170],
];

// All 32 format information strings (ISO/IEC 18004 Annex C Table C.1, after the XOR with 101010000010010).
const FORMAT_STRINGS: Record<QrEcc, readonly string[]> = {
  L: [
    "111011111000100",
    "111001011110011",
    "111110110101010",
    "111100010011101",
    "110011000101111",
    "110001100011000",
    "110110001000001",
    "110100101110110",
  ],
  M: [
    "101010000010010",
    "101000100100101",
    "101111001111100",
    "101101101001011",
    "100010111111001",
    "100000011001110",
    "100111110010111",
    "100101010100000",
  ],
  Q: [
    "011010101011111",
    "011000001101000",
    "011111100110001",
    "011101000000110",
    "010010010110100",
    "010000110000011",
    "010111011011010",
    "010101111101101",
  ],
  H: [
    "001011010001001",
    "001001110111110",
    "001110011100111",
    "001100111010000",
    "000011101100010",
    "000001001010101",
    "000110100001100",
    "000100000111011",
  ],
};

const MASKS: readonly ((i: number, j: number) => boolean)[] = [
  (i, j) => (i + j) % 2 === 0,
  (i) => i % 2 === 0,
  (_i, j) => j % 3 === 0,
  (i, j) => (i + j) % 3 === 0,
  (i, j) => (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0,
  (i, j) => ((i * j) % 2) + ((i * j) % 3) === 0,
  (i, j) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0,
  (i, j) => (((i + j) % 2) + ((i * j) % 3)) % 2 === 0,
];

interface Decoded {
  text: string;
  version: number;
  ecc: QrEcc;
  mask: number;
  mode: number;
  codewords: number[];
  blocks: number[][]; // each block: data then EC codewords
  ecPerBlock: number;
}

/** Reads a symbol back: format info (both copies), version info, data modules, blocks, and the one segment. */
function decodeQr(modules: readonly (readonly boolean[])[]): Decoded {
  const size = modules.length;
  const version = (size - 17) / 4;
  assert.ok(Number.isInteger(version) && version >= 1 && version <= 40, `bad size ${size}`);
  const m = (r: number, c: number) => (modules[r]![c] ? 1 : 0);
  // Format information, read MSB (bit 14) first along each copy.
  let copy1 = "";
  for (const c of [0, 1, 2, 3, 4, 5, 7, 8]) copy1 += m(8, c);
  for (const r of [7, 5, 4, 3, 2, 1, 0]) copy1 += m(r, 8);
  let copy2 = "";
  for (let r = size - 1; r >= size - 7; r--) copy2 += m(r, 8);
  for (let c = size - 8; c < size; c++) copy2 += m(8, c);
  assert.equal(copy1, copy2, "the two format information copies differ");
  let ecc: QrEcc | undefined;
  let mask = -1;
  for (const level of QR_ECC_LEVELS)
    FORMAT_STRINGS[level].forEach((s, i) => {
      if (s === copy1) {
        ecc = level;
        mask = i;
      }
    });
  assert.ok(ecc !== undefined, `unknown format information ${copy1}`);
  assert.equal(m(size - 8, 8), 1, "dark module");

  // Function modules, from the tables above.
  const fn = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  const mark = (r0: number, c0: number, h: number, w: number) => {
    for (let r = r0; r < r0 + h; r++) for (let c = c0; c < c0 + w; c++) if (r >= 0 && c >= 0) fn[r]![c] = true;
  };
  mark(0, 0, 9, 9); // finder, separator, format information
  mark(0, size - 8, 9, 8);
  mark(size - 8, 0, 8, 9);
  mark(6, 0, 1, size);
  mark(0, 6, size, 1);
  const centres = ALIGNMENT_TABLE[version - 1]!;
  for (const r of centres)
    for (const c of centres) {
      if ((r === 6 && c === 6) || (r === 6 && c === size - 7) || (r === size - 7 && c === 6)) continue;
      mark(r - 2, c - 2, 5, 5);
    }
  if (version >= 7) {
    mark(0, size - 11, 6, 3);
    mark(size - 11, 0, 3, 6);
    // Version information: bit i at (i / 3, size - 11 + i % 3) and transposed; both copies agree.
    let bits = 0;
    for (let i = 17; i >= 0; i--) {
      const a = m(Math.floor(i / 3), size - 11 + (i % 3));
      assert.equal(a, m(size - 11 + (i % 3), Math.floor(i / 3)), "version information copies differ");
      bits = bits * 2 + a;
    }
    assert.equal(bits >>> 12, version, "version information");
  }

  // Data modules in placement order, unmasked.
  const bits: number[] = [];
  let upward = true;
  for (let right = size - 1; right > 0; right -= 2) {
    if (right === 6) right--;
    for (let k = 0; k < size; k++) {
      const r = upward ? size - 1 - k : k;
      for (const c of [right, right - 1]) if (!fn[r]![c]) bits.push(m(r, c) ^ (MASKS[mask]!(r, c) ? 1 : 0));
    }
    upward = !upward;
  }
  const total = totalCodewordCount(version);
  assert.equal(Math.floor(bits.length / 8), total, "data modules / 8 = total codewords");
  assert.ok(
    bits.slice(total * 8).every((b) => b === 0),
    "remainder bits are zero",
  );
  const codewords: number[] = [];
  for (let i = 0; i < total; i++) codewords.push(bits.slice(i * 8, i * 8 + 8).reduce((a, b) => a * 2 + b, 0));

  // De-interleave (short blocks first), then check each block is a Reed-Solomon codeword.
  const { blocks: nBlocks, ecPerBlock, shortDataLength, long } = qrBlockStructure(version, ecc);
  const lengths = Array.from({ length: nBlocks }, (_, b) => shortDataLength + (b >= nBlocks - long ? 1 : 0));
  const blocks = lengths.map(() => [] as number[]);
  let k = 0;
  for (let i = 0; i <= shortDataLength; i++)
    for (let b = 0; b < nBlocks; b++) if (i < lengths[b]!) blocks[b]!.push(codewords[k++]!);
  for (let i = 0; i < ecPerBlock; i++) for (let b = 0; b < nBlocks; b++) blocks[b]!.push(codewords[k++]!);
  for (const block of blocks)
    assert.ok(
      syndromes(block, ecPerBlock).every((s) => s === 0),
      "nonzero syndrome",
    );
  const data = blocks.flatMap((block) => block.slice(0, block.length - ecPerBlock));

  // One segment, then terminator and pad codewords.
  let pos = 0;
  const read = (n: number) => {
    let v = 0;
    for (let i = 0; i < n; i++, pos++) v = v * 2 + ((data[pos >> 3]! >> (7 - (pos & 7))) & 1);
    return v;
  };
  const mode = read(4);
  const range = version <= 9 ? 0 : version <= 26 ? 1 : 2;
  let text = "";
  if (mode === 0b0001) {
    let count = read([10, 12, 14][range]!);
    for (; count >= 3; count -= 3) text += String(read(10)).padStart(3, "0");
    if (count === 2) text += String(read(7)).padStart(2, "0");
    if (count === 1) text += String(read(4));
  } else if (mode === 0b0010) {
    let count = read([9, 11, 13][range]!);
    for (; count >= 2; count -= 2) {
      const v = read(11);
      text += QR_ALPHANUMERIC_CHARSET[Math.floor(v / 45)]! + QR_ALPHANUMERIC_CHARSET[v % 45]!;
    }
    if (count === 1) text += QR_ALPHANUMERIC_CHARSET[read(6)]!;
  } else if (mode === 0b0100) {
    const count = read([8, 16, 16][range]!);
    const bytes = new Uint8Array(count);
    for (let i = 0; i < count; i++) bytes[i] = read(8);
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } else assert.fail(`unexpected mode ${mode}`);
  const capacity = data.length * 8;
  const terminator = Math.min(4, capacity - pos);
  assert.equal(read(terminator), 0, "terminator");
  if (pos % 8 !== 0) assert.equal(read(8 - (pos % 8)), 0, "bit padding");
  for (let i = pos / 8, p = 0; i < data.length; i++, p ^= 1) assert.equal(data[i], [0xec, 0x11][p], "pad codeword");
  return { text, version, ecc, mask, mode, codewords, blocks, ecPerBlock };
}

const bitsOf = (q: QrCode) => q.modules.map((row) => row.map((b) => (b ? "1" : "0")).join(""));
const fromZxing = (rows: string) =>
  rows
    .trim()
    .split("\n")
    .map((l) => l.trim().replaceAll(" ", ""));
const fromNayuki = (rows: readonly string[]) => rows.map((l) => l.replaceAll("X", "1").replaceAll(" ", "0"));
const hex = (bytes: readonly number[]) => bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ");

// --- Published vectors --------------------------------------------------------------------------------------------

test("ISO/IEC 18004 Annex I: '01234567' is numeric 1-M with the published data and EC codewords", () => {
  const qr = encodeQrCode("01234567", { ecc: "M" });
  assert.equal(qr.version, 1);
  assert.equal(qr.mode, QrMode.Numeric);
  const d = decodeQr(qr.modules);
  assert.equal(d.text, "01234567");
  assert.equal(hex(d.codewords), "10 20 0c 56 61 80 ec 11 ec 11 ec 11 ec 11 ec 11 a5 24 d4 c1 ed 36 c7 87 2c 55");
});

test("Thonky 'HELLO WORLD' 1-Q: data and EC codewords as published, format string of the chosen mask", () => {
  const data = [0x20, 0x5b, 0x0b, 0x78, 0xd1, 0x72, 0xdc, 0x4d, 0x43, 0x40, 0xec, 0x11, 0xec];
  assert.equal(hex([...reedSolomonRemainder(Uint8Array.from(data), 13)]), "a8 48 16 52 d9 36 9c 00 2e 0f b4 7a 10");
  const qr = encodeQrCode("HELLO WORLD", { ecc: "Q" });
  const d = decodeQr(qr.modules);
  assert.equal(d.version, 1);
  assert.equal(d.mode, QrMode.Alphanumeric);
  assert.equal(hex(d.codewords), `${hex(data)} a8 48 16 52 d9 36 9c 00 2e 0f b4 7a 10`);
  assert.equal(formatInformationBits("Q", qr.mask).toString(2).padStart(15, "0"), FORMAT_STRINGS.Q[qr.mask]);
});

test("format information: all 32 strings of Annex C, e.g. level M mask 0 -> 101010000010010", () => {
  assert.equal(formatInformationBits("M", 0).toString(2).padStart(15, "0"), "101010000010010");
  for (const level of QR_ECC_LEVELS)
    for (let mask = 0; mask < 8; mask++)
      assert.equal(formatInformationBits(level, mask).toString(2).padStart(15, "0"), FORMAT_STRINGS[level][mask]);
});

test("version information: Annex D strings for versions 7-10 and 40", () => {
  const expected: Record<number, string> = {
    7: "000111110010010100",
    8: "001000010110111100",
    9: "001001101010011001",
    10: "001010010011010011",
    40: "101000110001101001",
  };
  for (const [v, s] of Object.entries(expected))
    assert.equal(versionInformationBits(Number(v)).toString(2).padStart(18, "0"), s);
});

test("alignment pattern centres match Table E.1 for every version", () => {
  for (let v = 1; v <= 40; v++) assert.deepEqual(alignmentPatternPositions(v), ALIGNMENT_TABLE[v - 1], `version ${v}`);
});

test("codeword capacities match Table 7/9 (total and data codewords, block structure)", () => {
  assert.deepEqual([1, 2, 3, 7, 10, 11, 40].map(totalCodewordCount), [26, 44, 70, 196, 346, 404, 3706]);
  assert.deepEqual(
    QR_ECC_LEVELS.map((l) => dataCodewordCount(1, l)),
    [19, 16, 13, 9],
  );
  assert.deepEqual(
    QR_ECC_LEVELS.map((l) => dataCodewordCount(40, l)),
    [2956, 2334, 1666, 1276],
  );
  assert.equal(dataCodewordCount(10, "M"), 216);
  // 5-Q: 2 blocks of 15 + 2 blocks of 16 data codewords, 18 EC each; 11-M: 1 x 50 + 4 x 51, 30 EC each.
  assert.deepEqual(qrBlockStructure(5, "Q"), { blocks: 4, ecPerBlock: 18, shortDataLength: 15, long: 2 });
  assert.deepEqual(qrBlockStructure(11, "M"), { blocks: 5, ecPerBlock: 30, shortDataLength: 50, long: 4 });
  assert.deepEqual(qrBlockStructure(40, "H"), { blocks: 81, ecPerBlock: 30, shortDataLength: 15, long: 61 });
  // Every version and level: the blocks exactly cover the total.
  for (let v = 1; v <= 40; v++)
    for (const l of QR_ECC_LEVELS) {
      const s = qrBlockStructure(v, l);
      assert.equal(s.blocks * (s.shortDataLength + s.ecPerBlock) + s.long, totalCodewordCount(v));
      assert.ok(s.long < s.blocks);
    }
});

test("capacity limits of Table 7: the largest input fits version 40, one more character is a RangeError", () => {
  const cases: [QrEcc, string, number][] = [
    ["L", "1", 7089],
    ["L", "A", 4296],
    ["L", "a", 2953],
    ["H", "1", 3057],
    ["H", "A", 1852],
    ["H", "a", 1273],
  ];
  for (const [ecc, ch, max] of cases) {
    assert.equal(encodeQrCode(ch.repeat(max), { ecc }).version, 40, `${ecc} ${ch} x ${max}`);
    assert.throws(() => encodeQrCode(ch.repeat(max + 1), { ecc }), RangeError);
  }
  // Version 1 limits (numeric, alphanumeric, byte) at each level.
  const v1: Record<QrEcc, [number, number, number]> = {
    L: [41, 25, 17],
    M: [34, 20, 14],
    Q: [27, 16, 11],
    H: [17, 10, 7],
  };
  for (const ecc of QR_ECC_LEVELS)
    ["1", "A", "a"].forEach((ch, i) => {
      const max = v1[ecc][i]!;
      assert.equal(encodeQrCode(ch.repeat(max), { ecc }).version, 1);
      assert.equal(encodeQrCode(ch.repeat(max + 1), { ecc }).version, 2);
    });
});

const ZXING_ABCDEF_H = `
1 1 1 1 1 1 1 0 0 1 0 1 0 0 1 1 1 1 1 1 1
1 0 0 0 0 0 1 0 1 0 1 0 1 0 1 0 0 0 0 0 1
1 0 1 1 1 0 1 0 0 0 0 0 0 0 1 0 1 1 1 0 1
1 0 1 1 1 0 1 0 0 1 0 0 1 0 1 0 1 1 1 0 1
1 0 1 1 1 0 1 0 0 1 0 1 0 0 1 0 1 1 1 0 1
1 0 0 0 0 0 1 0 1 0 0 1 1 0 1 0 0 0 0 0 1
1 1 1 1 1 1 1 0 1 0 1 0 1 0 1 1 1 1 1 1 1
0 0 0 0 0 0 0 0 1 0 0 0 1 0 0 0 0 0 0 0 0
0 0 0 0 1 1 1 1 0 1 1 0 1 0 1 1 0 0 0 1 0
0 0 0 0 1 1 0 1 1 1 0 0 1 1 1 1 0 1 1 0 1
1 0 0 0 0 1 1 0 0 1 0 1 0 0 0 1 1 1 0 1 1
1 0 0 1 1 1 0 0 1 1 1 1 0 0 0 0 1 0 0 0 0
0 1 1 1 1 1 1 0 1 0 1 0 1 1 1 0 0 1 1 0 0
0 0 0 0 0 0 0 0 1 1 0 0 0 1 1 0 0 0 1 0 1
1 1 1 1 1 1 1 0 1 1 1 1 0 0 0 0 0 1 1 0 0
1 0 0 0 0 0 1 0 1 1 0 1 0 0 0 1 0 1 1 1 1
1 0 1 1 1 0 1 0 1 0 0 1 0 0 0 1 1 0 0 1 1
1 0 1 1 1 0 1 0 0 0 1 1 0 1 0 0 0 0 1 1 1
1 0 1 1 1 0 1 0 0 1 0 1 0 0 0 1 1 0 0 0 0
1 0 0 0 0 0 1 0 0 1 0 0 1 0 0 1 1 0 0 0 1
1 1 1 1 1 1 1 0 0 0 1 0 0 1 0 0 0 0 1 1 1`;

const ZXING_0123_M = `
1 1 1 1 1 1 1 0 0 1 1 0 1 0 1 1 1 1 1 1 1
1 0 0 0 0 0 1 0 0 1 0 0 1 0 1 0 0 0 0 0 1
1 0 1 1 1 0 1 0 1 0 0 0 0 0 1 0 1 1 1 0 1
1 0 1 1 1 0 1 0 1 0 1 1 1 0 1 0 1 1 1 0 1
1 0 1 1 1 0 1 0 1 1 0 1 1 0 1 0 1 1 1 0 1
1 0 0 0 0 0 1 0 1 1 0 0 1 0 1 0 0 0 0 0 1
1 1 1 1 1 1 1 0 1 0 1 0 1 0 1 1 1 1 1 1 1
0 0 0 0 0 0 0 0 1 1 1 1 1 0 0 0 0 0 0 0 0
1 0 1 1 1 1 1 0 0 1 1 0 1 0 1 1 1 1 1 0 0
1 1 0 0 0 1 0 0 1 0 1 0 1 0 0 1 0 0 1 0 0
0 1 1 0 1 1 1 1 0 1 1 1 0 1 0 0 1 1 0 1 1
1 0 1 1 0 1 0 1 0 0 1 0 0 0 0 1 1 0 1 0 0
0 0 1 0 0 1 1 1 0 0 0 1 0 1 0 0 1 0 1 0 0
0 0 0 0 0 0 0 0 1 1 0 1 1 1 1 0 0 1 0 0 0
1 1 1 1 1 1 1 0 0 0 1 0 1 0 1 1 0 0 0 0 0
1 0 0 0 0 0 1 0 1 1 0 1 1 1 1 0 0 1 0 1 0
1 0 1 1 1 0 1 0 1 0 1 0 1 0 0 1 0 0 1 0 0
1 0 1 1 1 0 1 0 1 1 1 0 1 0 0 1 0 0 1 0 0
1 0 1 1 1 0 1 0 1 1 0 1 0 1 0 0 1 1 1 0 0
1 0 0 0 0 0 1 0 0 0 1 0 0 0 0 1 1 0 1 1 0
1 1 1 1 1 1 1 0 1 1 0 1 0 1 0 0 1 1 1 0 0`;

test("zxing EncoderTestCase: 'ABCDEF' 1-H picks mask 4 and matches the published matrix module by module", () => {
  const qr = encodeQrCode("ABCDEF", { ecc: "H" });
  assert.deepEqual([qr.version, qr.mask, qr.mode], [1, 4, QrMode.Alphanumeric]);
  assert.deepEqual(bitsOf(qr), fromZxing(ZXING_ABCDEF_H));
});

test("zxing EncoderTestCase: '0123' 1-M numeric picks mask 2 and matches the published matrix", () => {
  const qr = encodeQrCode("0123", { ecc: "M" });
  assert.deepEqual([qr.version, qr.mask, qr.mode], [1, 2, QrMode.Numeric]);
  assert.deepEqual(bitsOf(qr), fromZxing(ZXING_0123_M));
});

// Nayuki QR-Code-generator QrCodeTest (byte mode, no ECC boost): TEXT_1 is 3-Q mask 7 (2 blocks), TEXT_2 is 11-M
// mask 4 (version information, 1 short + 4 long blocks).
const NAYUKI_TEXT_1 = "The quick brown fox jumps";
const NAYUKI_MODULES_1 = [
  "XXXXXXX X X XXX     X XXXXXXX",
  "X     X   X XXXX    X X     X",
  "X XXX X XXX      XX   X XXX X",
  "X XXX X X  XX XX  XX  X XXX X",
  "X XXX X   X  X X X    X XXX X",
  "X     X XX   XX  XXXX X     X",
  "XXXXXXX X X X X X X X XXXXXXX",
  "        X X X  X             ",
  " X X XXXX   XXXX X   XXX XX X",
  " XXX   XXXXXXXXX X XXXX   XXX",
  "  XX  X XXX  XXX XX XX XX  X ",
  "XX   X   XXXX  X       X  XX ",
  "X   X XX X XXXX XX XXXXX X XX",
  " X X    X   X   XX X X    XX ",
  "X X XXX   X   X XXX XX  X  XX",
  "X X    XX XXX X XXX    X   XX",
  "XX   XX X  X XX   X XX X X X ",
  "  XXX    XXXX XXXXXXX XX X   ",
  "X   XXX     X XXXX        XXX",
  "  XXXX   X  XX   XXX  XXX   X",
  "X  X  X   X X XXX   XXXXX X  ",
  "        XX X XX   XXX   X  XX",
  "XXXXXXX X    X   X  X X X XX ",
  "X     X XX   X  XX  X   XXXX ",
  "X XXX X   XXXXXX    XXXXX   X",
  "X XXX X XXXX X XXX XX X X   X",
  "X XXX X   XX            X   X",
  "X     X X  X XXX XX XX X   X ",
  "XXXXXXX  X   XX  X  X   XX X ",
];
const NAYUKI_TEXT_2 =
  "kVtnmdZMDB wbhQ4Y0L0D 6dxWYgeDO7 6XEq8JBGFD dbA5ruetw0 zIevtZZkJL UnEcrObNuS COOscwe4PD PL2lKGcbqk uXnmfUX00E l4FsUfvkiU O8bje4GTce  C85HiEHDha EoObmX7Hef VEipzaCPV7 XpBy5cgYRZ VzlrmMTRSW f0U7Dt0x5j Mb5uk2JcA6 MFov2hnHQR";
const NAYUKI_MODULES_2 = [
  "XXXXXXX XXXXX X  XX  X    X    XXX    X XXX  X  X  XX XXXXXXX",
  "X     X    XX  XXXXX XX XXXX     X  XX  XXX XXX  X XX X     X",
  "X XXX X  X  X   XXXXX  XX  XX   XXX X   XX XXX  X XXX X XXX X",
  "X XXX X XX X  X   X  X XXX   X XX XX X  X    XX  XX X X XXX X",
  "X XXX X X   X XX X  XX X X XXXXXX  X XXXX X  X    XX  X XXX X",
  "X     X XXXX   XXX  XX XX X X   XX  X XX XX  X XXXX   X     X",
  "XXXXXXX X X X X X X X X X X X X X X X X X X X X X X X XXXXXXX",
  "        X  X XXXXX  XXX  XXXX   X XXXX XXX    XXX   X        ",
  "X   X XXX XXX XXXXX       X XXXXX XXX  X  X X   XX   XXXXX  X",
  "XXXX      X X            X    X XX X  X   XX X  XXXX XXXX X  ",
  " X XX X  X X  X  X  XXXX X XXX X  X   XXX X   X X X X X  XX  ",
  "X  XXX X XX      X XXX   X  X     X X  X  X XXX XX XXXX X XX ",
  "XX X XXX  XXXXXXX XX  XXX X   XXXX  X  X X XX   XXX X X X X  ",
  "X X    X XXXX     X X   XX     XX   X XX XXXXX XX XX  X XX   ",
  "  X   XX  XX X  XXXX  XXX XXXX X   X   X XXX  XX X XX XXX X  ",
  "X XX     X  XXXX  X     X   X  X X X X XXXX   XX XXXX     X  ",
  "XX  X X   XXX X XX      XXXXX X X  X XXXX X   XXXXXXXXX X XXX",
  "X      X XXXXX  XX XXX  X   XXX X     X XXXX X   XXX XX   X  ",
  "X XXX XX XXX X XX  XXX   XXX   X    X X  XXXXX  XXXX XX      ",
  "XX  X  X       XX     XXX XXXX   XX  XX  XX XXX     XX    XX ",
  "  XXX X X X X X  X  X  XX    X XXXXXXXXX XX X  XX    XX XX X ",
  "X X    X X    X XXX XXX XXXX  XXXX  X X XXX  X  X XX  XX X X ",
  "   XX X  X   XXX    XXXXXX XX  X  X  XX X    XXX X XX XX  X  ",
  " XX X  XXXX X  XX X X  XX    X     X XXXX X  XXXXXX X  X  X  ",
  "XX    XXXX X  XXX    XX X X XXXX  XXXX X    XX XX     X XXXXX",
  " X XX    XXXXXXXXXXX XXX X XX X XXX X    X XXX XX XX XX XXX X",
  "XXXXX X      X X XXX X XX    XX  XXX    XX    X  XX X  X X   ",
  "X   X  X    X X  X X  X XXXXX  X X  XX X   XXX X     XX X X X",
  " X XXXXXX     X  XXX  X   X XXXXX  XX X     XX XXXX XXXXX XXX",
  "  XXX   X   XXX  XX XX XXX  X   XX X  XXXXX       XXX   XX XX",
  "XXXXX X X  X X XX XX X   XX X X XXXX   XXXX    XXXX X X X X  ",
  "  X X   X  XX X X     X XXXXX   X XXXXX XX    X   XXX   X X  ",
  "   XXXXXX XX XXXXX     XX X XXXXX   X  X    XX XXX  XXXXX XXX",
  "X X  X  X XX  X X   X  XXXXX  XXXX X  XXXXXXXX  X XX   XX XX ",
  "    X XXXXX X XXXXX   X  X X  XXX X     XX   X XXX  X        ",
  "X  XXX  X XXX X XXXXX X XX XXX    X     XX X X XXX  XX   XXXX",
  " XX X XX X X XXXXXXX XX   X   XX X  X      XXXXXXXX X XX XX X",
  "XX X   X XX  X  X X     XX  XX  XX XX XX XX XX  X X X X XX XX",
  " X XX X X XXXXX  XXX XX X  XX    XXX  XXXXX  X XX  X X  XX  X",
  "XX  X    XX    XXXXX   XXX X X X  X     XX  XXXXX     XXX XX ",
  "    XXXX   X  XX XXX  XXXXXX XX XXXXXX X    X X XXX X  X XX X",
  "XXXX X    XX XXX  X XXX X X X  X   XX X  XX XX X  X XXX XX X ",
  " XXXXXX     XXX X XX  X    XX   XX  X XXX  X     X XX   XXXX ",
  "  XXXX     XXX   XX  XXX  X   X  XXXX    X  XXX  X X  X X XXX",
  "  XX XXXX   X X  X X XX X X XXXXXX  X X  XXXX XXXX  XXX XXX X",
  "XX  XX  XXX    XX   XXXXXXX   X X   XXXX  X X  X XX X   XXXX ",
  " XX  XXX X XXXX X  X   X   X  XXX XX X  X  X XXX XX XX    XX ",
  "  XX X X XXX  XXXX   X X  XXXXX   XXXX  X   XXXX X X XX   XX ",
  "XXX   XX X  XX XXXX       X XX  XX XXXXX  X X  XX       X X  ",
  "XX XX    X XX XXXX X X XX  XX XXXX X  XX XX XX X  X     XX X ",
  "  XXXXXX X X     XXXX  XXXXXX      X    X XX XXXX XX    XX   ",
  "XXX X  XXX X  XX  XX  XX XXX  XXXXX XXX X XXX  XX X  X X XXX ",
  "XXXX  XXX    XXX  X   X   X XXXXX   X  X   XX XXXX  XXXXX X X",
  "        XXXX XXXX X XXXXXX  X   XX X  X  XXXXX    X X   X  X ",
  "XXXXXXX X   X XXX X X X   X X X XXX XXXX  XXXXXX  XXX X XX   ",
  "X     X  XX XX   XXXXX X  X X   XX X X XXXX  X XXX XX   X X  ",
  "X XXX X X   X  XX  X  XX XX XXXXX  X  XXX    X XXX  XXXXX  XX",
  "X XXX X   X X XX     XX XX   XXX X   XX XXXX X    X      X  X",
  "X XXX X     X  X  X XX   XXX X XXX  X X  XXXX XX XX X    XXX ",
  "X     X   X XXX X   XXXX  XX X  XXXX XXX XXXXX  XX XX  XX XX ",
  "XXXXXXX X    X  X    X  X  X    X  XX X    XXX  XX      X XXX",
];

test("Nayuki QrCodeTest: 'The quick brown fox jumps' 3-Q (2 blocks) matches the published matrix, mask 7", () => {
  const qr = encodeQrCode(NAYUKI_TEXT_1, { ecc: "Q" });
  assert.deepEqual([qr.version, qr.mask, qr.mode], [3, 7, QrMode.Byte]);
  assert.deepEqual(bitsOf(qr), fromNayuki(NAYUKI_MODULES_1));
  assert.equal(decodeQr(qr.modules).text, NAYUKI_TEXT_1);
});

test("Nayuki QrCodeTest: a 220-byte string is 11-M with version information; with Nayuki's mask 4, module by module", () => {
  // Nayuki scores feature 3 differently (a pattern with light on both sides counts twice, scaled patterns count), so
  // its penalty picks mask 4 where ours (zxing's reading of 7.8.3.1) picks 7; the matrix under mask 4 is compared.
  assert.equal(encodeQrCode(NAYUKI_TEXT_2, { ecc: "M" }).mask, 7);
  const qr = encodeQrCode(NAYUKI_TEXT_2, { ecc: "M", mask: 4 });
  assert.deepEqual([qr.version, qr.size, qr.mask], [11, 61, 4]);
  assert.deepEqual(bitsOf(qr), fromNayuki(NAYUKI_MODULES_2));
  const d = decodeQr(qr.modules);
  assert.equal(d.text, NAYUKI_TEXT_2);
  assert.deepEqual(
    d.blocks.map((b) => b.length - d.ecPerBlock),
    [50, 51, 51, 51, 51],
  );
});

// --- The onboarding payload ---------------------------------------------------------------------------------------

const EXAMPLE_PAYLOAD = {
  version: 0,
  vendorId: 0xfff1,
  productId: 0x8000,
  commissioningFlow: CommissioningFlow.Standard,
  discoveryCapabilities: DiscoveryCapability.BLE,
  discriminator: 3840,
  passcode: 20202021,
} as const;

test("the base-38 alphabet and the 'MT:' prefix are inside the alphanumeric set, so payloads use alphanumeric mode", () => {
  for (const ch of `${BASE38_ALPHABET}MT:`) assert.ok(QR_ALPHANUMERIC_CHARSET.includes(ch), ch);
});

test("the spec example MT:Y.K9042C00KA0648G00 is an alphanumeric 2-M symbol (22 characters > 20 of 1-M) that reads back", () => {
  const text = encodeQrCodePayload(EXAMPLE_PAYLOAD);
  assert.equal(text, "MT:Y.K9042C00KA0648G00");
  const qr = encodeQrCode(text);
  assert.deepEqual([qr.version, qr.size, qr.ecc, qr.mode], [2, 25, "M", QrMode.Alphanumeric]);
  const d = decodeQr(qr.modules);
  assert.equal(d.text, text);
  assert.deepEqual(decodeQrCodePayload(d.text), EXAMPLE_PAYLOAD);
  // Level L fits version 1 (25 alphanumeric characters).
  assert.equal(encodeQrCode(text, { ecc: "L" }).version, 1);
});

test("every setup payload encodes as alphanumeric within version 2 and decodes back to the same payload", () => {
  fc.assert(
    fc.property(
      fc.record({
        vendorId: fc.integer({ min: 0, max: 0xfff4 }),
        productId: fc.integer({ min: 0, max: 0xffff }),
        commissioningFlow: fc.constantFrom(0, 1, 2),
        discoveryCapabilities: fc.integer({ min: 0, max: 0x0f }),
        discriminator: fc.integer({ min: 0, max: 0xfff }),
        passcode: fc.constantFrom(20202021, 1, 99999998, 12345679, 34567890),
      }),
      fc.constantFrom<QrEcc>("L", "M"),
      (fields, ecc) => {
        const payload = { version: 0, ...fields } as Parameters<typeof encodeQrCodePayload>[0];
        const text = encodeQrCodePayload(payload);
        const qr = encodeQrCode(text, { ecc });
        assert.equal(qr.mode, QrMode.Alphanumeric);
        assert.ok(qr.version <= 2);
        assert.deepEqual(decodeQrCodePayload(decodeQr(qr.modules).text), payload);
      },
    ),
    { numRuns: 60 },
  );
});

test("matter.js's terminal QR (1-L, mask 0, fixed layout) equals ours module for module except the dark module it omits", () => {
  for (const passcode of [20202021, 12345679, 99999998])
    for (const discriminator of [3840, 0, 0xfff]) {
      const text = encodeQrCodePayload({ ...EXAMPLE_PAYLOAD, passcode, discriminator });
      const ours = encodeQrCode(text, { ecc: "L", mask: 0 });
      assert.equal(ours.version, 1);
      // matter.js draws light modules as glyphs inside a 1-module border: line k holds module rows 2k and 2k + 1.
      const lines = MatterJsQrCode.get(text).split("\n").filter(Boolean).slice(1, -1);
      const theirs: boolean[][] = [];
      for (const line of lines) {
        const chars = [...line].slice(1, -1);
        theirs.push(chars.map((ch) => !(ch === "\u2588" || ch === "\u2580")));
        theirs.push(chars.map((ch) => !(ch === "\u2588" || ch === "\u2584")));
      }
      const diffs: string[] = [];
      for (let r = 0; r < 21; r++)
        for (let c = 0; c < 21; c++) if (ours.modules[r]![c] !== theirs[r]![c]) diffs.push(`${r},${c}`);
      // 7.9.1: the dark module at (4V + 9, 8) = (13, 8) "shall always be dark"; matter.js 0.17.9 leaves it light.
      assert.ok(diffs.length === 0 || (diffs.length === 1 && diffs[0] === "13,8"), `${text}: differences at ${diffs}`);
      assert.equal(ours.modules[13]![8], true);
    }
});

// --- Round trips and invariants ----------------------------------------------------------------------------------

const eccArb = fc.constantFrom<QrEcc>(...QR_ECC_LEVELS);

/** Bits of one numeric or alphanumeric segment (7.4.4, 7.4.5) including mode and count indicators. */
function segmentBitCount(text: string, version: number): number {
  const n = text.length;
  const range = version <= 9 ? 0 : version <= 26 ? 1 : 2;
  if (/^[0-9]*$/.test(text)) return 4 + [10, 12, 14][range]! + 10 * Math.floor(n / 3) + [0, 4, 7][n % 3]!;
  return 4 + [9, 11, 13][range]! + 11 * Math.floor(n / 2) + 6 * (n % 2);
}

test("round trip: random alphanumeric strings decode back; every block has zero syndromes; smallest version", () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...QR_ALPHANUMERIC_CHARSET), { maxLength: 300 }).map((a) => a.join("")),
      eccArb,
      (text, ecc) => {
        const qr = encodeQrCode(text, { ecc });
        const d = decodeQr(qr.modules);
        assert.equal(d.text, text);
        assert.equal(d.ecc, ecc);
        assert.equal(d.mask, qr.mask);
        assert.equal(qr.mode, /^[0-9]*$/.test(text) ? QrMode.Numeric : QrMode.Alphanumeric);
        // The smallest version: the segment fits this version and not the one below.
        const need = (v: number) => segmentBitCount(text, v);
        assert.ok(need(qr.version) <= dataCodewordCount(qr.version, ecc) * 8);
        if (qr.version > 1) assert.ok(need(qr.version - 1) > dataCodewordCount(qr.version - 1, ecc) * 8);
      },
    ),
    { numRuns: 80 },
  );
});

test("round trip: numeric strings and arbitrary Unicode (byte mode, UTF-8) decode back at every level", () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.stringMatching(/^[0-9]{0,120}$/), fc.string({ unit: "grapheme", maxLength: 60 })),
      eccArb,
      (text, ecc) => {
        assert.equal(decodeQr(encodeQrCode(text, { ecc }).modules).text, text);
      },
    ),
    { numRuns: 80 },
  );
});

test("every forced mask yields a readable symbol whose format information names that mask; the free choice is the lowest penalty", () => {
  const text = "MT:Y.K9042C00KA0648G00";
  const penalties: number[] = [];
  for (let mask = 0; mask < 8; mask++) {
    const qr = encodeQrCode(text, { mask });
    const d = decodeQr(qr.modules);
    assert.equal(d.mask, mask);
    assert.equal(d.text, text);
    penalties.push(maskPenalty({ size: qr.size, dark: Uint8Array.from(qr.modules.flat(), Number) }));
  }
  const chosen = encodeQrCode(text).mask;
  assert.equal(penalties[chosen], Math.min(...penalties));
  assert.equal(chosen, penalties.indexOf(Math.min(...penalties)), "ties go to the lowest mask reference");
});

test("mask penalty of hand-computed grids: features 1, 2 and 4 on all-dark, 3 at the border, 4 rounds down", () => {
  const grid = (size: number, f: (r: number, c: number) => boolean) => {
    const dark = new Uint8Array(size * size);
    for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) dark[r * size + c] = f(r, c) ? 1 : 0;
    return { size, dark };
  };
  // All dark 21 x 21: 42 runs of 21 (3 + 16 each), 400 2x2 blocks (3 each), 100% dark (10 x 10).
  assert.equal(maskPenalty(grid(21, () => true)), 42 * 19 + 400 * 3 + 100);
  // A checkerboard scores nothing; 49 isolated flips away from the border (runs of 3, 1011101 without 4 light
  // modules beside it) add only dark modules: 849 / 1600 is 3.06% off 50%, below one full 5% step.
  const checker = (r: number, c: number) => (r + c) % 2 === 1;
  assert.equal(maskPenalty(grid(40, checker)), 0);
  const flips = (r: number, c: number) => r % 4 === 0 && c % 4 === 0 && r >= 8 && r <= 32 && c >= 8 && c <= 32;
  assert.equal(maskPenalty(grid(40, (r, c) => checker(r, c) || flips(r, c))), 0);
  // One flip at (8, 4): the row reads 1011101 from column 1, with column 0 and the quiet zone light before it.
  assert.equal(maskPenalty(grid(40, (r, c) => checker(r, c) || (r === 8 && c === 4))), 40);
});

test("minVersion pins a larger symbol (with version information from 7 up) that still reads back", () => {
  for (const v of [4, 7, 14, 21, 40]) {
    const qr = encodeQrCode("MT:Y.K9042C00KA0648G00", { minVersion: v, ecc: "H" });
    assert.equal(qr.version, v);
    assert.equal(qr.size, 17 + 4 * v);
    assert.equal(decodeQr(qr.modules).text, "MT:Y.K9042C00KA0648G00");
  }
});

test("the Reed-Solomon remainder makes data || EC a codeword for every EC length of Table 9", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 123 }),
      fc.constantFrom(7, 10, 13, 15, 16, 17, 18, 20, 22, 24, 26, 28, 30),
      (data, n) => {
        const ec = reedSolomonRemainder(data, n);
        assert.equal(ec.length, n);
        assert.ok(syndromes([...data, ...ec], n).every((s) => s === 0));
      },
    ),
  );
});

test("API misuse: bad level, version, mask or text type is a TypeError/RangeError", () => {
  assert.throws(() => encodeQrCode("A", { ecc: "X" as QrEcc }), RangeError);
  assert.throws(() => encodeQrCode("A", { minVersion: 0 }), RangeError);
  assert.throws(() => encodeQrCode("A", { minVersion: 41 }), RangeError);
  assert.throws(() => encodeQrCode("A", { minVersion: 1.5 }), RangeError);
  assert.throws(() => encodeQrCode("A", { mask: 8 }), RangeError);
  assert.throws(() => encodeQrCode("A", { mask: -1 }), RangeError);
  assert.throws(() => encodeQrCode(42 as unknown as string), TypeError);
  // Too long for the pinned minimum is still only a RangeError at version 40.
  assert.throws(() => encodeQrCode("1".repeat(7090), { ecc: "L", minVersion: 40 }), RangeError);
});

// --- Terminal rendering ------------------------------------------------------------------------------------------

/** Parses rendered half blocks back to a light/dark matrix including the quiet zone (glyph pixel = `glyph`). */
function parseTerminal(out: string, glyphIsLight: boolean): boolean[][] {
  const rows: boolean[][] = [];
  for (const line of out.split("\n").slice(0, -1)) {
    const chars = [...line];
    const top = chars.map((ch) => ch === "\u2588" || ch === "\u2580");
    const bottom = chars.map((ch) => ch === "\u2588" || ch === "\u2584");
    rows.push(
      top.map((g) => (glyphIsLight ? !g : g)),
      bottom.map((g) => (glyphIsLight ? !g : g)),
    );
  }
  return rows; // true = dark
}

test("terminal: two module rows per line, 4-module light quiet zone, light modules drawn as glyphs", () => {
  const qr = encodeQrCode("MT:Y.K9042C00KA0648G00");
  const out = renderQrForTerminal(qr);
  const full = qr.size + 8;
  const lines = out.split("\n");
  assert.equal(lines.pop(), "", "ends with a newline");
  assert.equal(lines.length, Math.ceil(full / 2));
  for (const line of lines) {
    assert.equal([...line].length, full);
    assert.match(line, /^[\u2588\u2580\u2584 ]+$/);
  }
  const dark = parseTerminal(out, true);
  for (let r = 0; r < full; r++)
    for (let c = 0; c < full; c++) {
      const inside = r >= 4 && r < 4 + qr.size && c >= 4 && c < 4 + qr.size;
      assert.equal(dark[r]![c], inside ? qr.modules[r - 4]![c - 4] : false, `(${r},${c})`);
    }
  // The half row below the quiet zone (odd height) is background: the last line is all upper halves.
  assert.equal(lines.at(-1), "\u2580".repeat(full));
  // The top-left finder's corner modules (0,0) and (1,0) are dark: background on line 2, column 4.
  assert.equal([...lines[2]!][4], " ");
});

test("terminal: invert draws dark modules as glyphs and the quiet zone as background", () => {
  const qr = encodeQrCode("HELLO WORLD", { ecc: "Q" });
  const out = renderQrForTerminal(qr, { invert: true });
  const dark = parseTerminal(out, false);
  const full = qr.size + 8;
  for (let r = 0; r < full; r++)
    for (let c = 0; c < full; c++) {
      const inside = r >= 4 && r < 4 + qr.size && c >= 4 && c < 4 + qr.size;
      assert.equal(dark[r]![c], inside ? qr.modules[r - 4]![c - 4] : false);
    }
  assert.equal(out.split("\n")[0], " ".repeat(full), "first line is quiet zone only");
});

test("terminal: a matrix of the wrong shape is a RangeError", () => {
  assert.throws(() => renderQrForTerminal({ size: 21, modules: [] }), RangeError);
  assert.throws(() => renderQrForTerminal({ size: 3, modules: [[true, false, true], [true], [false]] }), RangeError);
});
