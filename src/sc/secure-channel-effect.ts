/**
 * What the secure channel (Core spec 4.11, 4.13) asks its driver to do: datagrams to send, the one timer to arm, and
 * the session and handshake events the node reacts to.
 */
import type { OpcredsError } from "../bytes/errors.ts";
import type { ResumptionRecord } from "./case/resumption-record.ts";
import type { SecureSession } from "./secure-session.ts";
import type { SessionEndReason } from "./session-manager.ts";
import type { PeerAddress } from "./session-router.ts";

/** Which handshake. */
export type HandshakeProtocol = "pase" | "case";

/** Why the commissioning window closed. */
export type WindowCloseReason = "established" | "failed-attempts" | "closed";

/** Effects for the driver to carry out, in order. */
export type SecureChannelEffect =
  | { readonly kind: "send"; readonly to: PeerAddress; readonly bytes: Uint8Array }
  /** Arm the single timer for `onTimer` at this time; undefined disarms it. */
  | { readonly kind: "timer"; readonly at: number | undefined }
  /** A PASE or CASE session was established; `handshake` is the id `startPase`/`startCase` returned (initiator). */
  | {
      readonly kind: "session-established";
      readonly session: SecureSession;
      readonly peer: PeerAddress;
      readonly handshake: number | undefined;
    }
  | { readonly kind: "session-ended"; readonly session: SecureSession; readonly reason: SessionEndReason }
  | {
      readonly kind: "handshake-failed";
      readonly protocol: HandshakeProtocol;
      readonly handshake: number | undefined;
      readonly error: OpcredsError;
    }
  /** A CASE session left a resumption record to persist (ResumptionStore.save). */
  | { readonly kind: "save-resumption"; readonly record: ResumptionRecord }
  | { readonly kind: "commissioning-window-closed"; readonly reason: WindowCloseReason };
