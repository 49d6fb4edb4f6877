/** What a CASE state machine returns for each input: a message to send, an established session, or a failure. */
import type { OpcredsError } from "../../bytes/errors.ts";
import type { FabricIndex } from "../../fabric/fabric-index.ts";
import type { SessionKeys } from "../secure-session.ts";
import type { SessionParameters } from "../session-parameters.ts";
import type { CaseMessage } from "./case-message-type.ts";
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
