/**
 * CMS SignedData (RFC 5652 §5) in the one profile Matter uses for the Certification Declaration (Core spec §6.3.1):
 * v3, digest sha256, eContentType id-data with the content embedded, exactly one SignerInfo v3 identified by
 * subjectKeyIdentifier, no signed attributes (the signature covers the eContent), ecdsa-with-SHA256, no certificates.
 */
import { bytesEqual } from "../bytes/bytes.ts";
import { type ErrorCode, MalformedError, ValidationError } from "../bytes/errors.ts";
import type { Crypto } from "../crypto/crypto.ts";
import { derToRawSignature } from "../crypto/ecdsa-signature.ts";
import type { P256PrivateKey, P256PublicKey } from "../crypto/p256.ts";
import { DerReader, DerTag } from "../der/der-reader.ts";
import { derContext, derInteger, derOctetString, derOid, derSequence, derSet } from "../der/der-writer.ts";
import { OID } from "../der/oids.ts";

/** Length of the signer's subjectKeyIdentifier (SHA-1 of the key, RFC 5280 §4.2.1.2 method 1, as Matter uses). */
const CMS_SIGNER_KEY_ID_BYTES = 20;

/** SignedData and SignerInfo version when the signer is identified by subjectKeyIdentifier (RFC 5652 §5.1, §5.3). */
const CMS_VERSION = 3;

/** The fields of a Matter-profile CMS SignedData; `eContent` is a view into `raw`. */
export type CmsSignedData = {
  readonly raw: Uint8Array;
  readonly eContent: Uint8Array;
  readonly signerKeyId: Uint8Array;
  /** DER Ecdsa-Sig-Value over `eContent`. */
  readonly signature: Uint8Array;
};

/** Signs `content` into a DER ContentInfo{SignedData}, the signer named by its 20-byte subjectKeyIdentifier. */
export function cmsSign(crypto: Crypto, content: Uint8Array, signerKeyId: Uint8Array, key: P256PrivateKey): Uint8Array {
  if (signerKeyId.length !== CMS_SIGNER_KEY_ID_BYTES) {
    throw new RangeError(`signer key id must be ${CMS_SIGNER_KEY_ID_BYTES} bytes, got ${signerKeyId.length}`);
  }
  const sha256 = derSequence(derOid(OID.sha256));
  const signature = crypto.ecdsaSignDer(key, content);
  const signerInfo = derSequence(
    derInteger(BigInt(CMS_VERSION)),
    derContext(0, signerKeyId, false),
    sha256,
    derSequence(derOid(OID.ecdsaWithSHA256)),
    derOctetString(signature),
  );
  const signedData = derSequence(
    derInteger(BigInt(CMS_VERSION)),
    derSet(sha256),
    derSequence(derOid(OID.data), derContext(0, derOctetString(content))),
    derSet(signerInfo),
  );
  return derSequence(derOid(OID.signedData), derContext(0, signedData));
}

function fail(code: ErrorCode, message: string, path: string, offset?: number): never {
  throw new MalformedError(code, message, offset === undefined ? { path } : { path, offset });
}

/** Reads AlgorithmIdentifier sha256; parameters absent or NULL (RFC 5754 §2: receivers MUST accept both). */
function readSha256(r: DerReader, path: string): void {
  const at = r.offset;
  const alg = r.sequence(path);
  const oid = alg.oid(`${path}/algorithm`);
  if (oid !== OID.sha256) fail("cms.digest-algorithm", `digest algorithm ${oid} is not sha256`, path, at);
  if (!alg.done) alg.null(`${path}/parameters`);
  alg.expectEnd(path);
}

/** Parses a DER ContentInfo{SignedData} strictly against the Matter profile; does not verify the signature. */
export function parseCmsSignedData(der: Uint8Array): CmsSignedData {
  const top = new DerReader(der);
  const ci = top.sequence("cms");
  top.expectEnd("cms");
  const contentType = ci.oid("cms/contentType");
  if (contentType !== OID.signedData) fail("cms.content-type", `content type ${contentType} is not signedData`, "cms");
  const explicit = ci.contextTag(0, "cms/content");
  ci.expectEnd("cms");
  const sd = explicit.sequence("cms/signedData");
  explicit.expectEnd("cms/content");

  const vAt = sd.offset;
  const version = sd.smallUint("cms/signedData/version");
  if (version !== CMS_VERSION) fail("cms.version", `SignedData version ${version} is not 3`, "cms/signedData", vAt);
  const digests = sd.set("cms/signedData/digestAlgorithms");
  readSha256(digests, "cms/signedData/digestAlgorithms/0");
  // Matter profile: exactly one digest algorithm.
  if (!digests.done) fail("cms.digest-algorithm", "more than one digest algorithm", "cms/signedData/digestAlgorithms");

  const eci = sd.sequence("cms/signedData/encapContentInfo");
  const eContentType = eci.oid("cms/signedData/encapContentInfo/eContentType");
  if (eContentType !== OID.data) {
    fail("cms.content-type", `eContentType ${eContentType} is not id-data`, "cms/signedData/encapContentInfo");
  }
  const wrapped = eci.optionalContextTag(0, "cms/signedData/encapContentInfo/eContent");
  if (wrapped === undefined) fail("cms.content", "detached content (no eContent)", "cms/signedData/encapContentInfo");
  const eContent = wrapped.octetString("cms/signedData/encapContentInfo/eContent");
  wrapped.expectEnd("cms/signedData/encapContentInfo/eContent");
  eci.expectEnd("cms/signedData/encapContentInfo");

  // Matter profile: no certificates [0] and no crls [1].
  const next = sd.peekTag();
  if (next === 0xa0) fail("cms.certificates", "embedded certificates are not allowed", "cms/signedData", sd.offset);
  if (next === 0xa1) fail("cms.certificates", "embedded CRLs are not allowed", "cms/signedData", sd.offset);

  const infos = sd.set("cms/signedData/signerInfos");
  sd.expectEnd("cms/signedData");
  if (infos.done) fail("cms.signer-infos", "no SignerInfo", "cms/signedData/signerInfos");
  const si = infos.sequence("cms/signedData/signerInfos/0");
  if (!infos.done) fail("cms.signer-infos", "more than one SignerInfo", "cms/signedData/signerInfos");

  const p = "cms/signedData/signerInfos/0";
  const siAt = si.offset;
  const siVersion = si.smallUint(`${p}/version`);
  // RFC 5652 §5.3: version 3 when sid is subjectKeyIdentifier.
  if (siVersion !== CMS_VERSION) fail("cms.version", `SignerInfo version ${siVersion} is not 3`, p, siAt);
  const sidAt = si.offset;
  if (si.peekTag() !== 0x80) fail("cms.sid", "sid is not subjectKeyIdentifier [0]", `${p}/sid`, sidAt);
  const signerKeyId = si.implicitPrimitive(0, `${p}/sid`);
  if (signerKeyId.length !== CMS_SIGNER_KEY_ID_BYTES) {
    fail("cms.sid", `subjectKeyIdentifier is ${signerKeyId.length} bytes, not 20`, `${p}/sid`, sidAt);
  }
  readSha256(si, `${p}/digestAlgorithm`);
  if (si.peekTag() === 0xa0) fail("cms.signed-attributes", "signed attributes are not allowed", p, si.offset);
  const algAt = si.offset;
  const alg = si.sequence(`${p}/signatureAlgorithm`);
  const sigOid = alg.oid(`${p}/signatureAlgorithm/algorithm`);
  alg.expectEnd(`${p}/signatureAlgorithm`);
  if (sigOid !== OID.ecdsaWithSHA256) {
    fail("cms.signature-algorithm", `signature algorithm ${sigOid} is not ecdsa-with-SHA256`, p, algAt);
  }
  const sigTlv = si.expect(DerTag.octetString, `${p}/signature`, "OCTET STRING");
  derToRawSignature(sigTlv.content);
  if (si.peekTag() === 0xa1) fail("cms.unsigned-attributes", "unsigned attributes are not allowed", p, si.offset);
  si.expectEnd(p);
  return { raw: der, eContent, signerKeyId, signature: sigTlv.content };
}

/**
 * Verifies a Matter-profile CMS SignedData with the signer's public key and returns the eContent. When
 * `expectedSignerKeyId` is given, the sid must equal it (`cms.signer-key-id`); a bad signature is `cms.signature`.
 */
export function cmsVerify(
  crypto: Crypto,
  der: Uint8Array,
  signerPublicKey: P256PublicKey,
  expectedSignerKeyId?: Uint8Array,
): Uint8Array {
  const cms = parseCmsSignedData(der);
  if (expectedSignerKeyId !== undefined && !bytesEqual(cms.signerKeyId, expectedSignerKeyId)) {
    throw new ValidationError("cms.signer-key-id", "the SignerInfo subjectKeyIdentifier is not the signer's");
  }
  if (!crypto.ecdsaVerify(signerPublicKey, cms.eContent, derToRawSignature(cms.signature))) {
    throw new ValidationError("cms.signature", "the CMS signature does not verify with the signer key");
  }
  return cms.eContent;
}
