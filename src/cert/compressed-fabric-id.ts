/**
 * Compressed Fabric Identifier (Core spec 4.3.2.2): HKDF-SHA256 of the root public key (without the 0x04 prefix),
 * salted with the big-endian fabric id, info "CompressedFabric", 8 bytes. Keys the IPK keyset and the DNS-SD name.
 */
import { bigintToBytes, bytesToBigint } from "../bytes/bytes.ts";
import type { Crypto } from "../crypto/crypto.ts";

/** HKDF info string of the compressed fabric id. */
const COMPRESSED_FABRIC_INFO = new TextEncoder().encode("CompressedFabric");

/** Length of the compressed fabric id, in bytes. */
const COMPRESSED_FABRIC_ID_BYTES = 8;

/** The compressed fabric id of (root public key, fabric id); `rootPublicKey` is the 65-byte uncompressed point. */
export function compressedFabricId(crypto: Crypto, rootPublicKey: Uint8Array, fabricId: bigint): bigint {
  if (rootPublicKey.length !== 65 || rootPublicKey[0] !== 0x04) {
    throw new RangeError("rootPublicKey must be a 65-byte uncompressed P-256 point");
  }
  const out = crypto.hkdfSha256(
    rootPublicKey.subarray(1),
    bigintToBytes(fabricId, 8),
    COMPRESSED_FABRIC_INFO,
    COMPRESSED_FABRIC_ID_BYTES,
  );
  return bytesToBigint(out);
}
