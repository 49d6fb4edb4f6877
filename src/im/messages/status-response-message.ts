/**
 * StatusResponseMessage (Core spec 10.7.1, opcode 0x01): acknowledges a chunk or ends an interaction with a status.
 *
 * StatusResponseMessage => STRUCTURE [ tag-order ] { Status [0] : status, InteractionModelRevision [0xFF] : uint8 }
 */
import { tlvField, tlvUInt8 } from "../../tlv/tlv-schema.ts";
import { imMessage } from "./interaction-model-revision.ts";

/** StatusResponseMessage codec. */
export const StatusResponseMessage = imMessage("StatusResponse", { status: tlvField(0, tlvUInt8) });
/** A decoded StatusResponseMessage. */
export type StatusResponseMessage = ReturnType<typeof StatusResponseMessage.decode>;
