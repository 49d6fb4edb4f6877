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
import { decodeTlv } from "../../tlv/tlv-decoder.ts";
import { encodeTlv } from "../../tlv/tlv-encoder.ts";
import { ANONYMOUS, ctx, type TlvNode } from "../../tlv/tlv-node.ts";
import { node, TlvStructReader } from "../pase/tlv-struct.ts";
import {
  decodeSessionParametersNode,
  encodeSessionParametersNode,
  type SessionParameters,
} from "../session-parameters.ts";
import { CASE_MIC_BYTES, RESUMPTION_ID_BYTES } from "./case-constants.ts";

/** Decoded Sigma2Resume; `resumptionId` is the new resumption id both sides keep. */
export type Sigma2Resume = {
  readonly resumptionId: Uint8Array;
  readonly sigma2ResumeMic: Uint8Array;
  readonly responderSessionId: number;
  readonly responderSessionParams?: SessionParameters;
};

/** Encodes a Sigma2Resume payload. */
export function encodeSigma2Resume(m: Sigma2Resume): Uint8Array {
  const elements: TlvNode[] = [
    node.bytes(1, m.resumptionId),
    node.bytes(2, m.sigma2ResumeMic),
    node.uint(3, m.responderSessionId),
  ];
  if (m.responderSessionParams !== undefined) {
    elements.push(encodeSessionParametersNode(m.responderSessionParams, ctx(4)));
  }
  return encodeTlv({ tag: ANONYMOUS, type: "struct", elements });
}

/** Decodes a Sigma2Resume payload strictly. */
export function decodeSigma2Resume(payload: Uint8Array): Sigma2Resume {
  const path = "Sigma2Resume";
  const r = new TlvStructReader(decodeTlv(payload, { path }), path, { knownTags: [1, 2, 3, 4], allowUnknown: true });
  const resumptionId = r.bytes(1, "resumptionID", { length: RESUMPTION_ID_BYTES });
  const sigma2ResumeMic = r.bytes(2, "sigma2ResumeMIC", { length: CASE_MIC_BYTES });
  const responderSessionId = r.uint(3, "responderSessionID", 16);
  const sp = r.optionalStruct(4, "responderSessionParams");
  return {
    resumptionId,
    sigma2ResumeMic,
    responderSessionId,
    ...(sp === undefined
      ? {}
      : { responderSessionParams: decodeSessionParametersNode(sp, `${path}/responderSessionParams`) }),
  };
}
