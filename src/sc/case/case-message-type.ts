/** The messages of the CASE handshake (Core spec 4.11.1, Table "Secure Channel Protocol Opcodes"). */
import type { SecureChannelOpcode } from "../../message/protocol-ids.ts";

/** CASE opcodes; a failure, or the final success, is a StatusReport. */
type CaseMessageType = (typeof SecureChannelOpcode)[
  | "CASE_SIGMA1"
  | "CASE_SIGMA2"
  | "CASE_SIGMA3"
  | "CASE_SIGMA2_RESUME"
  | "STATUS_REPORT"];

/** One message to send: its Secure Channel opcode and payload bytes (framing is the message layer's). */
export type CaseMessage = { readonly messageType: CaseMessageType; readonly payload: Uint8Array };
