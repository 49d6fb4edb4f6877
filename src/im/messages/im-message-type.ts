/**
 * Interaction Model protocol opcodes (Core spec 10.2.1, Table "Interaction Model Protocol Opcodes"; protocol id 0x0001).
 * Checked against connectedhomeip src/protocols/interaction_model/Constants.h (MsgType).
 */

/** IM opcodes. 0x0B..0x0D (SubscribeInvokeRequest etc.) are reserved in Matter 1.4 and not served. */
export const ImMessageType = {
  StatusResponse: 0x01,
  ReadRequest: 0x02,
  SubscribeRequest: 0x03,
  SubscribeResponse: 0x04,
  ReportData: 0x05,
  WriteRequest: 0x06,
  WriteResponse: 0x07,
  InvokeRequest: 0x08,
  InvokeResponse: 0x09,
  TimedRequest: 0x0a,
} as const;
/** One IM opcode. */
export type ImMessageType = (typeof ImMessageType)[keyof typeof ImMessageType];

const NAMES = new Map<number, string>(Object.entries(ImMessageType).map(([name, value]) => [value, name]));

/** The spec name of an opcode, or `0x..` when unknown. */
export function imMessageTypeName(type: number): string {
  return NAMES.get(type) ?? `0x${type.toString(16).padStart(2, "0")}`;
}

/** True when `type` is an IM opcode this table defines. */
export function isImMessageType(type: number): type is ImMessageType {
  return NAMES.has(type);
}
