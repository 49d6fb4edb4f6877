/**
 * Sigma2Resume, the responder's answer to a Sigma1 it resumes (Core spec 4.14.2.3 "Message format: Sigma2_Resume").
 *
 * sigma-2-resume-struct => STRUCTURE [ tag-order ] {
 *   resumptionID [1] : OCTET STRING [ length 16 ],
 *   sigma2ResumeMIC [2] : OCTET STRING [ length 16 ],
 *   responderSessionID [3] : UNSIGNED INTEGER [ range 16-bits ],
 *   responderSessionParams [4, optional] : session-parameter-struct
 * }
 */
import { tlvBytes, tlvField, tlvOptionalField, tlvUInt16 } from "../../tlv/tlv-schema.ts";
import { secureChannelMessage } from "../secure-channel-message.ts";
import { SessionParameterStruct } from "../session-parameters.ts";
import { CASE_MIC_BYTES, RESUMPTION_ID_BYTES } from "./case-constants.ts";

/** sigma-2-resume-struct; errors give the spec's member names (resumptionID, sigma2ResumeMIC, responderSessionID). */
const Sigma2ResumeMessage = secureChannelMessage("Sigma2Resume", {
  resumptionId: tlvField(1, tlvBytes({ length: RESUMPTION_ID_BYTES }), "resumptionID"),
  sigma2ResumeMic: tlvField(2, tlvBytes({ length: CASE_MIC_BYTES }), "sigma2ResumeMIC"),
  responderSessionId: tlvField(3, tlvUInt16, "responderSessionID"),
  responderSessionParams: tlvOptionalField(4, SessionParameterStruct),
});

/** Decoded Sigma2Resume; `resumptionId` is the new resumption id both sides keep. */
export type Sigma2Resume = ReturnType<typeof Sigma2ResumeMessage.decode>;

/** Encodes a Sigma2Resume payload; a member out of its range or length is a RangeError. */
export const encodeSigma2Resume: (m: Sigma2Resume) => Uint8Array = Sigma2ResumeMessage.encode;

/** Decodes a Sigma2Resume payload strictly. */
export const decodeSigma2Resume: (payload: Uint8Array) => Sigma2Resume = Sigma2ResumeMessage.decode;
