/**
 * The operational identity a fabric advertises (Core spec 4.3.2.2 compressed fabric identifier; 4.3.2.1 operational
 * instance name "<CompressedFabricId>-<NodeId>", 16 uppercase hex digits each). The compressed fabric id is computed
 * here with HKDF because src/cert/compressed-fabric-id.ts had not landed when this layer was written.
 */
import { bigintToBytes, bytesToBigint } from "../bytes/bytes.ts";
import type { Crypto } from "../crypto/crypto.ts";
import type { FabricIndex } from "./fabric-index.ts";

const COMPRESSED_FABRIC_INFO = new TextEncoder().encode("CompressedFabric");

/** Length of an uncompressed P-256 public key (0x04 || X || Y). */
export const ROOT_PUBLIC_KEY_BYTES = 65;

/** CompressedFabricIdentifier = HKDF-SHA256(IKM = root public key without 0x04, salt = FabricID BE u64, "CompressedFabric", 8). */
export function compressedFabricId(crypto: Crypto, rootPublicKey: Uint8Array, fabricId: bigint): bigint {
  if (rootPublicKey.length !== ROOT_PUBLIC_KEY_BYTES || rootPublicKey[0] !== 0x04) {
    throw new RangeError("root public key must be 65 bytes, uncompressed (0x04 || X || Y)");
  }
  const out = crypto.hkdfSha256(rootPublicKey.subarray(1), bigintToBytes(fabricId, 8), COMPRESSED_FABRIC_INFO, 8);
  return bytesToBigint(out);
}

/** 16 uppercase hex digits of a 64-bit value. */
export function hex64(value: bigint): string {
  return value.toString(16).toUpperCase().padStart(16, "0");
}

/** The operational instance name `<CFID>-<NodeId>`. */
export function operationalInstanceName(compressedFabricIdValue: bigint, nodeId: bigint): string {
  return `${hex64(compressedFabricIdValue)}-${hex64(nodeId)}`;
}

/** What the mDNS driver needs to advertise (or withdraw) one fabric's `_matter._tcp` record. */
export type OperationalIdentity = {
  readonly fabricIndex: FabricIndex;
  readonly compressedFabricId: bigint;
  readonly nodeId: bigint;
  readonly instanceName: string;
};
