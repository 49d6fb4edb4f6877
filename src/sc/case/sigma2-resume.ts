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
import { PROTOCOL_STRUCT, tlvBytes, tlvField, tlvOptionalField, tlvStruct, tlvUInt16 } from "../../tlv/tlv-schema.ts";
import { SessionParameterStruct, type SessionParameters } from "../session-parameters.ts";
import { CASE_MIC_BYTES, RESUMPTION_ID_BYTES } from "./case-constants.ts";

/** Decoded Sigma2Resume; `resumptionId` is the new resumption id both sides keep. */
export type Sigma2Resume = {
  readonly resumptionId: Uint8Array;
  readonly sigma2ResumeMic: Uint8Array;
  readonly responderSessionId: number;
  readonly responderSessionParams?: SessionParameters;
};

/** sigma-2-resume-struct, keyed by the spec's member names so that errors name them (resumptionID, ...). */
const Sigma2ResumeStruct = tlvStruct(
  {
    resumptionID: tlvField(1, tlvBytes({ length: RESUMPTION_ID_BYTES })),
    sigma2ResumeMIC: tlvField(2, tlvBytes({ length: CASE_MIC_BYTES })),
    responderSessionID: tlvField(3, tlvUInt16),
    responderSessionParams: tlvOptionalField(4, SessionParameterStruct),
  },
  PROTOCOL_STRUCT,
);

/** Encodes a Sigma2Resume payload; a member out of its range or length is a RangeError. */
export function encodeSigma2Resume(m: Sigma2Resume): Uint8Array {
  return Sigma2ResumeStruct.encode({
    resumptionID: m.resumptionId,
    sigma2ResumeMIC: m.sigma2ResumeMic,
    responderSessionID: m.responderSessionId,
    responderSessionParams: m.responderSessionParams,
  });
}

/** Decodes a Sigma2Resume payload strictly. */
export function decodeSigma2Resume(payload: Uint8Array): Sigma2Resume {
  const m = Sigma2ResumeStruct.decode(payload, "Sigma2Resume");
  return {
    resumptionId: m.resumptionID,
    sigma2ResumeMic: m.sigma2ResumeMIC,
    responderSessionId: m.responderSessionID,
    ...(m.responderSessionParams === undefined ? {} : { responderSessionParams: m.responderSessionParams }),
  };
}
