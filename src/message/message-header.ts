/**
 * The Matter message header (Core spec 4.4.1): message flags, session id, security flags, message counter, optional
 * source/destination ids and message extensions. The header bytes as received are the AES-CCM AAD (4.8.2), so the
 * decoder returns them untouched next to the parsed fields.
 */
import { ByteReader } from "../bytes/byte-reader.ts";
import { ByteWriter } from "../bytes/byte-writer.ts";
import { InternalError, MalformedError } from "../bytes/errors.ts";
import { extensionsSize, readExtensions, writeExtensions } from "./header-extensions.ts";

/** Session Type field of the security flags (4.4.1.3); values 2 and 3 are reserved. */
export const SessionType = { unicast: 0, group: 1 } as const;
/** A session type value. */
export type SessionType = (typeof SessionType)[keyof typeof SessionType];

/** The only message format version this spec defines (4.4.1.1). */
const MESSAGE_VERSION = 0;
/** Session ID 0 with the unicast session type marks an unsecured session (4.4.1.2). */
export const UNSECURED_SESSION_ID = 0;
/** Smallest possible message header: flags (1), session id (2), security flags (1), counter (4). */
const MIN_MESSAGE_HEADER_BYTES = 8;

const FLAG_S = 0x04;
const DSIZ_MASK = 0x03;
const DSIZ_NONE = 0;
const DSIZ_NODE = 1;
const DSIZ_GROUP = 2;
const MESSAGE_FLAGS_RESERVED = 0x08;
const SEC_P = 0x80;
const SEC_C = 0x40;
const SEC_MX = 0x20;
const SEC_RESERVED = 0x1c;
const SEC_SESSION_TYPE_MASK = 0x03;

/** The parsed message header; absent optional fields are absent on the wire. */
export interface MessageHeader {
  readonly sessionId: number;
  readonly sessionType: SessionType;
  /** P flag: privacy obfuscation of the counter and node ids (4.9.3). */
  readonly privacy: boolean;
  /** C flag: a control message (message counter synchronization) using the control counter space. */
  readonly control: boolean;
  readonly messageCounter: number;
  readonly sourceNodeId?: bigint | undefined;
  readonly destinationNodeId?: bigint | undefined;
  readonly destinationGroupId?: number | undefined;
  /** Message Extensions payload (MX flag), kept but not interpreted: this spec version defines none (4.4.1.8). */
  readonly messageExtensions?: Uint8Array | undefined;
}

/** A message split at the end of its header: `headerBytes` are exactly the received bytes (the AAD). */
export interface DecodedMessageHeader {
  readonly header: MessageHeader;
  readonly headerBytes: Uint8Array;
  /** The message payload: protocol header + application payload, encrypted with the MIC appended for secured sessions. */
  readonly payload: Uint8Array;
}

/** True for the unsecured session: unicast session type and session id 0 (4.4.1.2). */
export function isUnsecured(header: Pick<MessageHeader, "sessionId" | "sessionType">): boolean {
  return header.sessionType === SessionType.unicast && header.sessionId === UNSECURED_SESSION_ID;
}

/** The security flags byte of `header`, as sent on the wire and used in the CCM nonce (4.8.1). */
export function securityFlagsOf(header: MessageHeader): number {
  return (
    (header.privacy ? SEC_P : 0) |
    (header.control ? SEC_C : 0) |
    (header.messageExtensions !== undefined ? SEC_MX : 0) |
    header.sessionType
  );
}

function checkHeader(h: MessageHeader): void {
  if (!Number.isInteger(h.sessionId) || h.sessionId < 0 || h.sessionId > 0xffff) {
    throw new RangeError(`sessionId out of range: ${h.sessionId}`);
  }
  if (h.sessionType !== SessionType.unicast && h.sessionType !== SessionType.group) {
    throw new RangeError(`sessionType not defined: ${String(h.sessionType)}`);
  }
  if (!Number.isInteger(h.messageCounter) || h.messageCounter < 0 || h.messageCounter > 0xffffffff) {
    throw new RangeError(`messageCounter out of range: ${h.messageCounter}`);
  }
  if (h.destinationNodeId !== undefined && h.destinationGroupId !== undefined) {
    throw new TypeError("a message has either a destination node id or a destination group id, not both");
  }
}

/** The wire bytes of `header` (4.4.1); API misuse (out-of-range fields, both destinations) is a RangeError/TypeError. */
export function encodeMessageHeader(header: MessageHeader): Uint8Array {
  checkHeader(header);
  const dsiz =
    header.destinationNodeId !== undefined
      ? DSIZ_NODE
      : header.destinationGroupId !== undefined
        ? DSIZ_GROUP
        : DSIZ_NONE;
  const planned =
    MIN_MESSAGE_HEADER_BYTES +
    (header.sourceNodeId !== undefined ? 8 : 0) +
    (dsiz === DSIZ_NODE ? 8 : dsiz === DSIZ_GROUP ? 2 : 0) +
    extensionsSize("messageExtensions", header.messageExtensions);
  const w = new ByteWriter(planned);
  w.u8((MESSAGE_VERSION << 4) | (header.sourceNodeId !== undefined ? FLAG_S : 0) | dsiz);
  w.u16le(header.sessionId);
  w.u8(securityFlagsOf(header));
  w.u32le(header.messageCounter);
  if (header.sourceNodeId !== undefined) w.u64le(header.sourceNodeId);
  if (header.destinationNodeId !== undefined) w.u64le(header.destinationNodeId);
  if (header.destinationGroupId !== undefined) w.u16le(header.destinationGroupId);
  writeExtensions(w, header.messageExtensions);
  const out = w.finish();
  if (out.length !== planned) throw new InternalError(`message header: wrote ${out.length} bytes, planned ${planned}`);
  return out;
}

/**
 * Parses the message header at the start of `message` and splits off the payload. Strict: an unknown version, the
 * reserved DSIZ value 3, a reserved session type, set reserved bits or an overrun throw MalformedError `message.*`.
 */
export function decodeMessageHeader(message: Uint8Array): DecodedMessageHeader {
  const r = new ByteReader(message);
  const flagsAt = r.offset;
  const flags = r.u8("messageHeader/messageFlags");
  const version = flags >> 4;
  // 4.4.1.1: a message with an unsupported version SHALL be dropped.
  if (version !== MESSAGE_VERSION) {
    throw new MalformedError("message.version", `unsupported message format version ${version}`, {
      path: "messageHeader/messageFlags/version",
      offset: flagsAt,
    });
  }
  if ((flags & MESSAGE_FLAGS_RESERVED) !== 0) {
    throw new MalformedError("message.reserved-bits", "reserved message flag bit 3 is set", {
      path: "messageHeader/messageFlags",
      offset: flagsAt,
    });
  }
  const dsiz = flags & DSIZ_MASK;
  if (dsiz === 3) {
    throw new MalformedError("message.dsiz", "DSIZ value 3 is reserved", {
      path: "messageHeader/messageFlags/dsiz",
      offset: flagsAt,
    });
  }
  const sessionId = r.u16le("messageHeader/sessionId");
  const secAt = r.offset;
  const sec = r.u8("messageHeader/securityFlags");
  if ((sec & SEC_RESERVED) !== 0) {
    throw new MalformedError("message.reserved-bits", "reserved security flag bits are set", {
      path: "messageHeader/securityFlags",
      offset: secAt,
    });
  }
  const sessionType = sec & SEC_SESSION_TYPE_MASK;
  if (sessionType !== SessionType.unicast && sessionType !== SessionType.group) {
    throw new MalformedError("message.session-type", `session type ${sessionType} is reserved`, {
      path: "messageHeader/securityFlags/sessionType",
      offset: secAt,
    });
  }
  const messageCounter = r.u32le("messageHeader/messageCounter");
  const sourceNodeId = (flags & FLAG_S) !== 0 ? r.u64le("messageHeader/sourceNodeId") : undefined;
  const destinationNodeId = dsiz === DSIZ_NODE ? r.u64le("messageHeader/destinationNodeId") : undefined;
  const destinationGroupId = dsiz === DSIZ_GROUP ? r.u16le("messageHeader/destinationGroupId") : undefined;
  const messageExtensions = (sec & SEC_MX) !== 0 ? readExtensions(r, "messageHeader/messageExtensions") : undefined;
  const headerLength = r.offset;
  const header: MessageHeader = {
    sessionId,
    sessionType,
    privacy: (sec & SEC_P) !== 0,
    control: (sec & SEC_C) !== 0,
    messageCounter,
    ...(sourceNodeId !== undefined ? { sourceNodeId } : {}),
    ...(destinationNodeId !== undefined ? { destinationNodeId } : {}),
    ...(destinationGroupId !== undefined ? { destinationGroupId } : {}),
    ...(messageExtensions !== undefined ? { messageExtensions } : {}),
  };
  return { header, headerBytes: message.subarray(0, headerLength), payload: message.subarray(headerLength) };
}
