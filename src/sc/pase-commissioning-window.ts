/**
 * The commissioning window as the secure channel serves it (Core spec 5.5, 4.14.1): one PASE handshake at a time with
 * the window's verifier, the session id reserved for it, and the failed attempts reported to the window's state
 * (commissioning-window-state.ts), which counts them and holds the window after one. Sans-IO: the endpoint asks it
 * whether to admit a PBKDFParamRequest and tells it how each attempt went.
 *
 * As the SDK's CommissioningWindowManager.cpp and PASESession.cpp do, a PBKDFParamRequest during a live handshake gets
 * the Busy StatusReport and leaves the live one alone (a malformed one is dropped uncounted by the responder); a failed
 * attempt holds the window until its start plus the handshake timeout, so nobody (silent or guessing) can spend the
 * 20-attempt budget faster than one attempt per timeout.
 */
import type { Crypto } from "../crypto/crypto.ts";
import { SecureChannelOpcode } from "../message/protocol-ids.ts";
import type { Exchange } from "../mrp/exchange-manager.ts";
import type { CommissioningWindowState } from "./commissioning-window-state.ts";
import { HANDSHAKE_RESPONSE_TIMEOUT_MS } from "./handshake-table.ts";
import { PaseResponder } from "./pase/pase-responder.ts";
import type { SessionManager } from "./session-manager.ts";
import type { SessionParameters } from "./session-parameters.ts";

/**
 * The minimum wait (ms) a Busy StatusReport asks of a PASE initiator whose request arrived during a live handshake
 * (the SDK's CASEServer answers 5000 ms when it knows no better).
 */
export const PASE_BUSY_MINIMUM_WAIT_MS = 5_000;

/** The secure channel listening for PASE on the node's commissioning window. */
export class PaseCommissioningWindow {
  readonly #crypto: Crypto;
  readonly #sessions: SessionManager;
  readonly #state: CommissioningWindowState;
  readonly #sessionParameters: SessionParameters | undefined;
  /** The responder of the handshake in progress: one per attempt, the window's state counts the attempts. */
  #responder: PaseResponder | undefined;
  /** The exchange of the handshake in progress. */
  #exchange: Exchange | undefined;
  /** The session id reserved for the handshake in progress. */
  #reservedId: number | undefined;
  /** When the live attempt sent its PBKDFParamResponse. */
  #attemptStartedAt: number | undefined;

  constructor(
    crypto: Crypto,
    sessions: SessionManager,
    state: CommissioningWindowState,
    sessionParameters: SessionParameters | undefined,
  ) {
    if (state.pase === undefined) throw new TypeError("no commissioning window is open");
    this.#crypto = crypto;
    this.#sessions = sessions;
    this.#state = state;
    this.#sessionParameters = sessionParameters;
  }

  /** The exchange of the handshake in progress. */
  get exchange(): Exchange | undefined {
    return this.#exchange;
  }

  /** The responder of the handshake in progress. */
  get responder(): PaseResponder | undefined {
    return this.#responder;
  }

  /**
   * Whether a PBKDFParamRequest at `now` may start a handshake: undefined if it may, else the Busy wait (ms). One
   * handshake at a time: a request during a live one gets Busy and leaves it untouched (not an attempt).
   */
  busyFor(now: number): number | undefined {
    if (this.#exchange !== undefined) return PASE_BUSY_MINIMUM_WAIT_MS;
    return this.#state.heldFor(now);
  }

  /** A handshake starts on `exchange`, answered with the open window's verifier. */
  begin(exchange: Exchange): void {
    const pase = this.#state.pase;
    if (pase === undefined) throw new TypeError("no commissioning window is open");
    this.#exchange = exchange;
    this.#attemptStartedAt = undefined;
    this.#responder = new PaseResponder(this.#crypto, {
      verifier: pase.verifier,
      pbkdfParameters: pase.pbkdfParameters,
      allocateSessionId: () => {
        const id = this.#sessions.allocateSessionId();
        this.#reservedId = id;
        return id;
      },
      ...(this.#sessionParameters === undefined ? {} : { sessionParameters: this.#sessionParameters }),
    });
  }

  /** The responder sent `messageType` at `now`; the attempt starts with its PBKDFParamResponse. */
  sent(now: number, messageType: number): void {
    if (messageType === SecureChannelOpcode.PBKDF_PARAM_RESPONSE) this.#attemptStartedAt = now;
  }

  /** The handshake on the window established its session: the reserved id is the session's now. */
  established(): void {
    this.#reservedId = undefined;
    this.#exchange = undefined;
    this.#responder = undefined;
  }

  /** The handshake on `exchange` failed; true when it was the window's and the window is now out of attempts. */
  failed(exchange: Exchange): boolean {
    if (this.#exchange !== exchange) return false;
    // The responder judges whether its handshake counts (it started: a malformed PBKDFParamRequest started none).
    const counted = (this.#responder?.failedAttempts ?? 0) > 0;
    this.#exchange = undefined;
    this.#responder = undefined;
    this.#releaseId();
    if (counted) this.#state.attemptFailed();
    // [DIFF] (see CommissioningWindowState.holdUntil) whether the peer went silent or tested a wrong passcode.
    if (this.#attemptStartedAt !== undefined)
      this.#state.holdUntil(this.#attemptStartedAt + HANDSHAKE_RESPONSE_TIMEOUT_MS);
    this.#attemptStartedAt = undefined;
    // The commissionee SHALL exit commissioning mode after 20 failed PASE attempts.
    return this.#state.outOfAttempts;
  }

  /** Abandons the handshake in progress (the window closes); returns its exchange for the caller to close. */
  abandon(): Exchange | undefined {
    const ex = this.#exchange;
    if (ex === undefined) return undefined;
    this.#exchange = undefined;
    this.#responder = undefined;
    this.#releaseId();
    return ex;
  }

  #releaseId(): void {
    if (this.#reservedId !== undefined) this.#sessions.releaseSessionId(this.#reservedId);
    this.#reservedId = undefined;
  }
}
