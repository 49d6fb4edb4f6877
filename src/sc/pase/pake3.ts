/**
 * Pake3 (Core spec, PASE: "Message format: Pake3"): the initiator's confirmation.
 *
 * pake-3-struct => STRUCTURE [ tag-order ] { cA [1] : OCTET STRING [ length CRYPTO_HASH_LEN_BYTES ] }
 */
import { SPAKE2P_CONFIRMATION_BYTES } from "../../crypto/spake2p.ts";
import { decodeTlv } from "../../tlv/tlv-decoder.ts";
import { encodeTlv } from "../../tlv/tlv-encoder.ts";
import { ANONYMOUS } from "../../tlv/tlv-node.ts";
import { node, TlvStructReader } from "./tlv-struct.ts";

/** Decoded Pake3. */
export type Pake3 = { readonly cA: Uint8Array };

/** Encodes a Pake3 payload. */
export function encodePake3(m: Pake3): Uint8Array {
  return encodeTlv({ tag: ANONYMOUS, type: "struct", elements: [node.bytes(1, m.cA)] });
}

/** Decodes a Pake3 payload strictly. */
export function decodePake3(payload: Uint8Array): Pake3 {
  const r = new TlvStructReader(decodeTlv(payload, { path: "Pake3" }), "Pake3", { knownTags: [1], allowUnknown: true });
  return { cA: r.bytes(1, "cA", { length: SPAKE2P_CONFIRMATION_BYTES }) };
}
