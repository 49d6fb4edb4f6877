/**
 * One established secure unicast session (Core spec 4.13.2 "Secure Session Context"): PASE or CASE, its session ids,
 * keys, peer, fabric, CATs, the peer's session parameters, its outgoing message counter and activity times, and as the
 * exchange layer's SessionContext it carries messages: AES-CCM with the session keys (4.8) and secure-unicast
 * duplicate detection (4.6.5.1). The SessionManager owns the table of sessions.
 */
import { MalformedError } from "../bytes/errors.ts";
import type { Crypto } from "../crypto/crypto.ts";
import type { FabricIndex } from "../fabric/fabric-index.ts";
import { MessageReceptionState } from "../message/duplicate-detection.ts";
import type { MessageCounter } from "../message/message-counter.ts";
import { type DecodedMessageHeader, SessionType } from "../message/message-header.ts";
import { protectMessage, UNSPECIFIED_NODE_ID, unprotectMessage } from "../message/message-protection.ts";
import { decodeProtocolHeader } from "../message/protocol-header.ts";
import type { MrpSessionParameters } from "../mrp/mrp-parameters.ts";
import type { OpenedMessage, SessionContext } from "../mrp/session-context.ts";
import type { SessionParameters } from "./session-parameters.ts";

/** I2RKey, R2IKey and AttestationChallenge, 16 bytes each (4.13.2.1, from the PASE or CASE key schedule). */
export type SessionKeys = {
  readonly i2rKey: Uint8Array;
  readonly r2iKey: Uint8Array;
  readonly attestationChallenge: Uint8Array;
};

/** How the session was established (the Session Type of 4.13.2.1 for unicast sessions). */
export const SecureSessionType = { pase: "pase", case: "case" } as const;
export type SecureSessionType = (typeof SecureSessionType)[keyof typeof SecureSessionType];

/** Which side of the handshake this node was: it selects the encryption key (I2R for the initiator). */
export type SessionRole = "initiator" | "responder";

/**
 * What a new SecureSession is built from: the session's own fields (CASE-only ones and defaults optional), the crypto
 * its messages use and the establishment time.
 */
export type SecureSessionInit = Pick<
  SecureSession,
  "type" | "role" | "localSessionId" | "peerSessionId" | "keys" | "counter"
> & {
  readonly [K in "peerNodeId" | "localNodeId" | "fabricIndex" | "peerCats" | "peerSessionParameters" | "resumed"]?:
    | SecureSession[K]
    | undefined;
} & {
  /** AES-CCM for the session's messages. */
  readonly crypto: Crypto;
  /** Establishment time (ms, the caller's monotonic clock). */
  readonly now: number;
};

/** The largest secure session id; 0 is the unsecured session (4.13.2.1). */
export const MAX_SESSION_ID = 0xffff;

/** Throws a RangeError naming `name` unless `id` can name a secure session (1..0xFFFF). */
export function checkSessionId(name: string, id: number): void {
  // 4.13.2.1: session id 0 is reserved for the unsecured session.
  if (!Number.isInteger(id) || id < 1 || id > MAX_SESSION_ID) throw new RangeError(`${name} out of range: ${id}`);
}

/** One PASE or CASE session. */
export class SecureSession implements SessionContext {
  /** The exchange layer's key for this session: unique among live sessions (our session id). */
  readonly key: string;
  readonly secured = true;
  /** The peer's MRP intervals, from its session parameters. */
  readonly peerParameters: MrpSessionParameters;
  readonly type: SecureSessionType;
  readonly role: SessionRole;
  /** Our session id (1..0xFFFF): the one the peer puts in messages to us. */
  readonly localSessionId: number;
  /** The peer's session id (1..0xFFFF). */
  readonly peerSessionId: number;
  readonly keys: SessionKeys;
  /** The session's outgoing counter (kind "secure-session", random start). */
  readonly counter: MessageCounter;
  /** The peer's operational node id (CASE only). */
  readonly peerNodeId: bigint | undefined;
  /** Our operational node id on the session's fabric (CASE only; the nonce's source node id). */
  readonly localNodeId: bigint | undefined;
  /** CASE Authenticated Tags of the peer's NOC (none for PASE). */
  readonly peerCats: readonly number[];
  readonly peerSessionParameters: SessionParameters;
  /** True for a CASE session established by resumption. */
  readonly resumed: boolean;
  #fabricIndex: FabricIndex | undefined;
  #lastActiveMs: number;
  #lastReceivedMs: number | undefined;
  readonly #crypto: Crypto;
  readonly #reception = new MessageReceptionState("secure-unicast");

  constructor(init: SecureSessionInit) {
    checkSessionId("localSessionId", init.localSessionId);
    checkSessionId("peerSessionId", init.peerSessionId);
    if (init.counter.kind !== "secure-session") throw new TypeError("a secure session needs a secure-session counter");
    if (init.type === "case" && (init.peerNodeId === undefined || init.fabricIndex === undefined)) {
      throw new TypeError("a CASE session needs a peer node id and a fabric index");
    }
    this.#crypto = init.crypto;
    this.type = init.type;
    this.role = init.role;
    this.localSessionId = init.localSessionId;
    this.peerSessionId = init.peerSessionId;
    this.keys = init.keys;
    this.counter = init.counter;
    this.peerNodeId = init.peerNodeId;
    this.localNodeId = init.localNodeId;
    this.peerCats = [...(init.peerCats ?? [])];
    this.peerSessionParameters = init.peerSessionParameters ?? {};
    const p = this.peerSessionParameters;
    this.peerParameters = {
      sessionIdleInterval: p.sessionIdleInterval,
      sessionActiveInterval: p.sessionActiveInterval,
      sessionActiveThreshold: p.sessionActiveThreshold,
    };
    this.key = `secure:${init.localSessionId}`;
    this.resumed = init.resumed ?? false;
    this.#fabricIndex = init.fabricIndex;
    this.#lastActiveMs = init.now;
  }

  /** The key protecting messages we send: I2RKey when we initiated, R2IKey otherwise (4.13.2.1). */
  get encryptKey(): Uint8Array {
    return this.role === "initiator" ? this.keys.i2rKey : this.keys.r2iKey;
  }

  /** The key protecting messages we receive. */
  get decryptKey(): Uint8Array {
    return this.role === "initiator" ? this.keys.r2iKey : this.keys.i2rKey;
  }

  /** The AttestationChallenge (used by device attestation and CSR requests over this session). */
  get attestationChallenge(): Uint8Array {
    return this.keys.attestationChallenge;
  }

  /** The accessing fabric index: set for CASE; for PASE undefined until AddNOC bound it. */
  get fabricIndex(): FabricIndex | undefined {
    return this.#fabricIndex;
  }

  /** When a message was last sent or received on the session (ms); drives least-recently-used eviction. */
  get lastActiveMs(): number {
    return this.#lastActiveMs;
  }

  /** When a message was last received from the peer (ms), or undefined before the first one. */
  get lastReceivedMs(): number | undefined {
    return this.#lastReceivedMs;
  }

  /** Records that a message was sent at `now`. */
  markActive(now: number): void {
    if (now > this.#lastActiveMs) this.#lastActiveMs = now;
  }

  /** Records that an authenticated message was received at `now`. */
  markReceived(now: number): void {
    this.markActive(now);
    if (this.#lastReceivedMs === undefined || now > this.#lastReceivedMs) this.#lastReceivedMs = now;
  }

  /**
   * AddNOC over PASE: the PASE session now accesses the new fabric (Core spec 11.18.6.8: "the fabric index of the
   * secure session SHALL be set to the new fabric"). Only an unbound PASE session can be bound.
   */
  bindToFabric(index: FabricIndex): void {
    if (this.type !== "pase") throw new TypeError("only a PASE session is bound to a fabric by AddNOC");
    if (this.#fabricIndex !== undefined && this.#fabricIndex !== index) {
      throw new TypeError(`PASE session already bound to fabric ${this.#fabricIndex}`);
    }
    this.#fabricIndex = index;
  }

  /** Undoes `bindToFabric` when the fail-safe expires and the pending fabric is dropped. */
  unbindFabric(): void {
    if (this.type === "pase") this.#fabricIndex = undefined;
  }

  /** Protects `payload` under the encryption key with the next message counter (4.8; the nonce per 4.8.1.1). */
  seal(payload: Uint8Array): { messageCounter: number; bytes: Uint8Array } {
    const messageCounter = this.counter.next();
    const bytes = protectMessage(
      this.#crypto,
      this.encryptKey,
      {
        sessionId: this.peerSessionId,
        sessionType: SessionType.unicast,
        privacy: false,
        control: false,
        messageCounter,
      },
      payload,
      // 4.8.1.1: PASE nonces use the Unspecified Node ID.
      this.localNodeId ?? UNSPECIFIED_NODE_ID,
    );
    return { messageCounter, bytes };
  }

  /** Authenticates and decrypts a message for this session; its counter is recorded only once it authenticated. */
  open(message: DecodedMessageHeader): OpenedMessage {
    const h = message.header;
    if (h.sessionType !== SessionType.unicast || h.sessionId !== this.localSessionId) {
      throw new MalformedError("message.session", `message for session ${h.sessionId}, not ${this.localSessionId}`, {
        path: "messageHeader/sessionId",
        offset: 1,
      });
    }
    const verdict = this.#reception.check(h.messageCounter);
    const plain = unprotectMessage(this.#crypto, this.decryptKey, message, this.peerNodeId ?? UNSPECIFIED_NODE_ID);
    const { header: protocolHeader, applicationPayload } = decodeProtocolHeader(plain);
    // 4.6.5: the counter is recorded only once the message authenticated.
    if (verdict === "new") this.#reception.commit(h.messageCounter);
    return { messageCounter: h.messageCounter, duplicate: verdict === "duplicate", protocolHeader, applicationPayload };
  }
}
