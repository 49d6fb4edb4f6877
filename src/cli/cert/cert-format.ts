/**
 * Certificate encodings of chip-cert (CertUtils.cpp: X.509 PEM, DER, DER hex; Matter TLV raw, hex, base64): strict
 * detection of an input's encoding and writing a certificate in any of them.
 */
import { fromBase64, fromHex, toBase64, toHex } from "../../bytes/bytes.ts";
import { MalformedError } from "../../bytes/errors.ts";
import { type CliInput, excerpt } from "../cli-io.ts";
import { asText, isBase64Text, isHexText, parsePem, pemLabel, toPem } from "./text-input.ts";

/** Every certificate encoding, by chip-cert name. */
export const CertFormat = {
  x509Pem: "x509-pem",
  x509Der: "x509-der",
  x509Hex: "x509-hex",
  chip: "chip",
  chipHex: "chip-hex",
  chipB64: "chip-b64",
} as const;
/** A value of CertFormat. */
export type CertFormat = (typeof CertFormat)[keyof typeof CertFormat];

/** True for the X.509 (DER-based) encodings. */
export function isX509Format(format: CertFormat): boolean {
  return format === CertFormat.x509Pem || format === CertFormat.x509Der || format === CertFormat.x509Hex;
}

/** An input's certificate bytes (DER for X.509 formats, TLV for Matter formats) and the encoding they came in. */
export type EncodedCert = { readonly format: CertFormat; readonly bytes: Uint8Array };

/** The first byte of a DER certificate (SEQUENCE) and of a Matter TLV certificate (anonymous structure). */
const DER_SEQUENCE = 0x30;
const TLV_ANONYMOUS_STRUCT = 0x15;

/** Detects the encoding of a certificate input; anything else is a MalformedError naming the input. */
export function detectCert(input: CliInput, kinds: "any" | "x509" = "any"): EncodedCert {
  const what = input.label;
  const text = asText(input.bytes);
  let found: EncodedCert | undefined;
  if (text === undefined) {
    if (input.bytes[0] === DER_SEQUENCE) found = { format: CertFormat.x509Der, bytes: input.bytes };
    else if (input.bytes[0] === TLV_ANONYMOUS_STRUCT) found = { format: CertFormat.chip, bytes: input.bytes };
  } else {
    // A bundle gives its first CERTIFICATE block, other blocks (keys, further certificates) ignored, as chip-cert.
    const label = text.includes("-----BEGIN CERTIFICATE-----") ? "CERTIFICATE" : pemLabel(text);
    if (label !== undefined) {
      if (label !== "CERTIFICATE")
        throw new MalformedError("cli.cert-format", `${what}: PEM block "${label}" is not a CERTIFICATE`);
      found = { format: CertFormat.x509Pem, bytes: parsePem(text, label, what, true) };
    } else {
      const t = text.trim();
      if (isHexText(t)) {
        const bytes = fromHex(t);
        if (bytes[0] === DER_SEQUENCE) found = { format: CertFormat.x509Hex, bytes };
        else if (bytes[0] === TLV_ANONYMOUS_STRUCT) found = { format: CertFormat.chipHex, bytes };
      } else if (isBase64Text(t)) {
        const bytes = fromBase64(t);
        if (bytes[0] === TLV_ANONYMOUS_STRUCT) found = { format: CertFormat.chipB64, bytes };
      }
    }
  }
  if (found === undefined) {
    const detail = input.inline
      ? `"${excerpt(input)}" is neither a readable file nor an inline certificate`
      : "not a certificate in any known encoding";
    throw new MalformedError(
      "cli.cert-format",
      `${what}: ${detail} (${kinds === "x509" ? "X.509 PEM, DER or DER hex" : "X.509 PEM/DER/hex, Matter TLV raw/hex/base64"})`,
    );
  }
  if (kinds === "x509" && !isX509Format(found.format)) {
    throw new MalformedError("cli.cert-format", `${what}: expected an X.509 certificate, got Matter TLV`);
  }
  return found;
}

/** `der` or `tlv` written in `format` (text formats end in a newline). */
export function encodeCert(format: CertFormat, der: () => Uint8Array, tlv: () => Uint8Array): string | Uint8Array {
  switch (format) {
    case CertFormat.x509Pem:
      return toPem("CERTIFICATE", der());
    case CertFormat.x509Der:
      return der();
    case CertFormat.x509Hex:
      return `${toHex(der())}\n`;
    case CertFormat.chip:
      return tlv();
    case CertFormat.chipHex:
      return `${toHex(tlv())}\n`;
    case CertFormat.chipB64:
      return `${toBase64(tlv())}\n`;
  }
}
