/**
 * The commissioning window as the secure channel serves it (Core spec 5.5, 4.14.1): one PASE responder with the
 * window's verifier, one handshake at a time, the session id reserved for it, and the time a failed attempt holds the
 * window. Sans-IO: the endpoint asks it whether to admit a PBKDFParamRequest and tells it how each attempt went.
 *
 * As the SDK's CommissioningWindowManager.cpp and PASESession.cpp do, a PBKDFParamRequest during a live handshake gets
 * the Busy StatusReport and leaves the live one alone (a malformed one is dropped uncounted by the responder); a failed
 * attempt holds the window until its start plus the handshake timeout, so nobody (silent or guessing) can spend the
 * 20-attempt budget faster than one attempt per timeout.
 */
import type { Crypto } from "../crypto/crypto.ts";
import type { Exchange } from "../mrp/exchange-manager.ts";
import { HANDSHAKE_RESPONSE_TIMEOUT_MS } from "./handshake-table.ts";
import { PaseMessageType } from "./pase/pase-message-type.ts";
import { PaseResponder } from "./pase/pase-responder.ts";
import type { PaseVerifier, PbkdfParameters } from "./pase/pase-verifier.ts";
import type { SessionManager } from "./session-manager.ts";
import type { SessionParameters } from "./session-parameters.ts";

/**
 * The minimum wait (ms) a Busy StatusReport asks of a PASE initiator whose request arrived during a live handshake
 * (the SDK's CASEServer answers 5000 ms when it knows no better).
 */
export const PASE_BUSY_MINIMUM_WAIT_MS = 5_000;

/** What a commissioning window is opened with. */
export type PaseWindowOptions = {
  readonly verifier: PaseVerifier;
  readonly pbkdfParameters: PbkdfParameters;
  /** Failed attempts that close the window (default 20). */
  readonly maxFailedAttempts?: number;
  /** Our session parameters, sent in PBKDFParamResponse. */
  readonly sessionParameters?: SessionParameters | undefined;
};

/** An open commissioning window of the secure channel. */
export class PaseCommissioningWindow {
  readonly responder: PaseResponder;
  readonly #sessions: SessionManager;
  /** The exchange of the handshake in progress. */
  #exchange: Exchange | undefined;
  /** The session id reserved for the handshake in progress. */
  #reservedId: number | undefined;
  /** When the live attempt sent its PBKDFParamResponse. */
  #attemptStartedAt: number | undefined;
  /** New handshakes get Busy until then: a failed attempt holds the window until its start plus the handshake timeout. */
  #heldUntil = 0;

  constructor(crypto: Crypto, sessions: SessionManager, options: PaseWindowOptions) {
    this.#sessions = sessions;
    this.responder = new PaseResponder(crypto, {
      verifier: options.verifier,
      pbkdfParameters: options.pbkdfParameters,
      allocateSessionId: () => {
        const id = sessions.allocateSessionId();
        this.#reservedId = id;
        return id;
      },
      ...(options.sessionParameters === undefined ? {} : { sessionParameters: options.sessionParameters }),
      ...(options.maxFailedAttempts === undefined ? {} : { maxFailedAttempts: options.maxFailedAttempts }),
    });
  }

  /** The exchange of the handshake in progress. */
  get exchange(): Exchange | undefined {
    return this.#exchange;
  }

  /**
   * Whether a PBKDFParamRequest at `now` may start a handshake: undefined if it may, else the Busy wait (ms). One
   * handshake at a time: a request during a live one gets Busy and leaves it untouched (not an attempt).
   */
  busyFor(now: number): number | undefined {
    if (this.#exchange !== undefined) return PASE_BUSY_MINIMUM_WAIT_MS;
    if (now < this.#heldUntil) return this.#heldUntil - now;
    return undefined;
  }

  /** A handshake starts on `exchange`. */
  begin(exchange: Exchange): void {
    this.#exchange = exchange;
    this.#attemptStartedAt = undefined;
  }

  /** The responder sent `messageType` at `now`; the attempt starts with its PBKDFParamResponse. */
  sent(now: number, messageType: number): void {
    if (messageType === PaseMessageType.PBKDFParamResponse) this.#attemptStartedAt = now;
  }

  /** The handshake on the window established its session: the reserved id is the session's now. */
  established(): void {
    this.#reservedId = undefined;
    this.#exchange = undefined;
  }

  /** The handshake on `exchange` failed; true when it was the window's and the window is now out of attempts. */
  failed(exchange: Exchange): boolean {
    if (this.#exchange !== exchange) return false;
    this.#exchange = undefined;
    this.#releaseId();
    // [DIFF] A failed attempt holds the window until its start plus the handshake timeout (new requests get Busy with
    // the time left), whether the peer went silent or tested a wrong passcode. The SDK's CommissioningWindowManager.cpp
    // (HandleFailedAttempt) listens again at once, so a stranger can spend its 20 attempts in seconds and lock the
    // window; here the budget lasts at least 20 handshake timeouts.
    if (this.#attemptStartedAt !== undefined) {
      this.#heldUntil = Math.max(this.#heldUntil, this.#attemptStartedAt + HANDSHAKE_RESPONSE_TIMEOUT_MS);
    }
    this.#attemptStartedAt = undefined;
    // The commissionee SHALL exit commissioning mode after 20 failed PASE attempts.
    return this.responder.windowClosed;
  }

  /** Abandons the handshake in progress (the window closes); returns its exchange for the caller to close. */
  abandon(): Exchange | undefined {
    const ex = this.#exchange;
    if (ex === undefined) return undefined;
    this.#exchange = undefined;
    this.responder.abort();
    this.#releaseId();
    return ex;
  }

  #releaseId(): void {
    if (this.#reservedId !== undefined) this.#sessions.releaseSessionId(this.#reservedId);
    this.#reservedId = undefined;
  }
}
