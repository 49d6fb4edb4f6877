/**
 * Pake3 (Core spec, PASE: "Message format: Pake3"): the initiator's confirmation.
 *
 * pake-3-struct => STRUCTURE [ tag-order ] { cA [1] : OCTET STRING [ length CRYPTO_HASH_LEN_BYTES ] }
 */
import { SPAKE2P_CONFIRMATION_BYTES } from "../../crypto/spake2p.ts";
import { tlvBytes, tlvField } from "../../tlv/tlv-schema.ts";
import { secureChannelMessage } from "../secure-channel-message.ts";

/** pake-3-struct: [ tag-order ] enforced, unknown members skipped (forward compatibility). */
const Pake3Message = secureChannelMessage("Pake3", {
  cA: tlvField(1, tlvBytes({ length: SPAKE2P_CONFIRMATION_BYTES })),
});

/** Decoded Pake3. */
export type Pake3 = ReturnType<typeof Pake3Message.decode>;

/** Encodes a Pake3 payload; a member of the wrong length is a RangeError. */
export const encodePake3: (m: Pake3) => Uint8Array = Pake3Message.encode;

/** Decodes a Pake3 payload strictly. */
export const decodePake3: (payload: Uint8Array) => Pake3 = Pake3Message.decode;
