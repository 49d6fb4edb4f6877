/**
 * The Matter status codes this layer's ProtocolErrors carry, so the clusters above can answer without re-mapping:
 * Interaction Model statuses (Core spec 8.10.1) and NodeOperationalCertStatusEnum (11.18.4.2).
 */

/**
 * IM status codes (Core 8.10.1, checked against connectedhomeip StatusCodeList.h). Defined here, below the Interaction
 * Model, because fabric, fail-safe, group-key and ACL errors carry them; src/im names them and wraps them in
 * ImStatusError. Deprecated and reserved values are left out: they "SHALL NOT be indicated".
 */
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

/**
 * NodeOperationalCertStatusEnum (11.18.4.2): the StatusCode of NOCResponse. Defined here, below the cluster, because
 * fabric-table errors carry it; the Operational Credentials cluster re-exports it. Values 7 and 8 are reserved: no path
 * of the reference SDK emits them (conformance §0.3).
 */
export const NodeOperationalCertStatus = {
  OK: 0,
  InvalidPublicKey: 1,
  InvalidNodeOpId: 2,
  InvalidNOC: 3,
  MissingCsr: 4,
  TableFull: 5,
  InvalidAdminSubject: 6,
  FabricConflict: 9,
  LabelConflict: 10,
  InvalidFabricIndex: 11,
} as const;
/** One NodeOperationalCertStatusEnum value. */
export type NodeOperationalCertStatus = (typeof NodeOperationalCertStatus)[keyof typeof NodeOperationalCertStatus];
