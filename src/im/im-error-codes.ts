/**
 * The error codes of the Interaction Model layer (Core spec 8): an ImStatusError's code is `im.` and its status name
 * in lower case (`im.unsupported_access`); the status a ProtocolError carries is an ImStatus. Declared by merging into
 * ErrorCodes and InteractionStatuses (src/bytes/errors.ts).
 */
import type { ImStatus } from "../fabric/status-codes.ts";

/** The code of an ImStatusError carrying the status named `N`. */
type ImStatusErrorCode<N extends keyof typeof ImStatus = keyof typeof ImStatus> = `im.${Lowercase<N>}`;

declare module "../bytes/errors.ts" {
  interface ErrorCodes extends Record<ImStatusErrorCode, true> {}
  interface InteractionStatuses {
    /** The status a ProtocolError carries is one of the IM status table's values. */
    im: ImStatus;
  }
}
