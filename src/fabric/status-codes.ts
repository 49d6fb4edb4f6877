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
} as const;
export type ImStatus = (typeof IM_STATUS)[keyof typeof IM_STATUS];

/** NodeOperationalCertStatusEnum (the StatusCode of NOCResponse). */
export const NOC_STATUS = {
  ok: 0,
  invalidPublicKey: 1,
  invalidNodeOpId: 2,
  invalidNoc: 3,
  missingCsr: 4,
  tableFull: 5,
  invalidAdminSubject: 6,
  fabricConflict: 9,
  labelConflict: 10,
  invalidFabricIndex: 11,
} as const;
export type NocStatus = (typeof NOC_STATUS)[keyof typeof NOC_STATUS];
