/**
 * Recognising textual encodings of binary inputs (PEM, hex, base64) the way chip-cert's format detection does, but
 * strictly: a PEM block must be complete and its body valid base64, hex must be even-length.
 */
import { fromBase64, toBase64 } from "../../bytes/bytes.ts";
import { MalformedError } from "../../bytes/errors.ts";

/** The input as text when every byte is printable ASCII or whitespace, else undefined (binary input). */
export function asText(bytes: Uint8Array): string | undefined {
  for (const b of bytes) {
    if (!((b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d)) return undefined;
  }
  return new TextDecoder().decode(bytes);
}

/** True when `text` (whitespace ignored) is a non-empty hex string. */
export function isHexText(text: string): boolean {
  return /^[0-9a-fA-F]+$/.test(text.replace(/\s+/g, ""));
}

/** True when `text` (whitespace ignored) is a non-empty standard base64 string. */
export function isBase64Text(text: string): boolean {
  const s = text.replace(/\s+/g, "");
  return s.length > 0 && s.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s);
}

const PEM_BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/;

/** The label of the first PEM block in `text` (e.g. `CERTIFICATE`), or undefined when there is none. */
export function pemLabel(text: string): string | undefined {
  return PEM_BEGIN.exec(text)?.[1];
}

/**
 * The DER body of the single PEM block labelled `label` in `text`; a missing END line or bad base64 is malformed.
 * With `first`, the first block so labelled is taken and any others are ignored (OpenSSL's PEM_read_bio_X509, which
 * chip-cert reads certificates with, does the same with a bundle).
 */
export function parsePem(text: string, label: string, what: string, first = false): Uint8Array {
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const start = text.indexOf(begin);
  if (start < 0) throw new MalformedError("cli.pem", `${what}: no "${begin}" line`);
  const stop = text.indexOf(end, start + begin.length);
  if (stop < 0) throw new MalformedError("cli.pem", `${what}: truncated PEM, no "${end}" line`);
  if (!first && text.indexOf("-----BEGIN", stop) >= 0) {
    throw new MalformedError("cli.pem", `${what}: more than one PEM block`);
  }
  const body = text.slice(start + begin.length, stop);
  let der: Uint8Array;
  try {
    der = fromBase64(body);
  } catch {
    throw new MalformedError("cli.pem", `${what}: PEM body is not valid base64`);
  }
  if (der.length === 0) throw new MalformedError("cli.pem", `${what}: empty PEM body`);
  return der;
}

/** A PEM block with 64-column base64 lines and a final newline. */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = toBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
