/**
 * Pake1 (Core spec, PASE: "Message format: Pake1"): the initiator's SPAKE2+ share.
 *
 * pake-1-struct => STRUCTURE [ tag-order ] { pA [1] : OCTET STRING [ length CRYPTO_PUBLIC_KEY_SIZE_BYTES ] }
 */
import { SPAKE2P_POINT_BYTES } from "../../crypto/spake2p.ts";
import { PROTOCOL_STRUCT, type TlvType, tlvBytes, tlvField, tlvStruct } from "../../tlv/tlv-schema.ts";

/** pake-1-struct: [ tag-order ] enforced, unknown members skipped (forward compatibility). */
const Pake1Struct = tlvStruct(
  {
    pA: tlvField(1, tlvBytes({ length: SPAKE2P_POINT_BYTES })),
  },
  PROTOCOL_STRUCT,
);

/** Decoded Pake1. */
export type Pake1 = TlvType<typeof Pake1Struct>;

/** Encodes a Pake1 payload; a member of the wrong length is a RangeError. */
export function encodePake1(m: Pake1): Uint8Array {
  return Pake1Struct.encode(m);
}

/** Decodes a Pake1 payload strictly (pA exactly 65 bytes; point validity is checked by SPAKE2+). */
export function decodePake1(payload: Uint8Array): Pake1 {
  return Pake1Struct.decode(payload, "Pake1");
}
