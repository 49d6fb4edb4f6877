/** What a CASE state machine returns for each input: a message to send, an established session, or a failure. */
import type { FabricIndex } from "../../fabric/fabric-index.ts";
import type { FailedHandshakeStep } from "../secure-channel-error.ts";
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
  | FailedHandshakeStep;

/** What either role knows when its handshake ends, besides the keys. */
type CaseEstablishment = {
  readonly localSessionId: number;
  readonly peerSessionId: number;
  readonly localNodeId: bigint;
  readonly resumed: boolean;
  /** The record both sides keep: the session's fabric, peer node id and peer CATs are the record's. */
  readonly resumption: ResumptionRecord;
  readonly peerSessionParameters: SessionParameters | undefined;
};

/**
 * The CaseSession of `keys` and what the handshake established. The keys come first and the spread last: in V8 an
 * object literal that starts with a spread and goes on with more members (`{ ...keys, localSessionId, ... }`) takes a
 * slow path (about 13 µs on Node 20, against 0.1 µs), a cost every handshake paid twice.
 */
export function caseSession(keys: SessionKeys, e: CaseEstablishment): CaseSession {
  const { resumption, peerSessionParameters } = e;
  return {
    i2rKey: keys.i2rKey,
    r2iKey: keys.r2iKey,
    attestationChallenge: keys.attestationChallenge,
    localSessionId: e.localSessionId,
    peerSessionId: e.peerSessionId,
    fabricIndex: resumption.fabricIndex,
    localNodeId: e.localNodeId,
    peerNodeId: resumption.peerNodeId,
    peerCats: resumption.cats,
    resumed: e.resumed,
    resumption,
    ...(peerSessionParameters === undefined ? {} : { peerSessionParameters }),
  };
}
