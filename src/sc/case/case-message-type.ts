/** Secure Channel message types of the CASE handshake (Core spec 4.11.1, Table "Secure Channel Protocol Opcodes"). */

/** CASE opcodes; a failure, or the final success, is a StatusReport (0x40). */
export const CaseMessageType = {
  Sigma1: 0x30,
  Sigma2: 0x31,
  Sigma3: 0x32,
  Sigma2Resume: 0x33,
  StatusReport: 0x40,
} as const;
export type CaseMessageType = (typeof CaseMessageType)[keyof typeof CaseMessageType];

/** One message to send: its Secure Channel opcode and payload bytes (framing is the message layer's). */
export type CaseMessage = { readonly messageType: CaseMessageType; readonly payload: Uint8Array };
