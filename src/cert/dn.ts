/**
 * Distinguished names of Matter certificates (Core spec 6.5.6.1, SDK ChipDN): the attribute table mapping TLV context
 * tags to X.509 attribute OIDs, the Matter-specific attributes (node id, fabric id, CATs, ...) and their DER text form.
 */
import { MalformedError } from "../bytes/errors.ts";

/** Most attributes one DN may hold (SDK CHIP_CONFIG_CERT_MAX_RDN_ATTRIBUTES). */
export const MAX_DN_ATTRIBUTES = 5;

/** TLV tag bit that marks a string attribute as an X.509 PrintableString instead of UTF8String. */
export const DN_PRINTABLE_STRING_FLAG = 0x80;

/** Every DN attribute type, by TLV context tag (Core spec 6.5.6.1 table "DN attributes"). */
export const DN_ATTRIBUTE_TYPES = {
  commonName: { tag: 1, oid: "2.5.4.3" },
  surname: { tag: 2, oid: "2.5.4.4" },
  serialNumber: { tag: 3, oid: "2.5.4.5" },
  countryName: { tag: 4, oid: "2.5.4.6" },
  localityName: { tag: 5, oid: "2.5.4.7" },
  stateOrProvinceName: { tag: 6, oid: "2.5.4.8" },
  organizationName: { tag: 7, oid: "2.5.4.10" },
  organizationalUnitName: { tag: 8, oid: "2.5.4.11" },
  title: { tag: 9, oid: "2.5.4.12" },
  name: { tag: 10, oid: "2.5.4.41" },
  givenName: { tag: 11, oid: "2.5.4.42" },
  initials: { tag: 12, oid: "2.5.4.43" },
  generationQualifier: { tag: 13, oid: "2.5.4.44" },
  dnQualifier: { tag: 14, oid: "2.5.4.46" },
  pseudonym: { tag: 15, oid: "2.5.4.65" },
  domainComponent: { tag: 16, oid: "0.9.2342.19200300.100.1.25" },
  matterNodeId: { tag: 17, oid: "1.3.6.1.4.1.37244.1.1" },
  matterFirmwareSigningId: { tag: 18, oid: "1.3.6.1.4.1.37244.1.2" },
  matterIcacId: { tag: 19, oid: "1.3.6.1.4.1.37244.1.3" },
  matterRcacId: { tag: 20, oid: "1.3.6.1.4.1.37244.1.4" },
  matterFabricId: { tag: 21, oid: "1.3.6.1.4.1.37244.1.5" },
  matterCaseAuthTag: { tag: 22, oid: "1.3.6.1.4.1.37244.1.6" },
} as const;

/** Name of a DN attribute type. */
export type DnAttributeType = keyof typeof DN_ATTRIBUTE_TYPES;
/** Matter attributes holding a 64-bit identifier (TLV uint64, DER 16 uppercase hex digits). */
export type DnMatterIdType =
  | "matterNodeId"
  | "matterFirmwareSigningId"
  | "matterIcacId"
  | "matterRcacId"
  | "matterFabricId";
/** Standard X.509 string attributes (TLV UTF-8 string, DER UTF8String or PrintableString). */
export type DnStringType = Exclude<DnAttributeType, DnMatterIdType | "matterCaseAuthTag">;

/** One attribute of a DN; each is its own RDN (Matter allows no multi-valued RDNs). */
export type DnAttribute =
  | { readonly type: DnMatterIdType; readonly value: bigint }
  | { readonly type: "matterCaseAuthTag"; readonly value: number }
  | { readonly type: DnStringType; readonly value: string; readonly printable: boolean };

/** A DN in its on-the-wire order (order is significant and kept in both directions). */
export type Dn = readonly DnAttribute[];

const BY_TAG = new Map<number, DnAttributeType>(
  Object.entries(DN_ATTRIBUTE_TYPES).map(([name, { tag }]) => [tag, name as DnAttributeType]),
);
const BY_OID = new Map<string, DnAttributeType>(
  Object.entries(DN_ATTRIBUTE_TYPES).map(([name, { oid }]) => [oid, name as DnAttributeType]),
);

/** The attribute type of a TLV context tag (without the PrintableString flag), or undefined. */
export function dnTypeOfTag(tag: number): DnAttributeType | undefined {
  return BY_TAG.get(tag);
}

/** The attribute type of an X.509 attribute OID, or undefined. */
export function dnTypeOfOid(oid: string): DnAttributeType | undefined {
  return BY_OID.get(oid);
}

/** True for the five Matter 64-bit identifier attributes. */
export function isDnMatterIdType(type: DnAttributeType): type is DnMatterIdType {
  return (
    type === "matterNodeId" ||
    type === "matterFirmwareSigningId" ||
    type === "matterIcacId" ||
    type === "matterRcacId" ||
    type === "matterFabricId"
  );
}

/** The DER text of a Matter attribute: 16 (CAT: 8) uppercase hex digits (Core spec 6.5.6.1). */
export function matterAttributeText(attr: DnAttribute): string {
  if (attr.type === "matterCaseAuthTag") return attr.value.toString(16).toUpperCase().padStart(8, "0");
  if (isDnMatterIdType(attr.type)) return (attr.value as bigint).toString(16).toUpperCase().padStart(16, "0");
  throw new TypeError(`${attr.type} is not a Matter attribute`);
}

/** Parses the DER text of a Matter attribute; anything but exactly 16 (CAT: 8) uppercase hex digits is malformed. */
export function parseMatterAttributeText(
  type: DnMatterIdType | "matterCaseAuthTag",
  text: string,
  path: string,
): DnAttribute {
  const digits = type === "matterCaseAuthTag" ? 8 : 16;
  if (text.length !== digits || !/^[0-9A-F]+$/.test(text)) {
    throw new MalformedError("cert.dn-matter-value", `${type} must be ${digits} uppercase hex digits, got "${text}"`, {
      path,
    });
  }
  if (type === "matterCaseAuthTag") return { type, value: Number.parseInt(text, 16) };
  // Two 32-bit halves: cheaper than parsing a 64-bit BigInt from a string.
  const high = Number.parseInt(text.slice(0, 8), 16);
  const low = Number.parseInt(text.slice(8), 16);
  return { type, value: (BigInt(high) << 32n) | BigInt(low) };
}

/** True when both attributes have the same type, value and string form. */
function dnAttributeEqual(a: DnAttribute, b: DnAttribute): boolean {
  if (a.type !== b.type || a.value !== b.value) return false;
  return !("printable" in a) || a.printable === (b as { printable: boolean }).printable;
}

/** True when both DNs hold equal attributes in the same order (SDK ChipDN::IsEqual). */
export function dnEqual(a: Dn, b: Dn): boolean {
  return a.length === b.length && a.every((attr, i) => dnAttributeEqual(attr, b[i]!));
}

/** The 64-bit values of every `type` attribute in `dn`, in order. */
export function dnMatterIds(dn: Dn, type: DnMatterIdType): bigint[] {
  const out: bigint[] = [];
  for (const a of dn) if (a.type === type) out.push(a.value as bigint);
  return out;
}

/** The CASE Authenticated Tags of `dn`, in order. */
export function dnCats(dn: Dn): number[] {
  const out: number[] = [];
  for (const a of dn) if (a.type === "matterCaseAuthTag") out.push(a.value);
  return out;
}

/** A one-line human form, e.g. `NodeId=DEDEDEDE00010001, FabricId=FAB000000000001D, CN=TestCert`. */
export function dnToString(dn: Dn): string {
  return dn
    .map((a) => {
      if (a.type === "commonName") return `CN=${a.value}`;
      if (a.type === "matterCaseAuthTag" || isDnMatterIdType(a.type)) {
        return `${a.type.replace(/^matter/, "")}=${matterAttributeText(a)}`;
      }
      return `${a.type}=${a.value}`;
    })
    .join(", ");
}
