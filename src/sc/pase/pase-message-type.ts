/** Secure Channel message types of the PASE handshake (Core spec, Secure Channel Protocol: "Protocol Opcodes"). */

/** PASE opcodes; a failure or the final success is a StatusReport (0x40). */
export const PaseMessageType = {
  PBKDFParamRequest: 0x20,
  PBKDFParamResponse: 0x21,
  Pake1: 0x22,
  Pake2: 0x23,
  Pake3: 0x24,
  StatusReport: 0x40,
} as const;
export type PaseMessageType = (typeof PaseMessageType)[keyof typeof PaseMessageType];

/** One message to send: its Secure Channel opcode and payload bytes (framing is the message layer's). */
export type PaseMessage = { readonly messageType: PaseMessageType; readonly payload: Uint8Array };
