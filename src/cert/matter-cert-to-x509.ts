import { InternalError, MalformedError } from "../bytes/errors.ts";
import { rawToDerSignature } from "../crypto/ecdsa-signature.ts";
import { DerTag } from "../der/der-reader.ts";
import { type DerNode, derElementSize, derOid, encodeDer, putDerHeader, utf8Length } from "../der/der-writer.ts";
import { DN_ATTRIBUTE_TYPES, type Dn, type DnAttribute, type DnAttributeType, isDnMatterIdType } from "./dn.ts";
import { extensionToDerNode } from "./extensions.ts";
import { MAX_CERT_DER_BYTES, type MatterCertFields } from "./matter-cert.ts";
import { decodeMatterCert } from "./matter-cert-decode.ts";
import { matterTimeToDer } from "./matter-epoch.ts";
import { tbsCertificateNode, x509CertificateNode } from "./x509.ts";

const utf8 = new TextEncoder();

/** The encoded OBJECT IDENTIFIER of each DN attribute type, made once. */
const DN_ATTRIBUTE_OID_DER = new Map<DnAttributeType, Uint8Array>(
  Object.entries(DN_ATTRIBUTE_TYPES).map(([type, { oid }]) => [type as DnAttributeType, derOid(oid)]),
);

/** Hex digits of a Matter 64-bit id and of a CAT in their X.509 text (Core spec 6.5.6.1). */
const MATTER_ID_DIGITS = 16;
const CAT_DIGITS = 8;
const MAX_MATTER_ID = 0xffff_ffff_ffff_ffffn;

/** Content length of an attribute's string value in the DER Name. */
function attributeValueLength(a: DnAttribute): number {
  if (a.type === "matterCaseAuthTag") return CAT_DIGITS;
  if (isDnMatterIdType(a.type)) return MATTER_ID_DIGITS;
  return utf8Length(a.value as string);
}

/** Content length of the SEQUENCE { type, value } of one attribute. */
function attributeSequenceLength(a: DnAttribute): number {
  return DN_ATTRIBUTE_OID_DER.get(a.type)!.length + derElementSize(attributeValueLength(a));
}

/** Writes the 32-bit `value` as `digits` uppercase hex digits at `at`; returns the offset after them. */
function putHexDigits(out: Uint8Array, at: number, value: number, digits: number): number {
  for (let i = digits - 1; i >= 0; i--) {
    const d = value & 0xf;
    out[at + i] = d < 10 ? 0x30 + d : 0x37 + d;
    value >>>= 4;
  }
  return at + digits;
}

/**
 * The DER Name of a DN, one single-valued RDN per attribute in order (Matter attributes as uppercase hex UTF8String),
 * written straight into one buffer whose size is computed first: the signature of every certificate of a chain is
 * checked over a TBS holding two of these, and a DerNode tree costs a dozen objects per attribute.
 */
function dnDer(dn: Dn): Uint8Array {
  let content = 0;
  for (const a of dn) content += derElementSize(derElementSize(attributeSequenceLength(a)));
  const out = new Uint8Array(derElementSize(content));
  let at = putDerHeader(out, 0, DerTag.sequence, content);
  for (const a of dn) {
    const sequence = attributeSequenceLength(a);
    at = putDerHeader(out, at, DerTag.set, derElementSize(sequence));
    at = putDerHeader(out, at, DerTag.sequence, sequence);
    const oid = DN_ATTRIBUTE_OID_DER.get(a.type)!;
    out.set(oid, at);
    at += oid.length;
    if (a.type === "matterCaseAuthTag") {
      if (!Number.isInteger(a.value) || a.value < 0 || a.value > 0xffff_ffff) {
        throw new RangeError(`CAT ${a.value} is not a 32-bit unsigned value`);
      }
      at = putDerHeader(out, at, DerTag.utf8String, CAT_DIGITS);
      at = putHexDigits(out, at, a.value, CAT_DIGITS);
    } else if (isDnMatterIdType(a.type)) {
      const id = a.value as bigint;
      if (id < 0n || id > MAX_MATTER_ID) throw new RangeError(`${a.type} ${id} is not a 64-bit unsigned value`);
      at = putDerHeader(out, at, DerTag.utf8String, MATTER_ID_DIGITS);
      at = putHexDigits(out, at, Number(id >> 32n), CAT_DIGITS);
      at = putHexDigits(out, at, Number(id & 0xffff_ffffn), CAT_DIGITS);
    } else {
      const s = a as Extract<DnAttribute, { printable: boolean }>;
      const length = utf8Length(s.value);
      at = putDerHeader(out, at, s.printable ? DerTag.printableString : DerTag.utf8String, length);
      if (length === s.value.length) for (let i = 0; i < length; i++) out[at++] = s.value.charCodeAt(i);
      else at += utf8.encodeInto(s.value, out.subarray(at, at + length)).written;
    }
  }
  if (at !== out.length) throw new InternalError("DER Name length mismatch");
  return out;
}

const tbsCache = new WeakMap<object, Uint8Array>();

/** The TBSCertificate of a Matter certificate as a DerNode tree (Core spec 6.5.12). */
function tbsNode(cert: MatterCertFields): DerNode {
  return tbsCertificateNode({
    serial: cert.serialNumber,
    issuer: dnDer(cert.issuer),
    notBefore: matterTimeToDer(cert.notBefore),
    notAfter: matterTimeToDer(cert.notAfter),
    subject: dnDer(cert.subject),
    publicKey: cert.publicKey,
    extensions: cert.extensions.map(extensionToDerNode),
  });
}

/** The DER TBSCertificate the certificate's signature covers, rebuilt from its TLV fields (Core spec 6.5.12). */
export function tbsDer(cert: MatterCertFields): Uint8Array {
  const cached = tbsCache.get(cert);
  if (cached !== undefined) return cached;
  const tbs = encodeDer(tbsNode(cert));
  tbsCache.set(cert, tbs);
  return tbs;
}

/** The X.509 DER form of a Matter certificate (given decoded, or as TLV bytes); larger than 600 bytes is malformed. */
export function matterCertToDer(cert: MatterCertFields | Uint8Array): Uint8Array {
  // A certificate decoded here is not seen again: write it in one pass instead of building (and caching) its TBS.
  const c = cert instanceof Uint8Array ? decodeMatterCert(cert) : cert;
  const tbs = cert instanceof Uint8Array ? tbsNode(c) : tbsDer(c);
  const der = encodeDer(x509CertificateNode(tbs, rawToDerSignature(c.signature)));
  if (der.length > MAX_CERT_DER_BYTES) {
    throw new MalformedError("cert.too-large", `X.509 form is ${der.length} bytes (max ${MAX_CERT_DER_BYTES})`, {
      path: "cert",
    });
  }
  return der;
}
