/**
 * TimedRequestMessage (Core spec 10.7.8, opcode 0x0A): opens a Timed Interaction; the Write or Invoke that follows on
 * the same exchange must arrive within Timeout milliseconds.
 *
 * TimedRequestMessage => STRUCTURE [ tag-order ] { Timeout [0] : uint16 (ms), InteractionModelRevision [0xFF] }
 */
import { tlvField, tlvUInt16 } from "../../tlv/tlv-schema.ts";
import { imMessage } from "./interaction-model-revision.ts";

/** TimedRequestMessage codec. */
export const TimedRequestMessage = imMessage("TimedRequest", { timeout: tlvField(0, tlvUInt16) });
/** A decoded TimedRequestMessage. */
export type TimedRequestMessage = ReturnType<typeof TimedRequestMessage.decode>;
