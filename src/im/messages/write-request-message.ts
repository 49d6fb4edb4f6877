/**
 * WriteRequestMessage (Core spec 10.7.6, opcode 0x06).
 *
 * WriteRequestMessage => STRUCTURE [ tag-order ] { SuppressResponse [0, optional] : BOOLEAN, TimedRequest [1] : BOOLEAN,
 *   WriteRequests [2] : ARRAY OF AttributeDataIB, MoreChunkedMessages [3, optional] : BOOLEAN, InteractionModelRevision [0xFF] }
 */
import { tlvArray, tlvBool, tlvField, tlvOptionalField } from "../../tlv/tlv-schema.ts";
import { AttributeDataIB } from "./attribute-data-ib.ts";
import { imMessage } from "./interaction-model-revision.ts";

/** WriteRequestMessage codec. */
export const WriteRequestMessage = imMessage("WriteRequest", {
  suppressResponse: tlvOptionalField(0, tlvBool),
  timedRequest: tlvField(1, tlvBool),
  writeRequests: tlvField(2, tlvArray(AttributeDataIB)),
  moreChunkedMessages: tlvOptionalField(3, tlvBool),
});
/** A decoded WriteRequestMessage. */
export type WriteRequestMessage = ReturnType<typeof WriteRequestMessage.decode>;
