/**
 * The PASE responder (commissionee side, Core spec "Passcode-Authenticated Session Establishment"), sans-IO:
 * payload bytes in, the next payload or an established session out. It holds only the verifier (w0, L), never the
 * passcode, and counts its failed attempts for the commissioning window's state, which closes the window after 20 (Core
 * spec, "Commissioning window": the commissionee SHALL exit commissioning mode after 20 failed PASE attempts).
 * What counts follows the SDK (PASESession.cpp, CommissioningWindowManager.cpp OnSessionEstablishmentError): every
 * handshake that started and then failed. A PBKDFParamRequest that starts nothing (malformed) is dropped uncounted, and
 * one during a handshake in progress fails that handshake instead of silently replacing it.
 */
import type { Crypto } from "../../crypto/crypto.ts";
import { constantTimeEqual, Spake2pVerifier } from "../../crypto/spake2p.ts";
import { SecureChannelOpcode } from "../../message/protocol-ids.ts";
import { failedHandshakeStep, invalidParameter, SecureChannelError } from "../secure-channel-error.ts";
import type { SessionParameters } from "../session-parameters.ts";
import {
  decodeStatusReport,
  describeStatusReport,
  SESSION_ESTABLISHMENT_SUCCESS,
  SecureChannelProtocolCode,
  statusReportMessage,
} from "../status-report.ts";
import { decodePake1 } from "./pake1.ts";
import { encodePake2 } from "./pake2.ts";
import { decodePake3 } from "./pake3.ts";
import { derivePaseSessionKeys, type PaseSessionKeys, paseContext } from "./pase-session-keys.ts";
import type { PaseStep } from "./pase-step.ts";
import { isValidPbkdfParameters, type PaseVerifier, type PbkdfParameters } from "./pase-verifier.ts";
import { decodePBKDFParamRequest, PASE_RANDOM_BYTES } from "./pbkdf-param-request.ts";
import { encodePBKDFParamResponse } from "./pbkdf-param-response.ts";

/** The only passcode id defined: the default commissioning passcode (PBKDFParamRequest passcodeId SHALL be 0). */
export const DEFAULT_PASSCODE_ID = 0;

/** Configuration of a responder: one per commissioning window. */
export type PaseResponderOptions = {
  readonly verifier: PaseVerifier;
  readonly pbkdfParameters: PbkdfParameters;
  /** Allocates the local secure session id for a new handshake (1..0xFFFF, unused by other sessions). */
  readonly allocateSessionId: () => number;
  readonly sessionParameters?: SessionParameters;
};

type Handshake = {
  readonly localSessionId: number;
  readonly peerSessionId: number;
  readonly peerSessionParameters: SessionParameters | undefined;
  readonly context: Uint8Array;
  confirmation?: { readonly cA: Uint8Array; readonly keys: PaseSessionKeys };
};

/** Commissionee-side PASE: feed every PASE message of the commissioning exchange to `handle`. */
export class PaseResponder {
  readonly #crypto: Crypto;
  readonly #options: PaseResponderOptions;
  #handshake: Handshake | undefined;
  #failedAttempts = 0;

  constructor(crypto: Crypto, options: PaseResponderOptions) {
    if (!isValidPbkdfParameters(options.pbkdfParameters)) throw new RangeError("PBKDF parameters out of PASE range");
    this.#crypto = crypto;
    this.#options = options;
  }

  /** Failed handshakes so far in this window. */
  get failedAttempts(): number {
    return this.#failedAttempts;
  }

  /** True while a handshake is in progress (between PBKDFParamRequest and the final StatusReport). */
  get busy(): boolean {
    return this.#handshake !== undefined;
  }

  /** Abandons the handshake in progress (e.g. the driver's exchange timed out) and counts it as a failed attempt. */
  abort(): void {
    if (this.#handshake !== undefined) {
      this.#handshake = undefined;
      this.#failedAttempts++;
    }
  }

  /** Processes one received PASE message; never throws for bad input (failures come back as `failed` steps). */
  handle(messageType: number, payload: Uint8Array): PaseStep {
    // A failure counts as a failed attempt only when it ends a handshake in progress; a malformed PBKDFParamRequest
    // started none: it is dropped, unanswered and uncounted (a stranger's datagram must not spend the budget).
    const countable = this.#handshake !== undefined;
    const answer =
      messageType !== SecureChannelOpcode.STATUS_REPORT &&
      (countable || messageType !== SecureChannelOpcode.PBKDF_PARAM_REQUEST);
    try {
      switch (messageType) {
        case SecureChannelOpcode.PBKDF_PARAM_REQUEST:
          return this.#onPBKDFParamRequest(payload);
        case SecureChannelOpcode.PASE_PAKE1:
          return this.#onPake1(payload);
        case SecureChannelOpcode.PASE_PAKE3:
          return this.#onPake3(payload);
        case SecureChannelOpcode.STATUS_REPORT:
          return this.#onStatusReport(payload);
        default:
          throw invalidParameter("pase.unexpected-message", `unexpected message type 0x${messageType.toString(16)}`);
      }
    } catch (e) {
      return this.#fail(e, countable, answer);
    }
  }

  #fail(e: unknown, countable: boolean, answer: boolean): PaseStep {
    this.#handshake = undefined;
    if (countable) this.#failedAttempts++;
    return failedHandshakeStep(e, answer);
  }

  #onPBKDFParamRequest(payload: Uint8Array): PaseStep {
    // Another request on the exchange of a handshake in progress is out of order: that handshake fails (counted).
    if (this.#handshake !== undefined)
      throw invalidParameter("pase.unexpected-message", "PBKDFParamRequest during a handshake");
    const req = decodePBKDFParamRequest(payload);
    // passcodeId SHALL be 0 (the default commissioning passcode); no other passcode ids are defined.
    if (req.passcodeId !== DEFAULT_PASSCODE_ID)
      throw invalidParameter("pase.passcode-id", `unknown passcodeId ${req.passcodeId}`);
    // Session id 0 identifies the unsecured session and cannot name a secure one.
    if (req.initiatorSessionId === 0) throw invalidParameter("pase.session-id", "initiatorSessionId 0");
    const localSessionId = this.#options.allocateSessionId();
    const response = encodePBKDFParamResponse({
      initiatorRandom: req.initiatorRandom,
      responderRandom: this.#crypto.randomBytes(PASE_RANDOM_BYTES),
      responderSessionId: localSessionId,
      // pbkdf_parameters SHALL be included only when the initiator did not already have them.
      pbkdfParameters: req.hasPBKDFParameters ? undefined : this.#options.pbkdfParameters,
      responderSessionParams: this.#options.sessionParameters,
    });
    this.#handshake = {
      localSessionId,
      peerSessionId: req.initiatorSessionId,
      peerSessionParameters: req.initiatorSessionParams,
      context: paseContext(this.#crypto, payload, response),
    };
    return { status: "continue", send: { messageType: SecureChannelOpcode.PBKDF_PARAM_RESPONSE, payload: response } };
  }

  #onPake1(payload: Uint8Array): PaseStep {
    const hs = this.#handshake;
    if (hs === undefined || hs.confirmation !== undefined)
      throw invalidParameter("pase.unexpected-message", "Pake1 out of order");
    const { pA } = decodePake1(payload);
    const { w0, L } = this.#options.verifier;
    const spake = new Spake2pVerifier(this.#crypto, hs.context, w0, L);
    const keys = spake.finish(pA);
    hs.confirmation = { cA: keys.cA, keys: derivePaseSessionKeys(this.#crypto, keys.Ke) };
    return {
      status: "continue",
      send: { messageType: SecureChannelOpcode.PASE_PAKE2, payload: encodePake2({ pB: spake.Y, cB: keys.cB }) },
    };
  }

  #onPake3(payload: Uint8Array): PaseStep {
    const hs = this.#handshake;
    if (hs?.confirmation === undefined) throw invalidParameter("pase.unexpected-message", "Pake3 out of order");
    const { cA } = decodePake3(payload);
    // The responder SHALL verify cA; on mismatch it sends FAILURE / INVALID_PARAMETER and the attempt fails.
    if (!constantTimeEqual(cA, hs.confirmation.cA)) {
      throw invalidParameter(
        "pase.confirmation",
        "wrong passcode: Pake3's cA does not verify (answered StatusReport Failure/InvalidParameter)",
      );
    }
    this.#handshake = undefined;
    // Spreads last: in V8 a literal that starts with a spread and goes on with members takes a slow path (~13 µs).
    const session = {
      localSessionId: hs.localSessionId,
      peerSessionId: hs.peerSessionId,
      ...(hs.peerSessionParameters === undefined ? {} : { peerSessionParameters: hs.peerSessionParameters }),
      ...hs.confirmation.keys,
    };
    return {
      status: "established",
      send: statusReportMessage(SESSION_ESTABLISHMENT_SUCCESS),
      session,
    };
  }

  #onStatusReport(payload: Uint8Array): PaseStep {
    const report = decodeStatusReport(payload);
    // After Pake2 the initiator checks cB: an InvalidParameter report then is how a commissioner holding another
    // passcode ends the handshake (it never sends Pake3).
    const afterPake2 =
      this.#handshake?.confirmation !== undefined &&
      report.protocolCode === SecureChannelProtocolCode.INVALID_PARAMETER;
    const error = new SecureChannelError(
      "pase.peer-status",
      afterPake2
        ? `wrong passcode: the initiator rejected Pake2 (${describeStatusReport(report)})`
        : `the initiator ended the handshake (${describeStatusReport(report)})`,
      report,
    );
    // The initiator's StatusReport ends the handshake; a StatusReport is never answered with another.
    throw error;
  }
}
