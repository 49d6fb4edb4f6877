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
import { decodeTlv } from "../../tlv/tlv-decoder.ts";
import { encodeTlv } from "../../tlv/tlv-encoder.ts";
import { ANONYMOUS, ctx, type TlvNode } from "../../tlv/tlv-node.ts";
import {
  decodeSessionParametersNode,
  encodeSessionParametersNode,
  type SessionParameters,
} from "../session-parameters.ts";
import { node, TlvStructReader } from "./tlv-struct.ts";

/** Length of initiatorRandom / responderRandom, in bytes. */
export const PASE_RANDOM_BYTES = 32;

/** Decoded PBKDFParamRequest. */
export type PBKDFParamRequest = {
  readonly initiatorRandom: Uint8Array;
  readonly initiatorSessionId: number;
  readonly passcodeId: number;
  readonly hasPBKDFParameters: boolean;
  readonly initiatorSessionParams?: SessionParameters;
};

/** Encodes a PBKDFParamRequest payload. */
export function encodePBKDFParamRequest(m: PBKDFParamRequest): Uint8Array {
  const elements: TlvNode[] = [
    node.bytes(1, m.initiatorRandom),
    node.uint(2, m.initiatorSessionId),
    node.uint(3, m.passcodeId),
    node.bool(4, m.hasPBKDFParameters),
  ];
  if (m.initiatorSessionParams !== undefined) {
    elements.push(encodeSessionParametersNode(m.initiatorSessionParams, ctx(5)));
  }
  return encodeTlv({ tag: ANONYMOUS, type: "struct", elements });
}

/** Decodes a PBKDFParamRequest payload strictly; any mismatch is MalformedError (`tlv.*`). */
export function decodePBKDFParamRequest(payload: Uint8Array): PBKDFParamRequest {
  const path = "PBKDFParamRequest";
  const r = new TlvStructReader(decodeTlv(payload, { path }), path, { knownTags: [1, 2, 3, 4, 5], allowUnknown: true });
  const base = {
    initiatorRandom: r.bytes(1, "initiatorRandom", { length: PASE_RANDOM_BYTES }),
    initiatorSessionId: r.uint(2, "initiatorSessionId", 16),
    passcodeId: r.uint(3, "passcodeId", 16),
    hasPBKDFParameters: r.bool(4, "hasPBKDFParameters"),
  };
  const sp = r.optionalStruct(5, "initiatorSessionParams");
  return sp === undefined
    ? base
    : { ...base, initiatorSessionParams: decodeSessionParametersNode(sp, `${path}/initiatorSessionParams`) };
}
