/**
 * PBKDFParamRequest, the first PASE message (Core spec, PASE: "Message format: PBKDFParamRequest").
 *
 * pbkdfparamreq-struct => STRUCTURE [ tag-order ] {
 *   initiatorRandom [1] : OCTET STRING [ length 32 ],
 *   initiatorSessionId [2] : UNSIGNED INTEGER [ range 16-bits ],
 *   passcodeId [3] : UNSIGNED INTEGER [ length 16-bits ],
 *   hasPBKDFParameters [4] : BOOLEAN,
 *   initiatorSessionParams [5, optional] : session-parameter-struct
 * }
 */
import { tlvBool, tlvBytes, tlvField, tlvOptionalField, tlvUInt16 } from "../../tlv/tlv-schema.ts";
import { secureChannelMessage } from "../secure-channel-message.ts";
import { SessionParameterStruct } from "../session-parameters.ts";

/** Length of initiatorRandom / responderRandom, in bytes. */
export const PASE_RANDOM_BYTES = 32;

/** The pbkdfparamreq-struct schema: [ tag-order ] enforced, unknown members skipped (forward compatibility). */
const PBKDFParamRequestMessage = secureChannelMessage("PBKDFParamRequest", {
  initiatorRandom: tlvField(1, tlvBytes({ length: PASE_RANDOM_BYTES })),
  initiatorSessionId: tlvField(2, tlvUInt16),
  passcodeId: tlvField(3, tlvUInt16),
  hasPBKDFParameters: tlvField(4, tlvBool),
  initiatorSessionParams: tlvOptionalField(5, SessionParameterStruct),
});

/** Decoded PBKDFParamRequest. */
export type PBKDFParamRequest = ReturnType<typeof PBKDFParamRequestMessage.decode>;

/** Encodes a PBKDFParamRequest payload; a member out of its range or length is a RangeError. */
export const encodePBKDFParamRequest: (m: PBKDFParamRequest) => Uint8Array = PBKDFParamRequestMessage.encode;

/** Decodes a PBKDFParamRequest payload strictly; any mismatch is MalformedError (`tlv.*`). */
export const decodePBKDFParamRequest: (payload: Uint8Array) => PBKDFParamRequest = PBKDFParamRequestMessage.decode;
