/**
 * X.509 (non-operational) certificate and DER blob inputs: attestation certificates and CD signers (PEM, DER, DER
 * hex), their subject key identifier, and CMS messages given raw, hex or base64.
 */
import { fromBase64, fromHex } from "../../bytes/bytes.ts";
import { MalformedError } from "../../bytes/errors.ts";
import { findExtension, parseX509, type X509Certificate } from "../../cert/x509.ts";
import { DerReader } from "../../der/der-reader.ts";
import { OID } from "../../der/oids.ts";
import type { CliEnv } from "../cli-env.ts";
import { excerpt, readInput } from "../cli-io.ts";
import { detectCert } from "./cert-format.ts";
import { asText, isBase64Text, isHexText } from "./text-input.ts";

/** Reads an X.509 certificate (PEM, DER or DER hex) named by `arg`. */
export function loadX509(env: CliEnv, arg: string, what: string): { der: Uint8Array; x509: X509Certificate } {
  const encoded = detectCert(readInput(env, arg, what), "x509");
  return { der: encoded.bytes, x509: parseX509(encoded.bytes, what) };
}

/** The subjectKeyIdentifier of `cert`; a certificate without one is malformed for this use. */
export function subjectKeyIdOf(cert: X509Certificate, what: string): Uint8Array {
  const ext = findExtension(cert, OID.subjectKeyIdentifier);
  if (ext === undefined) throw new MalformedError("cli.skid-missing", `${what}: no subject key identifier extension`);
  const r = new DerReader(ext.value);
  const id = r.octetString(`${what}/skid`);
  r.expectEnd(`${what}/skid`);
  return id;
}

/** A DER blob (e.g. a CMS message) given raw, as hex or as base64, from a file or inline. */
export function loadDerBlob(env: CliEnv, arg: string, what: string): Uint8Array {
  const input = readInput(env, arg, what);
  const text = asText(input.bytes);
  if (text === undefined) {
    if (input.bytes[0] === 0x30) return input.bytes;
  } else {
    const t = text.trim();
    if (isHexText(t) && t.startsWith("30")) return fromHex(t);
    if (isBase64Text(t) && t.startsWith("M")) return fromBase64(t);
  }
  throw new MalformedError(
    "cli.input",
    `${input.label}: ${input.inline ? `"${excerpt(input)}" is neither a readable file nor inline DER` : "not DER, DER hex or base64"}`,
  );
}
