/** ECDSA signature forms: raw r || s (Matter TLV, Matter protocols) and DER Ecdsa-Sig-Value (X.509, CMS). Strict both ways. */
import { MalformedError } from "../bytes/errors.ts";

/** Length of one P-256 signature component. */
const COMPONENT_BYTES = 32;

/** Offset of the first byte of the minimal magnitude of the component at `[from, from + 32)` (at most from + 31). */
function magnitudeStart(raw: Uint8Array, from: number): number {
  let i = from;
  while (i < from + COMPONENT_BYTES - 1 && raw[i] === 0) i++;
  return i;
}

/** DER Ecdsa-Sig-Value SEQUENCE { r INTEGER, s INTEGER } of a raw 64-byte r || s signature. */
export function rawToDerSignature(raw: Uint8Array): Uint8Array {
  if (raw.length !== 2 * COMPONENT_BYTES)
    throw new MalformedError("ecdsa.raw-length", `expected 64 bytes, got ${raw.length}`);
  // Each INTEGER is the minimal magnitude, with a 0x00 sign octet when its top bit is set.
  const rAt = magnitudeStart(raw, 0);
  const sAt = magnitudeStart(raw, COMPONENT_BYTES);
  const rPad = (raw[rAt]! & 0x80) !== 0 ? 1 : 0;
  const sPad = (raw[sAt]! & 0x80) !== 0 ? 1 : 0;
  const rLength = COMPONENT_BYTES - rAt + rPad;
  const sLength = 2 * COMPONENT_BYTES - sAt + sPad;
  const bodyLength = 2 + rLength + 2 + sLength;
  const out = new Uint8Array(2 + bodyLength);
  out[0] = 0x30;
  out[1] = bodyLength;
  out[2] = 0x02;
  out[3] = rLength;
  let at = 4 + rPad;
  for (let i = rAt; i < COMPONENT_BYTES; i++) out[at++] = raw[i]!;
  out[at++] = 0x02;
  out[at++] = sLength;
  at += sPad;
  for (let i = sAt; i < 2 * COMPONENT_BYTES; i++) out[at++] = raw[i]!;
  return out;
}

function readComponent(der: Uint8Array, at: number, name: string): { value: Uint8Array; next: number } {
  if (der[at] !== 0x02)
    throw new MalformedError("ecdsa.der", "expected INTEGER", { path: `signature/${name}`, offset: at });
  const len = der[at + 1];
  if (len === undefined || len === 0 || len > COMPONENT_BYTES + 1 || at + 2 + len > der.length) {
    throw new MalformedError("ecdsa.der", "bad INTEGER length", { path: `signature/${name}`, offset: at + 1 });
  }
  const content = der.subarray(at + 2, at + 2 + len);
  if ((content[0]! & 0x80) !== 0) {
    throw new MalformedError("ecdsa.der", "negative INTEGER", { path: `signature/${name}`, offset: at + 2 });
  }
  if (len > 1 && content[0] === 0 && (content[1]! & 0x80) === 0) {
    throw new MalformedError("ecdsa.der", "non-minimal INTEGER", { path: `signature/${name}`, offset: at + 2 });
  }
  const magnitude = content[0] === 0 && len > 1 ? content.subarray(1) : content;
  if (magnitude.length > COMPONENT_BYTES) {
    throw new MalformedError("ecdsa.der", "INTEGER longer than 32 bytes", {
      path: `signature/${name}`,
      offset: at + 2,
    });
  }
  const value = new Uint8Array(COMPONENT_BYTES);
  value.set(magnitude, COMPONENT_BYTES - magnitude.length);
  return { value, next: at + 2 + len };
}

/** Raw 64-byte r || s of a DER Ecdsa-Sig-Value; non-minimal, negative, oversized or trailing encodings are malformed. */
export function derToRawSignature(der: Uint8Array): Uint8Array {
  if (der[0] !== 0x30 || der.length < 2 || der[1]! >= 0x80 || der[1] !== der.length - 2) {
    throw new MalformedError("ecdsa.der", "expected a SEQUENCE spanning the whole signature", {
      path: "signature",
      offset: 0,
    });
  }
  const r = readComponent(der, 2, "r");
  const s = readComponent(der, r.next, "s");
  if (s.next !== der.length) {
    throw new MalformedError("ecdsa.der", "trailing bytes", { path: "signature", offset: s.next });
  }
  const out = new Uint8Array(2 * COMPONENT_BYTES);
  out.set(r.value, 0);
  out.set(s.value, COMPONENT_BYTES);
  return out;
}
