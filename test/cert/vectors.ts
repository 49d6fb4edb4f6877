// Loads the operational-certificate vectors of test/vectors (connectedhomeip, Apache-2.0; see the README there).
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fromHex } from "../../src/bytes/bytes.ts";

/** Directory of the operational certificate vectors. */
export const OPCERTS_DIR = resolve(import.meta.dirname, "..", "vectors", "opcerts");

/** Every vector certificate name. */
export const CERT_NAMES = [
  "Root01",
  "Root02",
  "ICA01",
  "ICA02",
  "Node01_01",
  "Node01_02",
  "Node02_01",
  "Node02_02",
  "Node02_03",
] as const;
export type CertName = (typeof CERT_NAMES)[number];

/** The decoded-field JSON of a vector. */
export type CertJson = {
  serialNumber: string;
  issuer: { attr: string; value: string }[];
  subject: { attr: string; value: string }[];
  notBefore: { matterEpochSeconds: number; utc: string };
  notAfter: { matterEpochSeconds: number; utc: string };
  publicKey: string;
  signatureRawRS: string;
  extensions: {
    basicConstraints: { isCA: boolean; pathLen?: number; pathLenConstraint?: number };
    keyUsageBitmap: number;
    extendedKeyUsage?: string[];
    subjectKeyId: string;
    authorityKeyId: string;
  };
  sizes: { matterTLV: number; x509DER: number };
};

/** The Matter TLV bytes of a vector. */
export function tlvOf(name: string): Uint8Array {
  return fromHex(readFileSync(join(OPCERTS_DIR, `${name}.matter-tlv.hex`), "utf8"));
}

/** The X.509 DER bytes of a vector. */
export function derOf(name: string): Uint8Array {
  return fromHex(readFileSync(join(OPCERTS_DIR, `${name}.x509.der.hex`), "utf8"));
}

/** The decoded-field JSON of a vector. */
export function jsonOf(name: string): CertJson {
  return JSON.parse(readFileSync(join(OPCERTS_DIR, `${name}.json`), "utf8")) as CertJson;
}

/** The SEC1 PEM private key of a vector. */
export function keyPemOf(name: string): string {
  return readFileSync(join(OPCERTS_DIR, `${name}.key.pem`), "utf8");
}
