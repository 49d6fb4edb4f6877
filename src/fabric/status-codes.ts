/**
 * The Matter status codes this layer's ProtocolErrors carry, so the clusters above can answer without re-mapping:
 * Interaction Model statuses (Core spec 8.10.1) and NodeOperationalCertStatusEnum (11.18.4.2).
 */

/** The IM status codes used by fabric, fail-safe, group-key and ACL errors. */
export const IM_STATUS = {
  success: 0x00,
  failure: 0x01,
  unsupportedAccess: 0x7e,
  invalidCommand: 0x85,
  constraintError: 0x87,
  resourceExhausted: 0x89,
  notFound: 0x8b,
  failsafeRequired: 0xca,
} as const;

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
