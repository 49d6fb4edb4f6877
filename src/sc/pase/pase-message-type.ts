/** The messages of the PASE handshake (Core spec, Secure Channel Protocol: "Protocol Opcodes"). */
import type { SecureChannelOpcode } from "../../message/protocol-ids.ts";

/** PASE opcodes; a failure or the final success is a StatusReport. */
type PaseMessageType = (typeof SecureChannelOpcode)[
  | "PBKDF_PARAM_REQUEST"
  | "PBKDF_PARAM_RESPONSE"
  | "PASE_PAKE1"
  | "PASE_PAKE2"
  | "PASE_PAKE3"
  | "STATUS_REPORT"];

/** One message to send: its Secure Channel opcode and payload bytes (framing is the message layer's). */
export type PaseMessage = { readonly messageType: PaseMessageType; readonly payload: Uint8Array };
