/**
 * The root node's commissioning core, composed once for production (DeviceNode) and tests (TestNode): the
 * storage-backed fabric layer (fabric table, ACL, group keys, CASE resumption), the commissioning transaction, and the
 * root endpoint's Access Control, Operational Credentials, General Commissioning and Group Key Management clusters,
 * every per-fabric store subscribed to the fabric table's lifecycle (committed, updated, removed, reverted).
 */
import type { AttestationProvider } from "../cert/attestation-provider.ts";
import type { ValidationOptions } from "../cert/validate.ts";
import { type AccessControlServer, createAccessControl } from "../clusters/access-control/access-control.ts";
import {
  createGeneralCommissioning,
  type GeneralCommissioningServer,
} from "../clusters/general-commissioning/general-commissioning.ts";
import { createGroupKeyManagement } from "../clusters/group-key-management/group-key-management.ts";
import {
  createOperationalCredentials,
  type OperationalCredentialsServer,
} from "../clusters/operational-credentials/operational-credentials-cluster.ts";
import type { Crypto } from "../crypto/crypto.ts";
import { AccessControlStore } from "../fabric/access-control.ts";
import { CommissioningTransaction } from "../fabric/commissioning-transaction.ts";
import type { FabricIndex } from "../fabric/fabric-index.ts";
import { type FabricLifecycleEvent, FabricTable } from "../fabric/fabric-table.ts";
import type { FailSafeContext } from "../fabric/fail-safe-context.ts";
import { GroupKeyStore } from "../fabric/group-keys.ts";
import { aclAccessChecker } from "../im/access-check.ts";
import type { AccessChecker, Cluster, SessionInfo } from "../im/data-model.ts";
import type { EventLog } from "../im/events.ts";
import { type CaseFabricView, caseFabricView } from "../sc/case/case-fabric.ts";
import { ResumptionStore } from "../sc/case/resumption-record.ts";
import type { Storage } from "../storage/storage.ts";

/**
 * Storage key recording that the one-time repair of uncommitted fabric data ran. Data directories written before the
 * commissioning transaction may hold ACL, IPK, resumption or scene records of a fabric that was never committed.
 */
export const UNCOMMITTED_FABRIC_DATA_REPAIR_KEY = "node/repair/uncommitted-fabric-data";

/** A per-fabric store the one-time repair cleans: drops data of fabrics outside `keep`, returns the indices dropped. */
export interface FabricDataPruner {
  pruneFabrics(keep: ReadonlySet<number>): Promise<readonly number[]>;
}

/** What the root node's commissioning core is built from. */
export type RootNodeCompositionOptions = {
  readonly storage: Storage;
  readonly crypto: Crypto;
  /** The device's DAC, PAI, CD and DAC signing key. */
  readonly attestation: AttestationProvider;
  /** The node's event log (AccessControlEntryChanged). */
  readonly events: EventLog;
  /** SupportedFabrics, 5..254 (default 16). */
  readonly supportedFabrics?: number;
  /** Named deviations accepted by chain validation; none by default. */
  readonly validationOptions?: ValidationOptions;
  /** AddNOC over PASE: the PASE session `sessionId` adopts the new fabric index. */
  readonly adoptFabric?: (sessionId: number, fabricIndex: FabricIndex) => void;
  /** RemoveFabric: BasicInformation.Leave, recorded before the removal. */
  readonly recordLeaveEvent?: (fabricIndex: FabricIndex) => void;
  /** True while a commissioning window is open (ArmFailSafe over CASE then gets BusyWithOtherAdmin). */
  readonly isCommissioningWindowOpen?: () => boolean;
  /** Failures of background work (a reverted fabric's resumption records), with what failed. */
  readonly onError: (what: string, error: unknown) => void;
};

/** The composed commissioning core. */
export type RootNodeComposition = {
  readonly fabrics: FabricTable;
  readonly transaction: CommissioningTransaction;
  readonly failSafe: FailSafeContext;
  readonly acl: AccessControlStore;
  readonly groupKeys: GroupKeyStore;
  readonly resumption: ResumptionStore;
  /** The fabrics CASE may speak for (a pending one included, with the transaction's pending IPK). */
  readonly caseFabrics: CaseFabricView;
  readonly accessControl: AccessControlServer;
  readonly operationalCredentials: OperationalCredentialsServer;
  readonly generalCommissioning: GeneralCommissioningServer;
  readonly groupKeyManagement: Cluster;
  /** The ACL access check, with the device types of each endpoint. */
  accessChecker(deviceTypesOf?: (endpoint: number) => readonly number[]): AccessChecker;
  /** Calls `listener` when a fabric is gone (a committed one removed, a pending added one reverted). */
  onFabricGone(listener: (fabricIndex: FabricIndex) => void): () => void;
  /**
   * The one-time repair (recorded in storage, so it runs once per data directory): data of fabrics the table does not
   * hold is dropped from every store, `more` included (e.g. scenes). Returns the indices cleaned.
   */
  repairUncommittedFabricData(more?: readonly FabricDataPruner[]): Promise<number[]>;
};

/** The fabric a lifecycle event ends: a removed committed fabric or a reverted pending addition; else undefined. */
function goneFabric(event: FabricLifecycleEvent): FabricIndex | undefined {
  if (event.kind === "removed") return event.fabricIndex;
  if (event.kind === "reverted" && event.pending === "add") return event.fabricIndex;
  return undefined;
}

/** Opens the fabric layer over `storage` and builds the root node's commissioning core. */
export async function composeRootNode(options: RootNodeCompositionOptions): Promise<RootNodeComposition> {
  const { storage, crypto, events } = options;
  const fabrics = await FabricTable.open(storage, crypto, {
    ...(options.supportedFabrics === undefined ? {} : { supportedFabrics: options.supportedFabrics }),
  });
  const acl = await AccessControlStore.open(storage);
  const groupKeys = await GroupKeyStore.open(storage);
  const resumption = await ResumptionStore.open(storage);
  const transaction = new CommissioningTransaction({ fabrics, acl, groupKeys });

  // The stores first, in this order: their writes join the fabric record's transactions, and every later reaction
  // (the clusters' reports, the node's parts) sees them already updated.
  fabrics.participate(acl);
  fabrics.participate(groupKeys);
  acl.guardWrites(fabrics.committedIndices());
  groupKeys.guardWrites(fabrics.committedIndices());
  fabrics.participate(resumption.fabricLifecycle((e) => options.onError("resumption", e)));

  const accessControl = createAccessControl({ acl, events });
  const operationalCredentials = createOperationalCredentials({
    crypto,
    transaction,
    groupKeys,
    acl,
    attestation: options.attestation,
    addAdminEntry: (entry, by: SessionInfo, now) => accessControl.addEntry(entry, by, now),
    ...(options.adoptFabric === undefined ? {} : { adoptFabric: options.adoptFabric }),
    ...(options.recordLeaveEvent === undefined ? {} : { recordLeaveEvent: options.recordLeaveEvent }),
    ...(options.validationOptions === undefined ? {} : { validationOptions: options.validationOptions }),
  });
  const generalCommissioning = createGeneralCommissioning({
    failSafe: transaction.failSafe,
    fabrics,
    ...(options.isCommissioningWindowOpen === undefined
      ? {}
      : { isCommissioningWindowOpen: options.isCommissioningWindowOpen }),
    // Fail-safe step "delete-fabric": a pending addition is already reverted in memory, so this removes nothing.
    removeFabric: (i) => operationalCredentials.deleteFabric(i),
    commitPendingFabricData: () => operationalCredentials.commitPendingFabricData(),
    revertPendingFabricData: () => transaction.revert(),
    reportFabrics: () => operationalCredentials.reportFabrics(),
  });
  const groupKeyManagement = createGroupKeyManagement({
    groupKeys,
    fabricIndices: () => fabrics.fabrics().map((f) => f.fabricIndex),
  });

  const onFabricGone = (listener: (fabricIndex: FabricIndex) => void): (() => void) =>
    fabrics.onLifecycle((event) => {
      const gone = goneFabric(event);
      if (gone !== undefined) listener(gone);
    });
  // The Access Control cluster reports the ACL attribute once the fabric's entries are gone.
  onFabricGone((i) => accessControl.fabricRemoved(i));

  return {
    fabrics,
    transaction,
    failSafe: transaction.failSafe,
    acl,
    groupKeys,
    resumption,
    caseFabrics: caseFabricView(crypto, fabrics, groupKeys),
    accessControl,
    operationalCredentials,
    generalCommissioning,
    groupKeyManagement,
    accessChecker: (deviceTypesOf) => aclAccessChecker(acl, deviceTypesOf),
    onFabricGone,
    repairUncommittedFabricData: async (more = []) => {
      if ((await storage.get(UNCOMMITTED_FABRIC_DATA_REPAIR_KEY)) !== undefined) return [];
      const keep = new Set<number>(fabrics.committedIndices());
      const dropped = new Set<number>();
      for (const store of [acl, groupKeys, resumption, ...more]) {
        for (const i of await store.pruneFabrics(keep)) dropped.add(i);
      }
      await storage.set(UNCOMMITTED_FABRIC_DATA_REPAIR_KEY, { done: true });
      return [...dropped].sort((a, b) => a - b);
    },
  };
}
