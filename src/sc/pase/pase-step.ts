/** What a PASE state machine returns for each input: a message to send, an established session, or a failure. */
import type { FailedHandshakeStep } from "../secure-channel-error.ts";
import type { SessionParameters } from "../session-parameters.ts";
import type { PaseMessage } from "./pase-message-type.ts";
import type { PaseSessionKeys } from "./pase-session-keys.ts";

/** An established PASE session: keys, both session ids and the peer's session parameters (if it sent any). */
export type PaseSession = PaseSessionKeys & {
  readonly localSessionId: number;
  readonly peerSessionId: number;
  readonly peerSessionParameters?: SessionParameters;
};

/**
 * One step: `continue` sends the next handshake message; `established` may carry a last message (the responder's
 * success StatusReport); `failed` may carry the StatusReport to send and names the error.
 */
export type PaseStep =
  | { readonly status: "continue"; readonly send: PaseMessage }
  | { readonly status: "established"; readonly send?: PaseMessage; readonly session: PaseSession }
  | FailedHandshakeStep;
