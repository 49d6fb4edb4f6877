/**
 * Sigma3, the initiator's proof of identity (Core spec 4.14.2.3 "Message format: Sigma3").
 *
 * sigma-3-struct => STRUCTURE [ tag-order ] { encrypted3 [1] : OCTET STRING }
 */
import { tlvBytes, tlvField } from "../../tlv/tlv-schema.ts";
import { secureChannelMessage } from "../secure-channel-message.ts";
import { CASE_MIC_BYTES } from "./case-constants.ts";

/** sigma-3-struct: [ tag-order ] enforced, unknown members skipped; `encrypted3` must at least hold its MIC. */
const Sigma3Message = secureChannelMessage("Sigma3", {
  encrypted3: tlvField(1, tlvBytes({ minLength: CASE_MIC_BYTES + 1 })),
});

/** Decoded Sigma3; `encrypted3` is TBEData3 encrypted with S3K, ciphertext || MIC. */
export type Sigma3 = ReturnType<typeof Sigma3Message.decode>;

/** Encodes a Sigma3 payload; an `encrypted3` too short to hold its MIC is a RangeError. */
export const encodeSigma3: (m: Sigma3) => Uint8Array = Sigma3Message.encode;

/** Decodes a Sigma3 payload strictly; `encrypted3` must at least hold its MIC. */
export const decodeSigma3: (payload: Uint8Array) => Sigma3 = Sigma3Message.decode;
