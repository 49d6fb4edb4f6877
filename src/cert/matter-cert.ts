/**
 * Matter operational certificates (Core spec 6.5, "Matter Certificate" TLV encoding) and their X.509 form. The TLV is
 * decoded strictly in the fixed element order of 6.5.2, keeping the received bytes; the DER TBSCertificate the
 * signature covers is rebuilt from it byte-exact (6.5.12/6.5.13), and DER -> TLV accepts only what converts back.
 */
import { MalformedError } from "../bytes/errors.ts";
import type { Dn } from "./dn.ts";
import { type FutureExtensionInfo, type MatterCertExtension, parseFutureExtension } from "./extensions.ts";

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
function certKindOfSubject(subject: Dn): MatterCertKind {
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

/** Bit of each native extension type in the duplicate check of `describeMatterCert`. */
const NATIVE_EXTENSION_BIT = {
  basicConstraints: 1,
  keyUsage: 2,
  extendedKeyUsage: 4,
  subjectKeyId: 8,
  authorityKeyId: 16,
} as const;

/** Adds the derived views (kind, ids, extension shortcuts) to `fields`; throws on duplicate native extensions. */
export function describeMatterCert(fields: MatterCertFields, raw: Uint8Array): MatterCert {
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
