/**
 * The administrator's typed errors: one class with a code from a closed union, so that a caller can branch on
 * `code` and a typo does not compile. `step` names the commissioning or administration step that failed.
 */
import { OpcredsError } from "../bytes/errors.ts";
import { AttestationError } from "../cert/device-attestation-verifier.ts";

/** Every code an AdminError carries. */
export type AdminErrorCode =
  /** A request or handshake got no answer in time. */
  | "admin.timeout"
  /** The exchange ended without an answer (retransmissions exhausted, unexpected message). */
  | "admin.exchange-failed"
  /** The session the request ran on was closed by the peer or evicted. */
  | "admin.session-closed"
  /** A Read answered with a status instead of data, or without the attribute. */
  | "admin.read-failed"
  /** The device answered a command with a failure status or cluster status. */
  | "admin.command-failed"
  /** The device's answer was well-formed but broke a rule the administrator checks. */
  | "admin.device-invalid"
  /** PASE failed because the passcode does not match the device's. */
  | "admin.wrong-passcode"
  /** Device attestation failed. */
  | "admin.attestation-failed"
  /** The node did not answer CASE at its address, nor could DNS-SD find it elsewhere. */
  | "admin.unreachable"
  /** The node answered CASE but holds no fabric of ours (NoSharedTrustRoots). */
  | "admin.no-shared-root"
  /** No device answered discovery, or no address is known. */
  | "admin.not-found"
  /** The node is not in the registry. */
  | "admin.unknown-node"
  /** The operation is refused by policy (own fabric, last fabric without confirmation). */
  | "admin.refused";

/** An administrator failure; the message is one line and starts with the step when one is known. */
export class AdminError extends OpcredsError {
  declare readonly code: AdminErrorCode;
  /** The step that failed (e.g. "AddNOC", "attestation"), when known. */
  readonly step: string | undefined;
  /** The message without the step. */
  readonly reason: string;
  constructor(code: AdminErrorCode, message: string, options?: ErrorOptions & { step?: string }) {
    super(code, options?.step === undefined ? message : `${options.step}: ${message}`, options);
    this.step = options?.step;
    this.reason = message;
  }

  /** The same failure with `more` appended to its reason (e.g. what the user can do about it). */
  extended(more: string): AdminError {
    return new AdminError(this.code, `${this.reason}${more}`, {
      cause: this,
      ...(this.step === undefined ? {} : { step: this.step }),
    });
  }

  /** `error` re-thrown as the failure of `step` (an AdminError keeps its code; others become command-failed). */
  static atStep(step: string, error: unknown): AdminError {
    if (error instanceof AdminError) {
      if (error.step !== undefined) return error;
      return new AdminError(error.code, error.reason, { step, cause: error });
    }
    const message = error instanceof Error ? error.message : String(error);
    // The verifier's codes are its rule ids ("paa.not-trusted", "cd.vendor-id", ...), so the class decides.
    const code: AdminErrorCode =
      error instanceof AttestationError || (error instanceof OpcredsError && error.code.startsWith("attestation"))
        ? "admin.attestation-failed"
        : "admin.device-invalid";
    return new AdminError(code, message, { step, cause: error });
  }
}
