/**
 * Why a PASE or CASE handshake failed, as one line an operator can act on (Core 4.13 PASE, 4.14 CASE; the status
 * reports of 4.11.1.3): the error's message already names the message and the decoded StatusReport; this adds the
 * protocol and, for the codes whose meaning is not in their text, the plain reason.
 */
import type { ErrorCode, OpcredsError } from "../bytes/errors.ts";
import type { HandshakeProtocol } from "./secure-channel-effect.ts";

/** Plain reasons for error codes whose message states only the mechanism. */
const REASON: Readonly<Partial<Record<ErrorCode, string>>> = {
  "pase.timeout": "the commissioner went silent (the handshake exchange ended before it completed)",
  "case.timeout": "the peer went silent (the handshake exchange ended before it completed)",
  "pase.window-closed": "the commissioning window is closed",
  "case.no-shared-trust-roots": "no shared trust root (answered StatusReport Failure/NoSharedTrustRoots)",
};

/** "PASE failed: wrong passcode: ... (StatusReport Failure/InvalidParameter) [pase.peer-status]". */
export function describeHandshakeFailure(protocol: HandshakeProtocol, error: OpcredsError): string {
  const reason = REASON[error.code];
  const text = reason === undefined ? error.message : `${reason}: ${error.message}`;
  return `${protocol.toUpperCase()} failed: ${text} [${error.code}]`;
}
