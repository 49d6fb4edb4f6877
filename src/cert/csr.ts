/**
 * PKCS#10 certification request (RFC 2986) as Matter's CSRRequest carries it (Core spec §11.18.6.5, TC_DA_1_5):
 * version 0, subject O=CSR (as the SDK), id-ecPublicKey/prime256v1 key, empty attributes, ecdsa-with-SHA256.
 */
import { MalformedError, ValidationError } from "../bytes/errors.ts";
import type { Crypto } from "../crypto/crypto.ts";
import { derToRawSignature } from "../crypto/ecdsa-signature.ts";
import { type P256PrivateKey, P256PublicKey } from "../crypto/p256.ts";
import { DerReader } from "../der/der-reader.ts";
import { derBitString, derContext, derInteger, derOid, derSequence, derSet, derUtf8String } from "../der/der-writer.ts";
import { OID } from "../der/oids.ts";
import { readEcdsaWithSha256, readP256Spki } from "./x509.ts";

/** Size of the SDK's CSR buffer (`kMIN_CSR_Buffer_Size`); a CSR built here always fits. */
export const MAX_CSR_DER_BYTES = 255;

/** A parsed PKCS#10 request; `certificationRequestInfoRaw` is the signed byte range, as received. */
export type Csr = {
  readonly raw: Uint8Array;
  readonly certificationRequestInfoRaw: Uint8Array;
  readonly version: number;
  /** The subject Name as encoded (the SDK sends O=CSR; its content is not mandated). */
  readonly subjectRaw: Uint8Array;
  readonly publicKey: P256PublicKey;
  /** The raw `[0]` attributes element. */
  readonly attributesRaw: Uint8Array;
  readonly signatureAlgorithm: string;
  /** DER Ecdsa-Sig-Value. */
  readonly signature: Uint8Array;
};

/** SubjectPublicKeyInfo for a P-256 key: id-ecPublicKey with namedCurve prime256v1 (RFC 5480 §2). */
function p256SubjectPublicKeyInfo(publicKey: Uint8Array): Uint8Array {
  return derSequence(derSequence(derOid(OID.ecPublicKey), derOid(OID.prime256v1)), derBitString(publicKey));
}

/** Builds and signs the PKCS#10 request for `key`, byte-compatible with the SDK's (subject O=CSR, empty attributes). */
export function buildCsr(crypto: Crypto, key: P256PrivateKey): Uint8Array {
  const subject = derSequence(derSet(derSequence(derOid(OID.organizationName), derUtf8String("CSR"))));
  const info = derSequence(
    derInteger(0n),
    subject,
    p256SubjectPublicKeyInfo(key.publicKey.raw),
    // RFC 2986 §4.1: attributes [0] IMPLICIT SET OF Attribute; present even when empty.
    derContext(0, new Uint8Array(0)),
  );
  const signature = crypto.ecdsaSignDer(key, info);
  return derSequence(info, derSequence(derOid(OID.ecdsaWithSHA256)), derBitString(signature));
}

/** Parses a DER PKCS#10 request strictly (structure, version 0, P-256 key, ecdsa-with-SHA256); does not verify it. */
export function parseCsr(der: Uint8Array): Csr {
  const top = new DerReader(der);
  const req = top.sequence("csr");
  top.expectEnd("csr");
  const infoTlv = req.readTlv("csr/certificationRequestInfo");
  if (infoTlv.tag !== 0x30) {
    throw new MalformedError("der.tag", "certificationRequestInfo is not a SEQUENCE", {
      path: "csr/certificationRequestInfo",
      offset: infoTlv.offset,
    });
  }
  const info = new DerReader(infoTlv.raw).sequence("csr/certificationRequestInfo");
  const version = info.smallUint("csr/certificationRequestInfo/version");
  // RFC 2986 §4.1: version is 0 for this version of the standard; TC_DA_1_5 checks "PKCS#10 v0".
  if (version !== 0) {
    throw new MalformedError("csr.version", `version ${version} is not 0`, {
      path: "csr/certificationRequestInfo/version",
    });
  }
  const subjectTlv = info.readTlv("csr/certificationRequestInfo/subject");
  if (subjectTlv.tag !== 0x30) {
    throw new MalformedError("der.tag", "subject is not a SEQUENCE", { path: "csr/certificationRequestInfo/subject" });
  }
  walkName(new DerReader(subjectTlv.raw), "csr/certificationRequestInfo/subject");
  const point = readP256Spki(info, "csr/certificationRequestInfo/subjectPKInfo");
  const publicKey = P256PublicKey.fromRaw(point);
  const attributesTlv = info.readTlv("csr/certificationRequestInfo/attributes");
  if (attributesTlv.tag !== 0xa0) {
    throw new MalformedError("der.tag", "attributes [0] missing", { path: "csr/certificationRequestInfo/attributes" });
  }
  const attrs = new DerReader(attributesTlv.content);
  while (!attrs.done) {
    const a = attrs.sequence("csr/certificationRequestInfo/attributes/attribute");
    a.oid("csr/certificationRequestInfo/attributes/attribute/type");
    a.set("csr/certificationRequestInfo/attributes/attribute/values");
    a.expectEnd("csr/certificationRequestInfo/attributes/attribute");
  }
  info.expectEnd("csr/certificationRequestInfo");
  const signatureAlgorithm = readEcdsaWithSha256(req, "csr/signatureAlgorithm");
  const sig = req.bitString("csr/signature");
  if (sig.unusedBits !== 0) {
    throw new MalformedError("der.bit-string", "signature has unused bits", { path: "csr/signature" });
  }
  // Strict Ecdsa-Sig-Value (minimal INTEGERs, no trailing bytes).
  derToRawSignature(sig.bytes);
  req.expectEnd("csr");
  return {
    raw: der,
    certificationRequestInfoRaw: infoTlv.raw,
    version,
    subjectRaw: subjectTlv.raw,
    publicKey,
    attributesRaw: attributesTlv.raw,
    signatureAlgorithm,
    signature: sig.bytes,
  };
}

/** Walks a Name (SEQUENCE OF SET OF {type, value}) so that malformed subjects are rejected. */
function walkName(r: DerReader, path: string): void {
  const name = r.sequence(path);
  while (!name.done) {
    const rdn = name.set(`${path}/rdn`);
    if (rdn.done) throw new MalformedError("cert.name", "empty RDN", { path });
    while (!rdn.done) {
      const atv = rdn.sequence(`${path}/rdn/attribute`);
      atv.oid(`${path}/rdn/attribute/type`);
      atv.readTlv(`${path}/rdn/attribute/value`);
      atv.expectEnd(`${path}/rdn/attribute`);
    }
  }
}

/**
 * Parses a CSR and checks its self-signature; returns the parsed request. A bad signature is ValidationError
 * `csr.signature` (TC_DA_1_5: "the self-signature verifies"); malformed bytes are MalformedError.
 */
export function verifyCsr(crypto: Crypto, der: Uint8Array): Csr {
  const csr = parseCsr(der);
  const raw = derToRawSignature(csr.signature);
  if (!crypto.ecdsaVerify(csr.publicKey, csr.certificationRequestInfoRaw, raw)) {
    throw new ValidationError("csr.signature", "the CSR self-signature does not verify");
  }
  return csr;
}

/** The public key of a CSR whose self-signature verifies. */
export function csrPublicKey(crypto: Crypto, der: Uint8Array): P256PublicKey {
  return verifyCsr(crypto, der).publicKey;
}
