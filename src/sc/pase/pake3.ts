/**
 * Pake3 (Core spec, PASE: "Message format: Pake3"): the initiator's confirmation.
 *
 * pake-3-struct => STRUCTURE [ tag-order ] { cA [1] : OCTET STRING [ length CRYPTO_HASH_LEN_BYTES ] }
 */
import { SPAKE2P_CONFIRMATION_BYTES } from "../../crypto/spake2p.ts";
import { PROTOCOL_STRUCT, type TlvType, tlvBytes, tlvField, tlvStruct } from "../../tlv/tlv-schema.ts";

/** pake-3-struct: [ tag-order ] enforced, unknown members skipped (forward compatibility). */
const Pake3Struct = tlvStruct(
  {
    cA: tlvField(1, tlvBytes({ length: SPAKE2P_CONFIRMATION_BYTES })),
  },
  PROTOCOL_STRUCT,
);

/** Decoded Pake3. */
export type Pake3 = TlvType<typeof Pake3Struct>;

/** Encodes a Pake3 payload; a member of the wrong length is a RangeError. */
export function encodePake3(m: Pake3): Uint8Array {
  return Pake3Struct.encode(m);
}

/** Decodes a Pake3 payload strictly. */
export function decodePake3(payload: Uint8Array): Pake3 {
  return Pake3Struct.decode(payload, "Pake3");
}
