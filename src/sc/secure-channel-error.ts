/**
 * The failure of a PASE (Core spec 4.13) or CASE (4.14) handshake, with the Secure Channel StatusReport (4.11.1.3,
 * Appendix D) at stake. A separate class from ProtocolError, which carries an Interaction Model status: a StatusReport
 * and an IM status are different types, so neither can be answered where the other belongs.
 */
import { type ErrorCode, InternalError, OpcredsError } from "../bytes/errors.ts";
import { SecureChannelOpcode } from "../message/protocol-ids.ts";
import {
  describeStatusReport,
  INVALID_PARAMETER,
  type StatusReport,
  type StatusReportMessage,
  statusReportMessage,
} from "./status-report.ts";

/**
 * A handshake rule broken or a handshake ended. `report` is the StatusReport this side answers with (`INVALID_PARAMETER`,
 * `NO_SHARED_TRUST_ROOTS`), or for `*.peer-status` and `pase.busy` the one the peer sent; undefined when no report
 * was exchanged (a silent peer, a closed window).
 */
export class SecureChannelError extends OpcredsError {
  readonly report: StatusReport | undefined;
  constructor(code: ErrorCode, message: string, report: StatusReport | undefined, options?: ErrorOptions) {
    super(code, message, options);
    this.report = report;
  }
}

/** A handshake rule the peer's message broke (PASE or CASE), answered with FAILURE / INVALID_PARAMETER. */
export function invalidParameter(code: ErrorCode, message: string): SecureChannelError {
  return new SecureChannelError(code, message, INVALID_PARAMETER);
}

/** A message of a type the handshake does not expect in `state`, answered with FAILURE / INVALID_PARAMETER. */
export function unexpectedMessage(code: ErrorCode, messageType: number, state: string): SecureChannelError {
  return invalidParameter(code, `unexpected message type 0x${messageType.toString(16)} in ${state}`);
}

/** The peer's StatusReport ended the handshake in `state` (a failure, or a success where none was due). */
export function peerStatusError(
  code: ErrorCode,
  peer: "initiator" | "responder",
  state: string,
  report: StatusReport,
): SecureChannelError {
  return new SecureChannelError(
    code,
    `the ${peer} ended the handshake in state ${state} (${describeStatusReport(report)})`,
    report,
  );
}

/** The last step of a failed handshake: the error, and the StatusReport to send when the failure is answered. */
export type FailedHandshakeStep = {
  readonly status: "failed";
  readonly send?: StatusReportMessage;
  readonly error: OpcredsError;
};

/**
 * The `failed` step for what a PASE or CASE handler threw: an OpcredsError as it is, anything else wrapped as an
 * InternalError. When `answer`, it carries the StatusReport to send: the one a SecureChannelError names
 * (INVALID_PARAMETER, NO_SHARED_TRUST_ROOTS), INVALID_PARAMETER for any other error.
 */
export function failedHandshakeStep(e: unknown, answer: boolean): FailedHandshakeStep {
  const error = e instanceof OpcredsError ? e : new InternalError(String(e), { cause: e });
  if (!answer) return { status: "failed", error };
  const report = error instanceof SecureChannelError && error.report !== undefined ? error.report : INVALID_PARAMETER;
  return { status: "failed", send: statusReportMessage(report), error };
}

/**
 * The `failed` step of a role that ends at its first failure (the PASE initiator, both CASE roles), for what it threw
 * on a message of `messageType` in state `state`: answered unless that message was the peer's StatusReport (a
 * StatusReport is never answered with another) or the handshake had already ended.
 */
export function endingFailureStep(e: unknown, messageType: number, state: string): FailedHandshakeStep {
  return failedHandshakeStep(e, messageType !== SecureChannelOpcode.STATUS_REPORT && state !== "done");
}
