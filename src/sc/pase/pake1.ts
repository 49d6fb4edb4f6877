/**
 * Pake1 (Core spec, PASE: "Message format: Pake1"): the initiator's SPAKE2+ share.
 *
 * pake-1-struct => STRUCTURE [ tag-order ] { pA [1] : OCTET STRING [ length CRYPTO_PUBLIC_KEY_SIZE_BYTES ] }
 */
import { SPAKE2P_POINT_BYTES } from "../../crypto/spake2p.ts";
import { decodeTlv } from "../../tlv/tlv-decoder.ts";
import { encodeTlv } from "../../tlv/tlv-encoder.ts";
import { ANONYMOUS } from "../../tlv/tlv-node.ts";
import { node, TlvStructReader } from "./tlv-struct.ts";

/** Decoded Pake1. */
export type Pake1 = { readonly pA: Uint8Array };

/** Encodes a Pake1 payload. */
export function encodePake1(m: Pake1): Uint8Array {
  return encodeTlv({ tag: ANONYMOUS, type: "struct", elements: [node.bytes(1, m.pA)] });
}

/** Decodes a Pake1 payload strictly (pA exactly 65 bytes; point validity is checked by SPAKE2+). */
export function decodePake1(payload: Uint8Array): Pake1 {
  const r = new TlvStructReader(decodeTlv(payload, { path: "Pake1" }), "Pake1", { knownTags: [1], allowUnknown: true });
  return { pA: r.bytes(1, "pA", { length: SPAKE2P_POINT_BYTES }) };
}
