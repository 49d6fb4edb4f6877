/**
 * Generic strict X.509 v3 certificates (RFC 5280 4.1) restricted to what Matter uses: ECDSA-with-SHA256 signatures
 * over P-256 keys, single-valued RDNs, DER only. Parsing keeps every signed byte; building signs the exact TBS it encodes.
 */
import { MalformedError } from "../bytes/errors.ts";
import { derToRawSignature } from "../crypto/ecdsa-signature.ts";
import { DerReader, DerTag } from "../der/der-reader.ts";
import {
  cachedOidContent,
  type DerNode,
  derGeneralizedTime,
  derInteger,
  derUtcTime,
  encodeDer,
} from "../der/der-writer.ts";
import { OID } from "../der/oids.ts";
import type { X509Time } from "./matter-epoch.ts";

/** Largest serial number RFC 5280 4.1.2.2 allows, in content octets. */
export const MAX_X509_SERIAL_BYTES = 20;

/** Length of an uncompressed P-256 public key, 0x04 || X || Y. */
export const P256_UNCOMPRESSED_KEY_BYTES = 65;

/** One AttributeTypeAndValue; Matter allows only single-valued RDNs, so each is its own RDN. `tag` is the string type. */
export type Rdn = { readonly oid: string; readonly tag: number; readonly value: string };

/** One extension as carried in the certificate; `raw` is the complete DER `Extension`. */
export type X509Extension = {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
  readonly raw: Uint8Array;
};

/** A parsed X.509 v3 certificate; byte fields are views into `raw`. */
export type X509Certificate = {
  readonly raw: Uint8Array;
  readonly tbsRaw: Uint8Array;
  readonly version: 3;
  /** INTEGER content octets (two's complement, minimal). */
  readonly serial: Uint8Array;
  readonly signatureAlgorithm: string;
  readonly issuer: readonly Rdn[];
  readonly issuerRaw: Uint8Array;
  readonly notBefore: Date;
  readonly notBeforeForm: X509Time["form"];
  readonly notAfter: Date;
  readonly notAfterForm: X509Time["form"];
  readonly subject: readonly Rdn[];
  readonly subjectRaw: Uint8Array;
  /** Uncompressed P-256 point, 65 bytes. */
  readonly publicKey: Uint8Array;
  readonly extensions: readonly X509Extension[];
  /** DER Ecdsa-Sig-Value. */
  readonly signature: Uint8Array;
};

function readName(r: DerReader, path: string): { rdns: Rdn[]; raw: Uint8Array } {
  const tlv = r.expect(DerTag.sequence, path, "Name");
  const seq = new DerReader(tlv.content);
  const rdns: Rdn[] = [];
  for (let i = 0; !seq.done; i++) {
    const p = `${path}/rdn[${i}]`;
    const set = seq.set(p);
    const atv = set.sequence(`${p}/attribute`);
    // Matter allows one attribute per RDN (Core spec 6.5.6.1); multi-valued RDNs do not convert to TLV.
    if (!set.done)
      throw new MalformedError("x509.multi-valued-rdn", "multi-valued RDN", { path: p, offset: set.offset });
    const oid = atv.oid(`${p}/type`);
    const tag = atv.peekTag();
    let value: string;
    if (tag === DerTag.utf8String) value = atv.utf8String(`${p}/value`);
    else if (tag === DerTag.printableString) value = atv.printableString(`${p}/value`);
    else if (tag === DerTag.ia5String) value = atv.ia5String(`${p}/value`);
    else {
      throw new MalformedError("x509.dn-string-type", `unsupported attribute value tag 0x${(tag ?? 0).toString(16)}`, {
        path: p,
        offset: atv.offset,
      });
    }
    atv.expectEnd(p);
    rdns.push({ oid, tag: tag, value });
  }
  return { rdns, raw: tlv.raw };
}

function readTime(r: DerReader, path: string): { date: Date; form: X509Time["form"] } {
  const form = r.peekTag() === DerTag.generalizedTime ? "generalized" : "utc";
  return { date: form === "generalized" ? r.generalizedTime(path) : r.utcTime(path), form };
}

/** Reads an AlgorithmIdentifier that must be ecdsa-with-SHA256 (an X.509 certificate's or a PKCS#10 request's). */
export function readEcdsaWithSha256(r: DerReader, path: string): string {
  const at = r.offset;
  const alg = r.sequence(path);
  const oid = alg.oid(`${path}/algorithm`);
  // RFC 5758 3.2: ecdsa-with-SHA256 "MUST omit the parameters field".
  alg.expectEnd(path);
  if (oid !== OID.ecdsaWithSHA256) {
    throw new MalformedError("x509.signature-algorithm", `signature algorithm ${oid} is not ecdsa-with-SHA256`, {
      path,
      offset: at,
    });
  }
  return oid;
}

function readExtensions(r: DerReader, path: string): X509Extension[] {
  const outer = r.contextTag(3, path);
  const seq = outer.sequence(path);
  outer.expectEnd(path);
  const out: X509Extension[] = [];
  const seen = new Set<string>();
  for (let i = 0; !seq.done; i++) {
    const p = `${path}[${i}]`;
    const tlv = seq.expect(DerTag.sequence, p, "Extension");
    const ext = new DerReader(tlv.content);
    const oid = ext.oid(`${p}/extnID`);
    let critical = false;
    if (ext.peekTag() === DerTag.boolean) {
      const at = ext.offset;
      critical = ext.boolean(`${p}/critical`);
      // X.690 11.5: a DEFAULT value shall not be encoded.
      if (!critical)
        throw new MalformedError("x509.extension", "critical FALSE encoded explicitly", { path: p, offset: at });
    }
    const value = ext.octetString(`${p}/extnValue`);
    ext.expectEnd(p);
    // RFC 5280 4.2: "A certificate MUST NOT include more than one instance of a particular extension."
    if (seen.has(oid)) throw new MalformedError("x509.duplicate-extension", `extension ${oid} repeated`, { path: p });
    seen.add(oid);
    out.push({ oid, critical, value, raw: tlv.raw });
  }
  if (out.length === 0) throw new MalformedError("x509.extension", "empty extensions", { path });
  return out;
}

/**
 * Reads a SubjectPublicKeyInfo (RFC 5280 4.1.2.7; a PKCS#10 request carries the same structure) that must be
 * id-ecPublicKey on prime256v1 with an uncompressed 65-byte point; returns the point.
 */
export function readP256Spki(r: DerReader, path: string): Uint8Array {
  const at = r.offset;
  const spki = r.sequence(path);
  const alg = spki.sequence(`${path}/algorithm`);
  const algOid = alg.oid(`${path}/algorithm/algorithm`);
  if (algOid !== OID.ecPublicKey) {
    throw new MalformedError("x509.public-key-algorithm", `public key algorithm ${algOid} is not id-ecPublicKey`, {
      path,
      offset: at,
    });
  }
  const curve = alg.oid(`${path}/algorithm/namedCurve`);
  if (curve !== OID.prime256v1) {
    throw new MalformedError("x509.curve", `curve ${curve} is not prime256v1`, { path, offset: at });
  }
  alg.expectEnd(`${path}/algorithm`);
  const bits = spki.bitString(`${path}/subjectPublicKey`);
  spki.expectEnd(path);
  if (bits.unusedBits !== 0 || bits.bytes.length !== P256_UNCOMPRESSED_KEY_BYTES || bits.bytes[0] !== 0x04) {
    throw new MalformedError("x509.public-key", "public key is not a 65-byte uncompressed P-256 point", {
      path,
      offset: at,
    });
  }
  return bits.bytes;
}

/**
 * Parses a DER X.509 v3 certificate strictly: one certificate and nothing after it, version 3, ecdsa-with-SHA256 (no
 * parameters) in both places, P-256 key, single-valued RDNs with UTF8/Printable/IA5 strings, no unique identifiers,
 * extensions present, distinct and with DER-canonical criticality, and a DER Ecdsa-Sig-Value signature.
 */
export function parseX509(der: Uint8Array, path = "x509"): X509Certificate {
  const top = new DerReader(der);
  const certTlv = top.expect(DerTag.sequence, path, "Certificate");
  top.expectEnd(path);
  const cert = new DerReader(certTlv.content);
  const tbsTlv = cert.expect(DerTag.sequence, `${path}/tbs`, "TBSCertificate");
  const tbs = new DerReader(tbsTlv.content);
  const versionReader = tbs.contextTag(0, `${path}/tbs/version`);
  const version = versionReader.smallUint(`${path}/tbs/version`);
  versionReader.expectEnd(`${path}/tbs/version`);
  // RFC 5280 4.1.2.1: extensions require v3 (value 2).
  if (version !== 2) throw new MalformedError("x509.version", `version ${version + 1} is not v3`, { path });
  const serial = tbs.integerBytes(`${path}/tbs/serialNumber`);
  const signatureAlgorithm = readEcdsaWithSha256(tbs, `${path}/tbs/signature`);
  const issuer = readName(tbs, `${path}/tbs/issuer`);
  const validity = tbs.sequence(`${path}/tbs/validity`);
  const notBefore = readTime(validity, `${path}/tbs/validity/notBefore`);
  const notAfter = readTime(validity, `${path}/tbs/validity/notAfter`);
  validity.expectEnd(`${path}/tbs/validity`);
  const subject = readName(tbs, `${path}/tbs/subject`);
  const publicKey = readP256Spki(tbs, `${path}/tbs/subjectPublicKeyInfo`);
  const extensions = readExtensions(tbs, `${path}/tbs/extensions`);
  tbs.expectEnd(`${path}/tbs`);
  const outerAlgorithm = readEcdsaWithSha256(cert, `${path}/signatureAlgorithm`);
  if (outerAlgorithm !== signatureAlgorithm) {
    throw new MalformedError("x509.signature-algorithm", "outer and TBS signature algorithms differ", { path });
  }
  const sigBits = cert.bitString(`${path}/signatureValue`);
  cert.expectEnd(path);
  if (sigBits.unusedBits !== 0) throw new MalformedError("x509.signature", "signature has unused bits", { path });
  derToRawSignature(sigBits.bytes);
  return {
    raw: certTlv.raw,
    tbsRaw: tbsTlv.raw,
    version: 3,
    serial,
    signatureAlgorithm,
    issuer: issuer.rdns,
    issuerRaw: issuer.raw,
    notBefore: notBefore.date,
    notBeforeForm: notBefore.form,
    notAfter: notAfter.date,
    notAfterForm: notAfter.form,
    subject: subject.rdns,
    subjectRaw: subject.raw,
    publicKey,
    extensions,
    signature: sigBits.bytes,
  };
}

/** The extension with `oid`, if present. */
export function findExtension(cert: X509Certificate, oid: string): X509Extension | undefined {
  return cert.extensions.find((e) => e.oid === oid);
}

/** An OBJECT IDENTIFIER as a DerNode (its content octets are cached and shared). */
export function oidNode(dotted: string): DerNode {
  return { tag: DerTag.oid, content: cachedOidContent(dotted) };
}

/** The DER `Name` of single-valued RDNs in order, as a DerNode. */
function x509NameNode(rdns: readonly Rdn[]): DerNode {
  return {
    tag: DerTag.sequence,
    // A SET OF with one member needs no sorting.
    children: rdns.map(
      (rdn): DerNode => ({
        tag: DerTag.set,
        children: [{ tag: DerTag.sequence, children: [oidNode(rdn.oid), { tag: rdn.tag, text: rdn.value }] }],
      }),
    ),
  };
}

const CRITICAL_TRUE: Uint8Array = Uint8Array.of(DerTag.boolean, 1, 0xff);

/** The DER `Extension` SEQUENCE { extnID, critical (only when TRUE), extnValue } as a DerNode. */
export function x509ExtensionNode(oid: string, critical: boolean, value: DerNode): DerNode {
  const extnValue: DerNode = { tag: DerTag.octetString, children: [value] };
  return {
    tag: DerTag.sequence,
    children: critical ? [oidNode(oid), CRITICAL_TRUE, extnValue] : [oidNode(oid), extnValue],
  };
}

/** The DER `Extension` SEQUENCE { extnID, critical (only when TRUE), extnValue }. */
export function encodeX509Extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return encodeDer(x509ExtensionNode(oid, critical, value));
}

/** A validity time in the ASN.1 form given, or RFC 5280's choice (UTCTime through 2049) for a plain Date. */
function encodeTime(time: Date | X509Time): Uint8Array {
  const t: X509Time =
    time instanceof Date ? { form: time.getUTCFullYear() < 2050 ? "utc" : "generalized", date: time } : time;
  return t.form === "utc" ? derUtcTime(t.date) : derGeneralizedTime(t.date);
}

/** What `buildX509` signs; names and extensions may be given pre-encoded (`Uint8Array`) to keep received bytes. */
export type X509TbsFields = {
  /** INTEGER content octets as they must appear, or a non-negative bigint. */
  readonly serial: Uint8Array | bigint;
  readonly issuer: Uint8Array | readonly Rdn[];
  readonly notBefore: Date | X509Time;
  readonly notAfter: Date | X509Time;
  readonly subject: Uint8Array | readonly Rdn[];
  readonly publicKey: Uint8Array;
  /** Complete DER `Extension`s, or their parts. */
  readonly extensions: readonly (Uint8Array | { oid: string; critical: boolean; value: Uint8Array })[];
};

/** The parts of a TBSCertificate already in DER form (elements or DerNode trees), for `tbsCertificateNode`. */
export type X509TbsNodes = {
  /** INTEGER content octets as they must appear. */
  readonly serial: Uint8Array;
  /** DER `Name`. */
  readonly issuer: DerNode;
  /** DER `Time` (UTCTime or GeneralizedTime). */
  readonly notBefore: DerNode;
  readonly notAfter: DerNode;
  readonly subject: DerNode;
  /** Uncompressed P-256 point, 65 bytes. */
  readonly publicKey: Uint8Array;
  /** DER `Extension`s; none omits the [3] field. */
  readonly extensions: readonly DerNode[];
};

const VERSION_V3: Uint8Array = Uint8Array.of(0xa0, 3, DerTag.integer, 1, 2);
const ECDSA_WITH_SHA256_ALGORITHM: Uint8Array = encodeDer({
  tag: DerTag.sequence,
  children: [oidNode(OID.ecdsaWithSHA256)],
});
const P256_SPKI_ALGORITHM: Uint8Array = encodeDer({
  tag: DerTag.sequence,
  children: [oidNode(OID.ecPublicKey), oidNode(OID.prime256v1)],
});
const NO_UNUSED_BITS: Uint8Array = Uint8Array.of(0);

/** The TBSCertificate (v3, ecdsa-with-SHA256, P-256 SPKI) of parts already in DER form, as a DerNode. */
export function tbsCertificateNode(parts: X509TbsNodes): DerNode {
  if (parts.publicKey.length !== P256_UNCOMPRESSED_KEY_BYTES || parts.publicKey[0] !== 0x04) {
    throw new RangeError("publicKey must be a 65-byte uncompressed P-256 point");
  }
  const children: DerNode[] = [
    VERSION_V3,
    { tag: DerTag.integer, content: parts.serial },
    ECDSA_WITH_SHA256_ALGORITHM,
    parts.issuer,
    { tag: DerTag.sequence, children: [parts.notBefore, parts.notAfter] },
    parts.subject,
    {
      tag: DerTag.sequence,
      children: [P256_SPKI_ALGORITHM, { tag: DerTag.bitString, content: [NO_UNUSED_BITS, parts.publicKey] }],
    },
  ];
  if (parts.extensions.length > 0) {
    children.push({ tag: 0xa3, children: [{ tag: DerTag.sequence, children: parts.extensions }] });
  }
  return { tag: DerTag.sequence, children };
}

function nameNode(n: Uint8Array | readonly Rdn[]): DerNode {
  return n instanceof Uint8Array ? n : x509NameNode(n);
}

/** The DER TBSCertificate of `fields` (v3, ecdsa-with-SHA256, P-256 SPKI). */
export function encodeTbsCertificate(fields: X509TbsFields): Uint8Array {
  if (fields.publicKey.length !== P256_UNCOMPRESSED_KEY_BYTES || fields.publicKey[0] !== 0x04) {
    throw new RangeError("publicKey must be a 65-byte uncompressed P-256 point");
  }
  let serial: Uint8Array;
  if (typeof fields.serial === "bigint") {
    if (fields.serial < 0n) throw new RangeError("serial must be non-negative");
    const element = derInteger(fields.serial);
    serial = element.subarray(element[1]! < 0x80 ? 2 : 2 + (element[1]! & 0x7f));
  } else {
    serial = fields.serial;
  }
  return encodeDer(
    tbsCertificateNode({
      serial,
      issuer: nameNode(fields.issuer),
      notBefore: encodeTime(fields.notBefore),
      notAfter: encodeTime(fields.notAfter),
      subject: nameNode(fields.subject),
      publicKey: fields.publicKey,
      extensions: fields.extensions.map((e) =>
        e instanceof Uint8Array ? e : x509ExtensionNode(e.oid, e.critical, e.value),
      ),
    }),
  );
}

/** The DER Certificate of a TBS and its DER Ecdsa-Sig-Value, as a DerNode. */
export function x509CertificateNode(tbs: DerNode, derSignature: Uint8Array): DerNode {
  return {
    tag: DerTag.sequence,
    children: [tbs, ECDSA_WITH_SHA256_ALGORITHM, { tag: DerTag.bitString, content: [NO_UNUSED_BITS, derSignature] }],
  };
}

/** The DER Certificate of a TBS and its DER Ecdsa-Sig-Value. */
export function assembleX509(tbs: Uint8Array, derSignature: Uint8Array): Uint8Array {
  return encodeDer(x509CertificateNode(tbs, derSignature));
}

/** Builds and signs a certificate: `signer` receives the exact TBS bytes and returns a DER ECDSA signature. */
export function buildX509(fields: X509TbsFields, signer: (tbs: Uint8Array) => Uint8Array): Uint8Array {
  const tbs = encodeTbsCertificate(fields);
  return assembleX509(tbs, signer(tbs));
}
