/**
 * WriteResponseMessage (Core spec 10.7.7, opcode 0x07).
 *
 * WriteResponseMessage => STRUCTURE [ tag-order ] { WriteResponses [0] : ARRAY OF AttributeStatusIB, InteractionModelRevision [0xFF] }
 */
import { tlvArray, tlvField } from "../../tlv/tlv-schema.ts";
import { AttributeStatusIB } from "./attribute-status-ib.ts";
import { imMessage } from "./interaction-model-revision.ts";

/** WriteResponseMessage codec. */
export const WriteResponseMessage = imMessage("WriteResponse", {
  writeResponses: tlvField(0, tlvArray(AttributeStatusIB)),
});
/** A decoded WriteResponseMessage. */
export type WriteResponseMessage = ReturnType<typeof WriteResponseMessage.decode>;
