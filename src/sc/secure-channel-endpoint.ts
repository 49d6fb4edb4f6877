/**
 * The secure channel of a node (Core spec 4.11 Secure Channel Protocol, 4.13 Session Management), sans-IO: received
 * messages are matched to the unsecured session (by ephemeral node id) or a PASE/CASE session (by local session id),
 * handshake messages drive PASE/CASE responders and initiators keyed by exchange, and established sessions go to the
 * SessionManager. Application protocols (the IM, 0x0001) register handlers for their exchanges on secure sessions.
 *
 * The commissioning window serves one PASE handshake at a time (as the SDK's CommissioningWindowManager.cpp and
 * PASESession.cpp do): a PBKDFParamRequest during a live handshake gets the Busy StatusReport and leaves the live one
 * alone, a malformed one is dropped uncounted, and a failed attempt holds the window until its start plus the handshake
 * timeout, so nobody (silent or guessing) can spend the 20-attempt budget faster than one attempt per timeout.
 */
import { type OpcredsError, ProtocolError } from "../bytes/errors.ts";
import type { Crypto } from "../crypto/crypto.ts";
import type { FabricIndex } from "../fabric/fabric-index.ts";
import { MessageCounter } from "../message/message-counter.ts";
import { type DecodedMessageHeader, isUnsecured, SessionType } from "../message/message-header.ts";
import { ProtocolId, SecureChannelOpcode } from "../message/protocol-ids.ts";
import {
  type Exchange,
  type ExchangeEffect,
  type ExchangeFailure,
  ExchangeManager,
  type ExchangeMessage,
  type SendOptions,
} from "../mrp/exchange-manager.ts";
import type { MrpSessionParameters } from "../mrp/mrp-parameters.ts";
import { SecureUnicastSession } from "../mrp/secure-unicast-session.ts";
import type { SessionContext } from "../mrp/session-context.ts";
import { UnsecuredSession } from "../mrp/unsecured-session.ts";
import type { CaseFabric, CaseFabricView } from "./case/case-fabric.ts";
import { CaseInitiator } from "./case/case-initiator.ts";
import { CaseResponder } from "./case/case-responder.ts";
import type { CaseStep } from "./case/case-step.ts";
import type { ResumptionRecord } from "./case/resumption-record.ts";
import { PaseInitiator } from "./pase/pase-initiator.ts";
import { PaseMessageType } from "./pase/pase-message-type.ts";
import { PaseResponder } from "./pase/pase-responder.ts";
import type { PaseStep } from "./pase/pase-step.ts";
import type { PaseVerifier, PbkdfParameters } from "./pase/pase-verifier.ts";
import type { SecureSession } from "./secure-session.ts";
import type { SessionEndReason, SessionManager } from "./session-manager.ts";
import type { SessionParameters } from "./session-parameters.ts";
import {
  busyStatus,
  CLOSE_SESSION,
  decodeStatusReport,
  encodeStatusReport,
  isSecureChannelSuccess,
  SecureChannelProtocolCode,
} from "./status-report.ts";

/** Where a message came from or goes to; the transport's address, opaque here (UdpPeer has this shape). */
export type PeerAddress = { readonly address: string; readonly port: number };

/**
 * How long a handshake step waits for the peer's next message (ms). The SDK allows 30 s of processing per PASE/CASE
 * step (kExpectedHighProcessingTime) on top of MRP; a step that takes longer fails the attempt.
 */
export const HANDSHAKE_RESPONSE_TIMEOUT_MS = 30_000;

/** Unsecured sessions kept for peers' handshakes at once; the oldest goes when another peer starts one. */
export const MAX_UNSECURED_SESSIONS = 16;

/**
 * The minimum wait (ms) a Busy StatusReport asks of a PASE initiator whose request arrived during a live handshake
 * (the SDK's CASEServer answers 5000 ms when it knows no better).
 */
export const PASE_BUSY_MINIMUM_WAIT_MS = 5_000;

/** Which handshake. */
export type HandshakeProtocol = "pase" | "case";

/** Why the commissioning window closed. */
export type WindowCloseReason = "established" | "failed-attempts" | "closed";

/** Effects for the driver to carry out, in order. */
export type SecureChannelEffect =
  | { readonly kind: "send"; readonly to: PeerAddress; readonly bytes: Uint8Array }
  /** Arm the single timer for `onTimer` at this time; undefined disarms it. */
  | { readonly kind: "timer"; readonly at: number | undefined }
  /** A PASE or CASE session was established; `handshake` is the id `startPase`/`startCase` returned (initiator). */
  | {
      readonly kind: "session-established";
      readonly session: SecureSession;
      readonly peer: PeerAddress;
      readonly handshake: number | undefined;
    }
  | { readonly kind: "session-ended"; readonly session: SecureSession; readonly reason: SessionEndReason }
  | {
      readonly kind: "handshake-failed";
      readonly protocol: HandshakeProtocol;
      readonly handshake: number | undefined;
      readonly error: OpcredsError;
    }
  /** A CASE session left a resumption record to persist (ResumptionStore.save). */
  | { readonly kind: "save-resumption"; readonly record: ResumptionRecord }
  | { readonly kind: "commissioning-window-closed"; readonly reason: WindowCloseReason };

/** Counters of what the endpoint dropped. */
export interface SecureChannelStats {
  /** Messages for a session id we do not have (unknown, closed) or of a session type we do not serve (groups). */
  unknownSession: number;
  /** Unsecured messages without the ephemeral node id that names their session. */
  unroutable: number;
  /** Secure Channel messages that start no handshake we serve, or application messages on the unsecured session. */
  rejected: number;
  /** Sends to a session whose peer address is unknown. */
  noAddress: number;
  /** PBKDFParamRequests answered with Busy (a handshake was live on the window, or the window was held). */
  busy: number;
}

/** A stored resumption record lookup (ResumptionStore fits). */
export interface ResumptionLookup {
  findById(resumptionId: Uint8Array): ResumptionRecord | undefined;
  findByPeer(fabricIndex: FabricIndex, peerNodeId: bigint): ResumptionRecord | undefined;
}

/** Options of a SecureChannelEndpoint. */
export interface SecureChannelEndpointOptions {
  readonly crypto: Crypto;
  readonly sessions: SessionManager;
  /** Our session parameters, sent in PBKDFParamRequest/Response and Sigma1/Sigma2. */
  readonly sessionParameters?: SessionParameters;
  /** Fabrics a CASE responder can speak for; absent: Sigma1 is not served. */
  readonly caseFabrics?: CaseFabricView;
  /** Resumption records for CASE (both sides); absent disables resumption. */
  readonly resumption?: ResumptionLookup;
  /** Certificate validity time for CASE; unset ignores validity periods. */
  readonly validAt?: () => Date | undefined;
  /** Uniform random in [0, 1) for MRP jitter and exchange ids; default from `crypto.randomBytes`. */
  readonly random?: () => number;
  /** Called when effects were queued outside a call (a session ended through the SessionManager): call `poll`. */
  readonly notify?: () => void;
}

/** A handler for messages of an application protocol on a new exchange the peer opened on a secure session. */
export type ApplicationHandler = (now: number, exchange: ApplicationExchange, message: ExchangeMessage) => void;

type Handshake =
  | { readonly kind: "pase-responder"; readonly peer: PeerAddress }
  | { readonly kind: "case-responder"; readonly responder: CaseResponder; readonly peer: PeerAddress }
  | {
      readonly kind: "pase-initiator";
      readonly id: number;
      readonly initiator: PaseInitiator;
      readonly localSessionId: number;
      readonly peer: PeerAddress;
    }
  | {
      readonly kind: "case-initiator";
      readonly id: number;
      readonly initiator: CaseInitiator;
      readonly localSessionId: number;
      readonly peer: PeerAddress;
    };

type SecureEntry = { readonly session: SecureSession; readonly ctx: SecureUnicastSession };

type CommissioningWindow = {
  readonly responder: PaseResponder;
  /** The exchange of the handshake in progress and the session id reserved for it. */
  exchange: Exchange | undefined;
  reservedId: number | undefined;
  /** When the live attempt sent its PBKDFParamResponse. */
  attemptStartedAt: number | undefined;
  /** New handshakes get Busy until then: a failed attempt holds the window until its start plus the handshake timeout. */
  heldUntil: number;
};

const mrpParameters = (p: SessionParameters | undefined): MrpSessionParameters => ({
  sessionIdleInterval: p?.sessionIdleInterval,
  sessionActiveInterval: p?.sessionActiveInterval,
  sessionActiveThreshold: p?.sessionActiveThreshold,
});

/** One exchange of an application protocol on a secure session, with the calls that send on it. */
export class ApplicationExchange {
  readonly exchange: Exchange;
  readonly session: SecureSession;
  /** Messages on this exchange after the first (set by whoever opened or answers it). */
  onMessage: ((now: number, message: ExchangeMessage) => void) | undefined;
  /** Called once when the exchange closed or failed. */
  onEnd: ((outcome: "closed" | ExchangeFailure) => void) | undefined;
  readonly #ops: ExchangeOps;

  constructor(exchange: Exchange, session: SecureSession, ops: ExchangeOps) {
    this.exchange = exchange;
    this.session = session;
    this.#ops = ops;
  }

  /**
   * Sends a message on the exchange (reliable unless `options.reliable` is false). Inside a handler the effects go out
   * with the call being handled and this returns none; outside one it returns them.
   */
  send(now: number, opcode: number, payload: Uint8Array, options?: SendOptions): SecureChannelEffect[] {
    return this.#ops.send(now, this, opcode, payload, options);
  }

  /** Closes the exchange (an owed ack is flushed); returns effects as `send` does. */
  close(now: number): SecureChannelEffect[] {
    return this.#ops.close(now, this);
  }
}

type ExchangeOps = {
  send(
    now: number,
    ax: ApplicationExchange,
    opcode: number,
    payload: Uint8Array,
    options?: SendOptions,
  ): SecureChannelEffect[];
  close(now: number, ax: ApplicationExchange): SecureChannelEffect[];
};

/** Both roles of the secure channel for one node. Every input returns the effects to carry out. */
export class SecureChannelEndpoint {
  readonly stats: SecureChannelStats = { unknownSession: 0, unroutable: 0, rejected: 0, noAddress: 0, busy: 0 };
  readonly exchanges: ExchangeManager;
  readonly #o: SecureChannelEndpointOptions;
  readonly #sessions: SessionManager;
  readonly #unencryptedCounter: MessageCounter;
  readonly #secure = new Map<number, SecureEntry>();
  /** Unsecured sessions a peer opened, by its ephemeral node id, oldest first. */
  readonly #unsecuredByPeer = new Map<bigint, UnsecuredSession>();
  /** Unsecured sessions we opened, by our ephemeral node id. */
  readonly #unsecuredByLocal = new Map<bigint, UnsecuredSession>();
  /** Where to send, by session key (the address the peer's last authenticated message came from). */
  readonly #addresses = new Map<string, PeerAddress>();
  readonly #handshakes = new Map<Exchange, Handshake>();
  readonly #applications = new Map<Exchange, ApplicationExchange>();
  readonly #protocols = new Map<number, ApplicationHandler>();
  readonly #ops: ExchangeOps;
  #window: CommissioningWindow | undefined;
  #nextHandshakeId = 1;
  #out: SecureChannelEffect[] = [];
  #timerAt: number | undefined;
  #inCall = false;

  constructor(options: SecureChannelEndpointOptions) {
    this.#o = options;
    this.#sessions = options.sessions;
    const random =
      options.random ??
      (() => {
        const b = options.crypto.randomBytes(4);
        return ((b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0) / 2 ** 32;
      });
    this.exchanges = new ExchangeManager({ random });
    this.exchanges.registerProtocol(ProtocolId.SECURE_CHANNEL);
    this.#unencryptedCounter = MessageCounter.random("unencrypted", options.crypto);
    this.#sessions.onSessionEnded((session, reason) => this.#onSessionEnded(session, reason));
    this.#ops = {
      send: (now, ax, opcode, payload, opts) =>
        this.#nested(now, () => {
          ax.session.markActive(now);
          this.#apply(now, this.exchanges.send(now, ax.exchange, opcode, payload, opts));
        }),
      close: (now, ax) => this.#nested(now, () => this.#apply(now, this.exchanges.close(now, ax.exchange))),
    };
  }

  /** True while a commissioning window accepts PASE. */
  get commissioningWindowOpen(): boolean {
    return this.#window !== undefined;
  }

  /** Failed PASE attempts in the open window (0 when closed). */
  get failedPaseAttempts(): number {
    return this.#window?.responder.failedAttempts ?? 0;
  }

  /** The session context carrying messages of a secure session, if it is live. */
  sessionContext(localSessionId: number): SessionContext | undefined {
    return this.#secure.get(localSessionId)?.ctx;
  }

  /** The address messages of a live session go to. */
  peerAddress(localSessionId: number): PeerAddress | undefined {
    const e = this.#secure.get(localSessionId);
    return e === undefined ? undefined : this.#addresses.get(e.ctx.key);
  }

  /**
   * Opens a commissioning window: PBKDFParamRequests are answered with this verifier until a PASE session is
   * established, `maxFailedAttempts` (default 20) attempts failed, or `closeCommissioningWindow` is called.
   */
  openCommissioningWindow(
    now: number,
    window: { verifier: PaseVerifier; pbkdfParameters: PbkdfParameters; maxFailedAttempts?: number },
  ): SecureChannelEffect[] {
    return this.#call(now, () => {
      this.#closeWindow(now, undefined);
      const w: CommissioningWindow = {
        responder: new PaseResponder(this.#o.crypto, {
          verifier: window.verifier,
          pbkdfParameters: window.pbkdfParameters,
          allocateSessionId: () => {
            const id = this.#sessions.allocateSessionId();
            w.reservedId = id;
            return id;
          },
          ...(this.#o.sessionParameters === undefined ? {} : { sessionParameters: this.#o.sessionParameters }),
          ...(window.maxFailedAttempts === undefined ? {} : { maxFailedAttempts: window.maxFailedAttempts }),
        }),
        exchange: undefined,
        reservedId: undefined,
        attemptStartedAt: undefined,
        heldUntil: 0,
      };
      this.#window = w;
    });
  }

  /** Closes the commissioning window; a PASE handshake in progress is abandoned. */
  closeCommissioningWindow(now: number): SecureChannelEffect[] {
    return this.#call(now, () => this.#closeWindow(now, "closed"));
  }

  /** Accepts exchanges the peer opens for `protocolId` on secure sessions and hands their first message to `handler`. */
  registerProtocol(protocolId: number, handler: ApplicationHandler): void {
    if (protocolId === ProtocolId.SECURE_CHANNEL) throw new RangeError("the secure channel protocol is built in");
    this.#protocols.set(protocolId, handler);
    this.exchanges.registerProtocol(protocolId);
  }

  /** Opens an exchange for `protocolId` on a live secure session (we are its initiator). */
  openExchange(localSessionId: number, protocolId: number): ApplicationExchange {
    const e = this.#secure.get(localSessionId);
    if (e === undefined) throw new RangeError(`no secure session ${localSessionId}`);
    const ex = this.exchanges.initiate(e.ctx, protocolId);
    const ax = new ApplicationExchange(ex, e.session, this.#ops);
    this.#applications.set(ex, ax);
    return ax;
  }

  /** Starts PASE as commissioner towards `peer`; returns the handshake id its outcome effect carries. */
  startPase(
    now: number,
    peer: PeerAddress,
    options: { passcode: number; pbkdfParameters?: PbkdfParameters },
  ): { handshake: number; effects: SecureChannelEffect[] } {
    const id = this.#nextHandshakeId++;
    const effects = this.#call(now, () => {
      const localSessionId = this.#sessions.allocateSessionId();
      let initiator: PaseInitiator;
      try {
        initiator = new PaseInitiator(this.#o.crypto, {
          passcode: options.passcode,
          localSessionId,
          ...(this.#o.sessionParameters === undefined ? {} : { sessionParameters: this.#o.sessionParameters }),
          ...(options.pbkdfParameters === undefined ? {} : { pbkdfParameters: options.pbkdfParameters }),
        });
      } catch (e) {
        this.#sessions.releaseSessionId(localSessionId);
        throw e;
      }
      const ex = this.#initiateUnsecured(peer);
      this.#handshakes.set(ex, { kind: "pase-initiator", id, initiator, localSessionId, peer });
      const first = initiator.start();
      this.#sendStep(now, ex, first.messageType, first.payload, true);
    });
    return { handshake: id, effects };
  }

  /** Starts CASE towards `peerNodeId` on `fabric` at `peer` (asking for resumption when a record is stored). */
  startCase(
    now: number,
    peer: PeerAddress,
    options: { fabric: CaseFabric; peerNodeId: bigint; resume?: boolean },
  ): { handshake: number; effects: SecureChannelEffect[] } {
    const id = this.#nextHandshakeId++;
    const effects = this.#call(now, () => {
      const localSessionId = this.#sessions.allocateSessionId();
      const record =
        options.resume === false
          ? undefined
          : this.#o.resumption?.findByPeer(options.fabric.fabricIndex, options.peerNodeId);
      const validAt = this.#o.validAt?.();
      const initiator = new CaseInitiator(this.#o.crypto, {
        fabric: options.fabric,
        peerNodeId: options.peerNodeId,
        localSessionId,
        ...(this.#o.sessionParameters === undefined ? {} : { sessionParameters: this.#o.sessionParameters }),
        ...(record === undefined ? {} : { resumption: record }),
        ...(validAt === undefined ? {} : { validAt }),
      });
      const ex = this.#initiateUnsecured(peer);
      this.#handshakes.set(ex, { kind: "case-initiator", id, initiator, localSessionId, peer });
      const first = initiator.start();
      this.#sendStep(now, ex, first.messageType, first.payload, true);
    });
    return { handshake: id, effects };
  }

  /**
   * CloseSession (4.11.1.5): sends SUCCESS / CLOSE_SESSION on the session and removes it. The report is sent without
   * the R flag: the session's keys are gone once it is sent, so no ack could be matched or retransmission made.
   */
  closeSession(now: number, localSessionId: number): SecureChannelEffect[] {
    return this.#call(now, () => {
      const e = this.#secure.get(localSessionId);
      if (e === undefined) return;
      const ex = this.exchanges.initiate(e.ctx, ProtocolId.SECURE_CHANNEL);
      this.#apply(
        now,
        this.exchanges.send(now, ex, SecureChannelOpcode.STATUS_REPORT, encodeStatusReport(CLOSE_SESSION), {
          reliable: false,
        }),
      );
      this.#apply(now, this.exchanges.close(now, ex));
      this.#sessions.closeSession(localSessionId);
    });
  }

  /** Handles one received message whose header parsed; bad or unroutable messages are counted and dropped. */
  onMessage(now: number, message: DecodedMessageHeader, from: PeerAddress): SecureChannelEffect[] {
    return this.#call(now, () => {
      const ctx = this.#route(message.header, from);
      if (ctx === undefined) return;
      this.#apply(now, this.exchanges.onMessage(now, ctx, message), from);
    });
  }

  /** Runs the timers due at `now` (MRP retransmissions, standalone acks, handshake timeouts). */
  onTimer(now: number): SecureChannelEffect[] {
    return this.#call(now, () => this.#apply(now, this.exchanges.onTimer(now)));
  }

  /** Effects queued outside a call (sessions ended through the SessionManager). */
  poll(now: number): SecureChannelEffect[] {
    return this.#call(now, () => {});
  }

  /** Runs `fn` inside the call in progress (its effects go out with that call) or as a call of its own. */
  #nested(now: number, fn: () => void): SecureChannelEffect[] {
    if (!this.#inCall) return this.#call(now, fn);
    fn();
    return [];
  }

  #call(now: number, fn: () => void): SecureChannelEffect[] {
    if (this.#inCall) throw new TypeError("SecureChannelEndpoint is not reentrant: queue the call");
    this.#inCall = true;
    try {
      fn();
    } finally {
      this.#inCall = false;
    }
    void now;
    const at = this.exchanges.nextDeadline;
    if (at !== this.#timerAt) {
      this.#timerAt = at;
      this.#out.push({ kind: "timer", at });
    }
    const out = this.#out;
    this.#out = [];
    return out;
  }

  #route(h: DecodedMessageHeader["header"], from: PeerAddress): SessionContext | undefined {
    if (isUnsecured(h)) {
      if (h.destinationNodeId !== undefined) {
        // A responder answers our ephemeral node id (4.13.2.1).
        const s = this.#unsecuredByLocal.get(h.destinationNodeId);
        if (s === undefined) this.stats.unknownSession++;
        return s;
      }
      if (h.sourceNodeId === undefined || h.destinationGroupId !== undefined) {
        this.stats.unroutable++;
        return undefined;
      }
      let s = this.#unsecuredByPeer.get(h.sourceNodeId);
      if (s === undefined) {
        s = new UnsecuredSession({ counter: this.#unencryptedCounter, peerEphemeralNodeId: h.sourceNodeId });
        this.#unsecuredByPeer.set(h.sourceNodeId, s);
        this.#addresses.set(s.key, from);
        // The oldest goes, except the one carrying the window's live PASE handshake: strangers' requests must not
        // push a commissioner's handshake out.
        const live = this.#window?.exchange?.session;
        while (this.#unsecuredByPeer.size > MAX_UNSECURED_SESSIONS) {
          let victim: [bigint, UnsecuredSession] | undefined;
          for (const entry of this.#unsecuredByPeer) {
            if (entry[1] !== live) {
              victim = entry;
              break;
            }
          }
          if (victim === undefined) break;
          this.#dropUnsecured(victim[0], victim[1], this.#unsecuredByPeer);
        }
      }
      return s;
    }
    if (h.sessionType !== SessionType.unicast) {
      this.stats.unknownSession++;
      return undefined;
    }
    const e = this.#secure.get(h.sessionId);
    if (e === undefined) this.stats.unknownSession++;
    return e?.ctx;
  }

  #dropUnsecured(id: bigint, s: UnsecuredSession, map: Map<bigint, UnsecuredSession>): void {
    map.delete(id);
    this.#addresses.delete(s.key);
    for (const ex of this.exchanges.exchanges) if (ex.session === s) this.#handshakeEnded(ex);
    this.#collect(this.exchanges.closeSession(s));
  }

  #initiateUnsecured(peer: PeerAddress): Exchange {
    let nodeId: bigint;
    do {
      const b = this.#o.crypto.randomBytes(8);
      nodeId = 0n;
      for (let i = 7; i >= 0; i--) nodeId = (nodeId << 8n) | BigInt(b[i]!);
    } while (nodeId === 0n || this.#unsecuredByLocal.has(nodeId));
    const s = new UnsecuredSession({ counter: this.#unencryptedCounter, localEphemeralNodeId: nodeId });
    this.#unsecuredByLocal.set(nodeId, s);
    this.#addresses.set(s.key, peer);
    return this.exchanges.initiate(s, ProtocolId.SECURE_CHANNEL);
  }

  /** Queues exchange effects: sends get their address, delivered messages are dispatched, the timer is recomputed. */
  #apply(now: number, effects: ExchangeEffect[], from?: PeerAddress): void {
    for (const fx of effects) {
      switch (fx.kind) {
        case "send": {
          const to = this.#addresses.get(fx.session.key);
          if (to === undefined) this.stats.noAddress++;
          else this.#out.push({ kind: "send", to, bytes: fx.bytes });
          break;
        }
        case "message":
          // An authenticated message: the peer is now reachable where it came from.
          if (from !== undefined && fx.exchange.session.secured) this.#addresses.set(fx.exchange.session.key, from);
          this.#dispatch(now, fx.exchange, fx.message);
          break;
        case "exchange-closed":
          this.#exchangeEnded(fx.exchange, "closed");
          break;
        case "exchange-failed":
          this.#exchangeEnded(fx.exchange, fx.reason, now);
          break;
        case "timer":
          break;
      }
    }
  }

  /** Exchange effects produced outside `#apply` (closing sessions): only the sends matter. */
  #collect(effects: ExchangeEffect[]): void {
    for (const fx of effects) {
      if (fx.kind === "send") {
        const to = this.#addresses.get(fx.session.key);
        if (to !== undefined) this.#out.push({ kind: "send", to, bytes: fx.bytes });
      } else if (fx.kind === "exchange-failed" || fx.kind === "exchange-closed") {
        this.#exchangeEnded(fx.exchange, fx.kind === "exchange-closed" ? "closed" : fx.reason);
      }
    }
  }

  #dispatch(now: number, ex: Exchange, m: ExchangeMessage): void {
    const secure = ex.session instanceof SecureUnicastSession ? this.#secure.get(ex.session.localSessionId) : undefined;
    if (secure !== undefined) secure.session.markReceived(now);
    const handshake = this.#handshakes.get(ex);
    if (handshake !== undefined) {
      if (m.protocolId !== ProtocolId.SECURE_CHANNEL) {
        this.#reject(now, ex);
        return;
      }
      this.#onHandshakeMessage(now, ex, handshake, m);
      return;
    }
    const ax = this.#applications.get(ex);
    if (ax !== undefined) {
      ax.onMessage?.(now, m);
      return;
    }
    if (m.protocolId === ProtocolId.SECURE_CHANNEL) {
      if (!ex.session.secured && ex.role === "responder") {
        this.#onHandshakeStart(now, ex, m);
        return;
      }
      if (secure !== undefined && m.opcode === SecureChannelOpcode.STATUS_REPORT) {
        this.#onSecureStatusReport(now, ex, secure, m);
        return;
      }
      this.#reject(now, ex);
      return;
    }
    const handler = this.#protocols.get(m.protocolId);
    // Application protocols run only on secure sessions (4.13.2.1: the unsecured session carries session setup only).
    if (secure === undefined || handler === undefined || ex.role !== "responder") {
      this.#reject(now, ex);
      return;
    }
    const created = new ApplicationExchange(ex, secure.session, this.#ops);
    this.#applications.set(ex, created);
    handler(now, created, m);
  }

  /** Answers a handshake start with Busy and its minimum wait (4.11.1.4), unreliably: a stranger leaves no state. */
  #busy(now: number, ex: Exchange, waitMs: number): void {
    this.stats.busy++;
    const report = busyStatus(Math.min(0xffff, Math.max(0, Math.ceil(waitMs))));
    this.#apply(
      now,
      this.exchanges.send(now, ex, SecureChannelOpcode.STATUS_REPORT, encodeStatusReport(report), { reliable: false }),
    );
    this.#apply(now, this.exchanges.close(now, ex));
  }

  #reject(now: number, ex: Exchange): void {
    this.stats.rejected++;
    this.#apply(now, this.exchanges.close(now, ex));
  }

  #onSecureStatusReport(now: number, ex: Exchange, e: SecureEntry, m: ExchangeMessage): void {
    let report: ReturnType<typeof decodeStatusReport>;
    try {
      report = decodeStatusReport(m.applicationPayload);
    } catch {
      this.#reject(now, ex);
      return;
    }
    // 4.11.1.5: on CloseSession the receiver SHALL remove the session; its ack is flushed first, under its keys.
    this.#apply(now, this.exchanges.close(now, ex));
    if (isSecureChannelSuccess(report, SecureChannelProtocolCode.CLOSE_SESSION)) {
      this.#sessions.peerClosedSession(e.session.localSessionId);
    }
  }

  #onHandshakeStart(now: number, ex: Exchange, m: ExchangeMessage): void {
    const peer = this.#addresses.get(ex.session.key)!;
    if (m.opcode === SecureChannelOpcode.PBKDF_PARAM_REQUEST && this.#window !== undefined) {
      const w = this.#window;
      // One handshake at a time: a request during a live one gets Busy and leaves it untouched (not an attempt).
      if (w.exchange !== undefined) {
        this.#busy(now, ex, PASE_BUSY_MINIMUM_WAIT_MS);
        return;
      }
      if (now < w.heldUntil) {
        this.#busy(now, ex, w.heldUntil - now);
        return;
      }
      w.exchange = ex;
      w.attemptStartedAt = undefined;
      this.#handshakes.set(ex, { kind: "pase-responder", peer });
      this.#onHandshakeMessage(now, ex, { kind: "pase-responder", peer }, m);
      return;
    }
    if (m.opcode === SecureChannelOpcode.CASE_SIGMA1 && this.#o.caseFabrics !== undefined) {
      const validAt = this.#o.validAt?.();
      const resumption = this.#o.resumption;
      const responder = new CaseResponder(this.#o.crypto, {
        fabrics: this.#o.caseFabrics,
        allocateSessionId: () => this.#sessions.allocateSessionId(),
        ...(this.#o.sessionParameters === undefined ? {} : { sessionParameters: this.#o.sessionParameters }),
        ...(resumption === undefined ? {} : { findResumption: (id: Uint8Array) => resumption.findById(id) }),
        ...(validAt === undefined ? {} : { validAt }),
      });
      const h: Handshake = { kind: "case-responder", responder, peer };
      this.#handshakes.set(ex, h);
      this.#onHandshakeMessage(now, ex, h, m);
      return;
    }
    // Not a handshake start, or none we serve now (no commissioning window, no fabric): acked, not answered.
    this.#reject(now, ex);
  }

  #onHandshakeMessage(now: number, ex: Exchange, h: Handshake, m: ExchangeMessage): void {
    // The peer's next handshake message must acknowledge ours (4.12.5: one outstanding reliable message per exchange);
    // one that does not is a broken or forged peer: the attempt fails instead of answering on top of the unacked message.
    if (ex.mrp.retransmission !== undefined) {
      if (h.kind === "pase-responder" && this.#window?.exchange === ex) this.#window.responder.abort();
      this.#handshakes.delete(ex);
      this.#apply(now, this.exchanges.close(now, ex));
      this.#handshakeFailed(
        now,
        ex,
        h,
        new ProtocolError(`${h.kind.slice(0, 4)}.unacknowledged`, "next handshake message did not acknowledge ours", 0),
      );
      return;
    }
    let step: PaseStep | CaseStep;
    switch (h.kind) {
      case "pase-responder": {
        const w = this.#window;
        if (w === undefined || w.exchange !== ex) {
          this.#reject(now, ex);
          return;
        }
        step = w.responder.handle(m.opcode, m.applicationPayload);
        break;
      }
      case "case-responder":
        step = h.responder.handle(m.opcode, m.applicationPayload);
        break;
      case "pase-initiator":
      case "case-initiator":
        step = h.initiator.handle(m.opcode, m.applicationPayload);
        break;
    }
    if (step.status === "continue") {
      const w = this.#window;
      if (h.kind === "pase-responder" && w !== undefined) {
        if (step.send.messageType === PaseMessageType.PBKDFParamResponse) w.attemptStartedAt = now;
      }
      this.#sendStep(now, ex, step.send.messageType, step.send.payload, true);
      return;
    }
    if (step.send !== undefined) this.#sendStep(now, ex, step.send.messageType, step.send.payload, false);
    this.#handshakes.delete(ex);
    this.#apply(now, this.exchanges.close(now, ex));
    if (step.status === "established") this.#established(now, h, step);
    else this.#handshakeFailed(now, ex, h, step.error);
  }

  #sendStep(now: number, ex: Exchange, opcode: number, payload: Uint8Array, expectResponse: boolean): void {
    const options: SendOptions = expectResponse ? { expectResponseWithinMs: HANDSHAKE_RESPONSE_TIMEOUT_MS } : {};
    this.#apply(now, this.exchanges.send(now, ex, opcode, payload, options));
  }

  #established(
    now: number,
    h: Handshake,
    step: Extract<PaseStep, { status: "established" }> | Extract<CaseStep, { status: "established" }>,
  ): void {
    const role = h.kind === "pase-initiator" || h.kind === "case-initiator" ? "initiator" : "responder";
    let session: SecureSession;
    if (h.kind === "pase-responder" || h.kind === "pase-initiator") {
      const pase = step.session as Extract<PaseStep, { status: "established" }>["session"];
      session = this.#sessions.addPaseSession(pase, role, now).session;
      if (h.kind === "pase-responder" && this.#window !== undefined) {
        this.#window.reservedId = undefined;
        this.#window.exchange = undefined;
        // The SDK stops accepting PBKDFParamRequest once a PASE session is established on the window.
        this.#closeWindow(now, "established");
      }
    } else {
      const established = step.session as Extract<CaseStep, { status: "established" }>["session"];
      session = this.#sessions.addCaseSession(established, role, now).session;
      this.#out.push({ kind: "save-resumption", record: established.resumption });
    }
    const ctx = new SecureUnicastSession({
      crypto: this.#o.crypto,
      localSessionId: session.localSessionId,
      peerSessionId: session.peerSessionId,
      encryptKey: session.encryptKey,
      decryptKey: session.decryptKey,
      localNodeId: session.localNodeId,
      peerNodeId: session.peerNodeId,
      counter: session.counter,
      peerParameters: mrpParameters(session.peerSessionParameters),
    });
    this.#secure.set(session.localSessionId, { session, ctx });
    this.#addresses.set(ctx.key, h.peer);
    const handshake = h.kind === "pase-initiator" || h.kind === "case-initiator" ? h.id : undefined;
    this.#out.push({ kind: "session-established", session, peer: h.peer, handshake });
  }

  #handshakeFailed(now: number, ex: Exchange, h: Handshake, error: OpcredsError): void {
    const protocol: HandshakeProtocol = h.kind === "pase-responder" || h.kind === "pase-initiator" ? "pase" : "case";
    switch (h.kind) {
      case "pase-responder": {
        const w = this.#window;
        if (w !== undefined && w.exchange === ex) {
          w.exchange = undefined;
          this.#releaseWindowId(w);
          // [DIFF] A failed attempt holds the window until its start plus the handshake timeout (new requests get Busy
          // with the time left), whether the peer went silent or tested a wrong passcode. The SDK's
          // CommissioningWindowManager.cpp (HandleFailedAttempt) listens again at once, so a stranger can spend its
          // 20 attempts in seconds and lock the window; here the budget lasts at least 20 handshake timeouts.
          if (w.attemptStartedAt !== undefined) {
            w.heldUntil = Math.max(w.heldUntil, w.attemptStartedAt + HANDSHAKE_RESPONSE_TIMEOUT_MS);
          }
          w.attemptStartedAt = undefined;
          // The commissionee SHALL exit commissioning mode after 20 failed PASE attempts.
          if (w.responder.windowClosed) this.#closeWindow(now, "failed-attempts");
        }
        break;
      }
      case "case-responder": {
        const id = h.responder.localSessionId;
        if (id !== undefined) this.#sessions.releaseSessionId(id);
        break;
      }
      case "pase-initiator":
      case "case-initiator":
        this.#sessions.releaseSessionId(h.localSessionId);
        break;
    }
    const handshake = h.kind === "pase-initiator" || h.kind === "case-initiator" ? h.id : undefined;
    this.#out.push({ kind: "handshake-failed", protocol, handshake, error });
  }

  #releaseWindowId(w: CommissioningWindow): void {
    if (w.reservedId !== undefined) this.#sessions.releaseSessionId(w.reservedId);
    w.reservedId = undefined;
  }

  #closeWindow(now: number, reason: WindowCloseReason | undefined): void {
    const w = this.#window;
    if (w === undefined) return;
    this.#window = undefined;
    if (w.exchange !== undefined) {
      const ex = w.exchange;
      w.exchange = undefined;
      w.responder.abort();
      this.#handshakes.delete(ex);
      this.#apply(now, this.exchanges.close(now, ex));
      this.#releaseWindowId(w);
    }
    if (reason !== undefined) this.#out.push({ kind: "commissioning-window-closed", reason });
  }

  /** A handshake exchange failed (MRP gave up, the peer did not answer in time): the attempt failed. */
  #handshakeEnded(ex: Exchange, now?: number): void {
    const h = this.#handshakes.get(ex);
    if (h === undefined) return;
    if (h.kind === "pase-responder" && this.#window?.exchange === ex) this.#window.responder.abort();
    const reason = ex.state === "failed" ? "exchange failed" : "exchange closed";
    this.#handshakes.delete(ex);
    this.#handshakeFailed(
      now ?? 0,
      ex,
      h,
      new ProtocolError(`${h.kind.slice(0, 4)}.timeout`, `handshake ${reason} before it completed`, 0),
    );
  }

  #exchangeEnded(ex: Exchange, outcome: "closed" | ExchangeFailure, now?: number): void {
    this.#handshakeEnded(ex, now);
    const ax = this.#applications.get(ex);
    if (ax !== undefined) {
      this.#applications.delete(ex);
      ax.onEnd?.(outcome);
    }
    // An unsecured session lives as long as its handshake exchanges.
    const s = ex.session;
    if (s instanceof UnsecuredSession && !this.exchanges.exchanges.some((other) => other.session === s)) {
      if (s.localEphemeralNodeId !== undefined) this.#unsecuredByLocal.delete(s.localEphemeralNodeId);
      else if (s.peerNodeId !== undefined) this.#unsecuredByPeer.delete(s.peerNodeId);
      this.#addresses.delete(s.key);
    }
  }

  #onSessionEnded(session: SecureSession, reason: SessionEndReason): void {
    const e = this.#secure.get(session.localSessionId);
    if (e === undefined || e.session !== session) return;
    this.#secure.delete(session.localSessionId);
    this.#collect(this.exchanges.closeSession(e.ctx));
    this.#addresses.delete(e.ctx.key);
    this.#out.push({ kind: "session-ended", session, reason });
    if (!this.#inCall) this.#o.notify?.();
  }
}
