/**
 * The names of the Interaction Model status codes (Core spec 8.10.1, Matter 1.4.2; the table is ImStatus in
 * src/fabric/status-codes.ts) and the error that carries one out of a handler.
 */
import { ProtocolError } from "../bytes/errors.ts";
import { ImStatus } from "../fabric/status-codes.ts";

const NAMES = new Map<number, string>(Object.entries(ImStatus).map(([name, value]) => [value, name]));

/** The spec name of a status code ("UNSUPPORTED_ACCESS"), or `0x..` for a value this table does not know. */
export function imStatusName(status: number): string {
  return NAMES.get(status) ?? `0x${status.toString(16).padStart(2, "0")}`;
}

/** True when `value` is a status code this table defines (a value read from the wire is checked with this). */
export function isImStatus(value: number): value is ImStatus {
  return NAMES.has(value);
}

/**
 * A well-formed request that must be answered with an IM status (and an optional cluster-specific status).
 * Code is `im.<status name in lower case>`, e.g. `im.unsupported_access`.
 */
export class ImStatusError extends ProtocolError {
  declare readonly status: ImStatus;
  constructor(status: ImStatus, message: string, clusterStatus?: number, options?: ErrorOptions) {
    super(imStatusErrorCode(status), message, status, clusterStatus, options);
  }
}

/** `im.` and the status name in lower case; every ImStatus value has a name in the table. */
function imStatusErrorCode(status: ImStatus): `im.${Lowercase<keyof typeof ImStatus>}` {
  return `im.${imStatusName(status).toLowerCase()}` as `im.${Lowercase<keyof typeof ImStatus>}`;
}
