/**
 * General Commissioning cluster 0x0030, revision 2 (Core spec 11.10, Matter 1.4.2 data model XML), without the TC
 * (Enhanced Setup Flow) feature. ArmFailSafe / CommissioningComplete drive the fabric layer's FailSafeContext and
 * FabricTable; fail-safe expiry runs the ordered cleanup of conformance §2 and hands session/DNS-SD work back as effects.
 */

import { Privilege } from "../../fabric/access-control.ts";
import type { CommissioningTransaction } from "../../fabric/commissioning-transaction.ts";
import type { FabricIndex } from "../../fabric/fabric-index.ts";
import type { FabricTable } from "../../fabric/fabric-table.ts";
import {
  FAILSAFE_EXPIRY_LENGTH_S,
  FAILSAFE_MAX_CUMULATIVE_S,
  type FailSafeCleanupStep,
  type FailSafeContext,
} from "../../fabric/fail-safe-context.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import { type AfterResponseEffect, AttributeChangeEmitter, type Cluster, clusterSpec } from "../../im/data-model.ts";
import {
  type TlvType,
  tlvBool,
  tlvEnum8,
  tlvField,
  tlvString,
  tlvStruct,
  tlvUInt16,
  tlvUInt64,
} from "../../tlv/tlv-schema.ts";

/** CommissioningErrorEnum (Core 11.10.4.1). Values 5..7 belong to the TC feature, which this server does not have. */
export const CommissioningError = {
  OK: 0,
  ValueOutsideRange: 1,
  InvalidAuthentication: 2,
  NoFailSafe: 3,
  BusyWithOtherAdmin: 4,
} as const;
/** One CommissioningErrorEnum value. */
export type CommissioningError = (typeof CommissioningError)[keyof typeof CommissioningError];

/** RegulatoryLocationTypeEnum (Core 11.10.4.2). */
export const RegulatoryLocationType = { Indoor: 0, Outdoor: 1, IndoorOutdoor: 2 } as const;
/** One RegulatoryLocationTypeEnum value. */
export type RegulatoryLocationType = (typeof RegulatoryLocationType)[keyof typeof RegulatoryLocationType];

/** The General Commissioning cluster (Core 11.10) as the Matter 1.4.2 data model defines it. */
export const GeneralCommissioningCluster = clusterSpec({
  id: 0x0030,
  name: "GeneralCommissioning",
  // This revision in the Matter 1.4.2 data model: "Add Enhanced Setup Flow".
  revision: 2,
  // Attribute ids (Core 11.10.6).
  attributes: {
    Breadcrumb: 0x0000,
    BasicCommissioningInfo: 0x0001,
    RegulatoryConfig: 0x0002,
    LocationCapability: 0x0003,
    SupportsConcurrentConnection: 0x0004,
  },
  // Command ids (Core 11.10.7).
  commands: {
    ArmFailSafe: 0x00,
    ArmFailSafeResponse: 0x01,
    SetRegulatoryConfig: 0x02,
    SetRegulatoryConfigResponse: 0x03,
    CommissioningComplete: 0x04,
    CommissioningCompleteResponse: 0x05,
  },
  events: {},
});

/** ArmFailSafeResponse / CommissioningCompleteResponse / SetRegulatoryConfigResponse DebugText limit (characters). */
const MAX_DEBUG_TEXT_LENGTH = 128;

/** BasicCommissioningInfo struct (Core 11.10.5.1). */
export const BasicCommissioningInfo = tlvStruct({
  failSafeExpiryLengthSeconds: tlvField(0, tlvUInt16),
  maxCumulativeFailsafeSeconds: tlvField(1, tlvUInt16),
});
export type BasicCommissioningInfo = TlvType<typeof BasicCommissioningInfo>;

/** ArmFailSafe { 0 ExpiryLengthSeconds uint16, 1 Breadcrumb uint64 } (Core 11.10.7.2). */
export const ArmFailSafeRequest = tlvStruct({
  expiryLengthSeconds: tlvField(0, tlvUInt16),
  breadcrumb: tlvField(1, tlvUInt64),
});
/** SetRegulatoryConfig { 0 NewRegulatoryConfig enum8, 1 CountryCode string(2), 2 Breadcrumb uint64 } (Core 11.10.7.4). */
export const SetRegulatoryConfigRequest = tlvStruct({
  newRegulatoryConfig: tlvField(0, tlvEnum8),
  countryCode: tlvField(1, tlvString()),
  breadcrumb: tlvField(2, tlvUInt64),
});
/** The common response shape { 0 ErrorCode CommissioningErrorEnum, 1 DebugText string ≤128 }. */
export const CommissioningResponse = tlvStruct({
  errorCode: tlvField(0, tlvEnum8),
  debugText: tlvField(1, tlvString({ maxLength: MAX_DEBUG_TEXT_LENGTH })),
});
export type CommissioningResponse = TlvType<typeof CommissioningResponse>;

/** What the cluster needs from the node. */
export interface GeneralCommissioningOptions {
  readonly failSafe: FailSafeContext;
  readonly fabrics: FabricTable;
  /** The commissioning transaction whose pending data CommissioningComplete commits and expiry reverts. */
  readonly transaction?: CommissioningTransaction;
  /** LocationCapability (fixed); default IndoorOutdoor. */
  readonly locationCapability?: RegulatoryLocationType;
  /** Initial RegulatoryConfig; default = LocationCapability. */
  readonly regulatoryConfig?: RegulatoryLocationType;
  /** SupportsConcurrentConnection (fixed); default true. */
  readonly supportsConcurrentConnection?: boolean;
  /** True while a commissioning window is open (ArmFailSafe over CASE then gets BusyWithOtherAdmin). */
  readonly isCommissioningWindowOpen?: () => boolean;
  /**
   * Deletes a fabric with everything attached to it (ACL entries, group keys, …): the node's RemoveFabric routine.
   * Default: the fabric table's own remove when the fabric is committed (a reverted pending add is already gone).
   */
  readonly removeFabric?: (fabricIndex: FabricIndex) => Promise<void>;
  /**
   * Commits the pending fabric data on CommissioningComplete (default `transaction.commit()`, which persists the pending
   * fabric with its ACL entries and IPK in one storage transaction; nothing without a transaction).
   */
  readonly commitPendingFabricData?: () => Promise<void>;
  /**
   * Drops every pending change in memory (cleanup step "revert-pending-fabric-data"; default `transaction.revert()`,
   * which also drops the pending ACL entries and IPK; nothing without a transaction).
   */
  readonly revertPendingFabricData?: () => void;
  /** Called for the cleanup step "report-fabrics" (the Operational Credentials cluster reports Fabrics). */
  readonly reportFabrics?: () => void;
}

/** The cluster and the hook the node's fail-safe timer calls. */
export interface GeneralCommissioningServer {
  readonly cluster: Cluster;
  /** The current Breadcrumb. */
  readonly breadcrumb: bigint;
  /** The node's timer fired at `now`: runs the expiry cleanup if the deadline passed; returns effects to run now. */
  failSafeTimerFired(now: number): Promise<readonly AfterResponseEffect[]>;
}

/** Creates the General Commissioning cluster server. */
export function createGeneralCommissioning(options: GeneralCommissioningOptions): GeneralCommissioningServer {
  const { failSafe, fabrics } = options;
  const changes = new AttributeChangeEmitter();
  const locationCapability = options.locationCapability ?? RegulatoryLocationType.IndoorOutdoor;
  let regulatoryConfig: number = options.regulatoryConfig ?? locationCapability;
  let breadcrumb = 0n;
  const removeFabric =
    options.removeFabric ??
    (async (index: FabricIndex) => {
      if (fabrics.committedFabric(index) !== undefined) await fabrics.remove(index);
    });
  const commitPending =
    options.commitPendingFabricData ??
    (async () => {
      await options.transaction?.commit();
    });

  const revertPending = options.revertPendingFabricData ?? (() => options.transaction?.revert());

  const setBreadcrumb = (value: bigint): void => {
    if (value === breadcrumb) return;
    breadcrumb = value;
    changes.emit(GeneralCommissioningCluster.attributes.Breadcrumb);
  };

  /** Runs the cleanup steps in order (conformance §2); session and DNS-SD work comes back as effects. */
  const runCleanup = async (steps: readonly FailSafeCleanupStep[]): Promise<AfterResponseEffect[]> => {
    const effects: AfterResponseEffect[] = [];
    try {
      for (const s of steps) {
        switch (s.step) {
          case "report-fabrics":
            options.reportFabrics?.();
            break;
          case "expire-sessions":
            effects.push({ type: "expire-fabric-sessions", fabricIndex: s.fabricIndex });
            break;
          case "revert-pending-fabric-data":
            revertPending();
            break;
          case "delete-fabric":
            await removeFabric(s.fabricIndex as FabricIndex);
            break;
          case "restart-dnssd":
            effects.push({ type: "restart-operational-advertising" });
            break;
          case "reset-breadcrumb":
            setBreadcrumb(0n);
            break;
        }
      }
    } finally {
      failSafe.cleanupDone();
    }
    effects.push({ type: "fail-safe-timer", at: null });
    return effects;
  };

  /** The fail-safe timer again, at the deadline a failed commit left armed. */
  const rearm = (): AfterResponseEffect[] =>
    failSafe.armed ? [{ type: "fail-safe-timer", at: failSafe.deadlineMs }] : [];

  const respond = (errorCode: CommissioningError, debugText = "") => ({ response: { errorCode, debugText } });

  const cluster = GeneralCommissioningCluster.server({
    featureMap: 0,
    changes,
    attributes: [
      GeneralCommissioningCluster.attribute("Breadcrumb", {
        schema: tlvUInt64,
        readPrivilege: Privilege.View,
        writePrivilege: Privilege.Administer,
        read: () => breadcrumb,
        write: async (value) => {
          setBreadcrumb(value);
          return { status: ImStatus.SUCCESS };
        },
      }),
      GeneralCommissioningCluster.attribute("BasicCommissioningInfo", {
        schema: BasicCommissioningInfo,
        readPrivilege: Privilege.View,
        read: () => ({
          failSafeExpiryLengthSeconds: FAILSAFE_EXPIRY_LENGTH_S,
          maxCumulativeFailsafeSeconds: FAILSAFE_MAX_CUMULATIVE_S,
        }),
      }),
      GeneralCommissioningCluster.attribute("RegulatoryConfig", {
        schema: tlvEnum8,
        readPrivilege: Privilege.View,
        read: () => regulatoryConfig,
      }),
      GeneralCommissioningCluster.attribute("LocationCapability", {
        schema: tlvEnum8,
        readPrivilege: Privilege.View,
        read: () => locationCapability,
      }),
      GeneralCommissioningCluster.attribute("SupportsConcurrentConnection", {
        schema: tlvBool,
        readPrivilege: Privilege.View,
        read: () => options.supportsConcurrentConnection ?? true,
      }),
    ],
    commands: [
      GeneralCommissioningCluster.command("ArmFailSafe", "A", {
        requestSchema: ArmFailSafeRequest,
        response: GeneralCommissioningCluster.response("ArmFailSafeResponse", CommissioningResponse),
        handler: async (req, ctx) => {
          const accessing = ctx.session.fabricIndex;
          // 11.10.7.2: "If the fail-safe timer was not currently armed, the commissioning window is open, and the
          // command was received over a CASE session, the command SHALL ... respond with BusyWithOtherAdmin."
          if (!failSafe.armed && ctx.session.kind === "case" && options.isCommissioningWindowOpen?.() === true)
            return respond(CommissioningError.BusyWithOtherAdmin, "commissioning window is open");
          const result = failSafe.arm(ctx.now, req.expiryLengthSeconds, accessing);
          switch (result.result) {
            case "busy-with-other-admin":
              return respond(CommissioningError.BusyWithOtherAdmin, "fail-safe armed by another fabric");
            case "disarmed": {
              // ExpiryLengthSeconds 0: the full expiry cleanup runs now; the breadcrumb is reset by it, not set.
              const effects = await runCleanup(result.cleanup);
              return { response: { errorCode: CommissioningError.OK, debugText: "" }, afterResponse: effects };
            }
            case "armed":
              setBreadcrumb(req.breadcrumb);
              return {
                response: { errorCode: CommissioningError.OK, debugText: "" },
                afterResponse: [{ type: "fail-safe-timer", at: result.deadlineMs }],
              };
          }
        },
      }),
      GeneralCommissioningCluster.command("SetRegulatoryConfig", "A", {
        requestSchema: SetRegulatoryConfigRequest,
        response: GeneralCommissioningCluster.response("SetRegulatoryConfigResponse", CommissioningResponse),
        handler: async (req) => {
          // CountryCode is exactly 2 characters and the enum has values 0..2 (SDK: CONSTRAINT_ERROR status).
          if (req.countryCode.length !== 2 || req.newRegulatoryConfig > RegulatoryLocationType.IndoorOutdoor)
            return { status: ImStatus.CONSTRAINT_ERROR };
          // 11.10.7.4: a location the device cannot be configured for → ValueOutsideRange.
          if (
            locationCapability !== RegulatoryLocationType.IndoorOutdoor &&
            req.newRegulatoryConfig !== locationCapability
          )
            return respond(CommissioningError.ValueOutsideRange, "location not supported by LocationCapability");
          if (regulatoryConfig !== req.newRegulatoryConfig) {
            regulatoryConfig = req.newRegulatoryConfig;
            changes.emit(GeneralCommissioningCluster.attributes.RegulatoryConfig);
          }
          setBreadcrumb(req.breadcrumb);
          return respond(CommissioningError.OK);
        },
      }),
      GeneralCommissioningCluster.command("CommissioningComplete", "F A", {
        response: GeneralCommissioningCluster.response("CommissioningCompleteResponse", CommissioningResponse),
        handler: async (_req, ctx) => {
          // 11.10.7.6: no fail-safe context → NoFailSafe.
          if (!failSafe.armed) return respond(CommissioningError.NoFailSafe);
          // 11.10.7.6: not over CASE, or from a fabric other than the fail-safe's → InvalidAuthentication.
          if (ctx.session.kind !== "case" || !failSafe.isArmedFor(ctx.session.fabricIndex))
            return respond(CommissioningError.InvalidAuthentication);
          // Commit first: on a storage failure the fail-safe stays armed and expiry still reverts cleanly. While the
          // commit's storage transaction runs the timer cannot expire the fail-safe (it would revert what is being
          // written); a deadline that passed meanwhile is honoured right after a failed commit.
          failSafe.beginCommit();
          try {
            await commitPending();
          } catch {
            failSafe.endCommit();
            const expired = failSafe.poll(ctx.now);
            const effects = expired === undefined ? [] : await runCleanup(expired);
            return { status: ImStatus.FAILURE, afterResponse: effects.length > 0 ? effects : rearm() };
          }
          const done = failSafe.commissioningComplete({ isCase: true, fabricIndex: ctx.session.fabricIndex });
          const effects: AfterResponseEffect[] = [{ type: "fail-safe-timer", at: null }];
          // The SDK on kCommissioningComplete: close the window, then expire every PASE session.
          effects.push({ type: "close-commissioning-window" }, { type: "expire-pase-sessions" });
          if (done.result === "ok" && done.updateNocInvoked) effects.push({ type: "restart-operational-advertising" });
          setBreadcrumb(0n);
          return { response: { errorCode: CommissioningError.OK, debugText: "" }, afterResponse: effects };
        },
      }),
    ],
    events: [],
  });

  return {
    cluster,
    get breadcrumb() {
      return breadcrumb;
    },
    failSafeTimerFired: async (now) => {
      const steps = failSafe.poll(now);
      return steps === undefined ? [] : runCleanup(steps);
    },
  };
}
