/**
 * One fabric's stored state (Core spec 11.18.4.5 NOCStruct, 11.18.4.6 FabricDescriptorStruct, plus the operational key)
 * and its strict storage codec. Certificates are kept as the received Matter TLV bytes; the fields the cluster
 * extracted from them (root public key, fabric id, node id, CATs) are stored beside them.
 */
import { bigintToBytes, bytesToBigint, fromHex, toHex } from "../bytes/bytes.ts";
import { MalformedError } from "../bytes/errors.ts";
import { compressedFabricId } from "../cert/compressed-fabric-id.ts";
import { MAX_CERT_TLV_BYTES } from "../cert/matter-cert.ts";
import { isOperationalNodeId } from "../cert/operational-ids.ts";
import type { Crypto } from "../crypto/crypto.ts";
import { P256PrivateKey } from "../crypto/p256.ts";
import type { JsonValue, StorageValue } from "../storage/storage.ts";
import { type FabricIndex, isFabricIndex } from "./fabric-index.ts";
import { ROOT_PUBLIC_KEY_BYTES } from "./operational-identity.ts";

/** Largest fabric label, in UTF-8 bytes. */
export const MAX_FABRIC_LABEL_BYTES = 32;
/** The only non-empty VIDVerificationStatement length (v1: version 0x21 || 20-byte SKID || 64-byte signature). */
export const VID_VERIFICATION_STATEMENT_BYTES = 85;
/** Largest operationally valid vendor id (test VIDs 0xFFF1..0xFFF4 included). */
const MAX_OPERATIONAL_VENDOR_ID = 0xfff4;

/** A fabric as the table holds it; every array is owned by the record (callers get copies). */
export type FabricRecord = {
  readonly fabricIndex: FabricIndex;
  readonly rcac: Uint8Array;
  readonly icac: Uint8Array | null;
  readonly noc: Uint8Array;
  /** 65 bytes, 0x04 || X || Y. */
  readonly rootPublicKey: Uint8Array;
  readonly fabricId: bigint;
  readonly nodeId: bigint;
  /** CASE Authenticated Tags of the NOC subject (uint32 each). */
  readonly cats: readonly number[];
  readonly vendorId: number;
  readonly label: string;
  /** Absent when cleared or never set. */
  readonly vidVerificationStatement?: Uint8Array;
  /** Absent when cleared or never set. */
  readonly vvsc?: Uint8Array;
  readonly operationalKey: P256PrivateKey;
  /** Derived from rootPublicKey and fabricId (never stored). */
  readonly compressedFabricId: bigint;
};

/** True for an operationally valid vendor id: not 0 and at most 0xFFF4. */
export function isOperationalVendorId(vendorId: number): boolean {
  return Number.isInteger(vendorId) && vendorId >= 1 && vendorId <= MAX_OPERATIONAL_VENDOR_ID;
}

/** UTF-8 byte length of a label. */
export function labelBytes(label: string): number {
  return new TextEncoder().encode(label).length;
}

/** The storage key of fabric `index`'s record. */
export function fabricRecordKey(index: FabricIndex): string {
  return `fabric/f/${String(index).padStart(3, "0")}`;
}

/** Prefix of every fabric record key. */
export const FABRIC_RECORD_PREFIX = "fabric/f/";

/** The JSON form of a record (64-bit values as 16 hex digits, bytes as lowercase hex). */
export function encodeFabricRecord(r: FabricRecord): JsonValue {
  const out: Record<string, JsonValue> = {
    v: 1,
    fabricIndex: r.fabricIndex,
    rcac: toHex(r.rcac),
    icac: r.icac === null ? null : toHex(r.icac),
    noc: toHex(r.noc),
    rootPublicKey: toHex(r.rootPublicKey),
    fabricId: toHex(bigintToBytes(r.fabricId, 8)),
    nodeId: toHex(bigintToBytes(r.nodeId, 8)),
    cats: [...r.cats],
    vendorId: r.vendorId,
    label: r.label,
    operationalKey: toHex(r.operationalKey.toScalar()),
  };
  if (r.vidVerificationStatement !== undefined) out.vidVerificationStatement = toHex(r.vidVerificationStatement);
  if (r.vvsc !== undefined) out.vvsc = toHex(r.vvsc);
  return out;
}

const KNOWN_FIELDS = new Set([
  "v",
  "fabricIndex",
  "rcac",
  "icac",
  "noc",
  "rootPublicKey",
  "fabricId",
  "nodeId",
  "cats",
  "vendorId",
  "label",
  "operationalKey",
  "vidVerificationStatement",
  "vvsc",
]);

/** Strictly decodes a stored record; anything unexpected is MalformedError `fabric.record` naming the field. */
export function decodeFabricRecord(crypto: Crypto, key: string, value: StorageValue | undefined): FabricRecord {
  const bad = (field: string, why: string): never => {
    throw new MalformedError("fabric.record", why, { path: `${key}/${field}` });
  };
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof Uint8Array) {
    return bad("", "not a JSON object");
  }
  const o = value as { readonly [k: string]: JsonValue };
  for (const k of Object.keys(o)) if (!KNOWN_FIELDS.has(k)) bad(k, "unknown field");
  if (o.v !== 1) bad("v", "unsupported record version");
  const hexField = (field: string, min: number, max: number): Uint8Array => {
    const s = o[field];
    if (typeof s !== "string") return bad(field, "expected a hex string");
    let b: Uint8Array;
    try {
      b = fromHex(s);
    } catch {
      return bad(field, "not hex");
    }
    if (b.length < min || b.length > max) bad(field, `length ${b.length} outside ${min}..${max}`);
    return b;
  };
  const u64Field = (field: string): bigint => bytesToBigint(hexField(field, 8, 8));
  const index = o.fabricIndex;
  if (!isFabricIndex(index)) return bad("fabricIndex", "not a fabric index");
  if (key !== fabricRecordKey(index)) bad("fabricIndex", "does not match the record key");
  const rootPublicKey = hexField("rootPublicKey", ROOT_PUBLIC_KEY_BYTES, ROOT_PUBLIC_KEY_BYTES);
  if (rootPublicKey[0] !== 0x04) bad("rootPublicKey", "not an uncompressed point");
  const fabricId = u64Field("fabricId");
  if (fabricId === 0n) bad("fabricId", "fabric id 0 is invalid");
  const nodeId = u64Field("nodeId");
  if (!isOperationalNodeId(nodeId)) bad("nodeId", "not an operational node id");
  const cats = o.cats;
  if (!Array.isArray(cats) || cats.length > 3) return bad("cats", "expected at most 3 CATs");
  for (const c of cats as readonly JsonValue[]) {
    if (typeof c !== "number" || !Number.isInteger(c) || c < 0 || c > 0xffff_ffff) bad("cats", "not a uint32");
  }
  const vendorId = o.vendorId;
  if (typeof vendorId !== "number" || !isOperationalVendorId(vendorId)) return bad("vendorId", "not a valid vendor id");
  const label = o.label;
  if (typeof label !== "string" || labelBytes(label) > MAX_FABRIC_LABEL_BYTES) return bad("label", "not a label");
  let operationalKey: P256PrivateKey;
  try {
    operationalKey = P256PrivateKey.fromScalar(hexField("operationalKey", 32, 32));
  } catch {
    return bad("operationalKey", "not a valid P-256 scalar");
  }
  const record: FabricRecord = {
    fabricIndex: index,
    rcac: hexField("rcac", 1, MAX_CERT_TLV_BYTES),
    icac: o.icac === null ? null : hexField("icac", 1, MAX_CERT_TLV_BYTES),
    noc: hexField("noc", 1, MAX_CERT_TLV_BYTES),
    rootPublicKey,
    fabricId,
    nodeId,
    cats: cats as number[],
    vendorId,
    label,
    operationalKey,
    compressedFabricId: compressedFabricId(crypto, rootPublicKey, fabricId),
    ...("vidVerificationStatement" in o
      ? {
          vidVerificationStatement: hexField(
            "vidVerificationStatement",
            VID_VERIFICATION_STATEMENT_BYTES,
            VID_VERIFICATION_STATEMENT_BYTES,
          ),
        }
      : {}),
    ...("vvsc" in o ? { vvsc: hexField("vvsc", 1, MAX_CERT_TLV_BYTES) } : {}),
  };
  return record;
}
