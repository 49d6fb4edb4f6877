/**
 * The secure channel of a node (Core spec 4.11 Secure Channel Protocol, 4.13 Session Management), sans-IO: the
 * session router (session-router.ts) matches received messages to sessions, handshake messages drive the PASE/CASE
 * roles of the handshake table (handshake-table.ts), established sessions go to the SessionManager, and application
 * protocols (the IM, 0x0001) get their exchanges on secure sessions (application-exchange.ts). On the node's
 * commissioning window (commissioning-window-state.ts) PASE is served one handshake at a time
 * (pase-commissioning-window.ts); the window's state counts the failed attempts and holds the window after one.
 * Every effect goes out through the one `onEffects` channel.
 */
import type { OpcredsError } from "../bytes/errors.ts";
import type { Crypto } from "../crypto/crypto.ts";
import type { DecodedMessageHeader } from "../message/message-header.ts";
import { ProtocolId, SecureChannelOpcode } from "../message/protocol-ids.ts";
import {
  type Exchange,
  type ExchangeEffect,
  type ExchangeFailure,
  ExchangeManager,
  type ExchangeMessage,
  type SendOptions,
} from "../mrp/exchange-manager.ts";
import type { SessionContext } from "../mrp/session-context.ts";
import { UnsecuredSession } from "../mrp/unsecured-session.ts";
import { type ApplicationExchange, ApplicationExchanges, type ApplicationHandler } from "./application-exchange.ts";
import type { CaseFabric, CaseFabricView } from "./case/case-fabric.ts";
import type { CaseStep } from "./case/case-step.ts";
import type { CommissioningWindowState } from "./commissioning-window-state.ts";
import {
  HANDSHAKE_RESPONSE_TIMEOUT_MS,
  type Handshake,
  HandshakeTable,
  handshakeId,
  handshakeProtocol,
  newCaseInitiator,
  newCaseResponder,
  newPaseInitiator,
  type ResumptionLookup,
} from "./handshake-table.ts";
import type { PaseInitiator } from "./pase/pase-initiator.ts";
import type { PaseStep } from "./pase/pase-step.ts";
import type { PbkdfParameters } from "./pase/pase-verifier.ts";
import { PaseCommissioningWindow } from "./pase-commissioning-window.ts";
import type { SecureChannelEffect, WindowCloseReason } from "./secure-channel-effect.ts";
import { SecureChannelError } from "./secure-channel-error.ts";
import { SecureSession } from "./secure-session.ts";
import type { SessionEndReason, SessionManager } from "./session-manager.ts";
import type { SessionParameters } from "./session-parameters.ts";
import { type PeerAddress, SessionRouter, type SessionRouterStats } from "./session-router.ts";
import {
  busyStatus,
  CLOSE_SESSION,
  decodeStatusReport,
  encodeStatusReport,
  isSecureChannelSuccess,
  SecureChannelProtocolCode,
} from "./status-report.ts";

// Kept for importers outside sc/: the effects, the router's address and the handshake timeout have their own homes.
export type { ApplicationExchange, ApplicationHandler } from "./application-exchange.ts";
export type { ResumptionLookup } from "./handshake-table.ts";
export type { HandshakeProtocol, SecureChannelEffect } from "./secure-channel-effect.ts";
export type { PeerAddress } from "./session-router.ts";

/** Counters of what the endpoint dropped. */
export interface SecureChannelStats extends SessionRouterStats {
  /** Secure Channel messages that start no handshake we serve, or application messages on the unsecured session. */
  rejected: number;
  /** Sends to a session whose peer address is unknown. */
  noAddress: number;
  /** PBKDFParamRequests answered with Busy (a handshake was live on the window, or the window was held). */
  busy: number;
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
  /**
   * The one channel for effects: every effect goes here in order, each call's at its end, those of sessions ended
   * outside a call (through the SessionManager) on a microtask.
   */
  readonly onEffects: (effects: SecureChannelEffect[]) => void;
}

/** Both roles of the secure channel for one node. The effects of every input go to `onEffects`. */
export class SecureChannelEndpoint {
  readonly stats: SecureChannelStats = { unknownSession: 0, unroutable: 0, rejected: 0, noAddress: 0, busy: 0 };
  readonly exchanges: ExchangeManager;
  readonly #o: SecureChannelEndpointOptions;
  readonly #sessions: SessionManager;
  readonly #router: SessionRouter;
  readonly #handshakes = new HandshakeTable();
  readonly #applications: ApplicationExchanges;
  #window: PaseCommissioningWindow | undefined;
  #out: SecureChannelEffect[] = [];
  #timerAt: number | undefined;
  #inCall = false;
  #flushQueued = false;

  constructor(options: SecureChannelEndpointOptions) {
    // Checked for JavaScript callers too: without it every effect would be lost.
    if (typeof options.onEffects !== "function") throw new TypeError("SecureChannelEndpoint needs onEffects");
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
    this.#router = new SessionRouter(options.crypto, this.stats);
    this.#sessions.onSessionEnded((session, reason) => this.#onSessionEnded(session, reason));
    this.#applications = new ApplicationExchanges({
      send: (now, ax, opcode, payload, opts) =>
        this.#nested(() => {
          ax.session.markActive(now);
          this.#apply(now, this.exchanges.send(now, ax.exchange, opcode, payload, opts));
        }),
      close: (now, ax) => this.#nested(() => this.#apply(now, this.exchanges.close(now, ax.exchange))),
    });
  }

  /** True while the endpoint listens for PASE on the commissioning window. */
  get commissioningWindowOpen(): boolean {
    return this.#window !== undefined;
  }

  /** The session context carrying messages of a secure session, if it is live. */
  sessionContext(localSessionId: number): SessionContext | undefined {
    return this.#router.secure(localSessionId);
  }

  /** The address messages of a live session go to. */
  peerAddress(localSessionId: number): PeerAddress | undefined {
    const e = this.#router.secure(localSessionId);
    return e === undefined ? undefined : this.#router.address(e.key);
  }

  /**
   * Listens for PASE on the open commissioning `window`: PBKDFParamRequests are answered with its verifier until a
   * PASE session is established, the window is out of attempts, or `closeCommissioningWindow` is called. Failed
   * attempts are counted by `window`.
   */
  openCommissioningWindow(now: number, window: CommissioningWindowState): void {
    this.#call(() => {
      this.#closeWindow(now, undefined);
      this.#window = new PaseCommissioningWindow(this.#o.crypto, this.#sessions, window, this.#o.sessionParameters);
    });
  }

  /** Closes the commissioning window; a PASE handshake in progress is abandoned. */
  closeCommissioningWindow(now: number): void {
    this.#call(() => this.#closeWindow(now, "closed"));
  }

  /** Accepts exchanges the peer opens for `protocolId` on secure sessions and hands their first message to `handler`. */
  registerProtocol(protocolId: number, handler: ApplicationHandler): void {
    if (protocolId === ProtocolId.SECURE_CHANNEL) throw new RangeError("the secure channel protocol is built in");
    this.#applications.register(protocolId, handler);
    this.exchanges.registerProtocol(protocolId);
  }

  /** Opens an exchange for `protocolId` on a live secure session (we are its initiator). */
  openExchange(localSessionId: number, protocolId: number): ApplicationExchange {
    const e = this.#router.secure(localSessionId);
    if (e === undefined) throw new RangeError(`no secure session ${localSessionId}`);
    return this.#applications.open(this.exchanges.initiate(e, protocolId), e);
  }

  /** Starts PASE as commissioner towards `peer`; returns the handshake id its outcome effect carries. */
  startPase(now: number, peer: PeerAddress, options: { passcode: number; pbkdfParameters?: PbkdfParameters }): number {
    const id = this.#handshakes.nextId();
    this.#call(() => {
      const localSessionId = this.#sessions.allocateSessionId();
      let initiator: PaseInitiator;
      try {
        initiator = newPaseInitiator(this.#o, localSessionId, options);
      } catch (e) {
        this.#sessions.releaseSessionId(localSessionId);
        throw e;
      }
      const ex = this.#initiateUnsecured(peer);
      this.#handshakes.set(ex, { kind: "pase-initiator", id, initiator, localSessionId, peer });
      const first = initiator.start();
      this.#sendStep(now, ex, first.messageType, first.payload, true);
    });
    return id;
  }

  /** Starts CASE towards `peerNodeId` on `fabric` at `peer` (asking for resumption when a record is stored). */
  startCase(
    now: number,
    peer: PeerAddress,
    options: { fabric: CaseFabric; peerNodeId: bigint; resume?: boolean },
  ): number {
    const id = this.#handshakes.nextId();
    this.#call(() => {
      const localSessionId = this.#sessions.allocateSessionId();
      const initiator = newCaseInitiator(this.#o, localSessionId, options);
      const ex = this.#initiateUnsecured(peer);
      this.#handshakes.set(ex, { kind: "case-initiator", id, initiator, localSessionId, peer });
      const first = initiator.start();
      this.#sendStep(now, ex, first.messageType, first.payload, true);
    });
    return id;
  }

  /**
   * CloseSession (4.11.1.5): sends SUCCESS / CLOSE_SESSION on the session and removes it. The report is sent without
   * the R flag: the session's keys are gone once it is sent, so no ack could be matched or retransmission made.
   */
  closeSession(now: number, localSessionId: number): void {
    this.#call(() => {
      const e = this.#router.secure(localSessionId);
      if (e === undefined) return;
      const ex = this.exchanges.initiate(e, ProtocolId.SECURE_CHANNEL);
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
  onMessage(now: number, message: DecodedMessageHeader, from: PeerAddress): void {
    this.#call(() => {
      // Strangers' requests must not push the commissioning window's live handshake out of the unsecured sessions.
      const ctx = this.#router.route(message.header, from, this.#window?.exchange?.session, (s) =>
        this.#unsecuredEvicted(s),
      );
      if (ctx === undefined) return;
      this.#apply(now, this.exchanges.onMessage(now, ctx, message), from);
    });
  }

  /** Runs the timers due at `now` (MRP retransmissions, standalone acks, handshake timeouts). */
  onTimer(now: number): void {
    this.#call(() => this.#apply(now, this.exchanges.onTimer(now)));
  }

  /** Runs `fn` inside the call in progress (its effects go out with that call) or as a call of its own. */
  #nested(fn: () => void): void {
    if (this.#inCall) fn();
    else this.#call(fn);
  }

  /** Runs one input; its effects, with the timer if its deadline moved, go to `onEffects` at the end. */
  #call(fn: () => void): void {
    if (this.#inCall) throw new TypeError("SecureChannelEndpoint is not reentrant: queue the call");
    this.#inCall = true;
    try {
      fn();
    } finally {
      this.#inCall = false;
    }
    const at = this.exchanges.nextDeadline;
    if (at !== this.#timerAt) {
      this.#timerAt = at;
      this.#out.push({ kind: "timer", at });
    }
    const out = this.#out;
    this.#out = [];
    if (out.length > 0) this.#o.onEffects(out);
  }

  /** The router evicted an unsecured session: its handshakes end as failed. */
  #unsecuredEvicted(s: UnsecuredSession): void {
    for (const ex of this.exchanges.exchanges) if (ex.session === s) this.#handshakeEnded(ex);
    this.#collect(this.exchanges.closeSession(s));
  }

  #initiateUnsecured(peer: PeerAddress): Exchange {
    return this.exchanges.initiate(this.#router.openUnsecured(peer), ProtocolId.SECURE_CHANNEL);
  }

  /** Queues exchange effects: sends get their address, delivered messages are dispatched, the timer is recomputed. */
  #apply(now: number, effects: ExchangeEffect[], from?: PeerAddress): void {
    for (const fx of effects) {
      switch (fx.kind) {
        case "send": {
          const to = this.#router.address(fx.session.key);
          if (to === undefined) this.stats.noAddress++;
          else this.#out.push({ kind: "send", to, bytes: fx.bytes });
          break;
        }
        case "message":
          // An authenticated message: the peer is now reachable where it came from.
          if (from !== undefined && fx.exchange.session.secured) this.#router.heardFrom(fx.exchange.session.key, from);
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
        const to = this.#router.address(fx.session.key);
        if (to !== undefined) this.#out.push({ kind: "send", to, bytes: fx.bytes });
      } else if (fx.kind === "exchange-failed" || fx.kind === "exchange-closed") {
        this.#exchangeEnded(fx.exchange, fx.kind === "exchange-closed" ? "closed" : fx.reason);
      }
    }
  }

  #dispatch(now: number, ex: Exchange, m: ExchangeMessage): void {
    const secure = ex.session instanceof SecureSession ? ex.session : undefined;
    if (secure !== undefined) secure.markReceived(now);
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
    const handler = this.#applications.handler(m.protocolId);
    // Application protocols run only on secure sessions (4.13.2.1: the unsecured session carries session setup only).
    if (secure === undefined || handler === undefined || ex.role !== "responder") {
      this.#reject(now, ex);
      return;
    }
    handler(now, this.#applications.open(ex, secure), m);
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

  #onSecureStatusReport(now: number, ex: Exchange, session: SecureSession, m: ExchangeMessage): void {
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
      this.#sessions.peerClosedSession(session.localSessionId);
    }
  }

  #onHandshakeStart(now: number, ex: Exchange, m: ExchangeMessage): void {
    const peer = this.#router.address(ex.session.key)!;
    if (m.opcode === SecureChannelOpcode.PBKDF_PARAM_REQUEST && this.#window !== undefined) {
      const busyMs = this.#window.busyFor(now);
      if (busyMs !== undefined) {
        this.#busy(now, ex, busyMs);
        return;
      }
      this.#window.begin(ex);
      this.#handshakes.set(ex, { kind: "pase-responder", peer });
      this.#onHandshakeMessage(now, ex, { kind: "pase-responder", peer }, m);
      return;
    }
    if (m.opcode === SecureChannelOpcode.CASE_SIGMA1 && this.#o.caseFabrics !== undefined) {
      const h: Handshake = { kind: "case-responder", responder: newCaseResponder(this.#o, this.#o.caseFabrics), peer };
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
      if (h.kind === "pase-responder" && this.#window?.exchange === ex) this.#window.responder?.abort();
      this.#handshakes.delete(ex);
      this.#apply(now, this.exchanges.close(now, ex));
      this.#handshakeFailed(
        now,
        ex,
        h,
        new SecureChannelError(
          `${handshakeProtocol(h)}.unacknowledged`,
          "next handshake message did not acknowledge ours",
          undefined,
        ),
      );
      return;
    }
    let step: PaseStep | CaseStep;
    switch (h.kind) {
      case "pase-responder": {
        const responder = this.#window?.exchange === ex ? this.#window.responder : undefined;
        if (responder === undefined) {
          this.#reject(now, ex);
          return;
        }
        step = responder.handle(m.opcode, m.applicationPayload);
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
      if (h.kind === "pase-responder") this.#window?.sent(now, step.send.messageType);
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
        this.#window.established();
        // The SDK stops accepting PBKDFParamRequest once a PASE session is established on the window.
        this.#closeWindow(now, "established");
      }
    } else {
      const established = step.session as Extract<CaseStep, { status: "established" }>["session"];
      session = this.#sessions.addCaseSession(established, role, now).session;
      this.#out.push({ kind: "save-resumption", record: established.resumption });
    }
    this.#router.addSecure(session, h.peer);
    this.#out.push({ kind: "session-established", session, peer: h.peer, handshake: handshakeId(h) });
  }

  #handshakeFailed(now: number, ex: Exchange, h: Handshake, error: OpcredsError): void {
    const protocol = handshakeProtocol(h);
    switch (h.kind) {
      case "pase-responder": {
        if (this.#window?.failed(ex) === true) this.#closeWindow(now, "failed-attempts");
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
    this.#out.push({ kind: "handshake-failed", protocol, handshake: handshakeId(h), error });
  }

  #closeWindow(now: number, reason: WindowCloseReason | undefined): void {
    const w = this.#window;
    if (w === undefined) return;
    this.#window = undefined;
    const ex = w.abandon();
    if (ex !== undefined) {
      this.#handshakes.delete(ex);
      this.#apply(now, this.exchanges.close(now, ex));
    }
    if (reason !== undefined) this.#out.push({ kind: "commissioning-window-closed", reason });
  }

  /** A handshake exchange failed (MRP gave up, the peer did not answer in time): the attempt failed. */
  #handshakeEnded(ex: Exchange, now?: number): void {
    const h = this.#handshakes.get(ex);
    if (h === undefined) return;
    if (h.kind === "pase-responder" && this.#window?.exchange === ex) this.#window.responder?.abort();
    const reason = ex.state === "failed" ? "exchange failed" : "exchange closed";
    this.#handshakes.delete(ex);
    this.#handshakeFailed(
      now ?? 0,
      ex,
      h,
      new SecureChannelError(`${handshakeProtocol(h)}.timeout`, `handshake ${reason} before it completed`, undefined),
    );
  }

  #exchangeEnded(ex: Exchange, outcome: "closed" | ExchangeFailure, now?: number): void {
    this.#handshakeEnded(ex, now);
    this.#applications.ended(ex, outcome);
    // An unsecured session lives as long as its handshake exchanges.
    const s = ex.session;
    if (s instanceof UnsecuredSession && !this.exchanges.exchanges.some((other) => other.session === s)) {
      this.#router.removeUnsecured(s);
    }
  }

  #onSessionEnded(session: SecureSession, reason: SessionEndReason): void {
    if (!this.#router.removeSecure(session)) return;
    this.#collect(this.exchanges.closeSession(session));
    this.#out.push({ kind: "session-ended", session, reason });
    if (this.#inCall || this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      if (!this.#inCall) this.#call(() => {});
    });
  }
}
