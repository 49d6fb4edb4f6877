/**
 * Matter certificate extensions (Core spec 6.5.11, SDK CHIPCertToX509/X509ToChipCert): the TLV model, the key usage and
 * key purpose tables, and the exact DER form of each extension with the criticality the spec fixes for it.
 */
import { bytesEqual } from "../bytes/bytes.ts";
import { MalformedError } from "../bytes/errors.ts";
import { DerReader, DerTag } from "../der/der-reader.ts";
import { type DerNode, derBitString, derInteger } from "../der/der-writer.ts";
import { OID } from "../der/oids.ts";
import { oidNode, x509ExtensionNode } from "./x509.ts";

/** Key identifier length of SKID and AKID (SHA-1 sized, Core spec 6.5.11.4/5). */
export const KEY_IDENTIFIER_BYTES = 20;

/** Key usage bits as the TLV bitmap holds them (bit i = X.509 KeyUsage bit i). */
export const KEY_USAGE = {
  digitalSignature: 0x001,
  nonRepudiation: 0x002,
  keyEncipherment: 0x004,
  dataEncipherment: 0x008,
  keyAgreement: 0x010,
  keyCertSign: 0x020,
  cRLSign: 0x040,
  encipherOnly: 0x080,
  decipherOnly: 0x100,
} as const;

/** Every defined key usage bit. */
export const KEY_USAGE_ALL = 0x1ff;

/** Extended key usage purposes as TLV ids (Core spec 6.5.11.3). */
export const KEY_PURPOSE = {
  serverAuth: 1,
  clientAuth: 2,
  codeSigning: 3,
  emailProtection: 4,
  timeStamping: 5,
  ocspSigning: 6,
} as const;

/** Each key purpose's OID: the purposes carry the names of their OIDs (RFC 5280 4.2.1.12, id-kp-*). */
const PURPOSE_OID = new Map<number, string>(
  Object.entries(KEY_PURPOSE).map(([name, id]) => [id, OID[name as keyof typeof KEY_PURPOSE]]),
);
const OID_PURPOSE = new Map([...PURPOSE_OID].map(([id, oid]) => [oid, id]));

/** TLV context tags of the extensions list (Core spec 6.5.11). */
export const EXTENSION_TAG = {
  basicConstraints: 1,
  keyUsage: 2,
  extendedKeyUsage: 3,
  subjectKeyId: 4,
  authorityKeyId: 5,
  future: 6,
} as const;

/** One extension of a Matter certificate, in TLV order. `future` holds the complete DER `Extension`. */
export type MatterCertExtension =
  | { readonly type: "basicConstraints"; readonly isCa: boolean; readonly pathLenConstraint?: number }
  | { readonly type: "keyUsage"; readonly keyUsage: number }
  | { readonly type: "extendedKeyUsage"; readonly keyPurposes: readonly number[] }
  | { readonly type: "subjectKeyId"; readonly keyId: Uint8Array }
  | { readonly type: "authorityKeyId"; readonly keyId: Uint8Array }
  | { readonly type: "future"; readonly der: Uint8Array };

/** The parts of a future extension's DER `Extension`. */
export type FutureExtensionInfo = { readonly oid: string; readonly critical: boolean; readonly value: Uint8Array };

const KNOWN_EXTENSION_OIDS = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
]);

/**
 * Parses the DER `Extension` of a future extension strictly; one of the five extensions Matter encodes natively is
 * rejected (it would duplicate or bypass their fixed encoding).
 */
export function parseFutureExtension(der: Uint8Array, path: string): FutureExtensionInfo {
  const outer = new DerReader(der);
  const seq = outer.sequence(path);
  outer.expectEnd(path);
  const oid = seq.oid(`${path}/extnID`);
  let critical = false;
  if (seq.peekTag() === DerTag.boolean) {
    critical = seq.boolean(`${path}/critical`);
    if (!critical) throw new MalformedError("cert.extension", "critical FALSE encoded explicitly", { path });
  }
  const value = seq.octetString(`${path}/extnValue`);
  seq.expectEnd(path);
  if (KNOWN_EXTENSION_OIDS.has(oid)) {
    throw new MalformedError("cert.extension", `extension ${oid} must use its own TLV element`, { path });
  }
  return { oid, critical, value };
}

/** The minimal DER BIT STRING of a key usage bitmap (named bit list, X.690 11.2.2: no trailing zero bits). */
function keyUsageBitString(keyUsage: number): Uint8Array {
  if (!Number.isInteger(keyUsage) || keyUsage <= 0 || keyUsage > KEY_USAGE_ALL) {
    throw new RangeError(`key usage bitmap out of range: ${keyUsage}`);
  }
  const highest = 31 - Math.clz32(keyUsage);
  const bytes = new Uint8Array((highest >> 3) + 1);
  for (let bit = 0; bit <= highest; bit++) if (keyUsage & (1 << bit)) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  return derBitString(bytes, 7 - (highest & 7));
}

const BOOLEAN_TRUE: Uint8Array = Uint8Array.of(DerTag.boolean, 1, 0xff);

/** The complete DER `Extension` of a Matter extension, with the spec's fixed criticality (6.5.11), as a DerNode. */
export function extensionToDerNode(ext: MatterCertExtension): DerNode {
  switch (ext.type) {
    case "basicConstraints": {
      const parts: DerNode[] = [];
      // DER omits cA when FALSE (DEFAULT FALSE), so a non-CA is `30 00`.
      if (ext.isCa) parts.push(BOOLEAN_TRUE);
      if (ext.pathLenConstraint !== undefined) parts.push(derInteger(BigInt(ext.pathLenConstraint)));
      return x509ExtensionNode(OID.basicConstraints, true, { tag: DerTag.sequence, children: parts });
    }
    case "keyUsage":
      return x509ExtensionNode(OID.keyUsage, true, keyUsageBitString(ext.keyUsage));
    case "extendedKeyUsage":
      return x509ExtensionNode(OID.extKeyUsage, true, {
        tag: DerTag.sequence,
        children: ext.keyPurposes.map((p) => {
          const oid = PURPOSE_OID.get(p);
          if (oid === undefined) throw new RangeError(`unknown key purpose ${p}`);
          return oidNode(oid);
        }),
      });
    case "subjectKeyId":
      return x509ExtensionNode(OID.subjectKeyIdentifier, false, { tag: DerTag.octetString, content: ext.keyId });
    case "authorityKeyId":
      // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING } only.
      return x509ExtensionNode(OID.authorityKeyIdentifier, false, {
        tag: DerTag.sequence,
        children: [{ tag: 0x80, content: ext.keyId }],
      });
    case "future":
      return ext.der;
  }
}

function expectCritical(oid: string, critical: boolean, want: boolean, path: string): void {
  if (critical !== want) {
    throw new MalformedError(
      "cert.extension-criticality",
      `extension ${oid} must be ${want ? "critical" : "non-critical"} in a Matter certificate`,
      { path },
    );
  }
}

function keyId(bytes: Uint8Array, path: string): Uint8Array {
  if (bytes.length !== KEY_IDENTIFIER_BYTES) {
    throw new MalformedError("cert.key-id-length", `key identifier is ${bytes.length} bytes, not 20`, { path });
  }
  return bytes;
}

/**
 * The Matter extension of an X.509 extension. Rejects what would not convert back byte-exact (Core spec 6.5.11 and
 * the conformance notes 4.2): wrong criticality for the five native extensions, AKID issuer/serial, unknown key
 * purposes, non-minimal bit strings; anything else becomes a verbatim future extension.
 */
export function extensionFromDer(ext: FutureExtensionInfo & { raw: Uint8Array }, path: string): MatterCertExtension {
  switch (ext.oid) {
    case OID.basicConstraints: {
      expectCritical(ext.oid, ext.critical, true, path);
      const outer = new DerReader(ext.value);
      const seq = outer.sequence(path);
      outer.expectEnd(path);
      let isCa = false;
      if (seq.peekTag() === DerTag.boolean) {
        isCa = seq.boolean(`${path}/cA`);
        if (!isCa) throw new MalformedError("cert.extension", "cA FALSE encoded explicitly", { path });
      }
      let pathLenConstraint: number | undefined;
      if (!seq.done) pathLenConstraint = seq.smallUint(`${path}/pathLenConstraint`, 0xff);
      seq.expectEnd(path);
      // RFC 5280 4.2.1.9: pathLenConstraint is meaningful only when cA is set (the TLV decoder rejects it too).
      if (!isCa && pathLenConstraint !== undefined) {
        throw new MalformedError("cert.basic-constraints", "path length constraint on a non-CA", { path });
      }
      return pathLenConstraint === undefined
        ? { type: "basicConstraints", isCa }
        : { type: "basicConstraints", isCa, pathLenConstraint };
    }
    case OID.keyUsage: {
      expectCritical(ext.oid, ext.critical, true, path);
      const r = new DerReader(ext.value);
      const bits = r.bitString(path);
      r.expectEnd(path);
      let keyUsage = 0;
      bits.bytes.forEach((byte, i) => {
        for (let b = 0; b < 8; b++) if (byte & (0x80 >> b)) keyUsage |= 1 << (i * 8 + b);
      });
      if (keyUsage === 0 || keyUsage > KEY_USAGE_ALL) {
        throw new MalformedError("cert.key-usage", "key usage empty or beyond decipherOnly", { path });
      }
      if (!bytesEqual(keyUsageBitString(keyUsage), derBitString(bits.bytes, bits.unusedBits))) {
        throw new MalformedError("cert.key-usage", "key usage BIT STRING is not minimal", { path });
      }
      return { type: "keyUsage", keyUsage };
    }
    case OID.extKeyUsage: {
      expectCritical(ext.oid, ext.critical, true, path);
      const outer = new DerReader(ext.value);
      const seq = outer.sequence(path);
      outer.expectEnd(path);
      const keyPurposes: number[] = [];
      while (!seq.done) {
        const oid = seq.oid(`${path}/keyPurpose`);
        const id = OID_PURPOSE.get(oid);
        if (id === undefined)
          throw new MalformedError("cert.key-purpose", `key purpose ${oid} has no Matter id`, { path });
        keyPurposes.push(id);
      }
      if (keyPurposes.length === 0) throw new MalformedError("cert.key-purpose", "empty extended key usage", { path });
      return { type: "extendedKeyUsage", keyPurposes };
    }
    case OID.subjectKeyIdentifier: {
      expectCritical(ext.oid, ext.critical, false, path);
      const r = new DerReader(ext.value);
      const id = r.octetString(path);
      r.expectEnd(path);
      return { type: "subjectKeyId", keyId: keyId(id, path) };
    }
    case OID.authorityKeyIdentifier: {
      expectCritical(ext.oid, ext.critical, false, path);
      const outer = new DerReader(ext.value);
      const seq = outer.sequence(path);
      outer.expectEnd(path);
      const id = seq.implicitPrimitive(0, `${path}/keyIdentifier`);
      // authorityCertIssuer [1] / authorityCertSerialNumber [2] have no TLV form.
      seq.expectEnd(path);
      return { type: "authorityKeyId", keyId: keyId(id, path) };
    }
    default:
      return { type: "future", der: ext.raw };
  }
}

/** Names of the key usage bits set in `keyUsage`. */
export function keyUsageNames(keyUsage: number): string[] {
  return Object.entries(KEY_USAGE)
    .filter(([, bit]) => (keyUsage & bit) !== 0)
    .map(([name]) => name);
}
