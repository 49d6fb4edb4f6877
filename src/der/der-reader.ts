/**
 * Strict DER reader (ITU-T X.690 §8 and §10, the subset X.509, PKCS#10 and CMS use): definite minimal lengths,
 * single-byte tags only, minimal INTEGERs, canonical BOOLEAN and BIT STRING, UTCTime/GeneralizedTime ending in Z.
 */
import { ByteReader } from "../bytes/byte-reader.ts";
import { MalformedError } from "../bytes/errors.ts";

/** Universal tag numbers (with the constructed bit where DER requires it) used by this reader and the writer. */
export const DerTag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** One decoded TLV: `tag` is the identifier byte, `offset` the absolute offset of that byte, `raw` the whole encoding. */
export type DerTlv = {
  readonly tag: number;
  readonly content: Uint8Array;
  readonly offset: number;
  readonly headerLength: number;
  readonly raw: Uint8Array;
};

/** A DerTlv whose `content` and `raw` views are only created when asked for (SEQUENCEs and SETs never need them). */
class DerElement implements DerTlv {
  readonly tag: number;
  readonly offset: number;
  readonly headerLength: number;
  /** Content length in octets. */
  readonly length: number;
  readonly #bytes: Uint8Array;

  constructor(tag: number, offset: number, headerLength: number, length: number, bytes: Uint8Array) {
    this.tag = tag;
    this.offset = offset;
    this.headerLength = headerLength;
    this.length = length;
    this.#bytes = bytes;
  }

  get content(): Uint8Array {
    const start = this.offset + this.headerLength;
    return this.#bytes.subarray(start, start + this.length);
  }

  get raw(): Uint8Array {
    return this.#bytes.subarray(this.offset, this.offset + this.headerLength + this.length);
  }
}

/** A DER BIT STRING: `bytes` holds the bits, the last `unusedBits` (0..7) of the last byte are zero padding. */
export type DerBitString = { readonly unusedBits: number; readonly bytes: Uint8Array };

/** The error ByteReader raises for a read past the end (one octet wanted, none left). */
function overrun(field: string, offset: number): MalformedError {
  return new MalformedError("bytes.overrun", "needs 1 byte(s), only 0 left", { path: field, offset });
}

/** Largest length this reader accepts (4 length octets); Matter certificates, CSRs and CDs are far smaller. */
const MAX_LENGTH_OCTETS = 4;

// `ignoreBOM`: a leading U+FEFF is a character of the string, not a mark to drop (decoding stays one-to-one).
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function hexTag(tag: number): string {
  return `0x${tag.toString(16).padStart(2, "0")}`;
}

/** Sequential strict reader over DER elements; child readers (`sequence`, `set`, `contextTag`) keep absolute offsets. */
export class DerReader {
  readonly #r: ByteReader;

  /** Reads `input` from its start (a Uint8Array) or from the current position of a ByteReader, up to its end. */
  constructor(input: Uint8Array | ByteReader) {
    this.#r = input instanceof ByteReader ? input : new ByteReader(input);
  }

  /** True when every element was read. */
  get done(): boolean {
    return this.#r.done;
  }

  /** Absolute offset of the next element. */
  get offset(): number {
    return this.#r.offset;
  }

  /** The identifier byte of the next element, or undefined at the end. */
  peekTag(): number | undefined {
    return this.#r.done ? undefined : this.#r.bytes[this.#r.offset];
  }

  /** Throws `der.trailing` unless every element was read. */
  expectEnd(path: string): void {
    if (!this.#r.done) {
      throw new MalformedError("der.trailing", `${this.#r.remaining} trailing byte(s)`, {
        path,
        offset: this.#r.offset,
      });
    }
  }

  /** Reads one element of any tag: identifier, definite minimal length, content. */
  readTlv(path: string): DerTlv {
    return this.#readElement(path);
  }

  #readElement(path: string): DerElement {
    // Reads the octets directly (no per-call field names or content view); the errors are those of ByteReader.u8.
    const r = this.#r;
    const bytes = r.bytes;
    const start = r.offset;
    const end = start + r.remaining;
    if (start >= end) throw overrun(`${path}/tag`, start);
    const tag = bytes[start]!;
    // X.690 §8.1.2.4: tag numbers >= 31 use the high-tag-number form; nothing in X.509/CMS/PKCS#10 needs it.
    if ((tag & 0x1f) === 0x1f) {
      throw new MalformedError("der.tag", `high-tag-number form ${hexTag(tag)} not supported`, { path, offset: start });
    }
    const lenAt = start + 1;
    if (lenAt >= end) throw overrun(`${path}/length`, lenAt);
    const first = bytes[lenAt]!;
    let at = lenAt + 1;
    let length: number;
    if (first < 0x80) {
      length = first;
    } else if (first === 0x80) {
      // X.690 §10.1: "The definite form of length encoding shall be used."
      throw new MalformedError("der.length", "indefinite length", { path, offset: lenAt });
    } else {
      const n = first & 0x7f;
      if (n > MAX_LENGTH_OCTETS) {
        throw new MalformedError("der.length", `${n} length octets is too many`, { path, offset: lenAt });
      }
      length = 0;
      for (let i = 0; i < n; i++) {
        if (at >= end) throw overrun(`${path}/length`, at);
        length = length * 256 + bytes[at++]!;
      }
      // X.690 §10.1: "... encoded in the minimum number of octets."
      if (length < 0x80 || length < 2 ** (8 * (n - 1))) {
        throw new MalformedError("der.length", `non-minimal length encoding (${length} in ${n + 1} octets)`, {
          path,
          offset: lenAt,
        });
      }
    }
    const headerLength = at - start;
    if (length > end - at) {
      throw new MalformedError("der.length", `length ${length} runs past the end (${end - at} left)`, {
        path,
        offset: lenAt,
      });
    }
    r.offset = at + length;
    // Primitive/constructed consistency for universal types that DER fixes.
    if ((tag & 0xc0) === 0 && (tag & 0x1f) !== 0x10 && (tag & 0x1f) !== 0x11 && (tag & 0x20) !== 0) {
      throw new MalformedError("der.tag", `constructed encoding of primitive type ${hexTag(tag)}`, {
        path,
        offset: start,
      });
    }
    if ((tag === 0x10 || tag === 0x11) && (tag & 0x20) === 0) {
      throw new MalformedError("der.tag", `primitive SEQUENCE/SET ${hexTag(tag)}`, { path, offset: start });
    }
    return new DerElement(tag, start, headerLength, length, bytes);
  }

  /** Reads one element and checks its tag; `what` names the expected type in the error. */
  expect(tag: number, path: string, what = hexTag(tag)): DerTlv {
    return this.#expect(tag, path, what);
  }

  #expect(tag: number, path: string, what: string): DerElement {
    const at = this.#r.offset;
    const next = this.peekTag();
    if (next === undefined)
      throw new MalformedError("der.overrun", `expected ${what}, found end of data`, { path, offset: at });
    if (next !== tag) {
      throw new MalformedError("der.tag", `expected ${what} (${hexTag(tag)}), found ${hexTag(next)}`, {
        path,
        offset: at,
      });
    }
    return this.#readElement(path);
  }

  #child(tlv: DerElement): DerReader {
    const start = tlv.offset + tlv.headerLength;
    return new DerReader(new ByteReader(this.#r.bytes, start, start + tlv.length));
  }

  /** Reads a SEQUENCE and returns a reader over its content. */
  sequence(path: string): DerReader {
    return this.#child(this.#expect(DerTag.sequence, path, "SEQUENCE"));
  }

  /** Reads a SET and returns a reader over its content (the order of elements is not checked here). */
  set(path: string): DerReader {
    return this.#child(this.#expect(DerTag.set, path, "SET"));
  }

  /** Reads a constructed context-specific `[n]` (explicit tagging) and returns a reader over its content. */
  contextTag(n: number, path: string): DerReader {
    return this.#child(this.#expect(contextTagByte(n, true), path, `[${n}]`));
  }

  /** Like `contextTag`, but returns undefined (consuming nothing) when the next element is not `[n]`. */
  optionalContextTag(n: number, path: string): DerReader | undefined {
    return this.peekTag() === contextTagByte(n, true) ? this.contextTag(n, path) : undefined;
  }

  /** Reads a primitive context-specific `[n]` (implicit tagging) and returns its content bytes. */
  implicitPrimitive(n: number, path: string): Uint8Array {
    return this.expect(contextTagByte(n, false), path, `[${n}] primitive`).content;
  }

  /** Reads an INTEGER as a signed bigint. */
  integer(path: string): bigint {
    const c = this.integerBytes(path);
    let v = 0n;
    for (const b of c) v = (v << 8n) | BigInt(b);
    if ((c[0]! & 0x80) !== 0) v -= 1n << BigInt(8 * c.length);
    return v;
  }

  /** Reads an INTEGER and returns its content bytes (two's complement, checked minimal). */
  integerBytes(path: string): Uint8Array {
    const t = this.expect(DerTag.integer, path, "INTEGER");
    const c = t.content;
    if (c.length === 0) throw new MalformedError("der.integer", "empty INTEGER", { path, offset: t.offset });
    // X.690 §8.3.2: the first nine bits shall not be all ones or all zeros.
    if (c.length > 1 && ((c[0] === 0x00 && (c[1]! & 0x80) === 0) || (c[0] === 0xff && (c[1]! & 0x80) !== 0))) {
      throw new MalformedError("der.integer", "non-minimal INTEGER encoding", { path, offset: t.offset });
    }
    return c;
  }

  /** Reads a non-negative INTEGER that fits a JS number (versions, path lengths). */
  smallUint(path: string, max = 0x7fffffff): number {
    const at = this.#r.offset;
    const v = this.integer(path);
    if (v < 0n || v > BigInt(max)) {
      throw new MalformedError("der.integer", `INTEGER ${v} outside 0..${max}`, { path, offset: at });
    }
    return Number(v);
  }

  /** Reads an OBJECT IDENTIFIER as dotted decimal. */
  oid(path: string): string {
    const t = this.#expect(DerTag.oid, path, "OBJECT IDENTIFIER");
    // Certificates repeat a few OIDs: look the content octets up in place (no view, no string key) before decoding.
    const bytes = this.#r.bytes;
    const start = t.offset + t.headerLength;
    const end = start + t.length;
    if (t.length > OID_CACHE_MAX_OCTETS) return decodeOidContent(t.content, path, t.offset);
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
    const hit = oidOctetsCache.get(hash);
    if (hit !== undefined && hit.octets.length === t.length) {
      let same = true;
      for (let i = 0; i < t.length; i++) {
        if (hit.octets[i] !== bytes[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return hit.text;
    }
    const content = t.content;
    const text = decodeOidContent(content, path, t.offset);
    if (hit === undefined && oidOctetsCache.size < OID_TEXT_CACHE_SIZE) {
      oidOctetsCache.set(hash, { octets: content.slice(), text });
    }
    return text;
  }

  /** Reads a BIT STRING; unused bits must be 0..7, zero when empty, and the padding bits zero (X.690 §11.2). */
  bitString(path: string): DerBitString {
    const t = this.expect(DerTag.bitString, path, "BIT STRING");
    const c = t.content;
    if (c.length === 0) throw new MalformedError("der.bit-string", "empty BIT STRING", { path, offset: t.offset });
    const unusedBits = c[0]!;
    if (unusedBits > 7) {
      throw new MalformedError("der.bit-string", `${unusedBits} unused bits (max 7)`, { path, offset: t.offset });
    }
    if (c.length === 1 && unusedBits !== 0) {
      throw new MalformedError("der.bit-string", "unused bits in an empty BIT STRING", { path, offset: t.offset });
    }
    if (unusedBits > 0 && (c[c.length - 1]! & ((1 << unusedBits) - 1)) !== 0) {
      throw new MalformedError("der.bit-string", "non-zero padding bits", { path, offset: t.offset });
    }
    return { unusedBits, bytes: c.subarray(1) };
  }

  /** Reads an OCTET STRING and returns its content. */
  octetString(path: string): Uint8Array {
    return this.expect(DerTag.octetString, path, "OCTET STRING").content;
  }

  /** Reads a BOOLEAN; DER allows only 0x00 and 0xff (X.690 §11.1). */
  boolean(path: string): boolean {
    const t = this.#expect(DerTag.boolean, path, "BOOLEAN");
    const c = t.content;
    if (c.length !== 1 || (c[0] !== 0x00 && c[0] !== 0xff)) {
      throw new MalformedError("der.boolean", "BOOLEAN must be one byte 00 or ff", { path, offset: t.offset });
    }
    return c[0] === 0xff;
  }

  /** Reads a NULL (empty content). */
  null(path: string): null {
    const t = this.expect(DerTag.null, path, "NULL");
    if (t.content.length !== 0) throw new MalformedError("der.null", "NULL with content", { path, offset: t.offset });
    return null;
  }

  /** Reads a UTF8String (valid UTF-8 required). */
  utf8String(path: string): string {
    const t = this.expect(DerTag.utf8String, path, "UTF8String");
    const c = t.content;
    // ASCII is valid UTF-8 as is: short ASCII strings skip the TextDecoder call.
    if (c.length <= 64) {
      let ascii = true;
      for (let i = 0; i < c.length; i++) {
        if (c[i]! >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) return latin(c);
    }
    try {
      return utf8.decode(c);
    } catch (cause) {
      throw new MalformedError("der.string", "invalid UTF-8", { path, offset: t.offset }, { cause });
    }
  }

  /** Reads a PrintableString (X.680 §41.4 character set). */
  printableString(path: string): string {
    const t = this.expect(DerTag.printableString, path, "PrintableString");
    const s = latin(t.content);
    if (!isPrintableString(s)) {
      throw new MalformedError("der.string", "character outside PrintableString set", { path, offset: t.offset });
    }
    return s;
  }

  /** Reads an IA5String (7-bit ASCII). */
  ia5String(path: string): string {
    const t = this.#expect(DerTag.ia5String, path, "IA5String");
    const c = t.content;
    if (c.some((b) => b > 0x7f)) {
      throw new MalformedError("der.string", "byte above 0x7f in IA5String", { path, offset: t.offset });
    }
    return latin(c);
  }

  /** Reads a UTCTime `YYMMDDHHMMSSZ` (RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY, else 20YY). */
  utcTime(path: string): Date {
    const t = this.expect(DerTag.utcTime, path, "UTCTime");
    const c = t.content;
    const yy = c.length === 13 && c[12] === 0x5a ? digitPairs(c, 0, 6) : undefined;
    if (yy === undefined) {
      throw new MalformedError("der.time", "UTCTime must be YYMMDDHHMMSSZ", { path, offset: t.offset });
    }
    return makeDate(yy[0]! >= 50 ? 1900 + yy[0]! : 2000 + yy[0]!, yy, 1, path, t.offset);
  }

  /** Reads a GeneralizedTime `YYYYMMDDHHMMSSZ` (RFC 5280 §4.1.2.5.2: no fractional seconds). */
  generalizedTime(path: string): Date {
    const t = this.expect(DerTag.generalizedTime, path, "GeneralizedTime");
    const c = t.content;
    const f = c.length === 15 && c[14] === 0x5a ? digitPairs(c, 0, 7) : undefined;
    if (f === undefined) {
      throw new MalformedError("der.time", "GeneralizedTime must be YYYYMMDDHHMMSSZ", { path, offset: t.offset });
    }
    return makeDate(f[0]! * 100 + f[1]!, f, 2, path, t.offset);
  }

  /** Reads a UTCTime or a GeneralizedTime, whichever comes next (X.509 Time). */
  time(path: string): Date {
    return this.peekTag() === DerTag.generalizedTime ? this.generalizedTime(path) : this.utcTime(path);
  }
}

/** The identifier byte of context-specific `[n]`, n in 0..30. */
export function contextTagByte(n: number, constructed: boolean): number {
  if (!Number.isInteger(n) || n < 0 || n > 30) throw new RangeError(`context tag number ${n} outside 0..30`);
  return 0x80 | (constructed ? 0x20 : 0) | n;
}

/** Dotted forms of OIDs read by `DerReader.oid`, keyed by an FNV-1a hash of the content octets (bounded; hits are
 * confirmed octet by octet, so a collision only costs a decode). */
const oidOctetsCache = new Map<number, { readonly octets: Uint8Array; readonly text: string }>();

/** Dotted forms of OID contents decoded so far, keyed by the content octets as a latin1 string (bounded). */
const oidTextCache = new Map<string, string>();
const OID_TEXT_CACHE_SIZE = 256;
/** Longest OID content worth caching (certificate OIDs are at most 10 octets). */
const OID_CACHE_MAX_OCTETS = 32;

/** Decodes OID content octets to dotted decimal; each arc must be minimally encoded (X.690 §8.19.2). */
export function decodeOidContent(c: Uint8Array, path: string, offset?: number): string {
  const key = c.length <= OID_CACHE_MAX_OCTETS ? latin(c) : undefined;
  if (key !== undefined) {
    const cached = oidTextCache.get(key);
    if (cached !== undefined) return cached;
  }
  const text = computeOidText(c, path, offset);
  if (key !== undefined && oidTextCache.size < OID_TEXT_CACHE_SIZE) oidTextCache.set(key, text);
  return text;
}

function computeOidText(c: Uint8Array, path: string, offset?: number): string {
  const where = offset === undefined ? { path } : { path, offset };
  if (c.length === 0) throw new MalformedError("der.oid", "empty OBJECT IDENTIFIER", where);
  const arcs: bigint[] = [];
  let v = 0n;
  let start = true;
  for (let i = 0; i < c.length; i++) {
    const b = c[i]!;
    if (start && b === 0x80) throw new MalformedError("der.oid", "non-minimal OID arc", where);
    v = (v << 7n) | BigInt(b & 0x7f);
    start = (b & 0x80) === 0;
    if (start) {
      arcs.push(v);
      v = 0n;
    }
  }
  if (!start) throw new MalformedError("der.oid", "truncated OID arc", where);
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join(".");
}

function latin(bytes: Uint8Array): string {
  // Spreading a huge array into arguments would overflow the stack: short strings take the fast path only.
  if (bytes.length <= 1024) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** True when `s` uses only the PrintableString alphabet (X.680 41.4): A-Z a-z 0-9 space ' ( ) + , - . / : = ? */
export function isPrintableString(s: string): boolean {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s);
}

/** `count` two-digit decimal numbers starting at `at`, or undefined when a byte is not an ASCII digit. */
function digitPairs(c: Uint8Array, at: number, count: number): number[] | undefined {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const hi = c[at + 2 * i]! - 0x30;
    const lo = c[at + 2 * i + 1]! - 0x30;
    if (hi < 0 || hi > 9 || lo < 0 || lo > 9) return undefined;
    out.push(hi * 10 + lo);
  }
  return out;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The Date of `year` and the month, day, hour, minute, second pairs at `f[from..]`; out-of-range fields are malformed. */
function makeDate(year: number, f: readonly number[], from: number, path: string, offset: number): Date {
  const month = f[from]!;
  const day = f[from + 1]!;
  const hour = f[from + 2]!;
  const minute = f[from + 3]!;
  const second = f[from + 4]!;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = month >= 1 && month <= 12 ? DAYS_IN_MONTH[month - 1]! + (month === 2 && leap ? 1 : 0) : 0;
  // No roll-over: month 13, Feb 30, 24:00 and leap second 60 are all out of range.
  if (day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 59) {
    throw new MalformedError("der.time", "date or time field out of range", { path, offset });
  }
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
  return new Date(seconds * 1000);
}
