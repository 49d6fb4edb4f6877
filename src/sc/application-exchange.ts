/**
 * The application-exchange layer of the secure channel (Core spec 4.10.5.2 unsolicited messages, 4.13.2.1): exchanges
 * of application protocols (the IM, 0x0001) on secure sessions, the handlers registered for the exchanges a peer opens,
 * and the exchanges each side has open.
 */
import type { Exchange, ExchangeFailure, ExchangeMessage, SendOptions } from "../mrp/exchange-manager.ts";
import type { SecureSession } from "./secure-session.ts";

/** A handler for messages of an application protocol on a new exchange the peer opened on a secure session. */
export type ApplicationHandler = (now: number, exchange: ApplicationExchange, message: ExchangeMessage) => void;

/** What an application exchange asks of the endpoint that carries it. */
export type ExchangeOps = {
  send(now: number, ax: ApplicationExchange, opcode: number, payload: Uint8Array, options?: SendOptions): void;
  close(now: number, ax: ApplicationExchange): void;
};

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
   * Sends a message on the exchange (reliable unless `options.reliable` is false). Its effects go to the endpoint's
   * `onEffects`: inside a handler with the call being handled, outside one at once.
   */
  send(now: number, opcode: number, payload: Uint8Array, options?: SendOptions): void {
    this.#ops.send(now, this, opcode, payload, options);
  }

  /** Closes the exchange (an owed ack is flushed); its effects go out as `send`'s do. */
  close(now: number): void {
    this.#ops.close(now, this);
  }
}

/** The registered application protocols and the application exchanges open on secure sessions. */
export class ApplicationExchanges {
  readonly #protocols = new Map<number, ApplicationHandler>();
  readonly #open = new Map<Exchange, ApplicationExchange>();
  readonly #ops: ExchangeOps;

  constructor(ops: ExchangeOps) {
    this.#ops = ops;
  }

  /** Serves exchanges the peer opens for `protocolId` with `handler`. */
  register(protocolId: number, handler: ApplicationHandler): void {
    this.#protocols.set(protocolId, handler);
  }

  /** The handler registered for `protocolId`. */
  handler(protocolId: number): ApplicationHandler | undefined {
    return this.#protocols.get(protocolId);
  }

  /** The application exchange carried by `exchange`, if it is one. */
  get(exchange: Exchange): ApplicationExchange | undefined {
    return this.#open.get(exchange);
  }

  /** Wraps `exchange` of `session` as an application exchange. */
  open(exchange: Exchange, session: SecureSession): ApplicationExchange {
    const ax = new ApplicationExchange(exchange, session, this.#ops);
    this.#open.set(exchange, ax);
    return ax;
  }

  /** `exchange` closed or failed: its application exchange (if any) is told once and forgotten. */
  ended(exchange: Exchange, outcome: "closed" | ExchangeFailure): void {
    const ax = this.#open.get(exchange);
    if (ax === undefined) return;
    this.#open.delete(exchange);
    ax.onEnd?.(outcome);
  }
}
