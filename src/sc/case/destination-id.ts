/**
 * Destination Identifier (Core spec 4.14.2.4.1): how an initiator names the fabric and node it wants without revealing
 * them. destinationId = HMAC-SHA256(key = IPK (operational), initiatorRandom || rootPublicKey || fabricId || nodeId),
 * fabricId and nodeId as little-endian uint64.
 */
import { ByteWriter } from "../../bytes/byte-writer.ts";
import type { Crypto } from "../../crypto/crypto.ts";
import { EPHEMERAL_PUBLIC_KEY_BYTES, IPK_BYTES, SIGMA_RANDOM_BYTES } from "./case-constants.ts";

/** The destination id of node `nodeId` on the fabric (root key, fabric id) protected by `ipk`. */
export function destinationId(
  crypto: Crypto,
  ipk: Uint8Array,
  initiatorRandom: Uint8Array,
  rootPublicKey: Uint8Array,
  fabricId: bigint,
  nodeId: bigint,
): Uint8Array {
  if (ipk.length !== IPK_BYTES) throw new RangeError(`IPK must be ${IPK_BYTES} bytes`);
  if (initiatorRandom.length !== SIGMA_RANDOM_BYTES) throw new RangeError("initiatorRandom must be 32 bytes");
  if (rootPublicKey.length !== EPHEMERAL_PUBLIC_KEY_BYTES) throw new RangeError("root public key must be 65 bytes");
  const message = new ByteWriter(SIGMA_RANDOM_BYTES + EPHEMERAL_PUBLIC_KEY_BYTES + 16)
    .bytes(initiatorRandom)
    .bytes(rootPublicKey)
    .u64le(fabricId)
    .u64le(nodeId)
    .finish();
  return crypto.hmacSha256(ipk, message);
}
