/**
 * Device attestation certificates (Core spec §6.2.2): generate PAA, PAI and DAC as X.509 DER, check their format
 * (the SDK's VerifyAttestationCertificateFormat) and validate a DAC -> PAI -> PAA chain (conformance doc §4.5).
 * Every rule failure is a ValidationError whose rule id names the certificate and the rule (`dac.key-usage`, ...).
 */
import { createHash } from "node:crypto";
import { bytesEqual } from "../bytes/bytes.ts";
import { type ErrorCode, ValidationError } from "../bytes/errors.ts";
import type { Crypto } from "../crypto/crypto.ts";
import { derToRawSignature } from "../crypto/ecdsa-signature.ts";
import { type P256PrivateKey, P256PublicKey } from "../crypto/p256.ts";
import { DerReader, DerTag } from "../der/der-reader.ts";
import { derBitString, derBoolean, derContext, derInteger, derOctetString, derSequence } from "../der/der-writer.ts";
import { OID } from "../der/oids.ts";
import { buildX509, findExtension, parseX509, type Rdn, type X509Certificate } from "./x509.ts";

/** kMaxDERCertLength: the largest DAC or PAI, in bytes (CertificateChainResponse). */
export const MAX_ATTESTATION_CERT_DER_BYTES = 600;
/** Length of subject and authority key identifiers, in bytes. */
const ATTESTATION_KEY_ID_BYTES = 20;

/** The three attestation certificate kinds. */
const AttestationCertKind = { paa: "paa", pai: "pai", dac: "dac" } as const;
/** One attestation certificate kind. */
type AttestationCertKind = (typeof AttestationCertKind)[keyof typeof AttestationCertKind];

/** A certificate that passed the format checks, with the values the chain rules need. */
export type AttestationCert = {
  readonly kind: AttestationCertKind;
  readonly x509: X509Certificate;
  readonly vendorId?: number;
  readonly productId?: number;
  readonly subjectKeyId: Uint8Array;
  readonly authorityKeyId?: Uint8Array;
  /** pathLenConstraint when the certificate is a CA and carries one. */
  readonly pathLen?: number;
};

/** How VID/PID go into the subject: the Matter OID attributes (default) or the legacy CN fallback `Mvid:FFF1 Mpid:8000`. */
export type VidPidEncoding = "attributes" | "common-name";

/** Subject and validity of a certificate to generate; `commonName` is required by the SDK's generator. */
export type AttestationCertSpec = {
  readonly commonName: string;
  readonly vendorId?: number;
  readonly productId?: number;
  readonly vidPidEncoding?: VidPidEncoding;
  /** Whole-second times; the DER encoders refuse milliseconds. */
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Non-negative serial; random 8 bytes when absent. */
  readonly serial?: bigint;
};

const KU = { digitalSignature: 0x80, keyCertSign: 0x04, crlSign: 0x02 } as const;

/** subjectKeyIdentifier per RFC 5280 §4.2.1.2 method 1 (SHA-1 of the public key), as the SDK's tools compute it. */
export function attestationKeyId(publicKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha1").update(publicKey).digest());
}

function hex4(v: number): string {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`vendor/product id out of range: ${v}`);
  return v.toString(16).toUpperCase().padStart(4, "0");
}

function subjectOf(spec: AttestationCertSpec): Rdn[] {
  const utf8 = DerTag.utf8String;
  if (spec.vidPidEncoding === "common-name") {
    const parts = [spec.commonName];
    if (spec.vendorId !== undefined) parts.push(`Mvid:${hex4(spec.vendorId)}`);
    if (spec.productId !== undefined) parts.push(`Mpid:${hex4(spec.productId)}`);
    return [{ oid: OID.commonName, tag: utf8, value: parts.join(" ") }];
  }
  const rdns: Rdn[] = [{ oid: OID.commonName, tag: utf8, value: spec.commonName }];
  if (spec.vendorId !== undefined) rdns.push({ oid: OID.matterVendorId, tag: utf8, value: hex4(spec.vendorId) });
  if (spec.productId !== undefined) rdns.push({ oid: OID.matterProductId, tag: utf8, value: hex4(spec.productId) });
  return rdns;
}

function keyUsage(bits: number): Uint8Array {
  // Named bits: DER drops trailing zero bits, so unusedBits counts the zero bits after the last set bit.
  let unused = 0;
  while (unused < 7 && (bits & (1 << unused)) === 0) unused++;
  return derBitString(Uint8Array.of(bits), unused);
}

function randomSerial(crypto: Crypto): bigint {
  const b = crypto.randomBytes(8);
  b[0] = (b[0]! & 0x7f) | 0x40; // positive and exactly 8 bytes
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

function generate(
  crypto: Crypto,
  kind: AttestationCertKind,
  spec: AttestationCertSpec,
  subjectPublicKey: P256PublicKey,
  issuer: { cert: X509Certificate; key: P256PrivateKey } | { self: P256PrivateKey },
  pathLen: number | undefined,
): Uint8Array {
  const subject = subjectOf(spec);
  const skid = attestationKeyId(subjectPublicKey.raw);
  const issuerSkid = "self" in issuer ? skid : requireKeyId(issuer.cert, OID.subjectKeyIdentifier, "issuer");
  const ca = kind !== "dac";
  const bc = ca
    ? derSequence(derBoolean(true), ...(pathLen !== undefined ? [derInteger(BigInt(pathLen))] : []))
    : derSequence();
  const ku = ca ? KU.keyCertSign | KU.crlSign : KU.digitalSignature;
  const signer = "self" in issuer ? issuer.self : issuer.key;
  return buildX509(
    {
      serial: spec.serial ?? randomSerial(crypto),
      issuer: "self" in issuer ? subject : issuer.cert.subjectRaw,
      notBefore: spec.notBefore,
      notAfter: spec.notAfter,
      subject,
      publicKey: subjectPublicKey.raw,
      extensions: [
        { oid: OID.basicConstraints, critical: true, value: bc },
        { oid: OID.keyUsage, critical: true, value: keyUsage(ku) },
        { oid: OID.subjectKeyIdentifier, critical: false, value: derOctetString(skid) },
        { oid: OID.authorityKeyIdentifier, critical: false, value: derSequence(derContext(0, issuerSkid, false)) },
      ],
    },
    (tbs) => crypto.ecdsaSignDer(signer, tbs),
  );
}

function requireKeyId(cert: X509Certificate, oid: string, what: string): Uint8Array {
  const ext = findExtension(cert, oid);
  if (ext === undefined) throw new RangeError(`${what} certificate has no key identifier`);
  return oid === OID.subjectKeyIdentifier ? readSkid(ext.value, "issuer") : readAkid(ext.value, "issuer");
}

/** A self-signed PAA (CA, pathLen 1 unless `pathLen` says otherwise or is null for none; optional VID, no PID). */
export function generatePaa(
  crypto: Crypto,
  key: P256PrivateKey,
  spec: AttestationCertSpec & { readonly pathLen?: 1 | null },
): Uint8Array {
  if (spec.productId !== undefined) throw new RangeError("a PAA carries no product id");
  return generate(crypto, "paa", spec, key.publicKey, { self: key }, spec.pathLen === null ? undefined : 1);
}

/** A PAI signed by its PAA (CA, pathLen 0, VID required, optional PID). */
export function generatePai(
  crypto: Crypto,
  publicKey: P256PublicKey,
  paa: { readonly cert: Uint8Array; readonly key: P256PrivateKey },
  spec: AttestationCertSpec & { readonly vendorId: number },
): Uint8Array {
  return generate(crypto, "pai", spec, publicKey, { cert: parseX509(paa.cert, "paa"), key: paa.key }, 0);
}

/** A DAC signed by its PAI (not a CA, KU digitalSignature only, VID and PID required). */
export function generateDac(
  crypto: Crypto,
  publicKey: P256PublicKey,
  pai: { readonly cert: Uint8Array; readonly key: P256PrivateKey },
  spec: AttestationCertSpec & { readonly vendorId: number; readonly productId: number },
): Uint8Array {
  return generate(crypto, "dac", spec, publicKey, { cert: parseX509(pai.cert, "pai"), key: pai.key }, undefined);
}

function fail(rule: ErrorCode, message: string): never {
  throw new ValidationError(rule, message);
}

function readSkid(value: Uint8Array, kind: AttestationCertKind | "issuer"): Uint8Array {
  const r = new DerReader(value);
  const id = r.octetString(`${kind}/subjectKeyIdentifier`);
  r.expectEnd(`${kind}/subjectKeyIdentifier`);
  return id;
}

function readAkid(value: Uint8Array, kind: AttestationCertKind | "issuer"): Uint8Array {
  const r = new DerReader(value);
  const seq = r.sequence(`${kind}/authorityKeyIdentifier`);
  r.expectEnd(`${kind}/authorityKeyIdentifier`);
  if (seq.peekTag() !== 0x80) fail(`${kind}.authority-key-id`, "authorityKeyIdentifier has no keyIdentifier [0]");
  const id = seq.implicitPrimitive(0, `${kind}/authorityKeyIdentifier/keyIdentifier`);
  // authorityCertIssuer [1] and authorityCertSerialNumber [2] are allowed by RFC 5280; they are skipped here.
  while (!seq.done) seq.readTlv(`${kind}/authorityKeyIdentifier`);
  return id;
}

function parseHex4(s: string, rule: ErrorCode, what: string): number {
  // Core spec §6.2.2.2: "encoded as exactly four uppercase hexadecimal characters".
  if (!/^[0-9A-F]{4}$/.test(s)) fail(rule, `${what} "${s}" is not 4 uppercase hex digits`);
  return Number.parseInt(s, 16);
}

/** VID and PID from the subject: the Matter OID attributes, or else `Mvid:`/`Mpid:` in the CN (Core spec §6.2.2.2). */
function vidPid(x: X509Certificate, kind: AttestationCertKind): { vendorId?: number; productId?: number } {
  let vendorId: number | undefined;
  let productId: number | undefined;
  for (const rdn of x.subject) {
    if (rdn.oid === OID.matterVendorId) {
      if (vendorId !== undefined) fail(`${kind}.vid`, "VendorID attribute repeated");
      vendorId = parseHex4(rdn.value, `${kind}.vid-format`, "VendorID");
    } else if (rdn.oid === OID.matterProductId) {
      if (productId !== undefined) fail(`${kind}.pid`, "ProductID attribute repeated");
      productId = parseHex4(rdn.value, `${kind}.pid-format`, "ProductID");
    }
  }
  if (vendorId === undefined && productId === undefined) {
    for (const rdn of x.subject) {
      if (rdn.oid !== OID.commonName) continue;
      const v = /(?:^|\s)Mvid:(\S{4})(?=\s|$)/.exec(rdn.value);
      const p = /(?:^|\s)Mpid:(\S{4})(?=\s|$)/.exec(rdn.value);
      if (v) vendorId = parseHex4(v[1]!, `${kind}.vid-format`, "Mvid");
      if (p) productId = parseHex4(p[1]!, `${kind}.pid-format`, "Mpid");
    }
  }
  return {
    ...(vendorId !== undefined ? { vendorId } : {}),
    ...(productId !== undefined ? { productId } : {}),
  };
}

function readBasicConstraints(value: Uint8Array, kind: AttestationCertKind): { ca: boolean; pathLen?: number } {
  const r = new DerReader(value);
  const seq = r.sequence(`${kind}/basicConstraints`);
  r.expectEnd(`${kind}/basicConstraints`);
  let ca = false;
  // X.690 §11.5: cA DEFAULT FALSE is never encoded as FALSE in DER.
  if (seq.peekTag() === DerTag.boolean) {
    ca = seq.boolean(`${kind}/basicConstraints/cA`);
    if (!ca) fail(`${kind}.basic-constraints`, "cA FALSE encoded explicitly");
  }
  let pathLen: number | undefined;
  if (!seq.done) pathLen = seq.smallUint(`${kind}/basicConstraints/pathLenConstraint`, 255);
  seq.expectEnd(`${kind}/basicConstraints`);
  return pathLen === undefined ? { ca } : { ca, pathLen };
}

function readKeyUsage(value: Uint8Array, kind: AttestationCertKind): number {
  const r = new DerReader(value);
  const bits = r.bitString(`${kind}/keyUsage`);
  r.expectEnd(`${kind}/keyUsage`);
  // Bits 0..7 live in the first byte; decipherOnly (bit 8) in a second byte is never allowed here.
  if (bits.bytes.length !== 1) fail(`${kind}.key-usage`, "keyUsage must fit in one byte");
  return bits.bytes[0]!;
}

/**
 * Parses a DAC, PAI or PAA and applies the format rules of Core spec §6.2.2 / conformance doc §4.5: size (DAC, PAI),
 * basicConstraints, keyUsage, SKID, AKID, VID/PID presence and encoding. Returns the values the chain rules need.
 */
export function checkAttestationCertFormat(der: Uint8Array, kind: AttestationCertKind): AttestationCert {
  if (kind !== "paa" && der.length > MAX_ATTESTATION_CERT_DER_BYTES) {
    fail(`${kind}.size`, `${der.length} bytes, over ${MAX_ATTESTATION_CERT_DER_BYTES}`);
  }
  const x = parseX509(der, kind);

  // basicConstraints: critical, exactly once (duplicates are malformed in parseX509).
  const bcExt = findExtension(x, OID.basicConstraints) ?? fail(`${kind}.basic-constraints`, "basicConstraints missing");
  if (!bcExt.critical) fail(`${kind}.basic-constraints`, "basicConstraints is not critical");
  const bc = readBasicConstraints(bcExt.value, kind);
  if (kind === "dac") {
    // DAC: cA FALSE, no pathLen.
    if (bc.ca) fail("dac.ca", "a DAC must not be a CA");
    if (bc.pathLen !== undefined) fail("dac.path-len", "a DAC must not carry pathLenConstraint");
  } else {
    if (!bc.ca) fail(`${kind}.ca`, `a ${kind.toUpperCase()} must be a CA`);
    // PAI: pathLen = 0. PAA: pathLen absent or 1.
    if (kind === "pai" && bc.pathLen !== 0) fail("pai.path-len", `pathLenConstraint ${bc.pathLen ?? "absent"}, not 0`);
    if (kind === "paa" && bc.pathLen !== undefined && bc.pathLen !== 1) {
      fail("paa.path-len", `pathLenConstraint ${bc.pathLen}, not absent or 1`);
    }
  }

  // keyUsage: critical, exactly once. DAC exactly digitalSignature; CAs keyCertSign and cRLSign, optionally digitalSignature.
  const kuExt = findExtension(x, OID.keyUsage) ?? fail(`${kind}.key-usage`, "keyUsage missing");
  if (!kuExt.critical) fail(`${kind}.key-usage`, "keyUsage is not critical");
  const ku = readKeyUsage(kuExt.value, kind);
  if (kind === "dac") {
    if (ku !== KU.digitalSignature) fail("dac.key-usage", "keyUsage must be exactly digitalSignature");
  } else {
    const required = KU.keyCertSign | KU.crlSign;
    if ((ku & required) !== required) fail(`${kind}.key-usage`, "keyUsage must include keyCertSign and cRLSign");
    if ((ku & ~(required | KU.digitalSignature)) !== 0) fail(`${kind}.key-usage`, "keyUsage has a bit not allowed");
  }

  // SKID: non-critical, 20 bytes, mandatory. AKID: non-critical, 20 bytes, mandatory for DAC and PAI.
  const skidExt = findExtension(x, OID.subjectKeyIdentifier) ?? fail(`${kind}.subject-key-id`, "SKID missing");
  if (skidExt.critical) fail(`${kind}.subject-key-id`, "SKID is critical");
  const subjectKeyId = readSkid(skidExt.value, kind);
  if (subjectKeyId.length !== ATTESTATION_KEY_ID_BYTES) fail(`${kind}.subject-key-id`, "SKID is not 20 bytes");
  let authorityKeyId: Uint8Array | undefined;
  const akidExt = findExtension(x, OID.authorityKeyIdentifier);
  if (akidExt === undefined) {
    if (kind !== "paa") fail(`${kind}.authority-key-id`, "AKID missing");
  } else {
    if (akidExt.critical) fail(`${kind}.authority-key-id`, "AKID is critical");
    authorityKeyId = readAkid(akidExt.value, kind);
    if (authorityKeyId.length !== ATTESTATION_KEY_ID_BYTES) fail(`${kind}.authority-key-id`, "AKID is not 20 bytes");
  }

  // VID/PID: DAC has both; PAI has a VID and an optional PID; a PAA has an optional VID and no PID.
  const ids = vidPid(x, kind);
  if (kind === "dac") {
    if (ids.vendorId === undefined) fail("dac.vid", "DAC subject has no VendorID");
    if (ids.productId === undefined) fail("dac.pid", "DAC subject has no ProductID");
  } else if (kind === "pai") {
    if (ids.vendorId === undefined) fail("pai.vid", "PAI subject has no VendorID");
  } else if (ids.productId !== undefined) {
    fail("paa.pid", "a PAA must not carry a ProductID");
  }

  return {
    kind,
    x509: x,
    ...ids,
    subjectKeyId,
    ...(authorityKeyId !== undefined ? { authorityKeyId } : {}),
    ...(bc.pathLen !== undefined ? { pathLen: bc.pathLen } : {}),
  };
}

function signedBy(crypto: Crypto, cert: X509Certificate, issuer: X509Certificate): boolean {
  return crypto.ecdsaVerify(P256PublicKey.fromRaw(issuer.publicKey), cert.tbsRaw, derToRawSignature(cert.signature));
}

function validAt(cert: X509Certificate, at: Date): boolean {
  return cert.notBefore.getTime() <= at.getTime() && at.getTime() <= cert.notAfter.getTime();
}

/** A validated attestation chain and the device's VID/PID from its DAC. */
export type AttestationChain = {
  readonly dac: AttestationCert;
  readonly pai: AttestationCert;
  readonly paa: AttestationCert;
  readonly vendorId: number;
  readonly productId: number;
};

/**
 * Validates DAC -> PAI -> PAA (conformance doc §4.5): every format rule, names and key ids linking each certificate
 * to its issuer, signatures, validity of all three at `at` (default: the DAC's notBefore, as the SDK does) and of each
 * certificate within its issuer's validity at issuance, and the VID/PID consistency rules. Throws ValidationError.
 */
export function validateAttestationChain(
  crypto: Crypto,
  chain: { readonly dac: Uint8Array; readonly pai: Uint8Array; readonly paa: Uint8Array; readonly at?: Date },
): AttestationChain {
  const paa = checkAttestationCertFormat(chain.paa, "paa");
  const pai = checkAttestationCertFormat(chain.pai, "pai");
  const dac = checkAttestationCertFormat(chain.dac, "dac");

  if (!bytesEqual(paa.x509.issuerRaw, paa.x509.subjectRaw)) fail("paa.self-signed", "PAA issuer is not its subject");
  if (paa.authorityKeyId !== undefined && !bytesEqual(paa.authorityKeyId, paa.subjectKeyId)) {
    fail("paa.self-signed", "PAA AKID is not its SKID");
  }
  if (!bytesEqual(pai.x509.issuerRaw, paa.x509.subjectRaw)) fail("chain.pai-issuer", "PAI issuer is not the PAA");
  if (!bytesEqual(dac.x509.issuerRaw, pai.x509.subjectRaw)) fail("chain.dac-issuer", "DAC issuer is not the PAI");
  if (!bytesEqual(pai.authorityKeyId!, paa.subjectKeyId)) fail("chain.pai-akid", "PAI AKID is not the PAA SKID");
  if (!bytesEqual(dac.authorityKeyId!, pai.subjectKeyId)) fail("chain.dac-akid", "DAC AKID is not the PAI SKID");

  if (!signedBy(crypto, paa.x509, paa.x509)) fail("paa.signature", "PAA self-signature does not verify");
  if (!signedBy(crypto, pai.x509, paa.x509)) fail("pai.signature", "PAI signature does not verify with the PAA key");
  if (!signedBy(crypto, dac.x509, pai.x509)) fail("dac.signature", "DAC signature does not verify with the PAI key");

  // The SDK validates at the DAC's notBefore, not the current time (devices may lack a clock).
  const at = chain.at ?? dac.x509.notBefore;
  if (!validAt(dac.x509, at)) fail("dac.validity", `DAC not valid at ${at.toISOString()}`);
  if (!validAt(pai.x509, at)) fail("pai.validity", `PAI not valid at ${at.toISOString()}`);
  if (!validAt(paa.x509, at)) fail("paa.validity", `PAA not valid at ${at.toISOString()}`);
  // IsCertificateValidAtIssuance: each certificate was issued while its issuer was valid.
  if (!validAt(pai.x509, dac.x509.notBefore)) fail("chain.dac-issuance", "DAC issued outside the PAI validity");
  if (!validAt(paa.x509, pai.x509.notBefore)) fail("chain.pai-issuance", "PAI issued outside the PAA validity");

  // DAC VID == PAI VID (== PAA VID if present); PAI PID, if present, == DAC PID.
  if (dac.vendorId !== pai.vendorId) fail("chain.vid-mismatch", "DAC and PAI vendor ids differ");
  if (paa.vendorId !== undefined && paa.vendorId !== pai.vendorId) {
    fail("chain.paa-vid-mismatch", "PAA and PAI vendor ids differ");
  }
  if (pai.productId !== undefined && pai.productId !== dac.productId) {
    fail("chain.pid-mismatch", "PAI and DAC product ids differ");
  }
  return { dac, pai, paa, vendorId: dac.vendorId!, productId: dac.productId! };
}
