/**
 * DER writer (ITU-T X.690 §10): pure functions that return the complete encoding of one element, and `encodeDer`, which
 * plans a whole tree of elements and writes it once. Lengths are definite and minimal, INTEGERs minimal, SET OF sorted;
 * bad arguments are a RangeError (API misuse), never bad bytes.
 */
import { concatBytes } from "../bytes/bytes.ts";
import { InternalError } from "../bytes/errors.ts";
import { contextTagByte, DerTag, isPrintableString } from "./der-reader.ts";

const utf8 = new TextEncoder();

/** Number of octets of the minimal definite length encoding of `length` (X.690 §10.1). */
function lengthSize(length: number): number {
  if (length < 0x80) return 1;
  if (length < 0x100) return 2;
  if (length < 0x10000) return 3;
  if (length < 0x1000000) return 4;
  return 5;
}

function checkLength(length: number): void {
  if (!Number.isInteger(length) || length < 0 || length > 0xffffffff) throw new RangeError(`bad DER length ${length}`);
}

function checkTag(tag: number): void {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xff || (tag & 0x1f) === 0x1f) {
    throw new RangeError(`bad DER identifier byte ${tag}`);
  }
}

/** Size of a whole element (identifier, minimal length octets, content) with `contentLength` content octets. */
export function derElementSize(contentLength: number): number {
  return 1 + lengthSize(contentLength) + contentLength;
}

/** Writes identifier and length octets at `at`; returns the offset of the content. */
export function putDerHeader(out: Uint8Array, at: number, tag: number, length: number): number {
  out[at++] = tag;
  if (length < 0x80) {
    out[at++] = length;
    return at;
  }
  const n = lengthSize(length) - 1;
  out[at++] = 0x80 | n;
  for (let i = n - 1; i >= 0; i--) out[at++] = Math.floor(length / 2 ** (8 * i)) & 0xff;
  return at;
}

/** One element: identifier byte `tag` (low-tag-number form), minimal length, `content`. */
export function derTlv(tag: number, content: Uint8Array): Uint8Array {
  checkTag(tag);
  checkLength(content.length);
  const planned = 1 + lengthSize(content.length) + content.length;
  const out = new Uint8Array(planned);
  const at = putDerHeader(out, 0, tag, content.length);
  out.set(content, at);
  if (at + content.length !== planned) throw new InternalError("DER element length mismatch");
  return out;
}

/**
 * One element of a tree that `encodeDer` writes in one pass: a complete encoding (copied as is), a primitive with its
 * content (several parts are concatenated), a string primitive with its text (written as UTF-8), or a constructed
 * element with its children in order.
 */
export type DerNode =
  | Uint8Array
  | { readonly tag: number; readonly content: Uint8Array | readonly Uint8Array[] }
  | { readonly tag: number; readonly text: string }
  | { readonly tag: number; readonly children: readonly DerNode[] };

/** UTF-8 length of `s` (as TextEncoder encodes it), with a fast path for ASCII. */
export function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return utf8.encode(s).length;
  return s.length;
}

/** Content lengths of the non-raw nodes of a tree, in pre-order: planned by `plan`, consumed by `put`. */
type Plan = { readonly lengths: number[]; next: number };

function plan(node: DerNode, p: Plan): number {
  if (node instanceof Uint8Array) return node.length;
  checkTag(node.tag);
  const slot = p.lengths.length;
  p.lengths.push(0);
  let length = 0;
  if ("children" in node) {
    for (const child of node.children) length += plan(child, p);
  } else if ("text" in node) {
    length = utf8Length(node.text);
  } else if (node.content instanceof Uint8Array) {
    length = node.content.length;
  } else {
    for (const part of node.content) length += part.length;
  }
  checkLength(length);
  p.lengths[slot] = length;
  return 1 + lengthSize(length) + length;
}

function put(node: DerNode, out: Uint8Array, at: number, p: Plan): number {
  if (node instanceof Uint8Array) {
    out.set(node, at);
    return at + node.length;
  }
  const length = p.lengths[p.next++]!;
  at = putDerHeader(out, at, node.tag, length);
  const end = at + length;
  if ("children" in node) {
    for (const child of node.children) at = put(child, out, at, p);
  } else if ("text" in node) {
    const s = node.text;
    if (s.length === length) for (let i = 0; i < s.length; i++) out[at++] = s.charCodeAt(i);
    else at += utf8.encodeInto(s, out.subarray(at, end)).written;
  } else if (node.content instanceof Uint8Array) {
    out.set(node.content, at);
    at += node.content.length;
  } else {
    for (const part of node.content) {
      out.set(part, at);
      at += part.length;
    }
  }
  if (at !== end) throw new InternalError("DER element length mismatch");
  return at;
}

/** The DER encoding of a tree of elements: every length is planned first, then the bytes are written once. */
export function encodeDer(node: DerNode): Uint8Array {
  const p: Plan = { lengths: [], next: 0 };
  const planned = plan(node, p);
  const out = new Uint8Array(planned);
  const written = put(node, out, 0, p);
  if (written !== planned || p.next !== p.lengths.length) {
    throw new InternalError(`DER encoder wrote ${written} bytes, planned ${planned}`);
  }
  return out;
}

/** SEQUENCE of the given encoded children, in order. */
export function derSequence(...children: Uint8Array[]): Uint8Array {
  return encodeDer({ tag: DerTag.sequence, children });
}

/** X.690 §11.6 order: octet strings compared with the shorter one padded with trailing zero octets. */
function compareDerElements(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x - y;
  }
  return 0;
}

/** SET (OF) of the given encoded children, sorted into DER order (X.690 §11.6). */
export function derSet(...children: Uint8Array[]): Uint8Array {
  return derTlv(DerTag.set, concatBytes(...[...children].sort(compareDerElements)));
}

/**
 * INTEGER. A bigint is encoded as minimal two's complement; a Uint8Array is an unsigned big-endian magnitude
 * (serial numbers, ECDSA r/s) to which a leading 0x00 is added when its top bit is set.
 */
export function derInteger(value: bigint | Uint8Array): Uint8Array {
  return derTlv(DerTag.integer, integerContent(value));
}

function integerContent(value: bigint | Uint8Array): Uint8Array {
  if (value instanceof Uint8Array) {
    let i = 0;
    while (i < value.length - 1 && value[i] === 0) i++;
    const mag = value.subarray(i);
    if (mag.length === 0) return Uint8Array.of(0);
    return (mag[0]! & 0x80) !== 0 ? concatBytes(Uint8Array.of(0), mag) : mag.slice();
  }
  // Smallest n such that -2^(8n-1) <= value < 2^(8n-1).
  let n = 1;
  while (value >= 1n << BigInt(8 * n - 1) || value < -(1n << BigInt(8 * n - 1))) n++;
  let v = value < 0n ? value + (1n << BigInt(8 * n)) : value;
  const out = new Uint8Array(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** OBJECT IDENTIFIER from dotted decimal (first arc 0..2, second arc < 40 unless the first is 2). */
export function derOid(dotted: string): Uint8Array {
  return derTlv(DerTag.oid, cachedOidContent(dotted));
}

/** Content octets of every OID encoded so far: certificates use a few dozen, each many times. */
const oidCache = new Map<string, Uint8Array>();
/** Bound on `oidCache`, so that arbitrary OIDs from parsed input cannot grow it without limit. */
const OID_CACHE_SIZE = 256;

/** Content octets of an OID from dotted decimal, cached: the returned array is shared, callers must not modify it. */
export function cachedOidContent(dotted: string): Uint8Array {
  let content = oidCache.get(dotted);
  if (content === undefined) {
    content = computeOidContent(dotted);
    if (oidCache.size < OID_CACHE_SIZE) oidCache.set(dotted, content);
  }
  return content;
}

function computeOidContent(dotted: string): Uint8Array {
  if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(dotted)) throw new RangeError(`bad OID "${dotted}"`);
  const arcs = dotted.split(".").map((a) => BigInt(a));
  const [a0, a1] = [arcs[0]!, arcs[1]!];
  if (a0 < 2n && a1 >= 40n) throw new RangeError(`bad OID "${dotted}": second arc must be < 40`);
  const out: number[] = [];
  for (const arc of [a0 * 40n + a1, ...arcs.slice(2)]) {
    const bytes: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) bytes.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...bytes);
  }
  return Uint8Array.from(out);
}

/** BIT STRING of `bytes` whose last `unusedBits` bits (0..7) are padding and must be zero. */
export function derBitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  if (!Number.isInteger(unusedBits) || unusedBits < 0 || unusedBits > 7) {
    throw new RangeError(`unused bits ${unusedBits} outside 0..7`);
  }
  if (bytes.length === 0 && unusedBits !== 0) throw new RangeError("unused bits in an empty BIT STRING");
  if (unusedBits > 0 && (bytes[bytes.length - 1]! & ((1 << unusedBits) - 1)) !== 0) {
    throw new RangeError("BIT STRING padding bits must be zero");
  }
  return derTlv(DerTag.bitString, concatBytes(Uint8Array.of(unusedBits), bytes));
}

/** OCTET STRING. */
export function derOctetString(bytes: Uint8Array): Uint8Array {
  return derTlv(DerTag.octetString, bytes);
}

/** BOOLEAN (0xff for true, as DER requires). */
export function derBoolean(value: boolean): Uint8Array {
  return derTlv(DerTag.boolean, Uint8Array.of(value ? 0xff : 0x00));
}

/** NULL. */
export function derNull(): Uint8Array {
  return derTlv(DerTag.null, new Uint8Array(0));
}

/** UTF8String. */
export function derUtf8String(s: string): Uint8Array {
  return derTlv(DerTag.utf8String, utf8.encode(s));
}

/** PrintableString; characters outside its set are a RangeError. */
export function derPrintableString(s: string): Uint8Array {
  if (!isPrintableString(s)) throw new RangeError(`"${s}" is not a PrintableString`);
  return derTlv(DerTag.printableString, asciiBytes(s));
}

/** IA5String (7-bit ASCII); other characters are a RangeError. */
export function derIa5String(s: string): Uint8Array {
  if (!/^[\x00-\x7f]*$/.test(s)) throw new RangeError(`"${s}" is not an IA5String`);
  return derTlv(DerTag.ia5String, asciiBytes(s));
}

function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function checkWholeSeconds(d: Date): void {
  if (Number.isNaN(d.getTime())) throw new RangeError("invalid Date");
  if (d.getUTCMilliseconds() !== 0) throw new RangeError("DER times carry whole seconds; round the Date first");
}

const SECONDS_PER_DAY = 86_400;

/** Proleptic Gregorian year, month (1-12) and day of a day count since 1970-01-01 (H. Hinnant's civil_from_days). */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function putTwoDigits(out: Uint8Array, at: number, v: number): void {
  out[at] = 0x30 + Math.floor(v / 10);
  out[at + 1] = 0x30 + (v % 10);
}

/**
 * UTCTime `YYMMDDHHMMSSZ` (years 1950..2049) or GeneralizedTime `YYYYMMDDHHMMSSZ` (years 0..9999) of whole seconds
 * since the Unix epoch, written digit by digit (no Date, no strings).
 */
export function derTimeOfSeconds(unixSeconds: number, form: "utc" | "generalized"): Uint8Array {
  if (!Number.isSafeInteger(unixSeconds)) throw new RangeError(`not whole seconds: ${unixSeconds}`);
  const days = Math.floor(unixSeconds / SECONDS_PER_DAY);
  const secondOfDay = unixSeconds - days * SECONDS_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  const utc = form === "utc";
  if (utc && (year < 1950 || year > 2049)) throw new RangeError(`UTCTime cannot hold year ${year}`);
  if (!utc && (year < 0 || year > 9999)) throw new RangeError(`GeneralizedTime cannot hold year ${year}`);
  const out = new Uint8Array(utc ? 15 : 17);
  out[0] = utc ? DerTag.utcTime : DerTag.generalizedTime;
  out[1] = out.length - 2;
  let at = 2;
  if (!utc) {
    putTwoDigits(out, at, Math.floor(year / 100));
    at += 2;
  }
  putTwoDigits(out, at, year % 100);
  putTwoDigits(out, at + 2, month);
  putTwoDigits(out, at + 4, day);
  putTwoDigits(out, at + 6, Math.floor(secondOfDay / 3600));
  putTwoDigits(out, at + 8, Math.floor(secondOfDay / 60) % 60);
  putTwoDigits(out, at + 10, secondOfDay % 60);
  out[at + 12] = 0x5a; // "Z"
  return out;
}

/** UTCTime `YYMMDDHHMMSSZ`, for years 1950..2049 (RFC 5280 §4.1.2.5). */
export function derUtcTime(d: Date): Uint8Array {
  checkWholeSeconds(d);
  return derTimeOfSeconds(d.getTime() / 1000, "utc");
}

/** GeneralizedTime `YYYYMMDDHHMMSSZ`, for years 0..9999. */
export function derGeneralizedTime(d: Date): Uint8Array {
  checkWholeSeconds(d);
  return derTimeOfSeconds(d.getTime() / 1000, "generalized");
}

/** X.509 Time (RFC 5280 §4.1.2.5): UTCTime through 2049, GeneralizedTime from 2050. */
export function derTime(d: Date): Uint8Array {
  const y = d.getUTCFullYear();
  return y >= 1950 && y <= 2049 ? derUtcTime(d) : derGeneralizedTime(d);
}

/** Context-specific `[n]`: constructed (explicit tagging, `content` is encoded elements) or primitive (implicit). */
export function derContext(n: number, content: Uint8Array, constructed = true): Uint8Array {
  return derTlv(contextTagByte(n, constructed), content);
}
