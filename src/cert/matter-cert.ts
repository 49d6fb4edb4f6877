/**
 * Matter operational certificates (Core spec 6.5, "Matter Certificate" TLV encoding) and their X.509 form. The TLV is
 * decoded strictly in the fixed element order of 6.5.2, keeping the received bytes; the DER TBSCertificate the
 * signature covers is rebuilt from it byte-exact (6.5.12/6.5.13), and DER -> TLV accepts only what converts back.
 */
import { bytesEqual } from "../bytes/bytes.ts";
import { InternalError, MalformedError } from "../bytes/errors.ts";
import { derToRawSignature, rawToDerSignature } from "../crypto/ecdsa-signature.ts";
import { DerTag } from "../der/der-reader.ts";
import { type DerNode, encodeDer } from "../der/der-writer.ts";
import { decodeTlv } from "../tlv/tlv-decoder.ts";
import { minimalUIntWidth } from "../tlv/tlv-encoder.ts";
import { ANONYMOUS, ctx, type TlvNode, tagToString } from "../tlv/tlv-node.ts";
import {
  DN_ATTRIBUTE_TYPES,
  DN_PRINTABLE_STRING_FLAG,
  type Dn,
  type DnAttribute,
  dnTypeOfOid,
  dnTypeOfTag,
  isDnMatterIdType,
  isPrintableString,
  MAX_DN_ATTRIBUTES,
  matterAttributeText,
  parseMatterAttributeText,
} from "./dn.ts";
import {
  EXTENSION_TAG,
  extensionFromDer,
  extensionToDerNode,
  type FutureExtensionInfo,
  KEY_IDENTIFIER_BYTES,
  KEY_USAGE_ALL,
  type MatterCertExtension,
  parseFutureExtension,
} from "./extensions.ts";
import { MAX_MATTER_EPOCH_S, matterTimeToDer, x509TimeToMatter } from "./matter-epoch.ts";
import {
  P256_UNCOMPRESSED_KEY_BYTES,
  parseX509,
  type Rdn,
  tbsCertificateNode,
  x509CertificateNode,
  x509NameNode,
} from "./x509.ts";

/** Largest Matter TLV certificate (SDK kMaxCHIPCertLength; NOCValue/ICACValue/RootCACertificate <= 400). */
export const MAX_CERT_TLV_BYTES = 400;
/** Largest X.509 DER certificate (SDK kMaxDERCertLength). */
export const MAX_CERT_DER_BYTES = 600;
/** Largest serial number RFC 5280 allows, in INTEGER content octets. */
export const MAX_CERT_SERIAL_BYTES = 20;
/**
 * Largest serial number the decoders accept: one more than RFC 5280 so that a 20-byte value with its sign octet can be
 * read and reported (validation rule `cert.serial-length`, deviation `allow21ByteSerial`).
 */
export const MAX_CERT_SERIAL_DECODE_BYTES = 21;
/** Raw ECDSA P-256 signature length, r || s. */
export const ECDSA_RAW_SIGNATURE_BYTES = 64;
/** TLV sig-algo / pub-key-algo / ec-curve-id values (Core spec 6.5.8-6.5.10): the only ones defined. */
export const MATTER_SIGNATURE_ALGORITHM_ECDSA_SHA256 = 1;
export const MATTER_PUBLIC_KEY_ALGORITHM_EC = 1;
export const MATTER_CURVE_PRIME256V1 = 1;

/** TLV context tags of the certificate structure, in the order they must appear (Core spec 6.5.2). */
export const CERT_TAG = {
  serialNumber: 1,
  signatureAlgorithm: 2,
  issuer: 3,
  notBefore: 4,
  notAfter: 5,
  subject: 6,
  publicKeyAlgorithm: 7,
  ellipticCurve: 8,
  publicKey: 9,
  extensions: 10,
  signature: 11,
} as const;

/**
 * Certificate type from the subject DN (SDK ChipDN::GetCertType): exactly one of RCAC/ICAC/node/firmware-signing id;
 * `network-identity` is the Matter 1.3+ per-device-credential client identity (subject CN="*", Core spec 11.x PDC);
 * `unspecified` has none; `ambiguous` has more than one (invalid for every use).
 */
export type MatterCertKind =
  | "rcac"
  | "icac"
  | "noc"
  | "firmware-signing"
  | "network-identity"
  | "unspecified"
  | "ambiguous";

/** What a Matter certificate encodes, in TLV element order. */
export type MatterCertFields = {
  /** DER INTEGER content octets (minimal two's complement). */
  readonly serialNumber: Uint8Array;
  readonly issuer: Dn;
  /** Matter-epoch seconds. */
  readonly notBefore: number;
  /** Matter-epoch seconds; 0 = no well-defined expiration. */
  readonly notAfter: number;
  readonly subject: Dn;
  /** Uncompressed P-256 point, 65 bytes. */
  readonly publicKey: Uint8Array;
  readonly extensions: readonly MatterCertExtension[];
  /** Raw r || s, 64 bytes, over the DER TBSCertificate. */
  readonly signature: Uint8Array;
};

/** A decoded Matter certificate: its fields, the bytes it came from, and what the subject and extensions say. */
export type MatterCert = MatterCertFields & {
  /** The TLV bytes as received (or as encoded). */
  readonly raw: Uint8Array;
  readonly kind: MatterCertKind;
  /** The subject's node id, when there is exactly one. */
  readonly nodeId?: bigint;
  /** The subject's fabric id, when there is exactly one. */
  readonly fabricId?: bigint;
  /** The subject's CASE Authenticated Tags, in order. */
  readonly cats: readonly number[];
  readonly basicConstraints?: { readonly isCa: boolean; readonly pathLenConstraint?: number };
  readonly keyUsage?: number;
  readonly extendedKeyUsage?: readonly number[];
  readonly subjectKeyId?: Uint8Array;
  readonly authorityKeyId?: Uint8Array;
  readonly futureExtensions: readonly (FutureExtensionInfo & { readonly der: Uint8Array })[];
};

const CERT_SUBJECT_ID_KIND: Record<string, MatterCertKind> = {
  matterRcacId: "rcac",
  matterIcacId: "icac",
  matterNodeId: "noc",
  matterFirmwareSigningId: "firmware-signing",
};

/** The certificate type of a subject DN (Core spec 6.5.6.1; SDK ChipDN::GetCertType). */
export function certKindOfSubject(subject: Dn): MatterCertKind {
  // Repeating the same id type is a subject rule (e.g. noc.subject.node-id-duplicate), not a type ambiguity.
  let kind: MatterCertKind | undefined;
  for (const a of subject) {
    const k = CERT_SUBJECT_ID_KIND[a.type];
    if (k === undefined || k === kind) continue;
    if (kind !== undefined) return "ambiguous";
    kind = k;
  }
  if (kind !== undefined) return kind;
  const only = subject[0];
  if (subject.length === 1 && only?.type === "commonName" && only.value === "*") return "network-identity";
  return "unspecified";
}

/** Bit of each native extension type in the duplicate check of `describe`. */
const NATIVE_EXTENSION_BIT = {
  basicConstraints: 1,
  keyUsage: 2,
  extendedKeyUsage: 4,
  subjectKeyId: 8,
  authorityKeyId: 16,
} as const;

/** Adds the derived views (kind, ids, extension shortcuts) to `fields`; throws on duplicate native extensions. */
function describe(fields: MatterCertFields, raw: Uint8Array): MatterCert {
  let nodeId: bigint | undefined;
  let nodeIds = 0;
  let fabricId: bigint | undefined;
  let fabricIds = 0;
  const cats: number[] = [];
  for (const a of fields.subject) {
    if (a.type === "matterNodeId") {
      nodeId = a.value;
      nodeIds++;
    } else if (a.type === "matterFabricId") {
      fabricId = a.value;
      fabricIds++;
    } else if (a.type === "matterCaseAuthTag") cats.push(a.value);
  }
  const out: {
    -readonly [K in keyof MatterCert]?: MatterCert[K];
  } = {
    serialNumber: fields.serialNumber,
    issuer: fields.issuer,
    notBefore: fields.notBefore,
    notAfter: fields.notAfter,
    subject: fields.subject,
    publicKey: fields.publicKey,
    extensions: fields.extensions,
    signature: fields.signature,
    raw,
    kind: certKindOfSubject(fields.subject),
    cats,
    futureExtensions: [],
  };
  if (nodeIds === 1) out.nodeId = nodeId!;
  if (fabricIds === 1) out.fabricId = fabricId!;
  const future: (FutureExtensionInfo & { der: Uint8Array })[] = [];
  let seen = 0;
  for (let i = 0; i < fields.extensions.length; i++) {
    const ext = fields.extensions[i]!;
    if (ext.type === "future") {
      const path = `cert/extensions[${i}]`;
      const info = parseFutureExtension(ext.der, path);
      if (future.some((f) => f.oid === info.oid)) {
        throw new MalformedError("cert.duplicate-extension", `extension ${info.oid} appears twice`, { path });
      }
      future.push({ ...info, der: ext.der });
      continue;
    }
    const bit = NATIVE_EXTENSION_BIT[ext.type];
    if ((seen & bit) !== 0) {
      throw new MalformedError("cert.duplicate-extension", `${ext.type} appears twice`, {
        path: `cert/extensions[${i}]`,
      });
    }
    seen |= bit;
    switch (ext.type) {
      case "basicConstraints":
        out.basicConstraints =
          ext.pathLenConstraint === undefined
            ? { isCa: ext.isCa }
            : { isCa: ext.isCa, pathLenConstraint: ext.pathLenConstraint };
        break;
      case "keyUsage":
        out.keyUsage = ext.keyUsage;
        break;
      case "extendedKeyUsage":
        out.extendedKeyUsage = ext.keyPurposes;
        break;
      case "subjectKeyId":
        out.subjectKeyId = ext.keyId;
        break;
      case "authorityKeyId":
        out.authorityKeyId = ext.keyId;
        break;
    }
  }
  out.futureExtensions = future;
  return out as MatterCert;
}

// ---------------------------------------------------------------------------------------------------------------
// TLV decoding: one strict walk over the element tree.

/** An error path; an indexed one (`base[index]suffix`) is only formatted when a check fails. */
type LazyPath = string | { readonly base: LazyPath; readonly index?: number; readonly suffix?: string };

function fail(code: string, message: string, lazyPath: LazyPath, node?: TlvNode): never {
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
  return describe(
    { serialNumber, issuer, notBefore, notAfter, subject, publicKey, extensions, signature },
    tlv.slice(),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// TLV encoding.

function dnToTlv(dn: Dn, tag: number): TlvNode {
  return {
    tag: ctx(tag),
    type: "list",
    elements: dn.map((a): TlvNode => {
      const id = DN_ATTRIBUTE_TYPES[a.type].tag;
      if (a.type === "matterCaseAuthTag") return { tag: ctx(id), type: "uint", value: BigInt(a.value) };
      if (isDnMatterIdType(a.type)) return { tag: ctx(id), type: "uint", value: a.value as bigint };
      const s = a as Extract<DnAttribute, { printable: boolean }>;
      return { tag: ctx(s.printable ? id | DN_PRINTABLE_STRING_FLAG : id), type: "utf8", value: s.value };
    }),
  };
}

function extensionToTlv(ext: MatterCertExtension): TlvNode {
  const tag = ctx(EXTENSION_TAG[ext.type]);
  switch (ext.type) {
    case "basicConstraints":
      return {
        tag,
        type: "struct",
        elements: [
          { tag: ctx(1), type: "bool", value: ext.isCa },
          ...(ext.pathLenConstraint === undefined
            ? []
            : [{ tag: ctx(2), type: "uint", value: BigInt(ext.pathLenConstraint) } as TlvNode]),
        ],
      };
    case "keyUsage":
      return { tag, type: "uint", value: BigInt(ext.keyUsage) };
    case "extendedKeyUsage":
      return {
        tag,
        type: "array",
        elements: ext.keyPurposes.map((p): TlvNode => ({ tag: ANONYMOUS, type: "uint", value: BigInt(p) })),
      };
    case "subjectKeyId":
    case "authorityKeyId":
      return { tag, type: "bytes", value: ext.keyId };
    case "future":
      return { tag, type: "bytes", value: ext.der };
  }
}

function u(id: number, v: number | bigint): TlvNode {
  return { tag: ctx(id), type: "uint", value: BigInt(v) };
}

function b(id: number, v: Uint8Array): TlvNode {
  return { tag: ctx(id), type: "bytes", value: v };
}

/** The TLV element tree of `fields` (minimal integer widths, SDK order), as the generic TLV encoder takes it. */
export function matterCertTlvNode(fields: MatterCertFields): TlvNode {
  return {
    tag: ANONYMOUS,
    type: "struct",
    elements: [
      b(CERT_TAG.serialNumber, fields.serialNumber),
      u(CERT_TAG.signatureAlgorithm, MATTER_SIGNATURE_ALGORITHM_ECDSA_SHA256),
      dnToTlv(fields.issuer, CERT_TAG.issuer),
      u(CERT_TAG.notBefore, fields.notBefore),
      u(CERT_TAG.notAfter, fields.notAfter),
      dnToTlv(fields.subject, CERT_TAG.subject),
      u(CERT_TAG.publicKeyAlgorithm, MATTER_PUBLIC_KEY_ALGORITHM_EC),
      u(CERT_TAG.ellipticCurve, MATTER_CURVE_PRIME256V1),
      b(CERT_TAG.publicKey, fields.publicKey),
      { tag: ctx(CERT_TAG.extensions), type: "list", elements: fields.extensions.map(extensionToTlv) },
      b(CERT_TAG.signature, fields.signature),
    ],
  };
}

/** Control octets of the elements a certificate uses (Core spec A.7): context tag control 1, or anonymous. */
const TLV = {
  anonymousStruct: 0x15,
  anonymousUint: 0x04,
  contextUint: 0x24,
  contextFalse: 0x28,
  contextTrue: 0x29,
  contextUtf8: 0x2c,
  contextBytes: 0x30,
  contextStruct: 0x35,
  contextArray: 0x36,
  contextList: 0x37,
  end: 0x18,
} as const;

const utf8Encoder = new TextEncoder();
// A lone UTF-16 surrogate has no UTF-8 form; TextEncoder would silently replace it with U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Writes (or, without `out`, only measures) the TLV of one certificate straight from its fields, with the rules of
 * `encodeTlv` on the same tree (`matterCertTlvNode`): minimal widths, uint range, UTF-8 without lone surrogates.
 */
class CertTlvWriter {
  readonly out: Uint8Array | undefined;
  at = 0;

  constructor(out: Uint8Array | undefined) {
    this.out = out;
  }

  byte(v: number): void {
    if (this.out !== undefined) this.out[this.at] = v;
    this.at++;
  }

  /** An unsigned integer element with the minimal width (type 0x04..0x07 added to `control`). */
  uint(control: number, tag: number | undefined, value: number | bigint): void {
    let low: number;
    let high = 0;
    if (typeof value === "bigint") {
      if (value < 0n) throw new RangeError(`uint value is negative: ${value}`);
      if (value > 0xffffffffffffffffn) throw new RangeError("uint exceeds 64 bits");
      low = Number(value & 0xffffffffn);
      high = Number(value >> 32n);
    } else {
      if (!Number.isInteger(value)) BigInt(value); // the RangeError BigInt() gives for fractions, NaN, infinities
      if (value < 0) throw new RangeError(`uint value is negative: ${value}`);
      if (value > 0xffffffff) {
        this.uint(control, tag, BigInt(value));
        return;
      }
      low = value;
    }
    const width = high !== 0 ? 8 : low <= 0xff ? 1 : low <= 0xffff ? 2 : 4;
    this.byte(control + (width === 1 ? 0 : width === 2 ? 1 : width === 4 ? 2 : 3));
    if (tag !== undefined) this.byte(tag);
    for (let i = 0; i < width && i < 4; i++) this.byte((low >>> (8 * i)) & 0xff);
    for (let i = 0; i < width - 4; i++) this.byte((high >>> (8 * i)) & 0xff);
  }

  /** Length-prefixed element (bytes or UTF-8) with a context tag; `base` is 0x30 (bytes) or 0x2c (UTF-8). */
  #lengthPrefixed(base: number, tag: number, length: number): void {
    const width = length <= 0xff ? 1 : length <= 0xffff ? 2 : 4;
    this.byte(base + (width === 1 ? 0 : width === 2 ? 1 : 2));
    this.byte(tag);
    for (let i = 0; i < width; i++) this.byte(Math.floor(length / 2 ** (8 * i)) & 0xff);
  }

  bytes(tag: number, value: Uint8Array): void {
    if (!(value instanceof Uint8Array)) throw new TypeError("bytes value must be a Uint8Array");
    this.#lengthPrefixed(TLV.contextBytes, tag, value.length);
    if (this.out !== undefined) this.out.set(value, this.at);
    this.at += value.length;
  }

  utf8(tag: number, value: string): void {
    if (typeof value !== "string") throw new TypeError("utf8 value must be a string");
    let ascii = true;
    for (let i = 0; i < value.length; i++) {
      if (value.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      this.#lengthPrefixed(TLV.contextUtf8, tag, value.length);
      if (this.out !== undefined) for (let i = 0; i < value.length; i++) this.out[this.at + i] = value.charCodeAt(i);
      this.at += value.length;
      return;
    }
    if (LONE_SURROGATE.test(value)) throw new RangeError("utf8 value contains a lone surrogate");
    const encoded = utf8Encoder.encode(value);
    this.#lengthPrefixed(TLV.contextUtf8, tag, encoded.length);
    if (this.out !== undefined) this.out.set(encoded, this.at);
    this.at += encoded.length;
  }

  dn(tag: number, dn: Dn): void {
    this.byte(TLV.contextList);
    this.byte(tag);
    for (const a of dn) {
      const id = DN_ATTRIBUTE_TYPES[a.type].tag;
      if (a.type === "matterCaseAuthTag" || isDnMatterIdType(a.type)) {
        this.uint(TLV.contextUint, id, a.value as number | bigint);
      } else {
        const s = a as Extract<DnAttribute, { printable: boolean }>;
        this.utf8(s.printable ? id | DN_PRINTABLE_STRING_FLAG : id, s.value);
      }
    }
    this.byte(TLV.end);
  }

  extension(ext: MatterCertExtension): void {
    const tag = EXTENSION_TAG[ext.type];
    switch (ext.type) {
      case "basicConstraints":
        this.byte(TLV.contextStruct);
        this.byte(tag);
        this.byte(ext.isCa ? TLV.contextTrue : TLV.contextFalse);
        this.byte(1);
        if (ext.pathLenConstraint !== undefined) this.uint(TLV.contextUint, 2, ext.pathLenConstraint);
        this.byte(TLV.end);
        return;
      case "keyUsage":
        this.uint(TLV.contextUint, tag, ext.keyUsage);
        return;
      case "extendedKeyUsage":
        this.byte(TLV.contextArray);
        this.byte(tag);
        for (const p of ext.keyPurposes) this.uint(TLV.anonymousUint, undefined, p);
        this.byte(TLV.end);
        return;
      case "subjectKeyId":
      case "authorityKeyId":
        this.bytes(tag, ext.keyId);
        return;
      case "future":
        this.bytes(tag, ext.der);
        return;
    }
  }

  cert(fields: MatterCertFields): void {
    this.byte(TLV.anonymousStruct);
    this.bytes(CERT_TAG.serialNumber, fields.serialNumber);
    this.uint(TLV.contextUint, CERT_TAG.signatureAlgorithm, MATTER_SIGNATURE_ALGORITHM_ECDSA_SHA256);
    this.dn(CERT_TAG.issuer, fields.issuer);
    this.uint(TLV.contextUint, CERT_TAG.notBefore, fields.notBefore);
    this.uint(TLV.contextUint, CERT_TAG.notAfter, fields.notAfter);
    this.dn(CERT_TAG.subject, fields.subject);
    this.uint(TLV.contextUint, CERT_TAG.publicKeyAlgorithm, MATTER_PUBLIC_KEY_ALGORITHM_EC);
    this.uint(TLV.contextUint, CERT_TAG.ellipticCurve, MATTER_CURVE_PRIME256V1);
    this.bytes(CERT_TAG.publicKey, fields.publicKey);
    this.byte(TLV.contextList);
    this.byte(CERT_TAG.extensions);
    for (const ext of fields.extensions) this.extension(ext);
    this.byte(TLV.end);
    this.bytes(CERT_TAG.signature, fields.signature);
    this.byte(TLV.end);
  }
}

/**
 * The Matter TLV encoding of `fields` (minimal integer widths, SDK order): the bytes `encodeTlv(matterCertTlvNode(f))`
 * gives, written straight from the fields after a sizing pass over the same code.
 */
export function encodeMatterCert(fields: MatterCertFields): Uint8Array {
  const sizing = new CertTlvWriter(undefined);
  sizing.cert(fields);
  const writer = new CertTlvWriter(new Uint8Array(sizing.at));
  writer.cert(fields);
  if (writer.at !== sizing.at) throw new InternalError(`certificate TLV is ${writer.at} bytes, planned ${sizing.at}`);
  return writer.out!;
}

/** Encodes `fields` and decodes the result: the way to get a checked MatterCert from fields built in code. */
export function buildMatterCert(fields: MatterCertFields): MatterCert {
  return decodeMatterCert(encodeMatterCert(fields));
}

// ---------------------------------------------------------------------------------------------------------------
// TLV -> X.509 DER.

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

// ---------------------------------------------------------------------------------------------------------------
// X.509 DER -> TLV.

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
  const cert = describe(fields, tlv);
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

/** True when both certificates have identical TLV bytes. */
export function sameMatterCert(a: MatterCert, b: MatterCert): boolean {
  return bytesEqual(a.raw, b.raw);
}

/** Internal consistency guard used by tests and the CA: the DER and TLV forms of `cert` convert into each other. */
export function assertRoundTrip(cert: MatterCert): void {
  if (!bytesEqual(derToMatterCert(matterCertToDer(cert)), encodeMatterCert(cert))) {
    throw new InternalError("Matter certificate does not round-trip through X.509");
  }
}
