import { MalformedError } from "../bytes/errors.ts";
import { rawToDerSignature } from "../crypto/ecdsa-signature.ts";
import { DerTag } from "../der/der-reader.ts";
import { type DerNode, encodeDer } from "../der/der-writer.ts";
import { DN_ATTRIBUTE_TYPES, type Dn, type DnAttribute, isDnMatterIdType, matterAttributeText } from "./dn.ts";
import { extensionToDerNode } from "./extensions.ts";
import { MAX_CERT_DER_BYTES, type MatterCertFields } from "./matter-cert.ts";
import { decodeMatterCert } from "./matter-cert-decode.ts";
import { matterTimeToDer } from "./matter-epoch.ts";
import { type Rdn, tbsCertificateNode, x509CertificateNode, x509NameNode } from "./x509.ts";

function dnToRdns(dn: Dn): Rdn[] {
  return dn.map((a) => {
    const oid = DN_ATTRIBUTE_TYPES[a.type].oid;
    if (a.type === "matterCaseAuthTag" || isDnMatterIdType(a.type)) {
      return { oid, tag: DerTag.utf8String, value: matterAttributeText(a) };
    }
    const s = a as Extract<DnAttribute, { printable: boolean }>;
    return { oid, tag: s.printable ? DerTag.printableString : DerTag.utf8String, value: s.value };
  });
}

const tbsCache = new WeakMap<object, Uint8Array>();

/** The TBSCertificate of a Matter certificate as a DerNode tree (Core spec 6.5.12). */
function tbsNode(cert: MatterCertFields): DerNode {
  return tbsCertificateNode({
    serial: cert.serialNumber,
    issuer: x509NameNode(dnToRdns(cert.issuer)),
    notBefore: matterTimeToDer(cert.notBefore),
    notAfter: matterTimeToDer(cert.notAfter),
    subject: x509NameNode(dnToRdns(cert.subject)),
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
