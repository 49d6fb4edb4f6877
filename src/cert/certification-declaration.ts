/**
 * Certification Declaration (Core spec §6.3.1): the CD TLV, its CMS envelope signed by a CSA (or test) CD signing key,
 * and the device-attestation checks a commissioner applies to it (TC_DA_1_2, conformance doc §1.1 and §3.3).
 *
 * ```
 * certification-elements ::= anonymous STRUCTURE {
 *   format_version [0] : UNSIGNED INTEGER [ range 8-bits ]
 *   vendor_id [1] : UNSIGNED INTEGER [ range 16-bits ]
 *   product_id_array [2] : ARRAY [ length 1..100 ] OF UNSIGNED INTEGER [ range 16-bits ]
 *   device_type_id [3] : UNSIGNED INTEGER [ range 32-bits ]
 *   certificate_id [4] : STRING [ length 19 ]
 *   security_level [5] : UNSIGNED INTEGER [ range 8-bits ]
 *   security_information [6] : UNSIGNED INTEGER [ range 16-bits ]
 *   version_number [7] : UNSIGNED INTEGER [ range 16-bits ]
 *   certification_type [8] : UNSIGNED INTEGER [ range 8-bits ]
 *   dac_origin_vendor_id [9, optional] : UNSIGNED INTEGER [ range 16-bits ]
 *   dac_origin_product_id [10, optional] : UNSIGNED INTEGER [ range 16-bits ]
 *   authorized_paa_list [11, optional] : ARRAY [ length 1..10 ] OF OCTET STRING [ length 20 ]
 * }
 * ```
 */
import { bytesEqual } from "../bytes/bytes.ts";
import { MalformedError, ValidationError } from "../bytes/errors.ts";
import type { Crypto } from "../crypto/crypto.ts";
import type { P256PrivateKey, P256PublicKey } from "../crypto/p256.ts";
import { decodeTlv } from "../tlv/tlv-decoder.ts";
import { encodeTlv } from "../tlv/tlv-encoder.ts";
import { ANONYMOUS, ctx, type TlvNode } from "../tlv/tlv-node.ts";
import { cmsSign, cmsVerify, parseCmsSignedData } from "./cms.ts";

/** certificate_id is exactly 19 characters (e.g. "ZIG20142ZB330003-24"). */
const CD_CERTIFICATE_ID_LENGTH = 19;
/** product_id_array holds 1..100 product ids. */
const CD_MAX_PRODUCT_IDS = 100;
/** authorized_paa_list holds at most 10 key identifiers. */
const CD_MAX_AUTHORIZED_PAAS = 10;
/** Each authorized PAA is identified by its 20-byte subjectKeyIdentifier. */
const CD_KEY_ID_BYTES = 20;
/** The only format_version defined. */
export const CD_FORMAT_VERSION = 1;

/** certification_type values. */
export const CertificationType = { developmentAndTest: 0, provisional: 1, official: 2 } as const;
/** A certification_type value. */
export type CertificationType = (typeof CertificationType)[keyof typeof CertificationType];

/** The decoded CD content. Optional members are absent when the TLV omits them. */
export type CertificationDeclaration = {
  readonly formatVersion: number;
  readonly vendorId: number;
  readonly productIds: readonly number[];
  readonly deviceTypeId: number;
  readonly certificateId: string;
  readonly securityLevel: number;
  readonly securityInformation: number;
  readonly versionNumber: number;
  readonly certificationType: number;
  readonly dacOriginVendorId?: number;
  readonly dacOriginProductId?: number;
  readonly authorizedPaaList?: readonly Uint8Array[];
};

const TAG = {
  formatVersion: 0,
  vendorId: 1,
  productIds: 2,
  deviceTypeId: 3,
  certificateId: 4,
  securityLevel: 5,
  securityInformation: 6,
  versionNumber: 7,
  certificationType: 8,
  dacOriginVendorId: 9,
  dacOriginProductId: 10,
  authorizedPaaList: 11,
} as const;

function uint(id: number, value: number, max: number, what: string): TlvNode {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${what} out of range: ${value}`);
  return { tag: ctx(id), type: "uint", value: BigInt(value) };
}

/** Encodes the CD content TLV (minimal integer widths, as the SDK's encoder). Out-of-range fields are a RangeError. */
export function encodeCertificationDeclaration(cd: CertificationDeclaration): Uint8Array {
  if (cd.productIds.length < 1 || cd.productIds.length > CD_MAX_PRODUCT_IDS) {
    throw new RangeError(`product_id_array must hold 1..${CD_MAX_PRODUCT_IDS} ids`);
  }
  if ([...cd.certificateId].length !== CD_CERTIFICATE_ID_LENGTH) {
    throw new RangeError(`certificate_id must be ${CD_CERTIFICATE_ID_LENGTH} characters`);
  }
  if ((cd.dacOriginVendorId === undefined) !== (cd.dacOriginProductId === undefined)) {
    throw new RangeError("dac_origin_vendor_id and dac_origin_product_id go together");
  }
  const elements: TlvNode[] = [
    uint(TAG.formatVersion, cd.formatVersion, 0xff, "format_version"),
    uint(TAG.vendorId, cd.vendorId, 0xffff, "vendor_id"),
    {
      tag: ctx(TAG.productIds),
      type: "array",
      elements: cd.productIds.map((pid) => ({
        tag: ANONYMOUS,
        type: "uint",
        value: BigInt(checkU16(pid, "product id")),
      })),
    },
    uint(TAG.deviceTypeId, cd.deviceTypeId, 0xffffffff, "device_type_id"),
    { tag: ctx(TAG.certificateId), type: "utf8", value: cd.certificateId },
    uint(TAG.securityLevel, cd.securityLevel, 0xff, "security_level"),
    uint(TAG.securityInformation, cd.securityInformation, 0xffff, "security_information"),
    uint(TAG.versionNumber, cd.versionNumber, 0xffff, "version_number"),
    uint(TAG.certificationType, cd.certificationType, 0xff, "certification_type"),
  ];
  if (cd.dacOriginVendorId !== undefined && cd.dacOriginProductId !== undefined) {
    elements.push(uint(TAG.dacOriginVendorId, cd.dacOriginVendorId, 0xffff, "dac_origin_vendor_id"));
    elements.push(uint(TAG.dacOriginProductId, cd.dacOriginProductId, 0xffff, "dac_origin_product_id"));
  }
  if (cd.authorizedPaaList !== undefined) {
    if (cd.authorizedPaaList.length < 1 || cd.authorizedPaaList.length > CD_MAX_AUTHORIZED_PAAS) {
      throw new RangeError(`authorized_paa_list must hold 1..${CD_MAX_AUTHORIZED_PAAS} key ids`);
    }
    elements.push({
      tag: ctx(TAG.authorizedPaaList),
      type: "array",
      elements: cd.authorizedPaaList.map((kid) => {
        if (kid.length !== CD_KEY_ID_BYTES)
          throw new RangeError(`authorized PAA key id must be ${CD_KEY_ID_BYTES} bytes`);
        return { tag: ANONYMOUS, type: "bytes", value: kid };
      }),
    });
  }
  return encodeTlv({ tag: ANONYMOUS, type: "struct", elements });
}

function checkU16(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${what} out of range: ${v}`);
  return v;
}

function bad(message: string, path: string, offset?: number): never {
  throw new MalformedError("cd.schema", message, offset === undefined ? { path } : { path, offset });
}

function readUint(node: TlvNode, max: number, path: string): number {
  if (node.type !== "uint") bad(`expected an unsigned integer, got ${node.type}`, path, node.offset);
  if (node.value > BigInt(max)) bad(`${node.value} exceeds ${max}`, path, node.offset);
  return Number(node.value);
}

/**
 * Decodes the CD content TLV strictly: an anonymous struct whose members carry context tags 0..11 in increasing
 * order (0..8 mandatory, 9 and 10 together or not at all), each with the type and range of the schema above.
 * Semantic checks (format_version 1, security_level 0, ...) are `validateCertificationDeclaration`'s job.
 */
export function decodeCertificationDeclaration(bytes: Uint8Array): CertificationDeclaration {
  const root = decodeTlv(bytes, { path: "cd" });
  if (root.type !== "struct" || root.tag.form !== "anonymous") bad("not an anonymous structure", "cd", root.offset);
  const byTag = new Map<number, TlvNode>();
  let last = -1;
  for (const el of root.elements) {
    if (el.tag.form !== "context") bad("member without a context tag", "cd", el.offset);
    const id = el.tag.id;
    if (id > TAG.authorizedPaaList) bad(`unknown tag ${id}`, `cd/${id}`, el.offset);
    // The SDK decoder reads the members in tag order; out-of-order members are CHIP_ERROR_UNEXPECTED_TLV_ELEMENT.
    if (id <= last) bad(`tag ${id} after tag ${last}`, `cd/${id}`, el.offset);
    last = id;
    byTag.set(id, el);
  }
  const need = (id: number, name: string): TlvNode => byTag.get(id) ?? bad(`missing ${name}`, `cd/${name}`);

  const pidsNode = need(TAG.productIds, "product_id_array");
  if (pidsNode.type !== "array") bad("product_id_array is not an array", "cd/product_id_array", pidsNode.offset);
  if (pidsNode.elements.length < 1 || pidsNode.elements.length > CD_MAX_PRODUCT_IDS) {
    bad(`product_id_array holds ${pidsNode.elements.length} ids (1..100)`, "cd/product_id_array", pidsNode.offset);
  }
  const productIds = pidsNode.elements.map((n, i) => readUint(n, 0xffff, `cd/product_id_array/${i}`));

  const certNode = need(TAG.certificateId, "certificate_id");
  if (certNode.type !== "utf8") bad("certificate_id is not a string", "cd/certificate_id", certNode.offset);
  if ([...certNode.value].length !== CD_CERTIFICATE_ID_LENGTH) {
    bad(`certificate_id is not ${CD_CERTIFICATE_ID_LENGTH} characters`, "cd/certificate_id", certNode.offset);
  }

  const vidNode = byTag.get(TAG.dacOriginVendorId);
  const pidNode = byTag.get(TAG.dacOriginProductId);
  if ((vidNode === undefined) !== (pidNode === undefined)) {
    bad("dac_origin_vendor_id and dac_origin_product_id must both be present or both absent", "cd/dac_origin");
  }

  let authorizedPaaList: Uint8Array[] | undefined;
  const paaNode = byTag.get(TAG.authorizedPaaList);
  if (paaNode !== undefined) {
    if (paaNode.type !== "array") bad("authorized_paa_list is not an array", "cd/authorized_paa_list", paaNode.offset);
    if (paaNode.elements.length < 1 || paaNode.elements.length > CD_MAX_AUTHORIZED_PAAS) {
      bad(`authorized_paa_list holds ${paaNode.elements.length} ids (1..10)`, "cd/authorized_paa_list", paaNode.offset);
    }
    authorizedPaaList = paaNode.elements.map((n, i) => {
      if (n.type !== "bytes" || n.value.length !== CD_KEY_ID_BYTES) {
        bad("authorized PAA is not a 20-byte key id", `cd/authorized_paa_list/${i}`, n.offset);
      }
      return n.value;
    });
  }

  return {
    formatVersion: readUint(need(TAG.formatVersion, "format_version"), 0xff, "cd/format_version"),
    vendorId: readUint(need(TAG.vendorId, "vendor_id"), 0xffff, "cd/vendor_id"),
    productIds,
    deviceTypeId: readUint(need(TAG.deviceTypeId, "device_type_id"), 0xffffffff, "cd/device_type_id"),
    certificateId: certNode.value,
    securityLevel: readUint(need(TAG.securityLevel, "security_level"), 0xff, "cd/security_level"),
    securityInformation: readUint(
      need(TAG.securityInformation, "security_information"),
      0xffff,
      "cd/security_information",
    ),
    versionNumber: readUint(need(TAG.versionNumber, "version_number"), 0xffff, "cd/version_number"),
    certificationType: readUint(need(TAG.certificationType, "certification_type"), 0xff, "cd/certification_type"),
    ...(vidNode !== undefined && pidNode !== undefined
      ? {
          dacOriginVendorId: readUint(vidNode, 0xffff, "cd/dac_origin_vendor_id"),
          dacOriginProductId: readUint(pidNode, 0xffff, "cd/dac_origin_product_id"),
        }
      : {}),
    ...(authorizedPaaList !== undefined ? { authorizedPaaList } : {}),
  };
}

/** Encodes `cd` and signs it into the CMS envelope carried in AttestationElements (Core spec §6.3.1). */
export function signCertificationDeclaration(
  crypto: Crypto,
  cd: CertificationDeclaration,
  signerKeyId: Uint8Array,
  signerKey: P256PrivateKey,
): Uint8Array {
  return cmsSign(crypto, encodeCertificationDeclaration(cd), signerKeyId, signerKey);
}

/** The signer key id named in a CD's CMS envelope, to pick the CD signing certificate before verifying. */
export function certificationDeclarationSignerKeyId(cms: Uint8Array): Uint8Array {
  return parseCmsSignedData(cms).signerKeyId;
}

/**
 * Verifies the CMS envelope with the CD signer's key (and SKID, when given) and decodes the content.
 * Signature problems are ValidationError `cms.*`; malformed bytes are MalformedError.
 */
export function verifyCertificationDeclaration(
  crypto: Crypto,
  cms: Uint8Array,
  signerPublicKey: P256PublicKey,
  signerKeyId?: Uint8Array,
): CertificationDeclaration {
  return decodeCertificationDeclaration(cmsVerify(crypto, cms, signerPublicKey, signerKeyId));
}

/** What a CD is checked against: the device's Basic Information and its attestation certificates. */
export type CertificationDeclarationContext = {
  /** BasicInformation.VendorID. */
  readonly vendorId: number;
  /** BasicInformation.ProductID. */
  readonly productId: number;
  /** VID/PID from the DAC subject. */
  readonly dac: { readonly vendorId: number; readonly productId: number };
  /** VID (and optional PID) from the PAI subject. */
  readonly pai: { readonly vendorId: number; readonly productId?: number };
  /** The PAI's authorityKeyIdentifier (the PAA's SKID), checked against authorized_paa_list. */
  readonly paiAuthorityKeyId?: Uint8Array;
  /** Accept certification_type 0 (development/test): only for SDK-style CI and test setups. Default true. */
  readonly allowDevelopmentType?: boolean;
};

/**
 * The CD checks of TC_DA_1_2 (conformance doc §1.1); each failure is a ValidationError with a stable rule id
 * (`cd.format-version`, `cd.vendor-id`, `cd.product-id`, `cd.device-type-id`, `cd.security-level`,
 * `cd.security-information`, `cd.certification-type`, `cd.dac-origin`, `cd.dac-vendor-id`, `cd.dac-product-id`,
 * `cd.pai-vendor-id`, `cd.pai-product-id`, `cd.authorized-paa`).
 */
export function validateCertificationDeclaration(
  cd: CertificationDeclaration,
  c: CertificationDeclarationContext,
): void {
  // "format_version = 1"
  if (cd.formatVersion !== CD_FORMAT_VERSION) {
    throw new ValidationError("cd.format-version", `format_version ${cd.formatVersion} is not 1`);
  }
  // "vendor_id == BasicInformation.VendorID"
  if (cd.vendorId !== c.vendorId) {
    throw new ValidationError(
      "cd.vendor-id",
      `vendor_id 0x${hex4(cd.vendorId)} is not the device's 0x${hex4(c.vendorId)}`,
    );
  }
  // "product_id_array contains BasicInformation.ProductID"
  if (!cd.productIds.includes(c.productId)) {
    throw new ValidationError("cd.product-id", `product_id_array does not contain 0x${hex4(c.productId)}`);
  }
  // "device_type_id < 2^31"
  if (cd.deviceTypeId >= 2 ** 31) throw new ValidationError("cd.device-type-id", "device_type_id is not below 2^31");
  // "security_level 0; security_information 0"
  if (cd.securityLevel !== 0)
    throw new ValidationError("cd.security-level", `security_level ${cd.securityLevel} is not 0`);
  if (cd.securityInformation !== 0) {
    throw new ValidationError("cd.security-information", `security_information ${cd.securityInformation} is not 0`);
  }
  // "certification_type 1..2 (0 allowed only for SDK CI)"
  const minType = c.allowDevelopmentType === false ? 1 : 0;
  if (cd.certificationType < minType || cd.certificationType > CertificationType.official) {
    throw new ValidationError("cd.certification-type", `certification_type ${cd.certificationType} not allowed`);
  }
  if (cd.dacOriginVendorId !== undefined && cd.dacOriginProductId !== undefined) {
    // "if present they match the DAC (and PAI) VID/PID"
    if (c.dac.vendorId !== cd.dacOriginVendorId || c.pai.vendorId !== cd.dacOriginVendorId) {
      throw new ValidationError("cd.dac-origin", "DAC/PAI vendor id differs from dac_origin_vendor_id");
    }
    if (c.dac.productId !== cd.dacOriginProductId) {
      throw new ValidationError("cd.dac-origin", "DAC product id differs from dac_origin_product_id");
    }
    if (c.pai.productId !== undefined && c.pai.productId !== cd.dacOriginProductId) {
      throw new ValidationError("cd.dac-origin", "PAI product id differs from dac_origin_product_id");
    }
  } else {
    // "otherwise the DAC/PAI VID equals vendor_id and the DAC PID (and PAI PID if present) is in product_id_array"
    if (c.dac.vendorId !== cd.vendorId) throw new ValidationError("cd.dac-vendor-id", "DAC vendor id is not vendor_id");
    if (c.pai.vendorId !== cd.vendorId) throw new ValidationError("cd.pai-vendor-id", "PAI vendor id is not vendor_id");
    if (!cd.productIds.includes(c.dac.productId)) {
      throw new ValidationError("cd.dac-product-id", "DAC product id is not in product_id_array");
    }
    if (c.pai.productId !== undefined && !cd.productIds.includes(c.pai.productId)) {
      throw new ValidationError("cd.pai-product-id", "PAI product id is not in product_id_array");
    }
  }
  // "if authorized_paa_list is present, it contains the PAI's AKID"
  if (cd.authorizedPaaList !== undefined) {
    const akid = c.paiAuthorityKeyId;
    if (akid === undefined || !cd.authorizedPaaList.some((k) => bytesEqual(k, akid))) {
      throw new ValidationError("cd.authorized-paa", "the PAA is not in authorized_paa_list");
    }
  }
}

function hex4(v: number): string {
  return v.toString(16).toUpperCase().padStart(4, "0");
}
