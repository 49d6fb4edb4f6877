/**
 * Sigma1, the first CASE message (Core spec 4.14.2.3 "Message format: Sigma1"); resumption adds members 6 and 7.
 *
 * sigma-1-struct => STRUCTURE [ tag-order ] {
 *   initiatorRandom [1] : OCTET STRING [ length 32 ],
 *   initiatorSessionId [2] : UNSIGNED INTEGER [ range 16-bits ],
 *   destinationId [3] : destination-identifier,
 *   initiatorEphPubKey [4] : ec-pub-key,
 *   initiatorSessionParams [5, optional] : session-parameter-struct,
 *   resumptionID [6, optional] : OCTET STRING [ length 16 ],
 *   initiatorResumeMIC [7, optional] : OCTET STRING [ length CRYPTO_AEAD_MIC_LENGTH_BYTES ]
 * }
 */
import { tlvBytes, tlvField, tlvOptionalField, tlvUInt16 } from "../../tlv/tlv-schema.ts";
import { secureChannelMessage } from "../secure-channel-message.ts";
import { SessionParameterStruct } from "../session-parameters.ts";
import {
  CASE_MIC_BYTES,
  DESTINATION_ID_BYTES,
  EPHEMERAL_PUBLIC_KEY_BYTES,
  RESUMPTION_ID_BYTES,
  SIGMA_RANDOM_BYTES,
} from "./case-constants.ts";

/** sigma-1-struct; errors give the spec's member names (resumptionID, initiatorResumeMIC). */
const Sigma1Message = secureChannelMessage("Sigma1", {
  initiatorRandom: tlvField(1, tlvBytes({ length: SIGMA_RANDOM_BYTES })),
  initiatorSessionId: tlvField(2, tlvUInt16),
  destinationId: tlvField(3, tlvBytes({ length: DESTINATION_ID_BYTES })),
  initiatorEphPubKey: tlvField(4, tlvBytes({ length: EPHEMERAL_PUBLIC_KEY_BYTES })),
  initiatorSessionParams: tlvOptionalField(5, SessionParameterStruct),
  resumptionId: tlvOptionalField(6, tlvBytes({ length: RESUMPTION_ID_BYTES }), "resumptionID"),
  initiatorResumeMic: tlvOptionalField(7, tlvBytes({ length: CASE_MIC_BYTES }), "initiatorResumeMIC"),
});

/** Decoded Sigma1. */
export type Sigma1 = ReturnType<typeof Sigma1Message.decode>;

/** Encodes a Sigma1 payload, members in tag order; a member out of its range or length is a RangeError. */
export const encodeSigma1: (m: Sigma1) => Uint8Array = Sigma1Message.encode;

/** Decodes a Sigma1 payload strictly (lengths, ranges, tag order); unknown members are skipped. */
export const decodeSigma1: (payload: Uint8Array) => Sigma1 = Sigma1Message.decode;
