/**
 * The failure of a PASE (Core spec 4.13) or CASE (4.14) handshake, with the Secure Channel StatusReport (4.11.1.3,
 * Appendix D) at stake. A separate class from ProtocolError, which carries an Interaction Model status: a StatusReport
 * and an IM status are different types, so neither can be answered where the other belongs.
 */
import { type ErrorCode, OpcredsError } from "../bytes/errors.ts";
import type { StatusReport } from "./status-report.ts";

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
