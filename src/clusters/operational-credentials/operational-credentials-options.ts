/**
 * What the Node Operational Credentials cluster (Core spec 11.18) needs from the node: the fabric layer's commissioning
 * transaction (fail-safe, table and pending state), the ACL and group-key stores, the attestation credentials, and
 * hooks for work other clusters or the session layer own (PASE fabric adoption, the BasicInformation Leave event).
 * Dependencies are arguments (STYLE rule 10).
 */
import type { AttestationProvider } from "../../cert/attestation-provider.ts";
import type { ValidationOptions } from "../../cert/validate.ts";
import type { Crypto } from "../../crypto/crypto.ts";
import type { AccessControlEntry, AccessControlStore } from "../../fabric/access-control.ts";
import type { CommissioningTransaction } from "../../fabric/commissioning-transaction.ts";
import type { FabricIndex } from "../../fabric/fabric-index.ts";
import type { FabricTable } from "../../fabric/fabric-table.ts";
import type { FailSafeContext } from "../../fabric/fail-safe-context.ts";
import type { GroupKeyStore } from "../../fabric/group-keys.ts";
import { type AttributeChangeEmitter, clusterSpec, type SessionInfo } from "../../im/data-model.ts";

/** What the cluster is created with. */
export interface OperationalCredentialsOptions {
  readonly crypto: Crypto;
  /** The one owner of the fail-safe's state: every pending change goes through it. */
  readonly transaction: CommissioningTransaction;
  readonly groupKeys: GroupKeyStore;
  readonly acl: AccessControlStore;
  /** The device's DAC, PAI, CD and DAC signing key. */
  readonly attestation: AttestationProvider;
  /**
   * AddNOC over PASE (conformance §1.4 step 15): the PASE session `sessionId` adopts the new fabric index, so that
   * CurrentFabricIndex and fabric-scoped commands work on it from now on.
   */
  readonly adoptFabric?: (sessionId: number, fabricIndex: FabricIndex) => void;
  /** RemoveFabric (§1.7): record BasicInformation.Leave {FabricIndex} on every endpoint; called BEFORE removal. */
  readonly recordLeaveEvent?: (fabricIndex: FabricIndex) => void;
  /**
   * AddNOC step 16 through the Access Control cluster (§1.4; TC-ACL-2.6): adds the new fabric's Administer entry on
   * behalf of the invoking session, logging AccessControlEntryChanged (Added) and reporting the ACL attribute. Without
   * it the entry goes straight into `acl`, with no event and no report.
   */
  readonly addAdminEntry?: (entry: AccessControlEntry, by: SessionInfo, now: number) => Promise<void>;
  /** Named deviations accepted by chain validation (cert/validate.ts); none by default. */
  readonly validationOptions?: ValidationOptions;
}

/** The options plus the cluster's own change signal and state, as every command handler sees them. */
export type OperationalCredentialsEnv = OperationalCredentialsOptions & {
  /** The transaction's fabric table (reads show pending state). */
  readonly fabrics: FabricTable;
  /** The transaction's fail-safe. */
  readonly failSafe: FailSafeContext;
  readonly changes: AttributeChangeEmitter;
  /**
   * Pending update keys an UpdateNOC failed with. The SDK's failed UpdateNOC clears the table's pending fabric index
   * (RevertPendingOpCertsExceptRoot), so a later AddTrustedRootCertificate succeeds (conformance §1.5, TC_OPCREDS_3_4
   * steps 19-20); the fabric table here keeps the key bound to the fabric, so add-trusted-root-certificate.ts adapts.
   */
  readonly failedUpdateKeys: WeakSet<object>;
};

/** The Operational Credentials cluster (Core spec 11.18) as the Matter 1.4.2 data model defines it. */
export const OperationalCredentialsCluster = clusterSpec({
  id: 0x003e,
  name: "OperationalCredentials",
  // ClusterRevision. [DIFF] The 1.4.2+ XML says 2 (VID verification added); the old YAML TC_OPCREDS_1_2 expected 1.
  // We target 1.4.2/1.5, so 2.
  revision: 2,
  // Attribute ids (Core spec 11.18.5).
  attributes: {
    NOCs: 0x0000,
    Fabrics: 0x0001,
    SupportedFabrics: 0x0002,
    CommissionedFabrics: 0x0003,
    TrustedRootCertificates: 0x0004,
    CurrentFabricIndex: 0x0005,
  },
  // Command ids (Core spec 11.18.6).
  commands: {
    AttestationRequest: 0x00,
    AttestationResponse: 0x01,
    CertificateChainRequest: 0x02,
    CertificateChainResponse: 0x03,
    CSRRequest: 0x04,
    CSRResponse: 0x05,
    AddNOC: 0x06,
    UpdateNOC: 0x07,
    NOCResponse: 0x08,
    UpdateFabricLabel: 0x09,
    RemoveFabric: 0x0a,
    AddTrustedRootCertificate: 0x0b,
    SetVIDVerificationStatement: 0x0c,
    SignVIDVerificationRequest: 0x0d,
    SignVIDVerificationResponse: 0x0e,
  },
  events: {},
});

/** Reports that the fabric-derived attributes (NOCs, Fabrics, CommissionedFabrics, TrustedRootCertificates) changed. */
export function reportFabricAttributes(env: Pick<OperationalCredentialsEnv, "changes">): void {
  env.changes.emit(OperationalCredentialsCluster.attributes.NOCs);
  env.changes.emit(OperationalCredentialsCluster.attributes.Fabrics);
  env.changes.emit(OperationalCredentialsCluster.attributes.CommissionedFabrics);
  env.changes.emit(OperationalCredentialsCluster.attributes.TrustedRootCertificates);
}
