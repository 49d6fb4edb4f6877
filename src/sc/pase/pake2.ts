/**
 * Pake2 (Core spec, PASE: "Message format: Pake2"): the responder's SPAKE2+ share and its confirmation.
 *
 * pake-2-struct => STRUCTURE [ tag-order ] {
 *   pB [1] : OCTET STRING [ length CRYPTO_PUBLIC_KEY_SIZE_BYTES ],
 *   cB [2] : OCTET STRING [ length CRYPTO_HASH_LEN_BYTES ],
 * }
 */
import { SPAKE2P_CONFIRMATION_BYTES, SPAKE2P_POINT_BYTES } from "../../crypto/spake2p.ts";
import { PROTOCOL_STRUCT, type TlvType, tlvBytes, tlvField, tlvStruct } from "../../tlv/tlv-schema.ts";

/** pake-2-struct: [ tag-order ] enforced, unknown members skipped (forward compatibility). */
const Pake2Struct = tlvStruct(
  {
    pB: tlvField(1, tlvBytes({ length: SPAKE2P_POINT_BYTES })),
    cB: tlvField(2, tlvBytes({ length: SPAKE2P_CONFIRMATION_BYTES })),
  },
  PROTOCOL_STRUCT,
);

/** Decoded Pake2. */
export type Pake2 = TlvType<typeof Pake2Struct>;

/** Encodes a Pake2 payload; a member of the wrong length is a RangeError. */
export function encodePake2(m: Pake2): Uint8Array {
  return Pake2Struct.encode(m);
}

/** Decodes a Pake2 payload strictly. */
export function decodePake2(payload: Uint8Array): Pake2 {
  return Pake2Struct.decode(payload, "Pake2");
}
