/**
 * The unsecured session (Core spec 4.13.2.1) as a SessionContext: session id 0, plaintext payload, the global
 * unencrypted message counter, and duplicate detection with the rollover rules for unencrypted messages (4.6.5.3).
 * The initiator names itself with a random ephemeral node id (S flag); the responder addresses it (DSIZ = node id).
 */
import { MalformedError } from "../bytes/errors.ts";
import { MessageReceptionState } from "../message/duplicate-detection.ts";
import type { MessageCounter } from "../message/message-counter.ts";
import {
  type DecodedMessageHeader,
  encodeMessageHeader,
  isUnsecured,
  SessionType,
  UNSECURED_SESSION_ID,
} from "../message/message-header.ts";
import { decodeProtocolHeader } from "../message/protocol-header.ts";
import type { MrpSessionParameters } from "./mrp-parameters.ts";
import type { OpenedMessage, SessionContext } from "./session-context.ts";

/** Construction options of `UnsecuredSession`. */
export interface UnsecuredSessionOptions {
  /** The node's global unencrypted message counter (shared by all unsecured sessions). */
  readonly counter: MessageCounter;
  /** Our ephemeral node id when we initiate (sent as the source node id). */
  readonly localEphemeralNodeId?: bigint | undefined;
  /** The peer's ephemeral node id when it initiated (sent as the destination node id). */
  readonly peerEphemeralNodeId?: bigint | undefined;
  readonly peerParameters?: MrpSessionParameters | undefined;
}

/** One unsecured session with one peer. */
export class UnsecuredSession implements SessionContext {
  readonly key: string;
  readonly secured = false;
  readonly peerNodeId: bigint | undefined;
  peerParameters: MrpSessionParameters;
  readonly localEphemeralNodeId: bigint | undefined;
  readonly #counter: MessageCounter;
  readonly #reception = new MessageReceptionState("unencrypted");

  constructor(options: UnsecuredSessionOptions) {
    if ((options.localEphemeralNodeId === undefined) === (options.peerEphemeralNodeId === undefined)) {
      throw new TypeError("exactly one of localEphemeralNodeId (initiator) and peerEphemeralNodeId (responder)");
    }
    this.#counter = options.counter;
    this.localEphemeralNodeId = options.localEphemeralNodeId;
    this.peerNodeId = options.peerEphemeralNodeId;
    this.peerParameters = options.peerParameters ?? {};
    this.key = `unsecured:${options.localEphemeralNodeId ?? options.peerEphemeralNodeId}`;
  }

  seal(payload: Uint8Array): { messageCounter: number; bytes: Uint8Array } {
    const messageCounter = this.#counter.next();
    const header = encodeMessageHeader({
      sessionId: UNSECURED_SESSION_ID,
      sessionType: SessionType.unicast,
      privacy: false,
      control: false,
      messageCounter,
      ...(this.localEphemeralNodeId !== undefined ? { sourceNodeId: this.localEphemeralNodeId } : {}),
      ...(this.peerNodeId !== undefined ? { destinationNodeId: this.peerNodeId } : {}),
    });
    const bytes = new Uint8Array(header.length + payload.length);
    bytes.set(header, 0);
    bytes.set(payload, header.length);
    return { messageCounter, bytes };
  }

  open(message: DecodedMessageHeader): OpenedMessage {
    const h = message.header;
    if (!isUnsecured(h)) {
      throw new MalformedError("message.session", "not an unsecured-session message", {
        path: "messageHeader/sessionId",
        offset: 1,
      });
    }
    const { header: protocolHeader, applicationPayload } = decodeProtocolHeader(message.payload);
    const duplicate = this.#reception.receive(h.messageCounter) === "duplicate";
    return { messageCounter: h.messageCounter, duplicate, protocolHeader, applicationPayload };
  }
}
