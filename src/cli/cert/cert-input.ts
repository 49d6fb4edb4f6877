/**
 * A certificate argument resolved to a strictly decoded Matter certificate with both of its forms: the TLV and DER
 * bytes it was given are kept as received (never re-serialized), the other form is converted from them.
 */

import type { MatterCert } from "../../cert/matter-cert.ts";
import { decodeMatterCert } from "../../cert/matter-cert-decode.ts";
import { matterCertFromDer } from "../../cert/matter-cert-from-x509.ts";
import { matterCertToDer } from "../../cert/matter-cert-to-x509.ts";
import type { CliEnv } from "../cli-env.ts";
import { readInput } from "../cli-io.ts";
import { type CertFormat, detectCert, isX509Format } from "./cert-format.ts";

/** A loaded certificate: decoded, its TLV and DER forms, and the encoding the input used. */
export type LoadedCert = {
  readonly cert: MatterCert;
  readonly tlv: Uint8Array;
  readonly der: Uint8Array;
  readonly format: CertFormat;
  readonly label: string;
};

/** Reads, detects and decodes the certificate named by `arg`; any malformation throws a MalformedError. */
export function loadCert(env: CliEnv, arg: string, what: string): LoadedCert {
  const input = readInput(env, arg, what);
  const encoded = detectCert(input);
  if (isX509Format(encoded.format)) {
    const cert = matterCertFromDer(encoded.bytes);
    return { cert, tlv: cert.raw, der: encoded.bytes, format: encoded.format, label: input.label };
  }
  const cert = decodeMatterCert(encoded.bytes);
  return { cert, tlv: encoded.bytes, der: matterCertToDer(cert), format: encoded.format, label: input.label };
}
