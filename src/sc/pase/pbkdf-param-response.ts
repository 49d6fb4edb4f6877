/**
 * PBKDFParamResponse, the second PASE message (Core spec, PASE: "Message format: PBKDFParamResponse").
 *
 * pbkdfparamresp-struct => STRUCTURE [ tag-order ] {
 *   initiatorRandom [1] : OCTET STRING [ length 32 ],
 *   responderRandom [2] : OCTET STRING [ length 32 ],
 *   responderSessionId [3] : UNSIGNED INTEGER [ range 16-bits ],
 *   pbkdf_parameters [4, optional] : Crypto_PBKDFParameterSet,
 *   responderSessionParams [5, optional] : session-parameter-struct
 * }
 * Crypto_PBKDFParameterSet => STRUCTURE [ tag-order ] {
 *   iterations [1] : UNSIGNED INTEGER [ range 32-bits ],
 *   salt [2] : OCTET STRING [ length 16..32 ],
 * }
 */
import { decodeTlv } from "../../tlv/tlv-decoder.ts";
import { encodeTlv } from "../../tlv/tlv-encoder.ts";
import { ANONYMOUS, ctx, type TlvNode } from "../../tlv/tlv-node.ts";
import {
  decodeSessionParametersNode,
  encodeSessionParametersNode,
  type SessionParameters,
} from "../session-parameters.ts";
import { PBKDF_SALT_MAX_BYTES, PBKDF_SALT_MIN_BYTES, type PbkdfParameters } from "./pase-verifier.ts";
import { PASE_RANDOM_BYTES } from "./pbkdf-param-request.ts";
import { node, TlvStructReader } from "./tlv-struct.ts";

/** Decoded PBKDFParamResponse; `pbkdfParameters` is present only when the request lacked them. */
export type PBKDFParamResponse = {
  readonly initiatorRandom: Uint8Array;
  readonly responderRandom: Uint8Array;
  readonly responderSessionId: number;
  readonly pbkdfParameters?: PbkdfParameters;
  readonly responderSessionParams?: SessionParameters;
};

/** Encodes a PBKDFParamResponse payload. */
export function encodePBKDFParamResponse(m: PBKDFParamResponse): Uint8Array {
  const elements: TlvNode[] = [
    node.bytes(1, m.initiatorRandom),
    node.bytes(2, m.responderRandom),
    node.uint(3, m.responderSessionId),
  ];
  if (m.pbkdfParameters !== undefined) {
    elements.push({
      tag: ctx(4),
      type: "struct",
      elements: [node.uint(1, m.pbkdfParameters.iterations), node.bytes(2, m.pbkdfParameters.salt)],
    });
  }
  if (m.responderSessionParams !== undefined) {
    elements.push(encodeSessionParametersNode(m.responderSessionParams, ctx(5)));
  }
  return encodeTlv({ tag: ANONYMOUS, type: "struct", elements });
}

/** Decodes a PBKDFParamResponse payload strictly; any mismatch is MalformedError (`tlv.*`). */
export function decodePBKDFParamResponse(payload: Uint8Array): PBKDFParamResponse {
  const path = "PBKDFParamResponse";
  const r = new TlvStructReader(decodeTlv(payload, { path }), path, { knownTags: [1, 2, 3, 4, 5], allowUnknown: true });
  const base = {
    initiatorRandom: r.bytes(1, "initiatorRandom", { length: PASE_RANDOM_BYTES }),
    responderRandom: r.bytes(2, "responderRandom", { length: PASE_RANDOM_BYTES }),
    responderSessionId: r.uint(3, "responderSessionId", 16),
  };
  let out: PBKDFParamResponse = base;
  const pp = r.optionalStruct(4, "pbkdf_parameters");
  if (pp !== undefined) {
    const p = new TlvStructReader(pp, `${path}/pbkdf_parameters`, { knownTags: [1, 2], allowUnknown: true });
    out = {
      ...out,
      pbkdfParameters: {
        iterations: p.uint(1, "iterations", 32),
        salt: p.bytes(2, "salt", { minLength: PBKDF_SALT_MIN_BYTES, maxLength: PBKDF_SALT_MAX_BYTES }),
      },
    };
  }
  const sp = r.optionalStruct(5, "responderSessionParams");
  if (sp !== undefined) {
    out = { ...out, responderSessionParams: decodeSessionParametersNode(sp, `${path}/responderSessionParams`) };
  }
  return out;
}
