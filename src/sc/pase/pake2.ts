/**
 * Pake2 (Core spec, PASE: "Message format: Pake2"): the responder's SPAKE2+ share and its confirmation.
 *
 * pake-2-struct => STRUCTURE [ tag-order ] {
 *   pB [1] : OCTET STRING [ length CRYPTO_PUBLIC_KEY_SIZE_BYTES ],
 *   cB [2] : OCTET STRING [ length CRYPTO_HASH_LEN_BYTES ],
 * }
 */
import { SPAKE2P_CONFIRMATION_BYTES, SPAKE2P_POINT_BYTES } from "../../crypto/spake2p.ts";
import { tlvBytes, tlvField } from "../../tlv/tlv-schema.ts";
import { secureChannelMessage } from "../secure-channel-message.ts";

/** pake-2-struct: [ tag-order ] enforced, unknown members skipped (forward compatibility). */
const Pake2Message = secureChannelMessage("Pake2", {
  pB: tlvField(1, tlvBytes({ length: SPAKE2P_POINT_BYTES })),
  cB: tlvField(2, tlvBytes({ length: SPAKE2P_CONFIRMATION_BYTES })),
});

/** Decoded Pake2. */
export type Pake2 = ReturnType<typeof Pake2Message.decode>;

/** Encodes a Pake2 payload; a member of the wrong length is a RangeError. */
export const encodePake2: (m: Pake2) => Uint8Array = Pake2Message.encode;

/** Decodes a Pake2 payload strictly. */
export const decodePake2: (payload: Uint8Array) => Pake2 = Pake2Message.decode;
