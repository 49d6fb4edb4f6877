/**
 * The StatusReport message (Core spec Appendix D, "Status Report Messages") and the Secure Channel protocol
 * codes it carries (Core spec, Secure Channel Protocol: "Secure Channel Status Report Messages").
 * Wire form, little-endian: GeneralCode u16 | ProtocolId u32 (vendor id << 16 | protocol) | ProtocolCode u16 | ProtocolData*.
 */
import { ByteReader } from "../bytes/byte-reader.ts";
import { ByteWriter } from "../bytes/byte-writer.ts";
import { ProtocolId, SecureChannelOpcode } from "../message/protocol-ids.ts";

/** The full 32-bit ProtocolId of the Secure Channel protocol: vendor 0x0000 in the upper 16 bits. */
const SECURE_CHANNEL_PROTOCOL_ID = (0x0000 << 16) | ProtocolId.SECURE_CHANNEL;

/** Fixed header of a StatusReport before the optional protocol data, in bytes. */
const STATUS_REPORT_HEADER_BYTES = 8;

/** General status codes (Appendix D.3.1 "General Status Codes"). */
export const GeneralCode = {
  SUCCESS: 0,
  FAILURE: 1,
  BAD_PRECONDITION: 2,
  OUT_OF_RANGE: 3,
  BAD_REQUEST: 4,
  UNSUPPORTED: 5,
  UNEXPECTED: 6,
  RESOURCE_EXHAUSTED: 7,
  BUSY: 8,
  TIMEOUT: 9,
  CONTINUE: 10,
  ABORTED: 11,
  INVALID_ARGUMENT: 12,
  NOT_FOUND: 13,
  ALREADY_EXISTS: 14,
  PERMISSION_DENIED: 15,
  DATA_LOSS: 16,
  MESSAGE_TOO_LARGE: 17,
} as const;
export type GeneralCode = (typeof GeneralCode)[keyof typeof GeneralCode];

/** Secure Channel protocol codes (Core spec table "Secure Channel Protocol Codes"). */
export const SecureChannelProtocolCode = {
  SESSION_ESTABLISHMENT_SUCCESS: 0x0000,
  NO_SHARED_TRUST_ROOTS: 0x0001,
  INVALID_PARAMETER: 0x0002,
  CLOSE_SESSION: 0x0003,
  BUSY: 0x0004,
} as const;
export type SecureChannelProtocolCode = (typeof SecureChannelProtocolCode)[keyof typeof SecureChannelProtocolCode];

/** A decoded StatusReport; `protocolId` is the full 32-bit value (vendor id in the upper 16 bits). */
export type StatusReport = {
  readonly generalCode: number;
  readonly protocolId: number;
  readonly protocolCode: number;
  /** Protocol-specific data after the header; absent when there is none. */
  readonly protocolData?: Uint8Array;
};

/** Encodes a StatusReport payload. */
export function encodeStatusReport(report: StatusReport): Uint8Array {
  const data = report.protocolData ?? new Uint8Array(0);
  const w = new ByteWriter(STATUS_REPORT_HEADER_BYTES + data.length)
    .u16le(report.generalCode)
    .u32le(report.protocolId)
    .u16le(report.protocolCode)
    .bytes(data);
  return w.finish();
}

/** A StatusReport to send: its opcode and encoded payload, as a handshake or the session table hands it on. */
export type StatusReportMessage = {
  readonly messageType: typeof SecureChannelOpcode.STATUS_REPORT;
  readonly payload: Uint8Array;
};

/** `report` as a message to send (Secure Channel opcode StatusReport, 4.11.1). */
export function statusReportMessage(report: StatusReport): StatusReportMessage {
  return { messageType: SecureChannelOpcode.STATUS_REPORT, payload: encodeStatusReport(report) };
}

/** Decodes a StatusReport payload; fewer than 8 bytes is `bytes.overrun` naming the field. */
export function decodeStatusReport(payload: Uint8Array, path = "statusReport"): StatusReport {
  const r = new ByteReader(payload);
  const generalCode = r.u16le(`${path}/generalCode`);
  const protocolId = r.u32le(`${path}/protocolId`);
  const protocolCode = r.u16le(`${path}/protocolCode`);
  if (r.done) return { generalCode, protocolId, protocolCode };
  return { generalCode, protocolId, protocolCode, protocolData: r.take(r.remaining, `${path}/protocolData`).slice() };
}

/** A Secure Channel StatusReport with the given codes. */
export function secureChannelStatus(
  generalCode: GeneralCode,
  protocolCode: SecureChannelProtocolCode,
  protocolData?: Uint8Array,
): StatusReport {
  const base = { generalCode, protocolId: SECURE_CHANNEL_PROTOCOL_ID, protocolCode };
  return protocolData === undefined ? base : { ...base, protocolData };
}

/** SUCCESS / SESSION_ESTABLISHMENT_SUCCESS: sent by the PASE and CASE responder after the last handshake message. */
export const SESSION_ESTABLISHMENT_SUCCESS: StatusReport = secureChannelStatus(
  GeneralCode.SUCCESS,
  SecureChannelProtocolCode.SESSION_ESTABLISHMENT_SUCCESS,
);

/** FAILURE / INVALID_PARAMETER: the answer to a bad handshake message or a failed key confirmation (PASE and CASE). */
export const INVALID_PARAMETER: StatusReport = secureChannelStatus(
  GeneralCode.FAILURE,
  SecureChannelProtocolCode.INVALID_PARAMETER,
);

/** SUCCESS / CLOSE_SESSION: tells the peer the session is being closed (CloseSession). */
export const CLOSE_SESSION: StatusReport = secureChannelStatus(
  GeneralCode.SUCCESS,
  SecureChannelProtocolCode.CLOSE_SESSION,
);

/** FAILURE / NO_SHARED_TRUST_ROOTS: CASE found no fabric matching the peer's destination id. */
export const NO_SHARED_TRUST_ROOTS: StatusReport = secureChannelStatus(
  GeneralCode.FAILURE,
  SecureChannelProtocolCode.NO_SHARED_TRUST_ROOTS,
);

/** BUSY / BUSY with the minimum time (ms, u16 LE protocol data) the initiator SHALL wait before retrying. */
export function busyStatus(minimumWaitMs: number): StatusReport {
  const data = new ByteWriter(2).u16le(minimumWaitMs).finish();
  return secureChannelStatus(GeneralCode.BUSY, SecureChannelProtocolCode.BUSY, data);
}

/** The minimum wait (ms) of a BUSY report, or undefined when the report is not a well-formed Secure Channel BUSY. */
export function busyMinimumWaitMs(report: StatusReport): number | undefined {
  if (report.protocolId !== SECURE_CHANNEL_PROTOCOL_ID || report.protocolCode !== SecureChannelProtocolCode.BUSY) {
    return undefined;
  }
  const data = report.protocolData;
  if (data === undefined || data.length !== 2) return undefined;
  return data[0]! | (data[1]! << 8);
}

/** True for a Secure Channel report that is GeneralCode SUCCESS with the given protocol code. */
export function isSecureChannelSuccess(
  report: StatusReport,
  protocolCode: SecureChannelProtocolCode = SecureChannelProtocolCode.SESSION_ESTABLISHMENT_SUCCESS,
): boolean {
  return (
    report.generalCode === GeneralCode.SUCCESS &&
    report.protocolId === SECURE_CHANNEL_PROTOCOL_ID &&
    report.protocolCode === protocolCode
  );
}

/**
 * The name of `code` in `table` in UpperCamelCase as the spec's tables write it ("Failure", "InvalidParameter"), or
 * `${what} ${code}` for a code the table does not name.
 */
function codeName(table: Readonly<Record<string, number>>, what: string, code: number): string {
  const entry = Object.entries(table).find(([, v]) => v === code);
  return entry === undefined ? `${what} ${code}` : upperCamel(entry[0]);
}

/** A report as one phrase for logs: "StatusReport Failure/InvalidParameter" (numbers for other protocols). */
export function describeStatusReport(report: StatusReport): string {
  const general = codeName(GeneralCode, "general code", report.generalCode);
  if (report.protocolId !== SECURE_CHANNEL_PROTOCOL_ID) {
    const protocol = `protocol 0x${report.protocolId.toString(16).padStart(8, "0")}`;
    return `StatusReport ${general}/${protocol} code ${report.protocolCode}`;
  }
  return `StatusReport ${general}/${codeName(SecureChannelProtocolCode, "protocol code", report.protocolCode)}`;
}

const upperCamel = (constant: string): string =>
  constant
    .toLowerCase()
    .split("_")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
