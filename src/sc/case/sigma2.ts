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
import { decodeTlv } from "../../tlv/tlv-decoder.ts";
import { encodeTlv } from "../../tlv/tlv-encoder.ts";
import { ANONYMOUS, ctx, type TlvNode } from "../../tlv/tlv-node.ts";
import { node, TlvStructReader } from "../pase/tlv-struct.ts";
import {
  decodeSessionParametersNode,
  encodeSessionParametersNode,
  type SessionParameters,
} from "../session-parameters.ts";
import { CASE_MIC_BYTES, EPHEMERAL_PUBLIC_KEY_BYTES, SIGMA_RANDOM_BYTES } from "./case-constants.ts";

/** Decoded Sigma2; `encrypted2` is TBEData2 encrypted with S2K, ciphertext || MIC. */
export type Sigma2 = {
  readonly responderRandom: Uint8Array;
  readonly responderSessionId: number;
  readonly responderEphPubKey: Uint8Array;
  readonly encrypted2: Uint8Array;
  readonly responderSessionParams?: SessionParameters;
};

/** Encodes a Sigma2 payload. */
export function encodeSigma2(m: Sigma2): Uint8Array {
  const elements: TlvNode[] = [
    node.bytes(1, m.responderRandom),
    node.uint(2, m.responderSessionId),
    node.bytes(3, m.responderEphPubKey),
    node.bytes(4, m.encrypted2),
  ];
  if (m.responderSessionParams !== undefined) {
    elements.push(encodeSessionParametersNode(m.responderSessionParams, ctx(5)));
  }
  return encodeTlv({ tag: ANONYMOUS, type: "struct", elements });
}

/** Decodes a Sigma2 payload strictly; `encrypted2` must at least hold its MIC. */
export function decodeSigma2(payload: Uint8Array): Sigma2 {
  const path = "Sigma2";
  const r = new TlvStructReader(decodeTlv(payload, { path }), path, { knownTags: [1, 2, 3, 4, 5], allowUnknown: true });
  const responderRandom = r.bytes(1, "responderRandom", { length: SIGMA_RANDOM_BYTES });
  const responderSessionId = r.uint(2, "responderSessionId", 16);
  const responderEphPubKey = r.bytes(3, "responderEphPubKey", { length: EPHEMERAL_PUBLIC_KEY_BYTES });
  const encrypted2 = r.bytes(4, "encrypted2", { minLength: CASE_MIC_BYTES + 1 });
  const sp = r.optionalStruct(5, "responderSessionParams");
  return {
    responderRandom,
    responderSessionId,
    responderEphPubKey,
    encrypted2,
    ...(sp === undefined
      ? {}
      : { responderSessionParams: decodeSessionParametersNode(sp, `${path}/responderSessionParams`) }),
  };
}
