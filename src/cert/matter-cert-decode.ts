import { type ErrorCode, MalformedError } from "../bytes/errors.ts";
import { isPrintableString } from "../der/der-reader.ts";
import { decodeTlv } from "../tlv/tlv-decoder.ts";
import { minimalUIntWidth } from "../tlv/tlv-encoder.ts";
import { type TlvNode, tagToString } from "../tlv/tlv-node.ts";
import { DN_PRINTABLE_STRING_FLAG, type DnAttribute, dnTypeOfTag, isDnMatterIdType, MAX_DN_ATTRIBUTES } from "./dn.ts";
import {
  EXTENSION_TAG,
  KEY_IDENTIFIER_BYTES,
  KEY_USAGE_ALL,
  type MatterCertExtension,
  parseFutureExtension,
} from "./extensions.ts";
import {
  CERT_TAG,
  describeMatterCert,
  ECDSA_RAW_SIGNATURE_BYTES,
  MATTER_CURVE_PRIME256V1,
  MATTER_PUBLIC_KEY_ALGORITHM_EC,
  MATTER_SIGNATURE_ALGORITHM_ECDSA_SHA256,
  MAX_CERT_SERIAL_DECODE_BYTES,
  MAX_CERT_TLV_BYTES,
  type MatterCert,
} from "./matter-cert.ts";
import { MAX_MATTER_EPOCH_S } from "./matter-epoch.ts";
import { P256_UNCOMPRESSED_KEY_BYTES } from "./x509.ts";

/** An error path; an indexed one (`base[index]suffix`) is only formatted when a check fails. */
type LazyPath = string | { readonly base: LazyPath; readonly index?: number; readonly suffix?: string };

function fail(code: ErrorCode, message: string, lazyPath: LazyPath, node?: TlvNode): never {
  const path = pathText(lazyPath);
  throw new MalformedError(code, message, node?.offset === undefined ? { path } : { path, offset: node.offset });
}

function pathText(path: LazyPath): string {
  if (typeof path === "string") return path;
  return `${pathText(path.base)}${path.index === undefined ? "" : `[${path.index}]`}${path.suffix ?? ""}`;
}

function expectContextTag(node: TlvNode, id: number, path: LazyPath): void {
  if (node.tag.form !== "context" || node.tag.id !== id) {
    fail("cert.tag", `expected context tag ${id}, got ${tagToString(node.tag)}`, path, node);
  }
}

function uintOf(node: TlvNode, max: bigint, path: LazyPath): bigint {
  if (node.type !== "uint") fail("cert.type", `expected an unsigned integer, got ${node.type}`, path, node);
  if (node.value > max) fail("cert.value", `${node.value} exceeds ${max}`, path, node);
  return node.value;
}

/**
 * A DN attribute integer in its minimal TLV width. [DIFF] The SDK's reader takes any width; the DER (and so the
 * signature) does not show the width, so a wider copy would be a second valid encoding of one certificate. We refuse
 * it, which keeps "same certificate" equal to "same TLV bytes" wherever certificates are stored and compared.
 */
function dnUintOf(node: TlvNode, max: bigint, path: LazyPath): bigint {
  const value = uintOf(node, max, path);
  if (node.type === "uint" && node.width !== undefined && node.width !== minimalUIntWidth(value)) {
    fail(
      "cert.non-minimal-int",
      `${node.width}-byte integer where the minimal width is ${minimalUIntWidth(value)}`,
      path,
      node,
    );
  }
  return value;
}

function bytesOf(node: TlvNode, path: LazyPath): Uint8Array {
  if (node.type !== "bytes") fail("cert.type", `expected an octet string, got ${node.type}`, path, node);
  return node.value;
}

function elementsOf(node: TlvNode, type: "struct" | "list" | "array", path: LazyPath): TlvNode[] {
  if (node.type !== type) fail("cert.type", `expected a ${type}, got ${node.type}`, path, node);
  return node.elements;
}

function decodeDn(node: TlvNode, path: LazyPath): DnAttribute[] {
  const elements = elementsOf(node, "list", path);
  if (elements.length === 0) fail("cert.dn-empty", "empty distinguished name", path, node);
  if (elements.length > MAX_DN_ATTRIBUTES) {
    fail("cert.dn-too-long", `${elements.length} attributes (max ${MAX_DN_ATTRIBUTES})`, path, node);
  }
  return elements.map((el, i): DnAttribute => {
    const p: LazyPath = { base: path, index: i };
    if (el.tag.form !== "context") fail("cert.tag", `DN attribute with ${tagToString(el.tag)} tag`, p, el);
    const printable = (el.tag.id & DN_PRINTABLE_STRING_FLAG) !== 0;
    const type = dnTypeOfTag(el.tag.id & ~DN_PRINTABLE_STRING_FLAG);
    if (type === undefined) fail("cert.tag", `unknown DN attribute tag ${el.tag.id}`, p, el);
    if (type === "matterCaseAuthTag" || isDnMatterIdType(type)) {
      // Matter attributes are integers; their X.509 form is always a UTF8String of hex digits.
      if (printable) fail("cert.tag", `${type} cannot be a PrintableString`, p, el);
      if (type === "matterCaseAuthTag") return { type, value: Number(dnUintOf(el, 0xffff_ffffn, p)) };
      return { type, value: dnUintOf(el, 0xffff_ffff_ffff_ffffn, p) };
    }
    if (el.type !== "utf8") fail("cert.type", `expected a UTF-8 string, got ${el.type}`, p, el);
    if (printable && !isPrintableString(el.value)) {
      fail("cert.dn-printable", "value outside the PrintableString alphabet", p, el);
    }
    return { type, value: el.value, printable };
  });
}

function decodeSerial(node: TlvNode, path: LazyPath): Uint8Array {
  const s = bytesOf(node, path);
  // The TLV holds the DER INTEGER content octets: they must be a minimal encoding to rebuild the signed DER.
  if (s.length === 0 || s.length > MAX_CERT_SERIAL_DECODE_BYTES) {
    fail("cert.serial", `serial number of ${s.length} bytes`, path, node);
  }
  if (s.length > 1 && ((s[0] === 0 && (s[1]! & 0x80) === 0) || (s[0] === 0xff && (s[1]! & 0x80) !== 0))) {
    fail("cert.serial", "serial number is not a minimal INTEGER", path, node);
  }
  return s;
}

function decodeExtension(el: TlvNode, path: LazyPath): MatterCertExtension {
  if (el.tag.form !== "context") fail("cert.tag", `extension with ${tagToString(el.tag)} tag`, path, el);
  switch (el.tag.id) {
    case EXTENSION_TAG.basicConstraints: {
      const parts = elementsOf(el, "struct", path);
      const first = parts[0];
      if (first === undefined) fail("cert.missing-element", "basic constraints without is-ca", path, el);
      if (first.tag.form !== "context" || first.tag.id !== 1 || first.type !== "bool") {
        expectContextTag(first, 1, `${pathText(path)}/isCa`);
        fail("cert.type", `expected a boolean, got ${first.type}`, `${pathText(path)}/isCa`, first);
      }
      const isCa = first.value;
      if (parts.length === 1) return { type: "basicConstraints", isCa };
      const second = parts[1]!;
      expectContextTag(second, 2, { base: path, suffix: "/pathLenConstraint" });
      if (parts.length > 2) fail("cert.tag", "unexpected element in basic constraints", path, parts[2]);
      // RFC 5280 4.2.1.9: pathLenConstraint is meaningful only when cA is set.
      if (!isCa) fail("cert.basic-constraints", "path length constraint on a non-CA", path, second);
      return { type: "basicConstraints", isCa, pathLenConstraint: Number(uintOf(second, 0xffn, path)) };
    }
    case EXTENSION_TAG.keyUsage: {
      const keyUsage = Number(uintOf(el, 0xffffn, path));
      if (keyUsage === 0 || keyUsage > KEY_USAGE_ALL)
        fail("cert.key-usage", `key usage 0x${keyUsage.toString(16)}`, path, el);
      return { type: "keyUsage", keyUsage };
    }
    case EXTENSION_TAG.extendedKeyUsage: {
      const items = elementsOf(el, "array", path);
      if (items.length === 0) fail("cert.key-purpose", "empty extended key usage", path, el);
      const keyPurposes = items.map((item, i) => {
        const p: LazyPath = { base: path, index: i };
        const v = Number(uintOf(item, 0xffn, p));
        if (v < 1 || v > 6) fail("cert.key-purpose", `unknown key purpose ${v}`, p, item);
        return v;
      });
      return { type: "extendedKeyUsage", keyPurposes };
    }
    case EXTENSION_TAG.subjectKeyId:
    case EXTENSION_TAG.authorityKeyId: {
      const keyId = bytesOf(el, path);
      if (keyId.length !== KEY_IDENTIFIER_BYTES) {
        fail("cert.key-id-length", `key identifier of ${keyId.length} bytes (not 20)`, path, el);
      }
      return { type: el.tag.id === EXTENSION_TAG.subjectKeyId ? "subjectKeyId" : "authorityKeyId", keyId };
    }
    case EXTENSION_TAG.future: {
      const der = bytesOf(el, path);
      parseFutureExtension(der, pathText(path));
      return { type: "future", der };
    }
    default:
      fail("cert.tag", `unknown extension tag ${el.tag.id}`, path, el);
  }
}

/** The element with context tag `id` of the certificate structure, which must sit at position `id - 1` (6.5.2). */
function certElement(els: readonly TlvNode[], id: number, name: string, root: TlvNode): TlvNode {
  const el = els[id - 1];
  if (el === undefined) fail("cert.missing-element", `missing ${name} (tag ${id})`, `cert/${name}`, root);
  if (el.tag.form !== "context" || el.tag.id !== id) expectContextTag(el, id, `cert/${name}`);
  return el;
}

/** Decodes a Matter TLV certificate strictly (Core spec 6.5.2); `raw` of the result is `tlv` itself. */
export function decodeMatterCert(tlv: Uint8Array): MatterCert {
  const path = "cert";
  if (tlv.length > MAX_CERT_TLV_BYTES) {
    throw new MalformedError("cert.too-large", `${tlv.length} bytes (max ${MAX_CERT_TLV_BYTES})`, { path });
  }
  const root = decodeTlv(tlv, { path, maxDepth: 4 });
  if (root.tag.form !== "anonymous") fail("cert.tag", "certificate structure must be anonymous", path, root);
  const els = elementsOf(root, "struct", path);
  const serialNumber = decodeSerial(certElement(els, CERT_TAG.serialNumber, "serialNumber", root), "cert/serialNumber");
  const sigAlgo = certElement(els, CERT_TAG.signatureAlgorithm, "signatureAlgorithm", root);
  if (uintOf(sigAlgo, 0xffn, "cert/signatureAlgorithm") !== BigInt(MATTER_SIGNATURE_ALGORITHM_ECDSA_SHA256)) {
    fail("cert.signature-algorithm", "only ecdsa-with-SHA256 (1) is defined", "cert/signatureAlgorithm", sigAlgo);
  }
  const issuer = decodeDn(certElement(els, CERT_TAG.issuer, "issuer", root), "cert/issuer");
  const maxTime = BigInt(MAX_MATTER_EPOCH_S);
  const notBefore = Number(uintOf(certElement(els, CERT_TAG.notBefore, "notBefore", root), maxTime, "cert/notBefore"));
  const notAfter = Number(uintOf(certElement(els, CERT_TAG.notAfter, "notAfter", root), maxTime, "cert/notAfter"));
  const subject = decodeDn(certElement(els, CERT_TAG.subject, "subject", root), "cert/subject");
  const pkAlgo = certElement(els, CERT_TAG.publicKeyAlgorithm, "publicKeyAlgorithm", root);
  if (uintOf(pkAlgo, 0xffn, "cert/publicKeyAlgorithm") !== BigInt(MATTER_PUBLIC_KEY_ALGORITHM_EC)) {
    fail("cert.public-key-algorithm", "only id-ecPublicKey (1) is defined", "cert/publicKeyAlgorithm", pkAlgo);
  }
  const curve = certElement(els, CERT_TAG.ellipticCurve, "ellipticCurve", root);
  if (uintOf(curve, 0xffn, "cert/ellipticCurve") !== BigInt(MATTER_CURVE_PRIME256V1)) {
    fail("cert.curve", "only prime256v1 (1) is defined", "cert/ellipticCurve", curve);
  }
  const pkNode = certElement(els, CERT_TAG.publicKey, "publicKey", root);
  const publicKey = bytesOf(pkNode, "cert/publicKey");
  if (publicKey.length !== P256_UNCOMPRESSED_KEY_BYTES || publicKey[0] !== 0x04) {
    fail("cert.public-key", "public key is not a 65-byte uncompressed point", "cert/publicKey", pkNode);
  }
  const extNode = certElement(els, CERT_TAG.extensions, "extensions", root);
  const extElements = elementsOf(extNode, "list", "cert/extensions");
  if (extElements.length === 0) fail("cert.extensions", "empty extension list", "cert/extensions", extNode);
  const extensions = extElements.map((el, k) => decodeExtension(el, { base: "cert/extensions", index: k }));
  const sigNode = certElement(els, CERT_TAG.signature, "signature", root);
  const signature = bytesOf(sigNode, "cert/signature");
  if (signature.length !== ECDSA_RAW_SIGNATURE_BYTES) {
    fail("cert.signature", `signature of ${signature.length} bytes (not 64)`, "cert/signature", sigNode);
  }
  const extra = els[CERT_TAG.signature];
  if (extra !== undefined) fail("cert.tag", `unexpected element ${tagToString(extra.tag)}`, path, extra);
  return describeMatterCert(
    { serialNumber, issuer, notBefore, notAfter, subject, publicKey, extensions, signature },
    tlv.slice(),
  );
}
