/**
 * A secure unicast session (Core spec 4.13.2: PASE or CASE) as a SessionContext: AES-CCM with the session keys
 * (4.8), a per-session message counter (4.6.1.2) and secure-unicast duplicate detection (4.6.5.1). PASE/CASE derive
 * the keys and ids; this class only carries messages.
 */
import { MalformedError } from "../bytes/errors.ts";
import type { Crypto } from "../crypto/crypto.ts";
import { MessageReceptionState } from "../message/duplicate-detection.ts";
import type { MessageCounter } from "../message/message-counter.ts";
import { type DecodedMessageHeader, SessionType } from "../message/message-header.ts";
import { protectMessage, UNSPECIFIED_NODE_ID, unprotectMessage } from "../message/message-protection.ts";
import { decodeProtocolHeader } from "../message/protocol-header.ts";
import type { MrpSessionParameters } from "./mrp-parameters.ts";
import type { OpenedMessage, SessionContext } from "./session-context.ts";

/** Construction options of `SecureUnicastSession`. */
export interface SecureUnicastSessionOptions {
  readonly crypto: Crypto;
  /** Our session id: the one the peer puts in messages to us. */
  readonly localSessionId: number;
  /** The peer's session id: the one we put in messages to it. */
  readonly peerSessionId: number;
  /** I2RKey for the initiator, R2IKey for the responder (16 bytes). */
  readonly encryptKey: Uint8Array;
  /** The other key. */
  readonly decryptKey: Uint8Array;
  /** Our operational node id for CASE; absent for PASE (the nonce then uses the Unspecified Node ID, 4.8.1.1). */
  readonly localNodeId?: bigint | undefined;
  /** The peer's operational node id for CASE; absent for PASE. */
  readonly peerNodeId?: bigint | undefined;
  /** The session's own message counter, initialised at random (MessageCounter.random("secure-session", crypto)). */
  readonly counter: MessageCounter;
  readonly peerParameters?: MrpSessionParameters | undefined;
}

/** One PASE or CASE session. */
export class SecureUnicastSession implements SessionContext {
  readonly key: string;
  readonly secured = true;
  readonly localSessionId: number;
  readonly peerSessionId: number;
  readonly peerNodeId: bigint | undefined;
  peerParameters: MrpSessionParameters;
  readonly #o: SecureUnicastSessionOptions;
  readonly #reception = new MessageReceptionState("secure-unicast");

  constructor(options: SecureUnicastSessionOptions) {
    for (const id of [options.localSessionId, options.peerSessionId]) {
      // 4.13.2.1: session id 0 is the unsecured session.
      if (!Number.isInteger(id) || id < 1 || id > 0xffff) throw new RangeError(`secure session id out of range: ${id}`);
    }
    if (options.counter.kind !== "secure-session")
      throw new TypeError("a secure session needs a secure-session counter");
    this.#o = options;
    this.localSessionId = options.localSessionId;
    this.peerSessionId = options.peerSessionId;
    this.peerNodeId = options.peerNodeId;
    this.peerParameters = options.peerParameters ?? {};
    this.key = `secure:${options.localSessionId}`;
  }

  seal(payload: Uint8Array): { messageCounter: number; bytes: Uint8Array } {
    const messageCounter = this.#o.counter.next();
    const bytes = protectMessage(
      this.#o.crypto,
      this.#o.encryptKey,
      {
        sessionId: this.peerSessionId,
        sessionType: SessionType.unicast,
        privacy: false,
        control: false,
        messageCounter,
      },
      payload,
      this.#o.localNodeId ?? UNSPECIFIED_NODE_ID,
    );
    return { messageCounter, bytes };
  }

  open(message: DecodedMessageHeader): OpenedMessage {
    const h = message.header;
    if (h.sessionType !== SessionType.unicast || h.sessionId !== this.localSessionId) {
      throw new MalformedError("message.session", `message for session ${h.sessionId}, not ${this.localSessionId}`, {
        path: "messageHeader/sessionId",
        offset: 1,
      });
    }
    const verdict = this.#reception.check(h.messageCounter);
    const plain = unprotectMessage(this.#o.crypto, this.#o.decryptKey, message, this.peerNodeId ?? UNSPECIFIED_NODE_ID);
    const { header: protocolHeader, applicationPayload } = decodeProtocolHeader(plain);
    // 4.6.5: the counter is recorded only once the message authenticated.
    if (verdict === "new") this.#reception.commit(h.messageCounter);
    return { messageCounter: h.messageCounter, duplicate: verdict === "duplicate", protocolHeader, applicationPayload };
  }
}
