/**
 * The PASE initiator (commissioner side, Core spec "Passcode-Authenticated Session Establishment"), sans-IO:
 * `start()` gives the PBKDFParamRequest, then each received payload gives the next message or the result.
 */

import { bytesEqual } from "../../bytes/bytes.ts";
import type { Crypto } from "../../crypto/crypto.ts";
import { constantTimeEqual, type Spake2pKeys, Spake2pProver } from "../../crypto/spake2p.ts";
import { SecureChannelOpcode } from "../../message/protocol-ids.ts";
import {
  endingFailureStep,
  invalidParameter,
  peerStatusError,
  SecureChannelError,
  unexpectedMessage,
} from "../secure-channel-error.ts";
import { checkSessionId } from "../secure-session.ts";
import type { SessionParameters } from "../session-parameters.ts";
import { busyMinimumWaitMs, busyStatus, decodeStatusReport, isSecureChannelSuccess } from "../status-report.ts";
import { encodePake1 } from "./pake1.ts";
import { decodePake2 } from "./pake2.ts";
import { encodePake3 } from "./pake3.ts";
import type { PaseMessage } from "./pase-message-type.ts";
import { DEFAULT_PASSCODE_ID } from "./pase-responder.ts";
import { derivePaseSessionKeys, paseContext } from "./pase-session-keys.ts";
import type { PaseStep } from "./pase-step.ts";
import { computePaseW0W1, isValidPasscode, isValidPbkdfParameters, type PbkdfParameters } from "./pase-verifier.ts";
import { encodePBKDFParamRequest, PASE_RANDOM_BYTES } from "./pbkdf-param-request.ts";
import { decodePBKDFParamResponse, type PBKDFParamResponse } from "./pbkdf-param-response.ts";

/** Configuration of one PASE attempt. */
export type PaseInitiatorOptions = {
  readonly passcode: number;
  /** The local secure session id the responder will address (1..0xFFFF). */
  readonly localSessionId: number;
  readonly sessionParameters?: SessionParameters;
  /** PBKDF parameters already known (e.g. from a previous attempt); the responder then omits them. */
  readonly pbkdfParameters?: PbkdfParameters;
};

type State =
  | { readonly name: "initial" }
  | { readonly name: "awaiting-pbkdf-response"; readonly request: Uint8Array; readonly random: Uint8Array }
  /** `response` names the responder's session id and parameters, which the session takes when it is established. */
  | { readonly name: "awaiting-pake2"; readonly prover: Spake2pProver; readonly response: PBKDFParamResponse }
  | { readonly name: "awaiting-status"; readonly keys: Spake2pKeys; readonly response: PBKDFParamResponse }
  | { readonly name: "done" };

/** Commissioner-side PASE for one attempt. */
export class PaseInitiator {
  readonly #crypto: Crypto;
  readonly #options: PaseInitiatorOptions;
  #state: State = { name: "initial" };

  constructor(crypto: Crypto, options: PaseInitiatorOptions) {
    if (!isValidPasscode(options.passcode)) throw new RangeError("invalid passcode");
    checkSessionId("localSessionId", options.localSessionId);
    if (options.pbkdfParameters !== undefined && !isValidPbkdfParameters(options.pbkdfParameters)) {
      throw new RangeError("PBKDF parameters out of PASE range");
    }
    this.#crypto = crypto;
    this.#options = options;
  }

  /** The PBKDFParamRequest that opens the handshake; callable once. */
  start(): PaseMessage {
    if (this.#state.name !== "initial") throw new TypeError("PaseInitiator.start() called twice");
    const random = this.#crypto.randomBytes(PASE_RANDOM_BYTES);
    const request = encodePBKDFParamRequest({
      initiatorRandom: random,
      initiatorSessionId: this.#options.localSessionId,
      passcodeId: DEFAULT_PASSCODE_ID,
      hasPBKDFParameters: this.#options.pbkdfParameters !== undefined,
      initiatorSessionParams: this.#options.sessionParameters,
    });
    this.#state = { name: "awaiting-pbkdf-response", request, random };
    return { messageType: SecureChannelOpcode.PBKDF_PARAM_REQUEST, payload: request };
  }

  /** Processes one received message; never throws for bad input (failures come back as `failed` steps). */
  handle(messageType: number, payload: Uint8Array): PaseStep {
    try {
      if (messageType === SecureChannelOpcode.STATUS_REPORT) return this.#onStatusReport(payload);
      const state = this.#state;
      if (messageType === SecureChannelOpcode.PBKDF_PARAM_RESPONSE && state.name === "awaiting-pbkdf-response") {
        return this.#onPBKDFParamResponse(state, payload);
      }
      if (messageType === SecureChannelOpcode.PASE_PAKE2 && state.name === "awaiting-pake2")
        return this.#onPake2(state, payload);
      throw unexpectedMessage("pase.unexpected-message", messageType, state.name);
    } catch (e) {
      const failed = endingFailureStep(e, messageType, this.#state.name);
      this.#state = { name: "done" };
      return failed;
    }
  }

  #onPBKDFParamResponse(state: Extract<State, { name: "awaiting-pbkdf-response" }>, payload: Uint8Array): PaseStep {
    const resp = decodePBKDFParamResponse(payload);
    // The responder SHALL echo initiatorRandom.
    if (!bytesEqual(resp.initiatorRandom, state.random))
      throw invalidParameter("pase.initiator-random", "initiatorRandom not echoed");
    if (resp.responderSessionId === 0) throw invalidParameter("pase.session-id", "responderSessionId 0");
    let params = this.#options.pbkdfParameters;
    if (params === undefined) {
      // Without hasPBKDFParameters the response SHALL carry pbkdf_parameters, within the PASE limits.
      if (resp.pbkdfParameters === undefined)
        throw invalidParameter("pase.pbkdf-parameters", "pbkdf_parameters missing");
      if (!isValidPbkdfParameters(resp.pbkdfParameters)) {
        throw invalidParameter("pase.pbkdf-parameters", "pbkdf_parameters out of range");
      }
      params = resp.pbkdfParameters;
    } else if (resp.pbkdfParameters !== undefined) {
      throw invalidParameter("pase.pbkdf-parameters", "pbkdf_parameters sent although the initiator had them");
    }
    const secrets = computePaseW0W1(this.#crypto, this.#options.passcode, params);
    const prover = new Spake2pProver(this.#crypto, paseContext(this.#crypto, state.request, payload), secrets);
    this.#state = { name: "awaiting-pake2", prover, response: resp };
    const pake1 = encodePake1({ pA: prover.X });
    return { status: "continue", send: { messageType: SecureChannelOpcode.PASE_PAKE1, payload: pake1 } };
  }

  #onPake2(state: Extract<State, { name: "awaiting-pake2" }>, payload: Uint8Array): PaseStep {
    const { pB, cB } = decodePake2(payload);
    const keys = state.prover.finish(pB);
    // The initiator SHALL verify cB; on mismatch it sends FAILURE / INVALID_PARAMETER (wrong passcode).
    if (!constantTimeEqual(cB, keys.cB)) throw invalidParameter("pase.confirmation", "cB does not verify");
    this.#state = { name: "awaiting-status", keys, response: state.response };
    const pake3 = encodePake3({ cA: keys.cA });
    return { status: "continue", send: { messageType: SecureChannelOpcode.PASE_PAKE3, payload: pake3 } };
  }

  #onStatusReport(payload: Uint8Array): PaseStep {
    const report = decodeStatusReport(payload);
    const state = this.#state;
    if (state.name === "awaiting-status" && isSecureChannelSuccess(report)) {
      this.#state = { name: "done" };
      // Spreads last: in V8 a literal that starts with a spread and goes on with members takes a slow path (~13 µs).
      const { responderSessionId, responderSessionParams } = state.response;
      const session = {
        localSessionId: this.#options.localSessionId,
        peerSessionId: responderSessionId,
        ...(responderSessionParams === undefined ? {} : { peerSessionParameters: responderSessionParams }),
        ...derivePaseSessionKeys(this.#crypto, state.keys.Ke),
      };
      return { status: "established", session };
    }
    const wait = busyMinimumWaitMs(report);
    if (wait !== undefined) throw new PaseBusyError(wait);
    throw peerStatusError("pase.peer-status", "responder", state.name, report);
  }
}

/**
 * The responder is busy with another commissioner's handshake (Core 4.11.1.3 Busy StatusReport): the initiator SHALL
 * wait at least `minimumWaitMs` before it tries again.
 */
export class PaseBusyError extends SecureChannelError {
  readonly minimumWaitMs: number;
  constructor(minimumWaitMs: number) {
    super(
      "pase.busy",
      `the device is busy with another commissioning (retry in ${minimumWaitMs} ms)`,
      busyStatus(minimumWaitMs),
    );
    this.minimumWaitMs = minimumWaitMs;
  }
}
