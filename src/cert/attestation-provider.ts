/**
 * The device's attestation credentials (Core spec §6.2): DAC, PAI, Certification Declaration and the DAC private key
 * that signs AttestationResponse and CSRResponse. Either generated once under the Development PAA and kept in a
 * directory (development/test devices), or loaded from files provisioned elsewhere.
 */
import { constants } from "node:fs";
import { access, chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { bytesEqual, fromBase64 } from "../bytes/bytes.ts";
import { type ErrorCode, MalformedError, OpcredsError, ValidationError } from "../bytes/errors.ts";
import type { Crypto, CryptoData } from "../crypto/crypto.ts";
import { derToRawSignature } from "../crypto/ecdsa-signature.ts";
import { P256PrivateKey, P256PublicKey } from "../crypto/p256.ts";
import { DerReader } from "../der/der-reader.ts";
import { OID } from "../der/oids.ts";
import { type AttestationCert, checkAttestationCertFormat, generateDac, generatePai } from "./attestation-cert.ts";
import {
  type CertificationDeclaration,
  decodeCertificationDeclaration,
  signCertificationDeclaration,
  validateCertificationDeclaration,
} from "./certification-declaration.ts";
import { parseCmsSignedData } from "./cms.ts";
import { findExtension, parseX509 } from "./x509.ts";

/** What the Operational Credentials cluster needs to answer AttestationRequest, CertificateChainRequest and CSRRequest. */
export interface AttestationProvider {
  /** DER X.509 DAC (CertificateChainRequest type 1). */
  readonly dac: Uint8Array;
  /** DER X.509 PAI (CertificateChainRequest type 2). */
  readonly pai: Uint8Array;
  /** CMS-signed Certification Declaration (AttestationElements [1]). */
  readonly cd: Uint8Array;
  /** ECDSA-P256-SHA256 with the DAC private key, raw r||s (64 bytes). */
  signWithDac(data: CryptoData): Uint8Array;
}

/** The directory holding the Development PAA and the test CD signer (PEM files shipped next to this module). */
export const DEV_ATTESTATION_DIR = join(import.meta.dirname, "dev-attestation");

/** Vendor and product of the generated development credentials (test VID 0xFFF1, PID 0x8000). */
export const DEV_VENDOR_ID = 0xfff1;
export const DEV_PRODUCT_ID = 0x8000;

/** The CD of the generated development credentials: an On/Off Light (device type 0x0100), development type 0. */
export const DEV_CERTIFICATION_DECLARATION: CertificationDeclaration = {
  formatVersion: 1,
  vendorId: DEV_VENDOR_ID,
  productIds: [DEV_PRODUCT_ID],
  deviceTypeId: 0x0100,
  certificateId: "ZIG20142ZB330003-24",
  securityLevel: 0,
  securityInformation: 0,
  versionNumber: 1,
  certificationType: 0,
};

/** File names inside a credentials directory. */
export const ATTESTATION_FILES = {
  dac: "dac.der",
  pai: "pai.der",
  cd: "cd.der",
  dacKey: "dac-key.pem",
} as const;

/** "No well-defined expiration" in X.509 (RFC 5280 §4.1.2.5), as the SDK's development DACs use. */
const NO_EXPIRATION = new Date(Date.UTC(9999, 11, 31, 23, 59, 59));

/** An AttestationProvider over credentials held in memory. */
export class StaticAttestationProvider implements AttestationProvider {
  readonly dac: Uint8Array;
  readonly pai: Uint8Array;
  readonly cd: Uint8Array;
  readonly #crypto: Crypto;
  readonly #dacKey: P256PrivateKey;

  /** Checks the DAC and PAI format and that `dacKey` is the DAC's key; a mismatch is MalformedError. */
  constructor(crypto: Crypto, creds: { dac: Uint8Array; pai: Uint8Array; cd: Uint8Array; dacKey: P256PrivateKey }) {
    const dac = checkAttestationCertFormat(creds.dac, "dac");
    checkAttestationCertFormat(creds.pai, "pai");
    if (!bytesEqual(dac.x509.publicKey, creds.dacKey.publicKey.raw)) {
      throw new MalformedError("attestation.dac-key", "the DAC private key does not match the DAC public key");
    }
    this.#crypto = crypto;
    this.#dacKey = creds.dacKey;
    this.dac = creds.dac;
    this.pai = creds.pai;
    this.cd = creds.cd;
  }

  signWithDac(data: CryptoData): Uint8Array {
    return this.#crypto.ecdsaSign(this.#dacKey, data);
  }
}

/** A certificate file in DER or PEM form, as bytes of DER. */
function certBytes(file: Uint8Array, path: string): Uint8Array {
  const text = Buffer.from(file).toString("latin1");
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  if (m === null) return file;
  try {
    return fromBase64(m[1]!);
  } catch (cause) {
    throw new MalformedError("attestation.pem", "bad PEM certificate", { path }, { cause });
  }
}

/** `e` with `path: ` in front of its message, same class and code (so every error names the file it is about). */
function naming(path: string, e: unknown): unknown {
  if (e instanceof MalformedError) return new MalformedError(e.code, `${path}: ${e.message}`, {}, { cause: e });
  if (e instanceof ValidationError) return new ValidationError(e.code, `${path}: ${e.message}`, { cause: e });
  if (e instanceof OpcredsError) return new MalformedError(e.code, `${path}: ${e.message}`, {}, { cause: e });
  return e;
}

/** Runs `f`, prefixing any typed error it throws with `path`. */
function about<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw naming(path, e);
  }
}

async function readNamed(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? "error";
    const what = code === "ENOENT" ? "missing" : code === "EISDIR" ? "is a directory" : `cannot be read (${code})`;
    throw new ValidationError("attestation.file", `${path}: ${what}`, { cause });
  }
}

/** A DAC private key file: PEM (SEC1 or PKCS#8) or DER. */
function privateKeyBytes(file: Uint8Array, path: string): P256PrivateKey {
  return about(path, () => {
    try {
      const text = Buffer.from(file).toString("latin1");
      return text.includes("-----BEGIN") ? P256PrivateKey.fromPem(text) : P256PrivateKey.fromDer(file);
    } catch (cause) {
      if (cause instanceof OpcredsError) throw cause;
      throw new MalformedError("attestation.dac-key", "not a P-256 private key (PEM or DER)", {}, { cause });
    }
  });
}

/** Loads DAC, PAI (DER or PEM), CD (DER) and the DAC key (PEM: SEC1 or PKCS#8, or DER) from explicit paths. */
export async function loadAttestationProvider(
  crypto: Crypto,
  paths: { dac: string; pai: string; cd: string; dacKey: string },
): Promise<StaticAttestationProvider> {
  const [dac, pai, cd, key] = await Promise.all([
    readNamed(paths.dac),
    readNamed(paths.pai),
    readNamed(paths.cd),
    readNamed(paths.dacKey),
  ]);
  const dacDer = certBytes(dac, paths.dac);
  const paiDer = certBytes(pai, paths.pai);
  about(paths.dac, () => checkAttestationCertFormat(dacDer, "dac"));
  about(paths.pai, () => checkAttestationCertFormat(paiDer, "pai"));
  const dacKey = privateKeyBytes(key, paths.dacKey);
  return about(paths.dacKey, () => new StaticAttestationProvider(crypto, { dac: dacDer, pai: paiDer, cd, dacKey }));
}

/** The files of a product's credentials directory: the DAC key may be PEM or DER. */
async function productPaths(dir: string): Promise<{ dac: string; pai: string; cd: string; dacKey: string }> {
  const derKey = join(dir, "dac-key.der");
  return {
    dac: join(dir, ATTESTATION_FILES.dac),
    pai: join(dir, ATTESTATION_FILES.pai),
    cd: join(dir, ATTESTATION_FILES.cd),
    dacKey:
      !(await exists(join(dir, ATTESTATION_FILES.dacKey))) && (await exists(derKey))
        ? derKey
        : join(dir, ATTESTATION_FILES.dacKey),
  };
}

const hex4 = (v: number | undefined): string =>
  v === undefined ? "none" : `0x${v.toString(16).toUpperCase().padStart(4, "0")}`;

/** The CD content inside a CMS envelope (the signature is the commissioner's to check against its CD signers). */
function cdContent(cms: Uint8Array, path: string): CertificationDeclaration {
  return about(path, () => decodeCertificationDeclaration(parseCmsSignedData(cms).eContent));
}

/**
 * Checks that a set of credentials fits together and fits the device (Core spec 6.2.3, 6.3): the key matches the
 * DAC (checked when the provider was built), the DAC is issued and signed by the PAI with the same VID, the DAC's
 * VID/PID are the device's, and the CD names them. Each failure is a ValidationError naming the file at fault.
 */
export function checkAttestationFit(
  crypto: Crypto,
  creds: { readonly dac: Uint8Array; readonly pai: Uint8Array; readonly cd: Uint8Array },
  device: { readonly vendorId: number; readonly productId: number },
  paths: { readonly dac: string; readonly pai: string; readonly cd: string } = { dac: "DAC", pai: "PAI", cd: "CD" },
): void {
  const dac: AttestationCert = about(paths.dac, () => checkAttestationCertFormat(creds.dac, "dac"));
  const pai: AttestationCert = about(paths.pai, () => checkAttestationCertFormat(creds.pai, "pai"));
  const bad = (path: string, rule: ErrorCode, message: string) => {
    throw new ValidationError(rule, `${path}: ${message}`);
  };
  if (!bytesEqual(dac.x509.issuerRaw, pai.x509.subjectRaw)) {
    bad(paths.dac, "attestation.dac-issuer", `the DAC's issuer is not the subject of ${paths.pai}`);
  }
  if (dac.authorityKeyId === undefined || !bytesEqual(dac.authorityKeyId, pai.subjectKeyId)) {
    bad(paths.dac, "attestation.dac-akid", `the DAC's authority key id is not the key id of ${paths.pai}`);
  }
  const signed = crypto.ecdsaVerify(
    P256PublicKey.fromRaw(pai.x509.publicKey),
    dac.x509.tbsRaw,
    derToRawSignature(dac.x509.signature),
  );
  if (!signed) bad(paths.dac, "attestation.dac-signature", `the DAC's signature does not verify with ${paths.pai}`);
  if (dac.vendorId !== pai.vendorId) {
    bad(
      paths.pai,
      "attestation.pai-vendor-id",
      `PAI VID ${hex4(pai.vendorId)} differs from the DAC's ${hex4(dac.vendorId)}`,
    );
  }
  if (pai.productId !== undefined && pai.productId !== dac.productId) {
    bad(
      paths.pai,
      "attestation.pai-product-id",
      `PAI PID ${hex4(pai.productId)} differs from the DAC's ${hex4(dac.productId)}`,
    );
  }
  if (dac.vendorId !== device.vendorId || dac.productId !== device.productId) {
    bad(
      paths.dac,
      "attestation.dac-vid-pid",
      `the DAC is for VID ${hex4(dac.vendorId)} PID ${hex4(dac.productId)}, the device is VID ${hex4(device.vendorId)} PID ${hex4(device.productId)} (--vid/--pid)`,
    );
  }
  const cd = cdContent(creds.cd, paths.cd);
  about(paths.cd, () =>
    validateCertificationDeclaration(cd, {
      vendorId: device.vendorId,
      productId: device.productId,
      dac: { vendorId: dac.vendorId!, productId: dac.productId! },
      pai: { vendorId: pai.vendorId!, ...(pai.productId === undefined ? {} : { productId: pai.productId }) },
    }),
  );
}

/**
 * Loads a product's credentials from `dir` (dac.der, pai.der, cd.der: DER, or PEM for the certificates; dac-key.pem
 * or dac-key.der) and checks that they fit together and name the device's VID/PID (`checkAttestationFit`).
 */
export async function loadProductAttestation(
  crypto: Crypto,
  dir: string,
  device: { readonly vendorId: number; readonly productId: number },
): Promise<StaticAttestationProvider> {
  const paths = await productPaths(dir);
  const provider = await loadAttestationProvider(crypto, paths);
  checkAttestationFit(crypto, provider, device, paths);
  return provider;
}

/** Options of `openDevAttestationProvider`; times must be whole seconds. */
export type DevAttestationOptions = {
  /** Where the Development PAA and the CD signer live; default DEV_ATTESTATION_DIR. */
  readonly devDir?: string;
  /** notBefore of the generated PAI and DAC; default: now, rounded down to the second. */
  readonly notBefore?: Date;
  readonly vendorId?: number;
  readonly productId?: number;
  readonly certificationDeclaration?: CertificationDeclaration;
  /** Told why stored credentials are replaced (they were made for another VID/PID). */
  readonly onRegenerate?: (reason: string) => void;
};

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** Writes a file atomically (temporary file, then rename) with the given mode. */
async function writeAtomic(path: string, data: Uint8Array | string, mode: number): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, data, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}

function subjectKeyId(certDer: Uint8Array): Uint8Array {
  const ext = findExtension(parseX509(certDer, "cd-signer"), OID.subjectKeyIdentifier);
  if (ext === undefined) throw new MalformedError("attestation.cd-signer", "CD signing certificate has no SKID");
  const r = new DerReader(ext.value);
  const id = r.octetString("cd-signer/subjectKeyIdentifier");
  r.expectEnd("cd-signer/subjectKeyIdentifier");
  return id;
}

/**
 * Development credentials kept in `dir`: on first use, generates a PAI (VID only) under the Development PAA, a DAC
 * for VID/PID (default 0xFFF1/0x8000) and a CD signed by the test CD signer, and stores them (directory 0700, key
 * 0600); afterwards reloads them, so the device keeps one identity across restarts.
 */
export async function openDevAttestationProvider(
  crypto: Crypto,
  dir: string,
  options: DevAttestationOptions = {},
): Promise<StaticAttestationProvider> {
  const paths = {
    dac: join(dir, ATTESTATION_FILES.dac),
    pai: join(dir, ATTESTATION_FILES.pai),
    cd: join(dir, ATTESTATION_FILES.cd),
    dacKey: join(dir, ATTESTATION_FILES.dacKey),
  };
  const vendorId = options.vendorId ?? DEV_VENDOR_ID;
  const productId = options.productId ?? DEV_PRODUCT_ID;
  const present = await Promise.all(Object.values(paths).map(exists));
  if (present.every(Boolean)) {
    const stored = await loadAttestationProvider(crypto, paths);
    const reason = devMismatch(stored, vendorId, productId);
    // A strict commissioner refuses a CD or DAC for another VID/PID than BasicInformation's, so they are made anew.
    if (reason === undefined) return stored;
    options.onRegenerate?.(
      `${dir}: ${reason}; generating development credentials for VID ${hex4(vendorId)} PID ${hex4(productId)}`,
    );
  }

  const devDir = options.devDir ?? DEV_ATTESTATION_DIR;
  const [paaPem, paaKeyPem, cdCertPem, cdKeyPem] = await Promise.all([
    readFile(join(devDir, "Chip-Development-PAA-Cert.pem")),
    readFile(join(devDir, "Chip-Development-PAA-Key.pem"), "utf8"),
    readFile(join(devDir, "Chip-Test-CD-Signing-Cert.pem")),
    readFile(join(devDir, "Chip-Test-CD-Signing-Key.pem"), "utf8"),
  ]);
  const paa = { cert: certBytes(new Uint8Array(paaPem), "paa"), key: P256PrivateKey.fromPem(paaKeyPem) };
  const notBefore = options.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000);
  const idText = vendorId.toString(16).toUpperCase().padStart(4, "0");
  const pidText = productId.toString(16).toUpperCase().padStart(4, "0");

  const paiKey = crypto.generateKeyPair();
  const pai = generatePai(crypto, paiKey.publicKey, paa, {
    commonName: `Matter Dev PAI 0x${idText} no PID`,
    vendorId,
    notBefore,
    notAfter: NO_EXPIRATION,
  });
  const dacKey = crypto.generateKeyPair();
  const dac = generateDac(
    crypto,
    dacKey.publicKey,
    { cert: pai, key: paiKey },
    {
      commonName: `Matter Dev DAC 0x${idText}/0x${pidText}`,
      vendorId,
      productId,
      notBefore,
      notAfter: NO_EXPIRATION,
    },
  );
  const cdCert = certBytes(new Uint8Array(cdCertPem), "cd-signer");
  const cdDeclaration = options.certificationDeclaration ?? {
    ...DEV_CERTIFICATION_DECLARATION,
    vendorId,
    productIds: [productId],
  };
  const cd = signCertificationDeclaration(
    crypto,
    cdDeclaration,
    subjectKeyId(cdCert),
    P256PrivateKey.fromPem(cdKeyPem),
  );

  const provider = new StaticAttestationProvider(crypto, { dac, pai, cd, dacKey });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // The key first: a crash after it leaves an incomplete set, which the next start regenerates whole.
  await writeAtomic(paths.dacKey, dacKey.toSec1Pem(), 0o600);
  await writeAtomic(paths.pai, pai, 0o644);
  await writeAtomic(paths.cd, cd, 0o644);
  await writeAtomic(paths.dac, dac, 0o644);
  return provider;
}

/** Why stored development credentials do not fit VID/PID, or undefined when they do. */
function devMismatch(stored: StaticAttestationProvider, vendorId: number, productId: number): string | undefined {
  const dac = checkAttestationCertFormat(stored.dac, "dac");
  if (dac.vendorId !== vendorId || dac.productId !== productId) {
    return `stored DAC is for VID ${hex4(dac.vendorId)} PID ${hex4(dac.productId)}`;
  }
  let cd: CertificationDeclaration;
  try {
    cd = decodeCertificationDeclaration(parseCmsSignedData(stored.cd).eContent);
  } catch (e) {
    if (e instanceof MalformedError) return "stored CD does not decode";
    throw e;
  }
  if (cd.vendorId !== vendorId || !cd.productIds.includes(productId)) {
    return `stored CD names VID ${hex4(cd.vendorId)} PIDs ${cd.productIds.map(hex4).join(",")}`;
  }
  return undefined;
}
