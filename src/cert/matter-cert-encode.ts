import { InternalError } from "../bytes/errors.ts";
import { ANONYMOUS, ctx, type TlvNode } from "../tlv/tlv-node.ts";
import { DN_ATTRIBUTE_TYPES, DN_PRINTABLE_STRING_FLAG, type Dn, type DnAttribute, isDnMatterIdType } from "./dn.ts";
import { EXTENSION_TAG, type MatterCertExtension } from "./extensions.ts";

import {
  CERT_TAG,
  MATTER_CURVE_PRIME256V1,
  MATTER_PUBLIC_KEY_ALGORITHM_EC,
  MATTER_SIGNATURE_ALGORITHM_ECDSA_SHA256,
  type MatterCert,
  type MatterCertFields,
} from "./matter-cert.ts";
import { decodeMatterCert } from "./matter-cert-decode.ts";

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
