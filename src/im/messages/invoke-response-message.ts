/**
 * InvokeResponseMessage (Core spec 10.7.10, opcode 0x09).
 *
 * InvokeResponseMessage => STRUCTURE [ tag-order ] { SuppressResponse [0] : BOOLEAN, InvokeResponses [1] : ARRAY OF
 *   InvokeResponseIB, MoreChunkedMessages [2, optional] : BOOLEAN, InteractionModelRevision [0xFF] }
 */
import { tlvArray, tlvBool, tlvField, tlvOptionalField } from "../../tlv/tlv-schema.ts";
import { imMessage } from "./interaction-model-revision.ts";
import { InvokeResponseIB } from "./invoke-response-ib.ts";

/** InvokeResponseMessage codec. */
export const InvokeResponseMessage = imMessage("InvokeResponse", {
  suppressResponse: tlvField(0, tlvBool),
  invokeResponses: tlvField(1, tlvArray(InvokeResponseIB)),
  moreChunkedMessages: tlvOptionalField(2, tlvBool),
});
/** A decoded InvokeResponseMessage. */
export type InvokeResponseMessage = ReturnType<typeof InvokeResponseMessage.decode>;
