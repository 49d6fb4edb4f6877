/**
 * The async driver of the secure channel (Core spec 4.3 over UDP): UDP datagrams go to the sans-IO
 * SecureChannelEndpoint with the time, its effects come back as datagrams to send, one timer armed at the endpoint's
 * next deadline, session events and resumption records to persist. Bad datagrams are counted and dropped.
 */
import { performance } from "node:perf_hooks";
import type { OpcredsError } from "../bytes/errors.ts";
import type { ResumptionRecord } from "../sc/case/resumption-record.ts";
import type { SecureChannelEffect } from "../sc/secure-channel-effect.ts";
import { SecureChannelEndpoint, type SecureChannelEndpointOptions } from "../sc/secure-channel-endpoint.ts";
import type { SecureSession } from "../sc/secure-session.ts";
import type { PeerAddress } from "../sc/session-router.ts";
import { type UdpPeer, UdpTransport, type UdpTransportStats } from "./udp-transport.ts";

/** Options of `TransportDriver.open`: the endpoint's, the socket's, a clock, and where resumption records and errors go. */
export type TransportDriverOptions = Omit<SecureChannelEndpointOptions, "onEffects"> & {
  /** UDP port to bind (default 5540, 0 for an ephemeral one). */
  readonly port?: number;
  /** Address to bind (default "::", dual stack). */
  readonly address?: string;
  /** Monotonic milliseconds; default `performance.now`. */
  readonly clock?: () => number;
  /** Persists a CASE resumption record (ResumptionStore.save); failures go to `onError`. */
  readonly saveResumption?: (record: ResumptionRecord) => Promise<void>;
  /** Errors that cannot be thrown to anyone: send failures, handler bugs, storage failures. */
  readonly onError?: (error: unknown) => void;
};

/** What the secure channel reports besides datagrams to send and its timer. */
export type SecureChannelEvent = Exclude<SecureChannelEffect, { kind: "send" | "timer" }>;

/** Counters of everything dropped, from the socket up to the exchanges. */
export type TransportDriverStats = {
  readonly transport: Readonly<UdpTransportStats>;
  /** Messages whose session was unknown or whose session type is not served. */
  readonly unknownSession: number;
  /** Unsecured messages without an ephemeral node id. */
  readonly unroutable: number;
  /** Messages that failed authentication or whose decrypted protocol header was malformed. */
  readonly unauthenticated: number;
  /** Replayed (duplicate) message counters. */
  readonly duplicates: number;
  /** Secure Channel messages starting nothing we serve; application messages on the unsecured session. */
  readonly rejected: number;
  readonly sendErrors: number;
};

/** One UDP socket driving one SecureChannelEndpoint. */
export class TransportDriver {
  readonly endpoint: SecureChannelEndpoint;
  readonly #transport: UdpTransport;
  readonly #o: TransportDriverOptions;
  readonly #clock: () => number;
  readonly #eventListeners = new Set<(event: SecureChannelEvent) => void>();
  readonly #waiters = new Map<number, { resolve: (s: SecureSession) => void; reject: (e: OpcredsError) => void }>();
  #timer: NodeJS.Timeout | undefined;
  #sendErrors = 0;
  #closed = false;

  private constructor(
    endpoint: SecureChannelEndpoint,
    transport: UdpTransport,
    options: TransportDriverOptions,
    clock: () => number,
  ) {
    this.endpoint = endpoint;
    this.#transport = transport;
    this.#o = options;
    this.#clock = clock;
  }

  /** Binds the socket and starts serving; rejects with the bind error. */
  static async open(options: TransportDriverOptions): Promise<TransportDriver> {
    const clock = options.clock ?? (() => performance.now());
    let driver: TransportDriver | undefined;
    // Every effect reaches the driver through the endpoint's one channel; `act` only runs inputs.
    const endpoint = new SecureChannelEndpoint({ ...options, onEffects: (effects) => driver?.deliver(effects) });
    const transport = await UdpTransport.open({
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.address === undefined ? {} : { address: options.address }),
      onDatagram: (d) => driver?.act((now) => endpoint.onMessage(now, d.message, d.peer)),
      onError: (e) => options.onError?.(e),
    });
    driver = new TransportDriver(endpoint, transport, options, clock);
    return driver;
  }

  /** The bound UDP port. */
  get port(): number {
    return this.#transport.port;
  }

  /**
   * Calls `listener` with every effect other than sends and timers (sessions established/ended, handshake failures,
   * window closed), in the order they happen; returns the unsubscribe function. Events come only from datagrams, timers
   * and `act`, so a listener subscribed right after `open` resolves (before the next await) hears every one.
   */
  onEvent(listener: (event: SecureChannelEvent) => void): () => void {
    this.#eventListeners.add(listener);
    return () => void this.#eventListeners.delete(listener);
  }

  /** A snapshot of the drop counters. */
  get stats(): TransportDriverStats {
    const e = this.endpoint.stats;
    const x = this.endpoint.exchanges.stats;
    return {
      transport: { ...this.#transport.stats },
      unknownSession: e.unknownSession,
      unroutable: e.unroutable,
      unauthenticated: x.malformed,
      duplicates: x.duplicates,
      rejected: e.rejected,
      sendErrors: this.#sendErrors,
    };
  }

  /** Runs endpoint inputs at the current time (nothing once the driver is closed); effects arrive through `deliver`. */
  act(input: (now: number) => void): void {
    if (this.#closed) return;
    input(this.#clock());
  }

  /** Carries out effects the endpoint delivers (its `onEffects` channel); nothing once the driver is closed. */
  deliver(effects: SecureChannelEffect[]): void {
    if (!this.#closed) this.#apply(effects);
  }

  /** PASE as commissioner towards `peer`; resolves with the session, rejects with the handshake's error. */
  establishPase(peer: UdpPeer, options: { passcode: number }): Promise<SecureSession> {
    return this.#establish((now) => this.endpoint.startPase(now, peer, options));
  }

  /** CASE towards a node on one of our fabrics; resolves with the session, rejects with the handshake's error. */
  establishCase(peer: UdpPeer, options: Parameters<SecureChannelEndpoint["startCase"]>[2]): Promise<SecureSession> {
    return this.#establish((now) => this.endpoint.startCase(now, peer, options));
  }

  /** Stops the timer and closes the socket; idempotent. Sessions are not closed (call `endpoint.closeSession` first). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#transport.close();
  }

  #establish(start: (now: number) => number): Promise<SecureSession> {
    if (this.#closed) return Promise.reject(new TypeError("transport driver is closed"));
    // The handshake's outcome needs the peer's answer: it cannot arrive before its waiter is set.
    const handshake = start(this.#clock());
    return new Promise<SecureSession>((resolve, reject) => this.#waiters.set(handshake, { resolve, reject }));
  }

  #apply(effects: SecureChannelEffect[]): void {
    for (const fx of effects) {
      switch (fx.kind) {
        case "send":
          this.#send(fx.bytes, fx.to);
          break;
        case "timer":
          this.#arm(fx.at);
          break;
        default:
          this.#event(fx);
      }
    }
  }

  #send(bytes: Uint8Array, to: PeerAddress): void {
    this.#transport.send(bytes, to).catch((e: unknown) => {
      this.#sendErrors++;
      this.#o.onError?.(e);
    });
  }

  #arm(at: number | undefined): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (at === undefined || this.#closed) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.act((now) => this.endpoint.onTimer(Math.max(now, at)));
      },
      Math.max(0, Math.ceil(at - this.#clock())),
    );
  }

  #event(fx: SecureChannelEvent): void {
    if (fx.kind === "save-resumption" && this.#o.saveResumption !== undefined) {
      this.#o.saveResumption(fx.record).catch((e: unknown) => this.#o.onError?.(e));
    }
    if (fx.kind === "session-established" && fx.handshake !== undefined) {
      this.#waiters.get(fx.handshake)?.resolve(fx.session);
      this.#waiters.delete(fx.handshake);
    }
    if (fx.kind === "handshake-failed" && fx.handshake !== undefined) {
      this.#waiters.get(fx.handshake)?.reject(fx.error);
      this.#waiters.delete(fx.handshake);
    }
    for (const listener of [...this.#eventListeners]) listener(fx);
  }
}
