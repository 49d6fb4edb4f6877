/**
 * Exchanges and reliable messaging over sessions (Core spec 4.10 Message Exchanges, 4.12 MRP), sans-IO: every input
 * takes `now` (ms) and returns the effects to carry out (datagrams, delivered messages, exchange outcomes, the timer).
 */
import { MalformedError } from "../bytes/errors.ts";
import type { DecodedMessageHeader } from "../message/message-header.ts";
import { encodeProtocolHeader, type ProtocolHeader } from "../message/protocol-header.ts";
import { ProtocolId, SecureChannelOpcode } from "../message/protocol-ids.ts";
import { peerBaseInterval } from "./mrp-parameters.ts";
import { ReliableMessaging } from "./reliable-messaging.ts";
import type { OpenedMessage, SessionContext } from "./session-context.ts";

/** Our role in an exchange. */
export type ExchangeRole = "initiator" | "responder";

/** Why an exchange failed. */
export type ExchangeFailure = "mrp-max-transmissions" | "response-timeout" | "session-closed";

/** One exchange: a (session, exchange id, role) triple with its MRP state (4.10.1). */
export class Exchange {
  readonly session: SessionContext;
  readonly exchangeId: number;
  readonly role: ExchangeRole;
  readonly protocolId: number;
  readonly protocolVendorId: number | undefined;
  /** "closing": close() was called but a reliable message still awaits its ack. */
  state: "open" | "closing" | "closed" | "failed" = "open";
  readonly mrp = new ReliableMessaging();
  /** Deadline for the next message from the peer, when the last send asked for one. */
  responseDeadline: number | undefined;

  constructor(
    session: SessionContext,
    exchangeId: number,
    role: ExchangeRole,
    protocolId: number,
    protocolVendorId?: number,
  ) {
    this.session = session;
    this.exchangeId = exchangeId;
    this.role = role;
    this.protocolId = protocolId;
    this.protocolVendorId = protocolVendorId;
  }
}

/** A message delivered on an exchange. */
export interface ExchangeMessage {
  readonly opcode: number;
  readonly protocolId: number;
  readonly protocolVendorId: number | undefined;
  readonly applicationPayload: Uint8Array;
  readonly messageCounter: number;
}

/** Effects for the driver to carry out, in order. */
export type ExchangeEffect =
  | { readonly kind: "send"; readonly session: SessionContext; readonly bytes: Uint8Array }
  | { readonly kind: "message"; readonly exchange: Exchange; readonly message: ExchangeMessage }
  | { readonly kind: "exchange-closed"; readonly exchange: Exchange }
  | { readonly kind: "exchange-failed"; readonly exchange: Exchange; readonly reason: ExchangeFailure }
  /** The earliest deadline to call `onTimer` at; `at` undefined means no timer is needed. */
  | { readonly kind: "timer"; readonly at: number | undefined };

/**
 * Exchanges a peer may hold open at once on one session (ours as responder). The reference SDK allocates every
 * exchange from one pool of CHIP_CONFIG_MAX_EXCHANGE_CONTEXTS (16 by default, src/lib/core/CHIPConfig.h), so no SDK
 * peer needs more than 16 concurrent exchanges on one session; a message that would open one more is dropped unacked,
 * as the SDK's ExchangeMgr.cpp drops it when the pool is exhausted (the peer retransmits it later).
 */
export const MAX_PEER_EXCHANGES_PER_SESSION = 16;

/** Counters of what was dropped, for diagnostics. */
export interface ExchangeStats {
  malformed: number;
  duplicates: number;
  unsolicitedDropped: number;
  /** New exchanges refused because the session already held the maximum the peer may open. */
  exchangesRefused: number;
}

/** Options of `ExchangeManager`. */
export interface ExchangeManagerOptions {
  /** Uniform random in [0, 1): MRP jitter and the initial exchange id. Pass a fixed sequence in tests. */
  readonly random: () => number;
  /** Exchanges a peer may hold open at once on one session; default `MAX_PEER_EXCHANGES_PER_SESSION`. */
  readonly maxPeerExchangesPerSession?: number;
}

/** Options of a send. */
export interface SendOptions {
  /** Ask the peer to acknowledge (R flag); default true. */
  readonly reliable?: boolean;
  /** Fail the exchange with "response-timeout" unless a message arrives on it within this many ms. */
  readonly expectResponseWithinMs?: number;
  /** Protocol id of the message; defaults to the exchange's. */
  readonly protocolId?: number;
}

const exchangeKey = (sessionKey: string, exchangeId: number, role: ExchangeRole): string =>
  `${sessionKey}/${exchangeId}/${role}`;

/** All exchanges of a node, across sessions. */
export class ExchangeManager {
  readonly stats: ExchangeStats = { malformed: 0, duplicates: 0, unsolicitedDropped: 0, exchangesRefused: 0 };
  readonly #random: () => number;
  readonly #maxPeerExchanges: number;
  readonly #exchanges = new Map<string, Exchange>();
  /** Live exchanges the peer opened (ours as responder), by session key. */
  readonly #peerExchanges = new Map<string, number>();
  readonly #protocols = new Set<string>();
  readonly #lastPeerActivity = new Map<string, number>();
  #nextExchangeId: number;
  #out: ExchangeEffect[] = [];
  #timerAt: number | undefined;

  constructor(options: ExchangeManagerOptions) {
    this.#random = options.random;
    const max = options.maxPeerExchangesPerSession ?? MAX_PEER_EXCHANGES_PER_SESSION;
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`maxPeerExchangesPerSession: ${max}`);
    this.#maxPeerExchanges = max;
    // 4.10.2: the initial exchange id SHALL be random; later ones increment from it.
    this.#nextExchangeId = Math.floor(this.#rand() * 0x10000);
  }

  #rand(): number {
    const r = this.#random();
    if (!(r >= 0 && r < 1)) throw new RangeError(`random() must return a number in [0, 1): ${r}`);
    return r;
  }

  /** Accept unsolicited exchanges (messages with the I flag) for this protocol (4.10.5.2). */
  registerProtocol(protocolId: number, protocolVendorId?: number): void {
    this.#protocols.add(`${protocolVendorId ?? 0}/${protocolId}`);
  }

  /** The live exchanges (open or closing). */
  get exchanges(): readonly Exchange[] {
    return [...this.#exchanges.values()];
  }

  /** Opens an exchange as initiator on `session` with the next exchange id. */
  initiate(session: SessionContext, protocolId: number, protocolVendorId?: number): Exchange {
    for (let i = 0; i < 0x10000; i++) {
      const id = this.#nextExchangeId;
      this.#nextExchangeId = (id + 1) & 0xffff;
      const key = exchangeKey(session.key, id, "initiator");
      if (!this.#exchanges.has(key)) {
        const ex = new Exchange(session, id, "initiator", protocolId, protocolVendorId);
        this.#exchanges.set(key, ex);
        return ex;
      }
    }
    throw new RangeError("every exchange id of this session is in use");
  }

  /**
   * Sends a message on `exchange`, piggybacking the ack it owes. A reliable send while the previous reliable message is
   * unacknowledged is API misuse (4.12.5.1: one outstanding reliable message per exchange).
   */
  send(
    now: number,
    exchange: Exchange,
    opcode: number,
    applicationPayload: Uint8Array,
    options: SendOptions = {},
  ): ExchangeEffect[] {
    if (exchange.state !== "open") throw new TypeError(`cannot send on a ${exchange.state} exchange`);
    const reliable = options.reliable ?? true;
    if (reliable && exchange.mrp.retransmission !== undefined) {
      throw new TypeError("the previous reliable message on this exchange is not acknowledged yet");
    }
    const ack = exchange.mrp.takeAck();
    const header: ProtocolHeader = {
      initiator: exchange.role === "initiator",
      reliability: reliable,
      opcode,
      exchangeId: exchange.exchangeId,
      protocolId: options.protocolId ?? exchange.protocolId,
      ...(exchange.protocolVendorId !== undefined ? { protocolVendorId: exchange.protocolVendorId } : {}),
      ...(ack !== undefined ? { acknowledgedMessageCounter: ack } : {}),
    };
    const { messageCounter, bytes } = exchange.session.seal(encodeProtocolHeader(header, applicationPayload));
    this.#out.push({ kind: "send", session: exchange.session, bytes });
    if (reliable)
      exchange.mrp.sent(now, messageCounter, bytes, this.#baseInterval(exchange.session, now), this.#rand());
    exchange.responseDeadline =
      options.expectResponseWithinMs !== undefined ? now + options.expectResponseWithinMs : undefined;
    return this.#drain();
  }

  /** Closes `exchange`: flushes an owed ack; it stays "closing" until its outstanding reliable message is acked. */
  close(now: number, exchange: Exchange): ExchangeEffect[] {
    if (exchange.state === "open") {
      this.#flushAck(exchange);
      exchange.responseDeadline = undefined;
      exchange.state = "closing";
      this.#maybeFinishClose(exchange);
    }
    void now;
    return this.#drain();
  }

  /** Fails every exchange of `session` (the session was closed or evicted). */
  closeSession(session: SessionContext): ExchangeEffect[] {
    for (const ex of this.#exchanges.values()) {
      if (ex.session.key === session.key) this.#fail(ex, "session-closed");
    }
    this.#lastPeerActivity.delete(session.key);
    return this.#drain();
  }

  /** Handles a datagram already matched to `session` by its session id. Bad bytes are counted and dropped. */
  onMessage(now: number, session: SessionContext, decoded: DecodedMessageHeader): ExchangeEffect[] {
    let opened: OpenedMessage;
    try {
      opened = session.open(decoded);
    } catch (e) {
      if (!(e instanceof MalformedError)) throw e;
      this.stats.malformed++;
      return this.#drain();
    }
    this.#lastPeerActivity.set(session.key, now);
    const h = opened.protocolHeader;
    const role: ExchangeRole = h.initiator ? "responder" : "initiator";
    let exchange = this.#exchanges.get(exchangeKey(session.key, h.exchangeId, role));

    if (exchange !== undefined && h.acknowledgedMessageCounter !== undefined && !opened.duplicate) {
      if (exchange.mrp.acknowledged(h.acknowledgedMessageCounter)) this.#maybeFinishClose(exchange);
    }
    const standaloneAck =
      h.protocolId === ProtocolId.SECURE_CHANNEL && h.opcode === SecureChannelOpcode.MRP_STANDALONE_ACK;
    if (opened.duplicate) {
      this.stats.duplicates++;
      // 4.12.5.2.2: a duplicate reliable message SHALL be acknowledged again, and not processed further.
      if (h.reliability) this.#sendStandaloneAck(session, h, opened.messageCounter);
      return this.#drain();
    }
    if (standaloneAck) return this.#drain();

    if (exchange === undefined) {
      const accepted = h.initiator && this.#protocols.has(`${h.protocolVendorId ?? 0}/${h.protocolId}`);
      if (!accepted) {
        // 4.10.5.2: an unsolicited message without the I flag (or for no registered protocol) is not processed.
        // As the reference SDK does, it is still acknowledged so that the peer stops retransmitting it.
        this.stats.unsolicitedDropped++;
        if (h.reliability) this.#sendStandaloneAck(session, h, opened.messageCounter);
        return this.#drain();
      }
      const open = this.#peerExchanges.get(session.key) ?? 0;
      if (open >= this.#maxPeerExchanges) {
        // As the SDK with its exchange pool exhausted: dropped without an ack, so the peer retransmits it later.
        this.stats.exchangesRefused++;
        return this.#drain();
      }
      this.#peerExchanges.set(session.key, open + 1);
      exchange = new Exchange(session, h.exchangeId, "responder", h.protocolId, h.protocolVendorId);
      this.#exchanges.set(exchangeKey(session.key, h.exchangeId, "responder"), exchange);
    }
    if (exchange.state !== "open") {
      if (h.reliability) this.#sendStandaloneAck(session, h, opened.messageCounter);
      return this.#drain();
    }
    if (h.reliability) {
      const displaced = exchange.mrp.owe(now, opened.messageCounter);
      if (displaced !== undefined) this.#sendStandaloneAck(session, h, displaced.messageCounter);
    }
    exchange.responseDeadline = undefined;
    this.#out.push({
      kind: "message",
      exchange,
      message: {
        opcode: h.opcode,
        protocolId: h.protocolId,
        protocolVendorId: h.protocolVendorId,
        applicationPayload: opened.applicationPayload,
        messageCounter: opened.messageCounter,
      },
    });
    return this.#drain();
  }

  /** Runs every deadline that is due at `now`: standalone acks, retransmissions, give-ups, response timeouts. */
  onTimer(now: number): ExchangeEffect[] {
    for (const ex of [...this.#exchanges.values()]) {
      const ack = ex.mrp.pendingAck;
      if (ack !== undefined && ack.deadline <= now) this.#flushAck(ex);
      const step = ex.mrp.retransmissionDue(now, this.#baseInterval(ex.session, now), this.#rand());
      if (step.kind === "resend") {
        this.#out.push({ kind: "send", session: ex.session, bytes: step.bytes });
      } else if (step.kind === "give-up") {
        this.#fail(ex, "mrp-max-transmissions");
        continue;
      }
      if (ex.responseDeadline !== undefined && ex.responseDeadline <= now) {
        this.#fail(ex, "response-timeout");
        continue;
      }
      this.#maybeFinishClose(ex);
    }
    return this.#drain();
  }

  #baseInterval(session: SessionContext, now: number): number {
    return peerBaseInterval(session.peerParameters, this.#lastPeerActivity.get(session.key), now);
  }

  #flushAck(ex: Exchange): void {
    const counter = ex.mrp.takeAck();
    if (counter === undefined) return;
    this.#sendStandaloneAck(ex.session, { initiator: ex.role !== "initiator", exchangeId: ex.exchangeId }, counter);
  }

  /** A standalone ack (4.12.7) on the exchange of the received header `to`: our I flag is the opposite of its. */
  #sendStandaloneAck(
    session: SessionContext,
    to: Pick<ProtocolHeader, "initiator" | "exchangeId">,
    messageCounter: number,
  ): void {
    const payload = encodeProtocolHeader({
      initiator: !to.initiator,
      reliability: false,
      opcode: SecureChannelOpcode.MRP_STANDALONE_ACK,
      exchangeId: to.exchangeId,
      protocolId: ProtocolId.SECURE_CHANNEL,
      acknowledgedMessageCounter: messageCounter,
    });
    this.#out.push({ kind: "send", session, bytes: session.seal(payload).bytes });
  }

  #maybeFinishClose(ex: Exchange): void {
    if (ex.state === "closing" && ex.mrp.retransmission === undefined && ex.mrp.pendingAck === undefined) {
      ex.state = "closed";
      this.#remove(ex);
      this.#out.push({ kind: "exchange-closed", exchange: ex });
    }
  }

  #fail(ex: Exchange, reason: ExchangeFailure): void {
    if (ex.state === "closed" || ex.state === "failed") return;
    ex.state = "failed";
    ex.mrp.retransmission = undefined;
    ex.mrp.pendingAck = undefined;
    this.#remove(ex);
    this.#out.push({ kind: "exchange-failed", exchange: ex, reason });
  }

  #remove(ex: Exchange): void {
    if (!this.#exchanges.delete(exchangeKey(ex.session.key, ex.exchangeId, ex.role))) return;
    if (ex.role !== "responder") return;
    const open = (this.#peerExchanges.get(ex.session.key) ?? 1) - 1;
    if (open > 0) this.#peerExchanges.set(ex.session.key, open);
    else this.#peerExchanges.delete(ex.session.key);
  }

  /**
   * The earliest pending deadline. A driver that calls back into the manager while applying a batch of effects should
   * arm its timer from this value afterwards: a "timer" effect earlier in the batch may be stale by then.
   */
  get nextDeadline(): number | undefined {
    return this.#nextDeadline();
  }

  #nextDeadline(): number | undefined {
    let at: number | undefined;
    for (const ex of this.#exchanges.values()) {
      // Runs after every input of every exchange: no array or closure per exchange.
      at = earlier(at, ex.mrp.nextDeadline());
      at = earlier(at, ex.responseDeadline);
    }
    return at;
  }

  #drain(): ExchangeEffect[] {
    const at = this.#nextDeadline();
    if (at !== this.#timerAt) {
      this.#timerAt = at;
      this.#out.push({ kind: "timer", at });
    }
    const out = this.#out;
    this.#out = [];
    return out;
  }
}

/** The earlier of two optional deadlines. */
function earlier(a: number | undefined, b: number | undefined): number | undefined {
  return b !== undefined && (a === undefined || b < a) ? b : a;
}
