/**
 * X.509 DER -> Matter certificate TLV (Core spec 6.5.13, conformance notes 4.2): accepts only what has an exact TLV
 * form, so the result converts back to the very same DER.
 */
import { MalformedError } from "../bytes/errors.ts";
import { derToRawSignature } from "../crypto/ecdsa-signature.ts";
import { DerTag } from "../der/der-reader.ts";
import { type DnAttribute, dnTypeOfOid, isDnMatterIdType, MAX_DN_ATTRIBUTES, parseMatterAttributeText } from "./dn.ts";
import { extensionFromDer, type MatterCertExtension } from "./extensions.ts";
import {
  describeMatterCert,
  MAX_CERT_DER_BYTES,
  MAX_CERT_SERIAL_DECODE_BYTES,
  MAX_CERT_TLV_BYTES,
  type MatterCert,
  type MatterCertFields,
} from "./matter-cert.ts";
import { encodeMatterCert } from "./matter-cert-encode.ts";
import { x509TimeToMatter } from "./matter-epoch.ts";
import { parseX509, type Rdn } from "./x509.ts";

function rdnsToDn(rdns: readonly Rdn[], path: string): DnAttribute[] {
  if (rdns.length === 0) throw new MalformedError("cert.dn-empty", "empty distinguished name", { path });
  if (rdns.length > MAX_DN_ATTRIBUTES) {
    throw new MalformedError("cert.dn-too-long", `${rdns.length} attributes (max ${MAX_DN_ATTRIBUTES})`, { path });
  }
  return rdns.map((rdn, i): DnAttribute => {
    const type = dnTypeOfOid(rdn.oid);
    if (type === undefined) {
      throw new MalformedError("cert.dn-attribute", `attribute ${rdn.oid} has no TLV tag`, { path: `${path}[${i}]` });
    }
    if (type === "matterCaseAuthTag" || isDnMatterIdType(type)) {
      if (rdn.tag !== DerTag.utf8String) {
        throw new MalformedError("cert.dn-string-type", `${type} must be a UTF8String`, { path: `${path}[${i}]` });
      }
      return parseMatterAttributeText(type, rdn.value, `${path}[${i}]`);
    }
    if (rdn.tag !== DerTag.utf8String && rdn.tag !== DerTag.printableString) {
      throw new MalformedError("cert.dn-string-type", "only UTF8String and PrintableString convert to TLV", {
        path: `${path}[${i}]`,
      });
    }
    return { type, value: rdn.value, printable: rdn.tag === DerTag.printableString };
  });
}

/**
 * Converts an X.509 DER certificate to its Matter TLV form, rejecting what has no exact TLV form (Core spec 6.5.13,
 * conformance notes 4.2): oversize, non-v3, other algorithms or curves, multi-valued RDNs, attributes or string
 * types without a tag, wrong extension criticality, AKID issuer/serial, duplicate extensions. The result must convert
 * back to the very same DER, so nothing the TLV cannot express passes silently.
 */
export function derToMatterCert(der: Uint8Array): Uint8Array {
  return matterCertFromDer(der).raw;
}

/** Like `derToMatterCert`, returning the decoded certificate. */
export function matterCertFromDer(der: Uint8Array): MatterCert {
  const path = "x509";
  if (der.length > MAX_CERT_DER_BYTES) {
    throw new MalformedError("cert.too-large", `${der.length} bytes (max ${MAX_CERT_DER_BYTES})`, { path });
  }
  const x = parseX509(der, path);
  if (x.serial.length > MAX_CERT_SERIAL_DECODE_BYTES) {
    throw new MalformedError("cert.serial", `serial number of ${x.serial.length} bytes`, { path });
  }
  const fields: MatterCertFields = {
    serialNumber: x.serial.slice(),
    issuer: rdnsToDn(x.issuer, `${path}/issuer`),
    notBefore: x509TimeToMatter({ form: x.notBeforeForm, date: x.notBefore }, `${path}/notBefore`),
    notAfter: x509TimeToMatter({ form: x.notAfterForm, date: x.notAfter }, `${path}/notAfter`),
    subject: rdnsToDn(x.subject, `${path}/subject`),
    publicKey: x.publicKey.slice(),
    extensions: x.extensions.map((e, i) => ownedExtension(extensionFromDer(e, `${path}/extensions[${i}]`))),
    signature: derToRawSignature(x.signature),
  };
  const tlv = encodeMatterCert(fields);
  if (tlv.length > MAX_CERT_TLV_BYTES) {
    throw new MalformedError("cert.too-large", `TLV form is ${tlv.length} bytes (max ${MAX_CERT_TLV_BYTES})`, { path });
  }
  // Every rule `decodeMatterCert` applies to the TLV holds for `fields` already: the strict X.509 parse and the DER ->
  // Matter conversions above enforce each one (sizes, DN attributes and string types, time range, key, extension
  // values, criticality and uniqueness); tests check that the TLV of every accepted DER decodes to this same object.
  // The signature covers the DER, so a certificate whose DER does not rebuild byte-exact from its TLV could not be
  // verified. No rebuild is needed to know it does: the strict one-pass parse accepts exactly one encoding of what it
  // reads, and every conversion above is injective on what it accepts, so `tbsDer(cert)` and the DER signature equal
  // the input by construction:
  // - every element has a minimal definite length and every constructed one is read to its end (`expectEnd`), so
  //   the input is the unique DER of its element tree and equal trees mean equal bytes;
  // - version, both AlgorithmIdentifiers and the SPKI algorithm are checked to be the one fixed value the builder
  //   writes; the serial is minimal and kept as is; the key is a 65-byte point with no unused bits;
  // - DN: OID <-> attribute type is one-to-one (tested), IA5String is rejected, the PrintableString/UTF8String choice
  //   is kept, UTF-8 decoding is fatal and keeps a BOM (so text <-> bytes is one-to-one), Matter ids and CATs must be
  //   exactly 16/8 uppercase hex digits, the only text their formatter writes;
  // - times: no roll-over, seconds present, 'Z' only, and the form must be the one RFC 5280 (and the builder) picks
  //   for the year, or 99991231235959Z for "no expiry", which maps to 0 and back;
  // - extensions: criticality must be the spec's fixed one (DEFAULT FALSE never encoded), BOOLEAN only 0xff, minimal
  //   INTEGER path length and key usage BIT STRING, OIDs minimal (one-to-one with their dotted text), key ids exactly
  //   20 bytes, AKID only [0], each extnValue read to its end; future extensions are kept verbatim;
  // - the signature is read by `derToRawSignature`, which accepts only the minimal encoding `rawToDerSignature` writes.
  // The property tests in test/cert/matter-cert.test.ts check it: every accepted (mutated) DER converts back to the
  // very same bytes.
  const cert = describeMatterCert(fields, tlv);
  return cert;
}

/** `ext` with its byte fields copied out of the DER input, so the certificate owns all its bytes. */
function ownedExtension(ext: MatterCertExtension): MatterCertExtension {
  switch (ext.type) {
    case "subjectKeyId":
    case "authorityKeyId":
      return { type: ext.type, keyId: ext.keyId.slice() };
    case "future":
      return { type: "future", der: ext.der.slice() };
    default:
      return ext;
  }
}
