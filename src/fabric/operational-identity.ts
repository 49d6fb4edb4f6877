/**
 * The operational identity a fabric advertises (Core spec 4.3.2.1): instance name "<CompressedFabricId>-<NodeId>",
 * 16 uppercase hex digits each. The compressed fabric id itself is src/cert/compressed-fabric-id.ts (4.3.2.2).
 */
import type { FabricIndex } from "./fabric-index.ts";

/** Length of an uncompressed P-256 public key (0x04 || X || Y). */
export const ROOT_PUBLIC_KEY_BYTES = 65;

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
