/**
 * Pake1 (Core spec, PASE: "Message format: Pake1"): the initiator's SPAKE2+ share.
 *
 * pake-1-struct => STRUCTURE [ tag-order ] { pA [1] : OCTET STRING [ length CRYPTO_PUBLIC_KEY_SIZE_BYTES ] }
 */
import { SPAKE2P_POINT_BYTES } from "../../crypto/spake2p.ts";
import { tlvBytes, tlvField } from "../../tlv/tlv-schema.ts";
import { secureChannelMessage } from "../secure-channel-message.ts";

/** pake-1-struct: [ tag-order ] enforced, unknown members skipped (forward compatibility). */
const Pake1Message = secureChannelMessage("Pake1", {
  pA: tlvField(1, tlvBytes({ length: SPAKE2P_POINT_BYTES })),
});

/** Decoded Pake1. */
export type Pake1 = ReturnType<typeof Pake1Message.decode>;

/** Encodes a Pake1 payload; a member of the wrong length is a RangeError. */
export const encodePake1: (m: Pake1) => Uint8Array = Pake1Message.encode;

/** Decodes a Pake1 payload strictly (pA exactly 65 bytes; point validity is checked by SPAKE2+). */
export const decodePake1: (payload: Uint8Array) => Pake1 = Pake1Message.decode;
