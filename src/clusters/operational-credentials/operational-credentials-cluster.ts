/**
 * Node Operational Credentials cluster 0x003E, revision 2, FeatureMap 0 (Core spec 11.18, Matter 1.4.2 data model;
 * conformance §0): assembles the six attributes and the ten accepted commands, and gives the node the hooks General
 * Commissioning needs (commit on CommissioningComplete, fabric deletion on fail-safe expiry, Fabrics reports).
 */
import type { FabricIndex } from "../../fabric/fabric-index.ts";
import { AttributeChangeEmitter, type Cluster } from "../../im/data-model.ts";
import { addNocCommand } from "./add-noc.ts";
import { addTrustedRootCertificateCommand } from "./add-trusted-root-certificate.ts";
import { attestationRequestCommand } from "./attestation-request.ts";
import { certificateChainRequestCommand } from "./certificate-chain-request.ts";
import { csrRequestCommand } from "./csr-request.ts";
import { operationalCredentialsAttributes } from "./operational-credentials-attributes.ts";
import {
  OperationalCredentialsCluster,
  type OperationalCredentialsEnv,
  type OperationalCredentialsOptions,
  reportFabricAttributes,
} from "./operational-credentials-options.ts";
import { deleteFabric, removeFabricCommand } from "./remove-fabric.ts";
import { setVidVerificationStatementCommand } from "./set-vid-verification-statement.ts";
import { signVidVerificationRequestCommand } from "./sign-vid-verification-request.ts";
import { updateFabricLabelCommand } from "./update-fabric-label.ts";
import { updateNocCommand } from "./update-noc.ts";

/** The cluster server and the hooks the node wires into General Commissioning and its start-up. */
export interface OperationalCredentialsServer {
  readonly cluster: Cluster;
  /**
   * CommissioningComplete: persists the pending fabric with its ACL entries and group data (IPK) in ONE storage
   * transaction (General Commissioning's `commitPendingFabricData`).
   */
  commitPendingFabricData(): Promise<void>;
  /** Fail-safe expiry step "delete-fabric" and RemoveFabric's deletion (General Commissioning's `removeFabric`). */
  deleteFabric(fabricIndex: FabricIndex): Promise<void>;
  /** Reports NOCs, Fabrics, CommissionedFabrics and TrustedRootCertificates (fail-safe step "report-fabrics"). */
  reportFabrics(): void;
}

/** Creates the Node Operational Credentials cluster server (endpoint 0 only). */
export function createOperationalCredentials(options: OperationalCredentialsOptions): OperationalCredentialsServer {
  const changes = new AttributeChangeEmitter();
  const { transaction } = options;
  const env: OperationalCredentialsEnv = {
    ...options,
    fabrics: transaction.fabrics,
    failSafe: transaction.failSafe,
    changes,
    failedUpdateKeys: new WeakSet(),
  };
  // The table's own changes (commit, revert, label, VID, removal) are reported as attribute changes.
  env.fabrics.onChange(() => reportFabricAttributes(env));

  const cluster = OperationalCredentialsCluster.server({
    featureMap: 0,
    changes,
    attributes: operationalCredentialsAttributes(env),
    // AcceptedCommandList {0,2,4,6,7,9,0x0A,0x0B,0x0C,0x0D}; GeneratedCommandList follows from the responses
    // {1,3,5,8,0x0E}.
    commands: [
      attestationRequestCommand(env),
      certificateChainRequestCommand(env),
      csrRequestCommand(env),
      addNocCommand(env),
      updateNocCommand(env),
      updateFabricLabelCommand(env),
      removeFabricCommand(env),
      addTrustedRootCertificateCommand(env),
      setVidVerificationStatementCommand(env),
      signVidVerificationRequestCommand(env),
    ],
    // §0.2: the cluster has no events.
    events: [],
  });

  return {
    cluster,
    commitPendingFabricData: async () => {
      // The ACL entry and IPK of a new fabric are written by the stores, lifecycle participants of the table, in the
      // same storage transaction as the fabric record.
      await transaction.commit();
      reportFabricAttributes(env);
    },
    deleteFabric: (fabricIndex) => deleteFabric(env, fabricIndex),
    reportFabrics: () => reportFabricAttributes(env),
  };
}
