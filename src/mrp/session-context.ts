/**
 * The session seen from the exchange layer (Core spec 4.10, 4.13): what MRP and exchanges need from an unsecured,
 * PASE or CASE session. Sessions own their message counters, keys and duplicate detection; PASE/CASE plug in here.
 */
import type { DecodedMessageHeader } from "../message/message-header.ts";
import type { ProtocolHeader } from "../message/protocol-header.ts";
import type { MrpSessionParameters } from "./mrp-parameters.ts";

/** A received message after the session authenticated it and ran duplicate detection on its counter. */
export interface OpenedMessage {
  readonly messageCounter: number;
  /** True when the counter was already seen (4.6.5): MRP acks it again but it is not delivered. */
  readonly duplicate: boolean;
  readonly protocolHeader: ProtocolHeader;
  readonly applicationPayload: Uint8Array;
}

/** One session as the exchange manager uses it. */
export interface SessionContext {
  /** A key unique among this node's live sessions (e.g. "secure:<local session id>", "unsecured:<peer node id>"). */
  readonly key: string;
  /** True for PASE/CASE/group sessions, false for the unsecured session. */
  readonly secured: boolean;
  /** The peer's node id: operational for CASE, the ephemeral initiator id for the unsecured session, if known. */
  readonly peerNodeId: bigint | undefined;
  /** The peer's MRP intervals from its session parameters. */
  readonly peerParameters: MrpSessionParameters;
  /**
   * Wraps `payload` (protocol header + application payload) in a full message with the next message counter,
   * encrypting it for secured sessions. Retransmissions resend these bytes unchanged (4.12.2: same counter).
   */
  seal(payload: Uint8Array): { readonly messageCounter: number; readonly bytes: Uint8Array };
  /** Authenticates/decrypts a received message for this session; bad bytes throw MalformedError. */
  open(message: DecodedMessageHeader): OpenedMessage;
}
