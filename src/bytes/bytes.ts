/** Byte-array helpers: hex and base64 conversion, comparison and concatenation. */
import { MalformedError } from "./errors.ts";

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Bytes of a hex string (whitespace and an optional `0x` prefix are ignored); odd length or non-hex is malformed. */
export function fromHex(hex: string): Uint8Array {
  let s = hex.replace(/\s+/g, "");
  if (s.startsWith("0x") || s.startsWith("0X")) s = s.slice(2);
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) {
    throw new MalformedError("bytes.hex", "not an even-length hex string");
  }
  return new Uint8Array(Buffer.from(s, "hex"));
}

/** Standard base64 of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** Bytes of a standard base64 string (whitespace ignored); anything else is malformed. */
export function fromBase64(b64: string): Uint8Array {
  const s = b64.replace(/\s+/g, "");
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) {
    throw new MalformedError("bytes.base64", "not a base64 string");
  }
  return new Uint8Array(Buffer.from(s, "base64"));
}

/** True when both arrays hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  // Long arrays: one native comparison beats a byte loop (certificates compare a few hundred bytes).
  if (a.length >= 64) {
    return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
  }
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The concatenation of `parts`. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Big-endian unsigned bytes of `value`, left-padded to `length` bytes; a value that does not fit is a RangeError. */
export function bigintToBytes(value: bigint, length: number): Uint8Array {
  if (value < 0n || value >> BigInt(length * 8) !== 0n)
    throw new RangeError(`${value} does not fit in ${length} bytes`);
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  let v = value;
  // Eight bytes per step from the end, then the leading bytes one at a time.
  let i = length;
  for (; i >= 8; i -= 8) {
    view.setBigUint64(i - 8, BigInt.asUintN(64, v));
    v >>= 64n;
  }
  for (; i > 0; i--) {
    out[i - 1] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The unsigned big-endian integer in `bytes`. */
export function bytesToBigint(bytes: Uint8Array): bigint {
  // Eight bytes per step: a bigint operation per byte costs several times more for a 32-byte scalar.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = bytes.length % 8;
  let v = 0n;
  for (let i = 0; i < head; i++) v = (v << 8n) | BigInt(bytes[i]!);
  for (let i = head; i < bytes.length; i += 8) v = (v << 64n) | view.getBigUint64(i);
  return v;
}
