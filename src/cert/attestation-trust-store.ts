/**
 * The commissioner's device attestation trust anchors (Core spec §6.2.3, §6.3.1): trusted PAAs by subject key id and
 * CD signing keys by key id, as the reference SDK's AttestationTrustStore / FileAttestationTrustStore and
 * CsaCdKeysTrustStore (connectedhomeip src/credentials/attestation_verifier/) hold them.
 *
 * Two kinds: the development store (the public connectedhomeip test PAAs and test CD signer, files shipped in
 * dev-attestation/) and a production store (PAAs loaded from directories, as chip-tool's --paa-trust-store-path). Both
 * know the CSA's production CD signing certificates, which the SDK's DefaultDeviceAttestationVerifier builds in. A
 * production store still recognizes the public test PAAs and the test CD signer, so that the verifier can refuse them
 * by name instead of answering "not trusted".
 */
import { readFileSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { bytesEqual, fromBase64, toHex } from "../bytes/bytes.ts";
import { MalformedError, ValidationError } from "../bytes/errors.ts";
import { P256PublicKey } from "../crypto/p256.ts";
import { DerReader } from "../der/der-reader.ts";
import { OID } from "../der/oids.ts";
import { type AttestationCert, checkAttestationCertFormat } from "./attestation-cert.ts";
import { DEV_ATTESTATION_DIR } from "./attestation-provider.ts";
import { findExtension, parseX509 } from "./x509.ts";

/** Which kind of store: development (public test anchors) or production (PAAs the caller provides). */
const AttestationTrustStoreKind = { development: "development", production: "production" } as const;
/** A value of AttestationTrustStoreKind. */
type AttestationTrustStoreKind = (typeof AttestationTrustStoreKind)[keyof typeof AttestationTrustStoreKind];

/** A trusted PAA: its DER bytes, its format-checked form, and whether it is one of the public test PAAs. */
export type TrustedPaa = {
  readonly der: Uint8Array;
  readonly cert: AttestationCert;
  readonly subjectKeyId: Uint8Array;
  /** One of the public connectedhomeip test/development PAAs. */
  readonly test: boolean;
  /** The file (or built-in name) it came from. */
  readonly source: string;
};

/** A CD signing key: the key id the CMS SignerInfo names, the public key, and whether it is the test CD signer. */
export type CdSigner = {
  readonly subjectKeyId: Uint8Array;
  readonly publicKey: P256PublicKey;
  readonly test: boolean;
  readonly name: string;
};

/** File names of the public test PAAs shipped in dev-attestation/ (connectedhomeip, Apache-2.0). */
const TEST_PAA_FILES = [
  "Chip-Development-PAA-Cert.pem",
  "Chip-Test-PAA-FFF1-Cert.pem",
  "Chip-Test-PAA-FFF2-Cert.pem",
  "Chip-Test-PAA-NoVID-Cert.pem",
] as const;
/** File name of the public test CD signing certificate shipped in dev-attestation/. */
const TEST_CD_SIGNER_FILE = "Chip-Test-CD-Signing-Cert.pem";

/**
 * The CSA's production CD signing certificates ("Certification Declaration Signing Key 001".."005", issued by "Matter
 * Certification and Testing CA"), public data listed in connectedhomeip DefaultDeviceAttestationVerifier.cpp; DER, base64.
 */
export const CSA_CD_SIGNING_CERTS: readonly { readonly name: string; readonly der: string }[] = [
  {
    name: "CSA CD Signing Key 001",
    der: "MIICBzCCAa2gAwIBAgIHY3NhY2RrMTAKBggqhkjOPQQDAjBSMQwwCgYDVQQKDANDU0ExLDAqBgNVBAMMI01hdHRlciBDZXJ0aWZpY2F0aW9uIGFuZCBUZXN0aW5nIENBMRQwEgYKKwYBBAGConwCAQwEQzVBMDAgFw0yMjEwMDMxOTI4NTVaGA8yMDcyMDkyMDE5Mjg1NVowWDEMMAoGA1UECgwDQ1NBMTIwMAYDVQQDDClDZXJ0aWZpY2F0aW9uIERlY2xhcmF0aW9uIFNpZ25pbmcgS2V5IDAwMTEUMBIGCisGAQQBgqJ8AgEMBEM1QTAwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATN7uk+RPi3K+PRqcB+IZaLmv/ztAPwXhZp17Hlyu5vx3FLQufiNpXpLNdjVHOigK5ojze7lInhFim5uU/3sJkpo2YwZDASBgNVHRMBAf8ECDAGAQH/AgEAMA4GA1UdDwEB/wQEAwIBhjAdBgNVHQ4EFgQU/jQ/lZlHdjth7kU5ExM4SU/mfY4wHwYDVR0jBBgwFoAUl+Rp0MUEFMJvxwH3fpR3OQmN9qUwCgYIKoZIzj0EAwIDSAAwRQIgEDWOcdKsVGtUh3evHbBd1lq4aS7yQtOp6GrOQ3/zXBsCIQDxorh2RXSaI8m2RCcoWaiWa0nLzQepNm3C2jrQVJmC2Q==",
  },
  {
    name: "CSA CD Signing Key 002",
    der: "MIICCDCCAa2gAwIBAgIHY3NhY2RrMjAKBggqhkjOPQQDAjBSMQwwCgYDVQQKDANDU0ExLDAqBgNVBAMMI01hdHRlciBDZXJ0aWZpY2F0aW9uIGFuZCBUZXN0aW5nIENBMRQwEgYKKwYBBAGConwCAQwEQzVBMDAgFw0yMjEwMDMxOTM2NDZaGA8yMDcyMDkyMDE5MzY0NlowWDEMMAoGA1UECgwDQ1NBMTIwMAYDVQQDDClDZXJ0aWZpY2F0aW9uIERlY2xhcmF0aW9uIFNpZ25pbmcgS2V5IDAwMjEUMBIGCisGAQQBgqJ8AgEMBEM1QTAwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQDGTfo+UJRBF3ydFe7RiU+43VOjBKuKFV9gCe51MNW2RtAjP8yJ1AXsl+Mi6IFFtXIOvK3JBKAE9/Mj5XSAKkLo2YwZDASBgNVHRMBAf8ECDAGAQH/AgEAMA4GA1UdDwEB/wQEAwIBhjAdBgNVHQ4EFgQU3QTbWFshTBxYFYfmVo30h7bdxwEwHwYDVR0jBBgwFoAUl+Rp0MUEFMJvxwH3fpR3OQmN9qUwCgYIKoZIzj0EAwIDSQAwRgIhAJruzxZ806cP/LoQ07PN9xAbjLdwUalVh0Qfx304Tb92AiEAk+jnf2qtyfKyTEHpT3Xf3bfekqUOA+8ikB1yjL5oTsI=",
  },
  {
    name: "CSA CD Signing Key 003",
    der: "MIICBjCCAa2gAwIBAgIHY3NhY2RrMzAKBggqhkjOPQQDAjBSMQwwCgYDVQQKDANDU0ExLDAqBgNVBAMMI01hdHRlciBDZXJ0aWZpY2F0aW9uIGFuZCBUZXN0aW5nIENBMRQwEgYKKwYBBAGConwCAQwEQzVBMDAgFw0yMjEwMDMxOTQxMDFaGA8yMDcyMDkyMDE5NDEwMVowWDEMMAoGA1UECgwDQ1NBMTIwMAYDVQQDDClDZXJ0aWZpY2F0aW9uIERlY2xhcmF0aW9uIFNpZ25pbmcgS2V5IDAwMzEUMBIGCisGAQQBgqJ8AgEMBEM1QTAwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASfV1zV/bdSHxCk3zHwc5ErYUco8tN/W2uWvCy/fAsRlpBXfVVdIaCWYKiwgqM56lMPeoEthpO1b9dkGF+rzTL1o2YwZDASBgNVHRMBAf8ECDAGAQH/AgEAMA4GA1UdDwEB/wQEAwIBhjAdBgNVHQ4EFgQURxA158BOqqi+fE1ME+PkwgmVqEswHwYDVR0jBBgwFoAUl+Rp0MUEFMJvxwH3fpR3OQmN9qUwCgYIKoZIzj0EAwIDRwAwRAIgIFecbY+1mVVNqxH9+8IMB8+safdyIJU2AqqtZ/w7AkQCIHiVlYTaCnJsnW5/cvj9GfIv7Eb0cjdmcAkrYGbnPQzX",
  },
  {
    name: "CSA CD Signing Key 004",
    der: "MIICBjCCAa2gAwIBAgIHY3NhY2RrNDAKBggqhkjOPQQDAjBSMQwwCgYDVQQKDANDU0ExLDAqBgNVBAMMI01hdHRlciBDZXJ0aWZpY2F0aW9uIGFuZCBUZXN0aW5nIENBMRQwEgYKKwYBBAGConwCAQwEQzVBMDAgFw0yMjEwMDMxOTQzMjFaGA8yMDcyMDkyMDE5NDMyMVowWDEMMAoGA1UECgwDQ1NBMTIwMAYDVQQDDClDZXJ0aWZpY2F0aW9uIERlY2xhcmF0aW9uIFNpZ25pbmcgS2V5IDAwNDEUMBIGCisGAQQBgqJ8AgEMBEM1QTAwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAR8/I2IEKic9PoZF3jyr+x4+FF6l6Plf8ITutiI42EedP+2hL3rqKaLJSNKXDWPNzurm20wThMG3XYgpSjRFhwLo2YwZDASBgNVHRMBAf8ECDAGAQH/AgEAMA4GA1UdDwEB/wQEAwIBhjAdBgNVHQ4EFgQU9oYDo2kumBByQZ6h4as4VL13ldMwHwYDVR0jBBgwFoAUl+Rp0MUEFMJvxwH3fpR3OQmN9qUwCgYIKoZIzj0EAwIDRwAwRAIgLqAfkbtLYYdmQsnbn0CWv3G1/lbE36nzHbLbW5t6PY4CIE8oyIHsVhNSTPcb3mwRp+Vxhs8tKhbAdwv5BGgDaAHj",
  },
  {
    name: "CSA CD Signing Key 005",
    der: "MIICBzCCAa2gAwIBAgIHY3NhY2RrNTAKBggqhkjOPQQDAjBSMQwwCgYDVQQKDANDU0ExLDAqBgNVBAMMI01hdHRlciBDZXJ0aWZpY2F0aW9uIGFuZCBUZXN0aW5nIENBMRQwEgYKKwYBBAGConwCAQwEQzVBMDAgFw0yMjEwMDMxOTQ3MTVaGA8yMDcyMDkyMDE5NDcxNVowWDEMMAoGA1UECgwDQ1NBMTIwMAYDVQQDDClDZXJ0aWZpY2F0aW9uIERlY2xhcmF0aW9uIFNpZ25pbmcgS2V5IDAwNTEUMBIGCisGAQQBgqJ8AgEMBEM1QTAwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARDilLGYqKm1yZH+V63UxNu5K4P2zqpwWkxQms9CGf5EDrn16G4h+n4E6byb3a7zak1k3h8EneMqPKXXcRaIEL5o2YwZDASBgNVHRMBAf8ECDAGAQH/AgEAMA4GA1UdDwEB/wQEAwIBhjAdBgNVHQ4EFgQUY38mNK1i6v5q9mLvuW9v0vy//C8wHwYDVR0jBBgwFoAUl+Rp0MUEFMJvxwH3fpR3OQmN9qUwCgYIKoZIzj0EAwIDSAAwRQIhAM1HQpvkHKxLJByWaSYAPRZgh3Bis18WAViq7c/mtzEAAiBZO0lVe6Qo9iQPIBWZaVx/S/YSNO9uKNa/pvFu3V+nIg==",
  },
];

/** The CSA "Matter Certification and Testing CA" that issued CSA_CD_SIGNING_CERTS (DER, base64), for auditing them. */
export const CSA_CD_ROOT_CERT =
  "MIICATCCAaegAwIBAgIHY3Nhcm9vdDAKBggqhkjOPQQDAjBSMQwwCgYDVQQKDANDU0ExLDAqBgNVBAMMI01hdHRlciBDZXJ0aWZpY2F0aW9uIGFuZCBUZXN0aW5nIENBMRQwEgYKKwYBBAGConwCAQwEQzVBMDAgFw0yMjA3MDcxOTI4MDRaGA8yMTIyMDYxMzE5MjgwNFowUjEMMAoGA1UECgwDQ1NBMSwwKgYDVQQDDCNNYXR0ZXIgQ2VydGlmaWNhdGlvbiBhbmQgVGVzdGluZyBDQTEUMBIGCisGAQQBgqJ8AgEMBEM1QTAwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQ4SjrDql2+y3IP5iEdPK1IYm/3EaCkkp+t2GD44nf/wN4fPrYzejSEe1o6BW6ocQ6Td+7t7iUXA/3ZNQEly45Io2YwZDASBgNVHRMBAf8ECDAGAQH/AgEBMA4GA1UdDwEB/wQEAwIBBjAdBgNVHQ4EFgQUl+Rp0MUEFMJvxwH3fpR3OQmN9qUwHwYDVR0jBBgwFoAUl+Rp0MUEFMJvxwH3fpR3OQmN9qUwCgYIKoZIzj0EAwIDSAAwRQIgearlB0fCJ49UoJ6xwKPdlPEopCOL9jVCviODEleI+mQCIQDvvDCKi7kvj4R4BoFS4BVZGCk4zJ84W4tfTTfu89lRbQ==";

/** File name extensions a PAA directory is scanned for (others, e.g. a README, are ignored). */
const PAA_FILE_EXTENSIONS: readonly string[] = [".pem", ".der", ".crt", ".cer"];

const keyHex = (id: Uint8Array) => toHex(id).toUpperCase();

/** The trusted PAAs and CD signers of one commissioner, looked up by key id. */
export class AttestationTrustStore {
  /** development: public test anchors; production: PAAs the caller provided. */
  readonly kind: AttestationTrustStoreKind;
  readonly #paas = new Map<string, TrustedPaa>();
  readonly #cdSigners = new Map<string, CdSigner>();

  /** A store over `paas` and `cdSigners`; the first PAA with a given SKID wins, identical duplicates are dropped. */
  constructor(kind: AttestationTrustStoreKind, paas: readonly TrustedPaa[], cdSigners: readonly CdSigner[]) {
    this.kind = kind;
    for (const p of paas) {
      const k = keyHex(p.subjectKeyId);
      if (!this.#paas.has(k)) this.#paas.set(k, p);
    }
    for (const s of cdSigners) {
      const k = keyHex(s.subjectKeyId);
      if (!this.#cdSigners.has(k)) this.#cdSigners.set(k, s);
    }
  }

  /** True for the development store. */
  get isDevelopment(): boolean {
    return this.kind === AttestationTrustStoreKind.development;
  }

  /** Every trusted PAA. */
  get paas(): readonly TrustedPaa[] {
    return [...this.#paas.values()];
  }

  /** Every CD signer this store knows (in a production store this includes the test signer, to refuse it by name). */
  get cdSigners(): readonly CdSigner[] {
    return [...this.#cdSigners.values()];
  }

  /** The PAA whose subjectKeyIdentifier is `skid` (the PAI's AKID), if trusted. */
  findPaa(skid: Uint8Array): TrustedPaa | undefined {
    return this.#paas.get(keyHex(skid));
  }

  /** The CD signer whose key id is `keyId` (the CMS SignerInfo's subjectKeyIdentifier), if known. */
  findCdSigner(keyId: Uint8Array): CdSigner | undefined {
    return this.#cdSigners.get(keyHex(keyId));
  }
}

function certSkid(der: Uint8Array, path: string): Uint8Array {
  const ext = findExtension(parseX509(der, path), OID.subjectKeyIdentifier);
  if (ext === undefined)
    throw new MalformedError("trust-store.skid", "certificate has no subjectKeyIdentifier", { path });
  const r = new DerReader(ext.value);
  const id = r.octetString(`${path}/subjectKeyIdentifier`);
  r.expectEnd(`${path}/subjectKeyIdentifier`);
  return id;
}

function cdSignerOf(der: Uint8Array, name: string, test: boolean): CdSigner {
  const x = parseX509(der, name);
  return { subjectKeyId: certSkid(der, name), publicKey: P256PublicKey.fromRaw(x.publicKey), test, name };
}

/**
 * The certificates in a PEM or DER file: one or more `CERTIFICATE` PEM blocks, or one DER certificate. Anything else
 * (including PEM text around no CERTIFICATE block) is a MalformedError naming `path`.
 */
function certificatesInFile(file: Uint8Array, path: string): Uint8Array[] {
  if (file.length > 0 && file[0] === 0x30) return [file];
  const text = Buffer.from(file).toString("latin1");
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  const certs = blocks.filter((m) => m[1] === "CERTIFICATE");
  if (certs.length === 0) {
    throw new MalformedError("trust-store.file", "neither a PEM CERTIFICATE nor a DER certificate", { path });
  }
  return certs.map((m) => {
    try {
      return fromBase64(m[2]!);
    } catch (cause) {
      throw new MalformedError("trust-store.file", "bad base64 in the PEM CERTIFICATE block", { path }, { cause });
    }
  });
}

/** Format-checks `der` as a PAA (Core spec §6.2.2); a malformed or non-conforming certificate names `source`. */
function trustedPaa(der: Uint8Array, source: string, testSkids: ReadonlySet<string>): TrustedPaa {
  let cert: AttestationCert;
  try {
    cert = checkAttestationCertFormat(der, "paa");
  } catch (cause) {
    if (cause instanceof ValidationError) {
      throw new ValidationError(cause.rule, `${source}: ${cause.message.slice(cause.rule.length + 2)}`, { cause });
    }
    if (cause instanceof MalformedError) {
      throw new MalformedError(cause.code, `${source}: ${cause.message}`, {}, { cause });
    }
    throw cause;
  }
  const subjectKeyId = cert.subjectKeyId;
  return { der, cert, subjectKeyId, test: testSkids.has(keyHex(subjectKeyId)), source };
}

type DevAnchors = { readonly paas: readonly TrustedPaa[]; readonly testCdSigner: CdSigner };
let devAnchors: DevAnchors | undefined;
let csaSigners: readonly CdSigner[] | undefined;

/** The shipped public test PAAs and test CD signer, read once from dev-attestation/. */
function developmentAnchors(): DevAnchors {
  if (devAnchors === undefined) {
    const read = (name: string) => {
      const path = join(DEV_ATTESTATION_DIR, name);
      return certificatesInFile(new Uint8Array(readFileSync(path)), path);
    };
    const testDers = TEST_PAA_FILES.map((f) => ({ der: read(f)[0]!, source: f }));
    const skids = new Set(testDers.map((t) => keyHex(certSkid(t.der, t.source))));
    devAnchors = {
      paas: testDers.map((t) => trustedPaa(t.der, t.source, skids)),
      testCdSigner: cdSignerOf(read(TEST_CD_SIGNER_FILE)[0]!, "Matter Test CD Signing Authority", true),
    };
  }
  return devAnchors;
}

/** The CSA production CD signers (CSA_CD_SIGNING_CERTS). */
function csaCdSigners(): readonly CdSigner[] {
  csaSigners ??= CSA_CD_SIGNING_CERTS.map((c) => cdSignerOf(fromBase64(c.der), c.name, false));
  return csaSigners;
}

/** True when `skid` is the subject key id of one of the public test PAAs. */
export function isTestPaaKeyId(skid: Uint8Array): boolean {
  return developmentAnchors().paas.some((p) => bytesEqual(p.subjectKeyId, skid));
}

/** True when `keyId` is the public test CD signer's (SKID 62FA8233…7160). */
export function isTestCdSignerKeyId(keyId: Uint8Array): boolean {
  return bytesEqual(developmentAnchors().testCdSigner.subjectKeyId, keyId);
}

/**
 * The development store: the connectedhomeip Development PAA and Test PAAs (FFF1, FFF2, NoVID), the test CD signer
 * and the CSA production CD signers. Never for production: anyone can sign a DAC chain or a CD with their keys.
 */
export function developmentTrustStore(): AttestationTrustStore {
  const dev = developmentAnchors();
  return new AttestationTrustStore(AttestationTrustStoreKind.development, dev.paas, [
    dev.testCdSigner,
    ...csaCdSigners(),
  ]);
}

/** A production store over PAA certificates given as DER (e.g. fetched from the DCL), with the CSA CD signers. */
export function productionTrustStore(
  paas: readonly { readonly der: Uint8Array; readonly source: string }[],
): AttestationTrustStore {
  const dev = developmentAnchors();
  const testSkids = new Set(dev.paas.map((p) => keyHex(p.subjectKeyId)));
  return new AttestationTrustStore(
    AttestationTrustStoreKind.production,
    paas.map((p) => trustedPaa(p.der, p.source, testSkids)),
    [...csaCdSigners(), dev.testCdSigner],
  );
}

/**
 * A production store from directories of PAA certificates, PEM or DER (chip-tool --paa-trust-store-path): every file
 * named *.pem, *.der, *.crt or *.cer, in name order. A file that is neither PEM nor DER, or not a PAA, is an error
 * naming it; a missing directory, or directories without a single certificate file, is a MalformedError.
 */
export async function loadPaaTrustStore(dirs: readonly string[]): Promise<AttestationTrustStore> {
  if (dirs.length === 0) throw new RangeError("loadPaaTrustStore needs at least one directory");
  const paas: { der: Uint8Array; source: string }[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      if (!(await stat(dir)).isDirectory()) {
        throw new MalformedError("trust-store.directory", "not a directory", { path: dir });
      }
      names = await readdir(dir);
    } catch (cause) {
      if (cause instanceof MalformedError) throw cause;
      const code = (cause as NodeJS.ErrnoException).code ?? "error";
      throw new MalformedError(
        "trust-store.directory",
        `cannot read the PAA directory (${code})`,
        { path: dir },
        { cause },
      );
    }
    for (const name of names.sort()) {
      if (name.startsWith(".") || !PAA_FILE_EXTENSIONS.includes(extname(name).toLowerCase())) continue;
      const path = join(dir, name);
      if (!(await stat(path)).isFile()) continue;
      const file = new Uint8Array(await readFile(path));
      for (const der of certificatesInFile(file, path)) paas.push({ der, source: path });
    }
  }
  if (paas.length === 0) {
    throw new MalformedError("trust-store.empty", "no PAA certificate (*.pem, *.der, *.crt, *.cer) found", {
      path: dirs.join(", "),
    });
  }
  return productionTrustStore(paas);
}
