/**
 * Interaction Model status codes (Core spec 8.10.1, Matter 1.4.2) and the error that carries one out of a handler.
 * Values checked against connectedhomeip src/protocols/interaction_model/StatusCodeList.h and the 1.4 status table.
 */
import { ProtocolError } from "../bytes/errors.ts";

/** IM status codes (Core 8.10.1). Deprecated and reserved values are left out: they "SHALL NOT be indicated". */
export const ImStatus = {
  SUCCESS: 0x00,
  FAILURE: 0x01,
  INVALID_SUBSCRIPTION: 0x7d,
  UNSUPPORTED_ACCESS: 0x7e,
  UNSUPPORTED_ENDPOINT: 0x7f,
  INVALID_ACTION: 0x80,
  UNSUPPORTED_COMMAND: 0x81,
  INVALID_COMMAND: 0x85,
  UNSUPPORTED_ATTRIBUTE: 0x86,
  CONSTRAINT_ERROR: 0x87,
  UNSUPPORTED_WRITE: 0x88,
  RESOURCE_EXHAUSTED: 0x89,
  NOT_FOUND: 0x8b,
  UNREPORTABLE_ATTRIBUTE: 0x8c,
  INVALID_DATA_TYPE: 0x8d,
  UNSUPPORTED_READ: 0x8f,
  DATA_VERSION_MISMATCH: 0x92,
  TIMEOUT: 0x94,
  UNSUPPORTED_NODE: 0x9b,
  BUSY: 0x9c,
  ACCESS_RESTRICTED: 0x9d,
  UNSUPPORTED_CLUSTER: 0xc3,
  NO_UPSTREAM_SUBSCRIPTION: 0xc5,
  NEEDS_TIMED_INTERACTION: 0xc6,
  UNSUPPORTED_EVENT: 0xc7,
  PATHS_EXHAUSTED: 0xc8,
  TIMED_REQUEST_MISMATCH: 0xc9,
  FAILSAFE_REQUIRED: 0xca,
  INVALID_IN_STATE: 0xcb,
  NO_COMMAND_RESPONSE: 0xcc,
  TERMS_AND_CONDITIONS_CHANGED: 0xcd,
  MAINTENANCE_REQUIRED: 0xce,
} as const;

/** One IM status code value. */
export type ImStatus = (typeof ImStatus)[keyof typeof ImStatus];

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
