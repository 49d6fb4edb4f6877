/**
 * SubscribeResponseMessage (Core spec 10.7.4, opcode 0x04). Tag 1 (MinInterval) was removed before 1.0.
 *
 * SubscribeResponseMessage => STRUCTURE [ tag-order ] { SubscriptionId [0] : subscription-id, MaxInterval [2] : uint16,
 *   InteractionModelRevision [0xFF] }
 */
import { tlvField, tlvUInt16, tlvUInt32 } from "../../tlv/tlv-schema.ts";
import { imMessage } from "./interaction-model-revision.ts";

/** SubscribeResponseMessage codec. */
export const SubscribeResponseMessage = imMessage("SubscribeResponse", {
  subscriptionId: tlvField(0, tlvUInt32),
  maxInterval: tlvField(2, tlvUInt16),
});
/** A decoded SubscribeResponseMessage. */
export type SubscribeResponseMessage = ReturnType<typeof SubscribeResponseMessage.decode>;
