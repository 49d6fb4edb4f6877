/**
 * Sigma2, the responder's answer to a Sigma1 it does not resume (Core spec 4.14.2.3 "Message format: Sigma2").
 *
 * sigma-2-struct => STRUCTURE [ tag-order ] {
 *   responderRandom [1] : OCTET STRING [ length 32 ],
 *   responderSessionId [2] : UNSIGNED INTEGER [ range 16-bits ],
 *   responderEphPubKey [3] : ec-pub-key,
 *   encrypted2 [4] : OCTET STRING,
 *   responderSessionParams [5, optional] : session-parameter-struct
 * }
 */
import { tlvBytes, tlvField, tlvOptionalField, tlvUInt16 } from "../../tlv/tlv-schema.ts";
import { secureChannelMessage } from "../secure-channel-message.ts";
import { SessionParameterStruct } from "../session-parameters.ts";
import { CASE_MIC_BYTES, EPHEMERAL_PUBLIC_KEY_BYTES, SIGMA_RANDOM_BYTES } from "./case-constants.ts";

/** sigma-2-struct: [ tag-order ] enforced, unknown members skipped; `encrypted2` must at least hold its MIC. */
const Sigma2Message = secureChannelMessage("Sigma2", {
  responderRandom: tlvField(1, tlvBytes({ length: SIGMA_RANDOM_BYTES })),
  responderSessionId: tlvField(2, tlvUInt16),
  responderEphPubKey: tlvField(3, tlvBytes({ length: EPHEMERAL_PUBLIC_KEY_BYTES })),
  encrypted2: tlvField(4, tlvBytes({ minLength: CASE_MIC_BYTES + 1 })),
  responderSessionParams: tlvOptionalField(5, SessionParameterStruct),
});

/** Decoded Sigma2; `encrypted2` is TBEData2 encrypted with S2K, ciphertext || MIC. */
export type Sigma2 = ReturnType<typeof Sigma2Message.decode>;

/** Encodes a Sigma2 payload; a member out of its range or length is a RangeError. */
export const encodeSigma2: (m: Sigma2) => Uint8Array = Sigma2Message.encode;

/** Decodes a Sigma2 payload strictly; `encrypted2` must at least hold its MIC. */
export const decodeSigma2: (payload: Uint8Array) => Sigma2 = Sigma2Message.decode;
