/**
 * Protocol IDs of the common vendor (Core spec 4.4.3.5, Appendix: Protocol IDs) and the secure channel opcodes the
 * message layer itself needs (4.11.1, Table "Secure Channel Protocol Opcodes").
 */

/** Protocol ids of the Matter common vendor namespace (vendor id 0x0000). */
export const ProtocolId = {
  SECURE_CHANNEL: 0x0000,
  INTERACTION_MODEL: 0x0001,
  BDX: 0x0002,
  USER_DIRECTED_COMMISSIONING: 0x0003,
  FOR_TESTING: 0x0004,
} as const;
/** A common-vendor protocol id. */
export type ProtocolId = (typeof ProtocolId)[keyof typeof ProtocolId];

/** Secure Channel protocol opcodes (4.11.1). */
export const SecureChannelOpcode = {
  MSG_COUNTER_SYNC_REQ: 0x00,
  MSG_COUNTER_SYNC_RSP: 0x01,
  MRP_STANDALONE_ACK: 0x10,
  PBKDF_PARAM_REQUEST: 0x20,
  PBKDF_PARAM_RESPONSE: 0x21,
  PASE_PAKE1: 0x22,
  PASE_PAKE2: 0x23,
  PASE_PAKE3: 0x24,
  CASE_SIGMA1: 0x30,
  CASE_SIGMA2: 0x31,
  CASE_SIGMA3: 0x32,
  CASE_SIGMA2_RESUME: 0x33,
  STATUS_REPORT: 0x40,
  ICD_CHECK_IN: 0x50,
} as const;
/** A secure channel opcode. */
export type SecureChannelOpcode = (typeof SecureChannelOpcode)[keyof typeof SecureChannelOpcode];
