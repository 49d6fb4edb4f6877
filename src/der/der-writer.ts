/**
 * DER writer (ITU-T X.690 §10): pure functions that return the complete encoding of one element. Lengths are
 * definite and minimal, INTEGERs minimal, SET OF sorted; bad arguments are a RangeError (API misuse), never bad bytes.
 */
import { ByteWriter } from "../bytes/byte-writer.ts";
import { concatBytes } from "../bytes/bytes.ts";
import { InternalError } from "../bytes/errors.ts";
import { contextTagByte, DerTag, isPrintableString } from "./der-reader.ts";

const utf8 = new TextEncoder();

/** The minimal DER length octets for `length`. */
function lengthOctets(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 0xffffffff) throw new RangeError(`bad DER length ${length}`);
  if (length < 0x80) return Uint8Array.of(length);
  const out: number[] = [];
  for (let v = length; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return Uint8Array.of(0x80 | out.length, ...out);
}

/** One element: identifier byte `tag` (low-tag-number form), minimal length, `content`. */
export function derTlv(tag: number, content: Uint8Array): Uint8Array {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xff || (tag & 0x1f) === 0x1f) {
    throw new RangeError(`bad DER identifier byte ${tag}`);
  }
  const len = lengthOctets(content.length);
  const planned = 1 + len.length + content.length;
  const w = new ByteWriter(planned);
  w.u8(tag).bytes(len).bytes(content);
  if (w.length !== planned) throw new InternalError("DER element length mismatch");
  return w.finish();
}

/** SEQUENCE of the given encoded children, in order. */
export function derSequence(...children: Uint8Array[]): Uint8Array {
  return derTlv(DerTag.sequence, concatBytes(...children));
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
  return derTlv(DerTag.oid, oidContent(dotted));
}

/** The content octets of an OBJECT IDENTIFIER. */
export function oidContent(dotted: string): Uint8Array {
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
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function two(n: number): string {
  return String(n).padStart(2, "0");
}

function checkWholeSeconds(d: Date): void {
  if (Number.isNaN(d.getTime())) throw new RangeError("invalid Date");
  if (d.getUTCMilliseconds() !== 0) throw new RangeError("DER times carry whole seconds; round the Date first");
}

/** UTCTime `YYMMDDHHMMSSZ`, for years 1950..2049 (RFC 5280 §4.1.2.5). */
export function derUtcTime(d: Date): Uint8Array {
  checkWholeSeconds(d);
  const y = d.getUTCFullYear();
  if (y < 1950 || y > 2049) throw new RangeError(`UTCTime cannot hold year ${y}`);
  const s = `${two(y % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  return derTlv(DerTag.utcTime, asciiBytes(s));
}

/** GeneralizedTime `YYYYMMDDHHMMSSZ`, for years 0..9999. */
export function derGeneralizedTime(d: Date): Uint8Array {
  checkWholeSeconds(d);
  const y = d.getUTCFullYear();
  if (y < 0 || y > 9999) throw new RangeError(`GeneralizedTime cannot hold year ${y}`);
  const s = `${String(y).padStart(4, "0")}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  return derTlv(DerTag.generalizedTime, asciiBytes(s));
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
