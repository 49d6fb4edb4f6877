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
import { decodeTlv } from "../../tlv/tlv-decoder.ts";
import { encodeTlv } from "../../tlv/tlv-encoder.ts";
import { ANONYMOUS, ctx, type TlvNode } from "../../tlv/tlv-node.ts";
import { node, TlvStructReader } from "../pase/tlv-struct.ts";
import {
  decodeSessionParametersNode,
  encodeSessionParametersNode,
  type SessionParameters,
} from "../session-parameters.ts";
import {
  CASE_MIC_BYTES,
  DESTINATION_ID_BYTES,
  EPHEMERAL_PUBLIC_KEY_BYTES,
  RESUMPTION_ID_BYTES,
  SIGMA_RANDOM_BYTES,
} from "./case-constants.ts";

/** Decoded Sigma1. */
export type Sigma1 = {
  readonly initiatorRandom: Uint8Array;
  readonly initiatorSessionId: number;
  readonly destinationId: Uint8Array;
  readonly initiatorEphPubKey: Uint8Array;
  readonly initiatorSessionParams?: SessionParameters;
  readonly resumptionId?: Uint8Array;
  readonly initiatorResumeMic?: Uint8Array;
};

/** Encodes a Sigma1 payload, members in tag order. */
export function encodeSigma1(m: Sigma1): Uint8Array {
  const elements: TlvNode[] = [
    node.bytes(1, m.initiatorRandom),
    node.uint(2, m.initiatorSessionId),
    node.bytes(3, m.destinationId),
    node.bytes(4, m.initiatorEphPubKey),
  ];
  if (m.initiatorSessionParams !== undefined) {
    elements.push(encodeSessionParametersNode(m.initiatorSessionParams, ctx(5)));
  }
  if (m.resumptionId !== undefined) elements.push(node.bytes(6, m.resumptionId));
  if (m.initiatorResumeMic !== undefined) elements.push(node.bytes(7, m.initiatorResumeMic));
  return encodeTlv({ tag: ANONYMOUS, type: "struct", elements });
}

/** Decodes a Sigma1 payload strictly (lengths, ranges, tag order); unknown members are skipped. */
export function decodeSigma1(payload: Uint8Array): Sigma1 {
  const path = "Sigma1";
  const r = new TlvStructReader(decodeTlv(payload, { path }), path, {
    knownTags: [1, 2, 3, 4, 5, 6, 7],
    allowUnknown: true,
  });
  const initiatorRandom = r.bytes(1, "initiatorRandom", { length: SIGMA_RANDOM_BYTES });
  const initiatorSessionId = r.uint(2, "initiatorSessionId", 16);
  const destinationId = r.bytes(3, "destinationId", { length: DESTINATION_ID_BYTES });
  const initiatorEphPubKey = r.bytes(4, "initiatorEphPubKey", { length: EPHEMERAL_PUBLIC_KEY_BYTES });
  const sp = r.optionalStruct(5, "initiatorSessionParams");
  const resumptionId = r.optionalBytes(6, "resumptionID", { length: RESUMPTION_ID_BYTES });
  const initiatorResumeMic = r.optionalBytes(7, "initiatorResumeMIC", { length: CASE_MIC_BYTES });
  return {
    initiatorRandom,
    initiatorSessionId,
    destinationId,
    initiatorEphPubKey,
    ...(sp === undefined
      ? {}
      : { initiatorSessionParams: decodeSessionParametersNode(sp, `${path}/initiatorSessionParams`) }),
    ...(resumptionId === undefined ? {} : { resumptionId }),
    ...(initiatorResumeMic === undefined ? {} : { initiatorResumeMic }),
  };
}
