/**
 * Pake2 (Core spec, PASE: "Message format: Pake2"): the responder's SPAKE2+ share and its confirmation.
 *
 * pake-2-struct => STRUCTURE [ tag-order ] {
 *   pB [1] : OCTET STRING [ length CRYPTO_PUBLIC_KEY_SIZE_BYTES ],
 *   cB [2] : OCTET STRING [ length CRYPTO_HASH_LEN_BYTES ],
 * }
 */
import { SPAKE2P_CONFIRMATION_BYTES, SPAKE2P_POINT_BYTES } from "../../crypto/spake2p.ts";
import { decodeTlv } from "../../tlv/tlv-decoder.ts";
import { encodeTlv } from "../../tlv/tlv-encoder.ts";
import { ANONYMOUS } from "../../tlv/tlv-node.ts";
import { node, TlvStructReader } from "./tlv-struct.ts";

/** Decoded Pake2. */
export type Pake2 = { readonly pB: Uint8Array; readonly cB: Uint8Array };

/** Encodes a Pake2 payload. */
export function encodePake2(m: Pake2): Uint8Array {
  return encodeTlv({ tag: ANONYMOUS, type: "struct", elements: [node.bytes(1, m.pB), node.bytes(2, m.cB)] });
}

/** Decodes a Pake2 payload strictly. */
export function decodePake2(payload: Uint8Array): Pake2 {
  const r = new TlvStructReader(decodeTlv(payload, { path: "Pake2" }), "Pake2", {
    knownTags: [1, 2],
    allowUnknown: true,
  });
  return {
    pB: r.bytes(1, "pB", { length: SPAKE2P_POINT_BYTES }),
    cB: r.bytes(2, "cB", { length: SPAKE2P_CONFIRMATION_BYTES }),
  };
}
