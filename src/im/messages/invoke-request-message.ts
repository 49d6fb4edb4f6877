/**
 * InvokeRequestMessage (Core spec 10.7.9, opcode 0x08).
 *
 * InvokeRequestMessage => STRUCTURE [ tag-order ] { SuppressResponse [0] : BOOLEAN, TimedRequest [1] : BOOLEAN,
 *   InvokeRequests [2] : ARRAY OF CommandDataIB, InteractionModelRevision [0xFF] }
 */
import { tlvArray, tlvBool, tlvField } from "../../tlv/tlv-schema.ts";
import { CommandDataIB } from "./command-data-ib.ts";
import { imMessage } from "./interaction-model-revision.ts";

/** InvokeRequestMessage codec. */
export const InvokeRequestMessage = imMessage("InvokeRequest", {
  suppressResponse: tlvField(0, tlvBool),
  timedRequest: tlvField(1, tlvBool),
  invokeRequests: tlvField(2, tlvArray(CommandDataIB)),
});
/** A decoded InvokeRequestMessage. */
export type InvokeRequestMessage = ReturnType<typeof InvokeRequestMessage.decode>;
