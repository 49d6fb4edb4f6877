/**
 * A QR Code Model 2 encoder (ISO/IEC 18004:2015) for the onboarding payload (Core spec 5.1.3 prints "MT:..." as a
 * QR code): one numeric, alphanumeric or byte segment, versions 1-40, Reed-Solomon over GF(256), all eight masks
 * scored with the penalty rules of 7.8.3.1 and the lowest kept. No ECI, no Kanji, no structured append, no Micro QR.
 */
import { InternalError } from "../../bytes/errors.ts";

/** Error correction levels (7.5.1), from lowest to highest recovery capacity. */
export const QR_ECC_LEVELS = ["L", "M", "Q", "H"] as const;
/** An error correction level. */
export type QrEcc = (typeof QR_ECC_LEVELS)[number];

/** Segment modes this encoder produces (7.3, Table 2), with their 4-bit mode indicators. */
export const QrMode = { Numeric: 0b0001, Alphanumeric: 0b0010, Byte: 0b0100 } as const;
/** A segment mode indicator. */
export type QrMode = (typeof QrMode)[keyof typeof QrMode];

/** The 45-character set of alphanumeric mode (7.4.5, Table 5), in code order. */
export const QR_ALPHANUMERIC_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/** Lowest QR Code Model 2 version (5.3): 21 x 21 modules. */
const QR_MIN_VERSION = 1;
/** Highest QR Code Model 2 version (5.3): 177 x 177 modules. */
const QR_MAX_VERSION = 40;
/** Quiet zone width in modules (6.3.8: "shall be 4X wide"). */
export const QR_QUIET_ZONE_MODULES = 4;

/** An encoded symbol: `modules[row][column]`, true = dark, without the quiet zone. */
export interface QrCode {
  readonly size: number;
  readonly modules: boolean[][];
  readonly version: number;
  readonly ecc: QrEcc;
  readonly mask: number;
  readonly mode: QrMode;
}

/** Options of `encodeQrCode`: `ecc` defaults to "M"; `minVersion` and `mask` pin choices (tests, fixed layouts). */
export interface QrEncodeOptions {
  ecc?: QrEcc;
  minVersion?: number;
  mask?: number;
}

// 7.4.1 Table 3: format information bits of each level (L=01, M=00, Q=11, H=10).
const ECC_FORMAT_BITS: Record<QrEcc, number> = { L: 0b01, M: 0b00, Q: 0b11, H: 0b10 };

// Table 9: error correction codewords per block, then number of blocks, indexed [level][version - 1].
const EC_CODEWORDS_PER_BLOCK: Record<QrEcc, readonly number[]> = {
  L: [
    7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30,
    30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
  ],
  M: [
    10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28,
    28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  ],
  Q: [
    13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30,
    30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
  ],
  H: [
    17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30,
    30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
  ],
};
const EC_BLOCKS: Record<QrEcc, readonly number[]> = {
  L: [
    1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19,
    20, 21, 22, 24, 25,
  ],
  M: [
    1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33,
    35, 37, 38, 40, 43, 45, 47, 49,
  ],
  Q: [
    1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45,
    48, 51, 53, 56, 59, 62, 65, 68,
  ],
  H: [
    1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51,
    54, 57, 60, 63, 66, 70, 74, 77, 81,
  ],
};

// 7.8.3.1 Table 11: penalty weights N1..N4.
const PENALTY_N1 = 3;
const PENALTY_N2 = 3;
const PENALTY_N3 = 40;
const PENALTY_N4 = 10;

// 7.4.2: pad codewords alternate 11101100 and 00010001.
const PAD_CODEWORDS = [0xec, 0x11] as const;

/** Encodes `text` as the smallest QR code that fits; RangeError when it does not fit version 40 (or bad options). */
export function encodeQrCode(text: string, options: QrEncodeOptions = {}): QrCode {
  if (typeof text !== "string") throw new TypeError("qr-code: text must be a string");
  const ecc = options.ecc ?? "M";
  if (!QR_ECC_LEVELS.includes(ecc)) throw new RangeError(`qr-code: unknown error correction level ${String(ecc)}`);
  const minVersion = options.minVersion ?? QR_MIN_VERSION;
  if (!Number.isInteger(minVersion) || minVersion < QR_MIN_VERSION || minVersion > QR_MAX_VERSION)
    throw new RangeError(`qr-code: minVersion must be an integer in 1..40, got ${minVersion}`);
  if (options.mask !== undefined && !(Number.isInteger(options.mask) && options.mask >= 0 && options.mask <= 7))
    throw new RangeError(`qr-code: mask must be an integer in 0..7, got ${options.mask}`);

  const segment = makeSegment(text);
  let version = minVersion;
  for (; ; version++) {
    if (version > QR_MAX_VERSION)
      throw new RangeError(`qr-code: ${segment.count} characters do not fit a version 40-${ecc} symbol`);
    if (segmentBits(segment, version) <= dataCodewordCount(version, ecc) * 8) break;
  }
  const codewords = addErrorCorrection(buildDataCodewords(segment, version, ecc), version, ecc);

  const base = functionPatterns(version);
  placeCodewords(base, codewords);
  let best: { grid: Grid; mask: number; penalty: number } | undefined;
  for (const mask of options.mask !== undefined ? [options.mask] : [0, 1, 2, 3, 4, 5, 6, 7]) {
    const grid = { ...base, dark: base.dark.slice() };
    applyMask(grid, mask);
    drawFormatInformation(grid, ecc, mask);
    const penalty = options.mask !== undefined ? 0 : maskPenalty(grid);
    // 7.8.3: "the mask pattern which results in the lowest penalty score shall be selected" (ties: lowest reference).
    if (best === undefined || penalty < best.penalty) best = { grid, mask, penalty };
  }
  if (best === undefined) throw new InternalError("qr-code: no mask evaluated");
  const { size, dark } = best.grid;
  const modules = Array.from({ length: size }, (_, r) =>
    Array.from({ length: size }, (_, c) => dark[r * size + c] === 1),
  );
  return { size, modules, version, ecc, mask: best.mask, mode: segment.mode };
}

/** Side length in modules of a version (5.3: 21 for version 1, +4 per version). */
function qrSize(version: number): number {
  return 17 + 4 * version;
}

// --- Data encoding (7.4) ---------------------------------------------------------------------------------------

interface Segment {
  readonly mode: QrMode;
  readonly count: number; // characters (numeric, alphanumeric) or bytes (byte mode)
  readonly bits: readonly number[]; // the data bit stream after the character count indicator, one 0/1 per entry
}

/** The most compact single mode for `text`: numeric if all digits, alphanumeric if in the 45-character set, else byte (UTF-8). */
function makeSegment(text: string): Segment {
  const bits: number[] = [];
  const push = (value: number, width: number) => {
    for (let i = width - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  if (/^[0-9]*$/.test(text)) {
    // 7.4.4: groups of three digits in 10 bits; a final group of two in 7 bits, of one in 4 bits.
    for (let i = 0; i < text.length; i += 3) {
      const group = text.slice(i, i + 3);
      push(Number(group), group.length * 3 + 1);
    }
    return { mode: QrMode.Numeric, count: text.length, bits };
  }
  if ([...text].every((ch) => QR_ALPHANUMERIC_CHARSET.includes(ch))) {
    // 7.4.5: pairs as 45 * first + second in 11 bits; a final single character in 6 bits.
    for (let i = 0; i < text.length; i += 2) {
      const first = QR_ALPHANUMERIC_CHARSET.indexOf(text[i]!);
      if (i + 1 < text.length) push(45 * first + QR_ALPHANUMERIC_CHARSET.indexOf(text[i + 1]!), 11);
      else push(first, 6);
    }
    return { mode: QrMode.Alphanumeric, count: text.length, bits };
  }
  // 7.4.6: 8 bits per byte. The default interpretation is ISO/IEC 8859-1; UTF-8 without an ECI header is the
  // de facto practice of readers, and the onboarding payload never reaches this branch.
  const bytes = new TextEncoder().encode(text);
  for (const b of bytes) push(b, 8);
  return { mode: QrMode.Byte, count: bytes.length, bits };
}

/** Width of the character count indicator (7.4.1, Table 3) for a mode and version. */
function countIndicatorBits(mode: QrMode, version: number): number {
  const range = version <= 9 ? 0 : version <= 26 ? 1 : 2;
  if (mode === QrMode.Numeric) return [10, 12, 14][range]!;
  if (mode === QrMode.Alphanumeric) return [9, 11, 13][range]!;
  return [8, 16, 16][range]!;
}

/** Bits of the segment in a version (mode + count + data), or Infinity when the count overflows its indicator. */
function segmentBits(segment: Segment, version: number): number {
  const countBits = countIndicatorBits(segment.mode, version);
  if (segment.count >= 2 ** countBits) return Number.POSITIVE_INFINITY;
  return 4 + countBits + segment.bits.length;
}

/** The data codewords: segment, terminator, zero bits to a byte boundary, pad codewords (7.4.2, 7.4.9, 7.4.10). */
function buildDataCodewords(segment: Segment, version: number, ecc: QrEcc): Uint8Array {
  const capacityBits = dataCodewordCount(version, ecc) * 8;
  const bits: number[] = [];
  const push = (value: number, width: number) => {
    for (let i = width - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  push(segment.mode, 4);
  push(segment.count, countIndicatorBits(segment.mode, version));
  bits.push(...segment.bits);
  // 7.4.9: the terminator is 0000, "abbreviated if the remaining symbol capacity after the data bit stream is less
  // than 4 bits".
  push(0, Math.min(4, capacityBits - bits.length));
  push(0, (8 - (bits.length % 8)) % 8);
  const out = new Uint8Array(capacityBits / 8);
  let i = 0;
  for (; i < bits.length / 8; i++) {
    let byte = 0;
    for (let b = 0; b < 8; b++) byte = (byte << 1) | bits[i * 8 + b]!;
    out[i] = byte;
  }
  for (let p = 0; i < out.length; i++, p ^= 1) out[i] = PAD_CODEWORDS[p]!;
  return out;
}

// --- Error correction (7.5, 7.6) -------------------------------------------------------------------------------

/** Total codewords of a version: the modules left after the function patterns, divided by 8 (remainder bits dropped). */
export function totalCodewordCount(version: number): number {
  const { dark, reserved } = functionPatterns(version);
  let free = 0;
  for (let i = 0; i < dark.length; i++) if (reserved[i] === 0) free++;
  return Math.floor(free / 8);
}

/** Data codewords of a version at a level (Table 7): total minus blocks x EC codewords per block. */
export function dataCodewordCount(version: number, ecc: QrEcc): number {
  return totalCodewordCount(version) - EC_BLOCKS[ecc][version - 1]! * EC_CODEWORDS_PER_BLOCK[ecc][version - 1]!;
}

/** The block structure (Table 9): `blocks` blocks of `ecPerBlock` EC codewords; the last `long` have one more data codeword. */
export function qrBlockStructure(
  version: number,
  ecc: QrEcc,
): { blocks: number; ecPerBlock: number; shortDataLength: number; long: number } {
  const blocks = EC_BLOCKS[ecc][version - 1]!;
  const ecPerBlock = EC_CODEWORDS_PER_BLOCK[ecc][version - 1]!;
  const total = totalCodewordCount(version);
  return { blocks, ecPerBlock, shortDataLength: Math.floor(total / blocks) - ecPerBlock, long: total % blocks };
}

/** Splits data into blocks, appends each block's EC codewords and interleaves them (7.6). */
function addErrorCorrection(data: Uint8Array, version: number, ecc: QrEcc): Uint8Array {
  const { blocks, ecPerBlock, shortDataLength, long } = qrBlockStructure(version, ecc);
  const dataBlocks: Uint8Array[] = [];
  const ecBlocks: Uint8Array[] = [];
  let offset = 0;
  for (let b = 0; b < blocks; b++) {
    const length = shortDataLength + (b >= blocks - long ? 1 : 0);
    const block = data.subarray(offset, offset + length);
    offset += length;
    dataBlocks.push(block);
    ecBlocks.push(reedSolomonRemainder(block, ecPerBlock));
  }
  if (offset !== data.length)
    throw new InternalError(`qr-code: block split used ${offset} of ${data.length} codewords`);
  const out = new Uint8Array(totalCodewordCount(version));
  let k = 0;
  for (let i = 0; i <= shortDataLength; i++) for (const block of dataBlocks) if (i < block.length) out[k++] = block[i]!;
  for (let i = 0; i < ecPerBlock; i++) for (const block of ecBlocks) out[k++] = block[i]!;
  if (k !== out.length) throw new InternalError(`qr-code: interleaved ${k} of ${out.length} codewords`);
  return out;
}

// GF(256) with the primitive polynomial x^8 + x^4 + x^3 + x^2 + 1 (7.5.2).
const GF_EXP = new Uint8Array(512);
const GF_LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    GF_EXP[i] = x;
    GF_LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) GF_EXP[i] = GF_EXP[i - 255]!;
}

function gfMul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : GF_EXP[GF_LOG[a]! + GF_LOG[b]!]!;
}

const generatorCache = new Map<number, Uint8Array>();

/** The generator polynomial (x - a^0)(x - a^1)...(x - a^(n-1)), coefficients highest degree first, leading 1 dropped. */
function generatorPolynomial(n: number): Uint8Array {
  const cached = generatorCache.get(n);
  if (cached !== undefined) return cached;
  let poly = [1];
  for (let i = 0; i < n; i++) {
    const next = new Array<number>(poly.length + 1).fill(0);
    for (let j = 0; j < poly.length; j++) {
      next[j]! ^= poly[j]!;
      next[j + 1]! ^= gfMul(poly[j]!, GF_EXP[i]!);
    }
    poly = next;
  }
  const out = Uint8Array.from(poly.slice(1));
  generatorCache.set(n, out);
  return out;
}

/** The `n` Reed-Solomon error correction codewords of a data block: data(x) * x^n mod g(x) (7.5.2). */
export function reedSolomonRemainder(data: Uint8Array, n: number): Uint8Array {
  const g = generatorPolynomial(n);
  const rem = new Uint8Array(n);
  for (const byte of data) {
    const factor = byte ^ rem[0]!;
    rem.copyWithin(0, 1);
    rem[n - 1] = 0;
    for (let i = 0; i < n; i++) rem[i]! ^= gfMul(g[i]!, factor);
  }
  return rem;
}

// --- Symbol layout (6.3, 7.7) ----------------------------------------------------------------------------------

interface Grid {
  readonly size: number;
  readonly dark: Uint8Array; // row-major, 1 = dark
  readonly reserved: Uint8Array; // 1 = function pattern or format/version information (never masked)
}

/** Centre coordinates of alignment patterns (Annex E, Table E.1), the same list for rows and columns. */
export function alignmentPatternPositions(version: number): number[] {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const last = qrSize(version) - 7;
  // Table E.1 spaces the centres evenly from the last one back to column 6, with an even step; version 32 is the
  // single row whose step (26) is not the rounded-up-to-even quotient.
  const step = version === 32 ? 26 : Math.ceil((last - 6) / (count - 1) / 2) * 2;
  const out = [6];
  for (let i = count - 2; i >= 0; i--) out.push(last - i * step);
  return out;
}

/** 15-bit format information (7.9.1): 2 level bits, 3 mask bits, BCH(15,5) with G(x) = 0x537, XOR 101010000010010. */
export function formatInformationBits(ecc: QrEcc, mask: number): number {
  const data = (ECC_FORMAT_BITS[ecc] << 3) | mask;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  return ((data << 10) | rem) ^ 0x5412;
}

/** 18-bit version information (7.10): 6 version bits, BCH(18,6) with G(x) = 0x1f25. */
export function versionInformationBits(version: number): number {
  let rem = version;
  for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
  return (version << 12) | rem;
}

const functionPatternCache = new Map<number, Grid>();

/** The function patterns of a version drawn on an empty symbol; format areas reserved, version information drawn. */
function functionPatterns(version: number): Grid {
  const cached = functionPatternCache.get(version);
  if (cached !== undefined) return { size: cached.size, dark: cached.dark.slice(), reserved: cached.reserved };
  const size = qrSize(version);
  const dark = new Uint8Array(size * size);
  const reserved = new Uint8Array(size * size);
  const set = (row: number, col: number, isDark: boolean) => {
    dark[row * size + col] = isDark ? 1 : 0;
    reserved[row * size + col] = 1;
  };
  // 6.3.6 timing patterns: row 6 and column 6, dark at even indexes.
  for (let i = 0; i < size; i++) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  // 6.3.3 finder patterns (7x7: 3x3 dark core, light ring, dark ring) with their light separators (6.3.4).
  for (const [r0, c0] of [
    [3, 3],
    [3, size - 4],
    [size - 4, 3],
  ] as const) {
    for (let dr = -4; dr <= 4; dr++)
      for (let dc = -4; dc <= 4; dc++) {
        const r = r0 + dr;
        const c = c0 + dc;
        if (r < 0 || r >= size || c < 0 || c >= size) continue;
        const ring = Math.max(Math.abs(dr), Math.abs(dc));
        set(r, c, ring !== 2 && ring !== 4);
      }
  }
  // 6.3.5 alignment patterns (5x5), except where they would overlap a finder pattern.
  const centres = alignmentPatternPositions(version);
  const n = centres.length;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if ((i === 0 && j === 0) || (i === 0 && j === n - 1) || (i === n - 1 && j === 0)) continue;
      for (let dr = -2; dr <= 2; dr++)
        for (let dc = -2; dc <= 2; dc++)
          set(centres[i]! + dr, centres[j]! + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
    }
  // 7.9.1 format information areas (drawn per mask later), and the dark module at (4V + 9, 8).
  for (let i = 0; i <= 8; i++) {
    if (i !== 6) {
      reserved[8 * size + i] = 1;
      reserved[i * size + 8] = 1;
    }
  }
  for (let i = 0; i < 8; i++) {
    reserved[8 * size + (size - 1 - i)] = 1;
    reserved[(size - 1 - i) * size + 8] = 1;
  }
  set(size - 8, 8, true);
  // 7.10 version information (versions 7 and up): 6x3 blocks above the bottom-left and left of the top-right finder.
  if (version >= 7) {
    const bits = versionInformationBits(version);
    for (let i = 0; i < 18; i++) {
      const bit = ((bits >>> i) & 1) === 1;
      const a = size - 11 + (i % 3);
      const b = Math.floor(i / 3);
      set(b, a, bit);
      set(a, b, bit);
    }
  }
  const grid = { size, dark, reserved };
  functionPatternCache.set(version, grid);
  return { size, dark: dark.slice(), reserved };
}

/** Places codeword bits (most significant first) in the two-column zigzag from the bottom right (7.7.3). */
function placeCodewords(grid: Grid, codewords: Uint8Array): void {
  const { size, dark, reserved } = grid;
  let bit = 0;
  const totalBits = codewords.length * 8;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5; // the vertical timing pattern column is skipped whole
    const upward = ((size - 1 - right) >> 1) % 2 === 0;
    for (let k = 0; k < size; k++) {
      const row = upward ? size - 1 - k : k;
      for (const col of [right, right - 1]) {
        const idx = row * size + col;
        if (reserved[idx] === 1) continue;
        // 7.7.3: remainder bits after the last codeword are 0.
        dark[idx] = bit < totalBits ? (codewords[bit >> 3]! >>> (7 - (bit & 7))) & 1 : 0;
        bit++;
      }
    }
  }
  if (bit < totalBits) throw new InternalError(`qr-code: placed ${bit} of ${totalBits} bits`);
}

/** The mask condition of 7.8.2 Table 10 at row i, column j. */
function maskCondition(mask: number, i: number, j: number): boolean {
  switch (mask) {
    case 0:
      return (i + j) % 2 === 0;
    case 1:
      return i % 2 === 0;
    case 2:
      return j % 3 === 0;
    case 3:
      return (i + j) % 3 === 0;
    case 4:
      return (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0;
    case 5:
      return ((i * j) % 2) + ((i * j) % 3) === 0;
    case 6:
      return (((i * j) % 2) + ((i * j) % 3)) % 2 === 0;
    case 7:
      return (((i + j) % 2) + ((i * j) % 3)) % 2 === 0;
    default:
      throw new RangeError(`qr-code: mask must be in 0..7, got ${mask}`);
  }
}

/** XORs the mask pattern into every module outside the function patterns (7.8.2). */
function applyMask(grid: Grid, mask: number): void {
  const { size, dark, reserved } = grid;
  for (let i = 0; i < size; i++)
    for (let j = 0; j < size; j++)
      if (reserved[i * size + j] === 0 && maskCondition(mask, i, j)) dark[i * size + j]! ^= 1;
}

/** Draws both copies of the format information (7.9.1, Figure 25); bit 14 is the most significant. */
function drawFormatInformation(grid: Grid, ecc: QrEcc, mask: number): void {
  const { size, dark } = grid;
  const bits = formatInformationBits(ecc, mask);
  const bit = (i: number) => (bits >>> i) & 1;
  // Copy around the top-left finder: bits 0-7 down column 8 (skipping the timing row), bits 8-14 leftward on row 8.
  for (let i = 0; i <= 5; i++) dark[i * size + 8] = bit(i);
  dark[7 * size + 8] = bit(6);
  dark[8 * size + 8] = bit(7);
  dark[8 * size + 7] = bit(8);
  for (let i = 9; i < 15; i++) dark[8 * size + (14 - i)] = bit(i);
  // Second copy: bits 0-7 along row 8 from the right edge, bits 8-14 up column 8 from the dark module.
  for (let i = 0; i < 8; i++) dark[8 * size + (size - 1 - i)] = bit(i);
  for (let i = 8; i < 15; i++) dark[(size - 15 + i) * size + 8] = bit(i);
}

/**
 * The mask penalty score of 7.8.3.1 (features 1-4) over the whole symbol. Feature 3 scores each 1011101 once when
 * either side has 4 light modules (zxing's reading); Nayuki's encoder scores both sides and scaled patterns, so the
 * two may pick different masks for the same data, both readable.
 */
export function maskPenalty(grid: { size: number; dark: Uint8Array }): number {
  const { size, dark } = grid;
  const at = (r: number, c: number) => dark[r * size + c]!;
  let penalty = 0;
  for (let line = 0; line < size; line++) {
    for (const horizontal of [true, false]) {
      const get = (k: number) => (k < 0 || k >= size ? 0 : horizontal ? at(line, k) : at(k, line));
      // Feature 1: a run of 5 + i same-colour modules scores N1 + i.
      let run = 1;
      for (let k = 1; k <= size; k++) {
        if (k < size && get(k) === get(k - 1)) run++;
        else {
          if (run >= 5) penalty += PENALTY_N1 + (run - 5);
          run = 1;
        }
      }
      // Feature 3: 1:1:3:1:1 (dark light dark dark dark light dark) preceded or followed by 4 light modules; the
      // area outside the symbol counts as light (it is the quiet zone).
      for (let k = 0; k + 7 <= size; k++) {
        if (
          get(k) === 1 &&
          get(k + 1) === 0 &&
          get(k + 2) === 1 &&
          get(k + 3) === 1 &&
          get(k + 4) === 1 &&
          get(k + 5) === 0 &&
          get(k + 6) === 1
        ) {
          const lightBefore = get(k - 1) + get(k - 2) + get(k - 3) + get(k - 4) === 0;
          const lightAfter = get(k + 7) + get(k + 8) + get(k + 9) + get(k + 10) === 0;
          if (lightBefore || lightAfter) penalty += PENALTY_N3;
        }
      }
    }
  }
  // Feature 2: each 2x2 block of one colour scores N2 (an m x n block scores N2 (m-1)(n-1)).
  for (let r = 0; r + 1 < size; r++)
    for (let c = 0; c + 1 < size; c++) {
      const v = at(r, c);
      if (v === at(r, c + 1) && v === at(r + 1, c) && v === at(r + 1, c + 1)) penalty += PENALTY_N2;
    }
  // Feature 4: N4 per full 5% the dark proportion deviates from 50%.
  let darkCount = 0;
  for (const v of dark) darkCount += v;
  const total = size * size;
  penalty += PENALTY_N4 * Math.floor((Math.abs(darkCount * 2 - total) * 10) / total);
  return penalty;
}
