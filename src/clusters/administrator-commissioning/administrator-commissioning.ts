/**
 * Administrator Commissioning cluster 0x003C, revision 1 (Core spec 11.19, Matter 1.4.2 data model XML), the Basic (BC)
 * feature optional: WindowStatus / AdminFabricIndex / AdminVendorId and the timed OpenCommissioningWindow,
 * OpenBasicCommissioningWindow (BC) and RevokeCommissioning commands, checked in the order of the SDK's
 * AdministratorCommissioningLogic. The window's state is the node's one CommissioningWindowState, which the commands
 * open and close and the attributes read; listening and advertising are the node's (CommissioningWindowController). A
 * window stays open, as the SDK's CommissioningWindowManager keeps it, while the commissioning over the PASE session
 * established on it runs: the node closes it when that ends.
 */

import { Privilege } from "../../fabric/access-control.ts";
import type { FabricRecord } from "../../fabric/fabric-record.ts";
import type { FabricTable } from "../../fabric/fabric-table.ts";
import type { FailSafeContext } from "../../fabric/fail-safe-context.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import {
  type AfterResponseEffect,
  AttributeChangeEmitter,
  type Cluster,
  type CommandResult,
  clusterSpec,
  type InvokeContext,
} from "../../im/data-model.ts";
import type { CommissioningWindowState, WindowAttribute, WindowOpener } from "../../sc/commissioning-window-state.ts";
import {
  decodePaseVerifier,
  type PaseVerifier,
  PBKDF_ITERATIONS_MAX,
  PBKDF_ITERATIONS_MIN,
  PBKDF_SALT_MAX_BYTES,
  PBKDF_SALT_MIN_BYTES,
} from "../../sc/pase/pase-verifier.ts";
import {
  tlvBytes,
  tlvEnum8,
  tlvFabricIndexValue,
  tlvField,
  tlvNullable,
  tlvStruct,
  tlvUInt16,
  tlvUInt32,
} from "../../tlv/tlv-schema.ts";

/** Shortest CommissioningTimeout (Core 5.4.2.3.1: a window stays open at least 3 minutes). */
export const MIN_COMMISSIONING_TIMEOUT_S = 180;
/** Longest CommissioningTimeout (Core 5.4.2.3.1 / 11.19.8.1: at most 15 minutes). */
const MAX_COMMISSIONING_TIMEOUT_S = 900;
/** Largest discriminator value (12 bits, Core 5.1.1.5). */
export const MAX_DISCRIMINATOR = 0x0fff;

/** Cluster-specific status codes (Core 11.19.6, StatusCodeEnum), sent with IM status FAILURE. */
export const AdministratorCommissioningStatus = { Busy: 2, PAKEParameterError: 3, WindowNotOpen: 4 } as const;

/** The Administrator Commissioning cluster (Core 11.19) as the Matter 1.4.2 data model defines it. */
export const AdministratorCommissioningCluster = clusterSpec({
  id: 0x003c,
  name: "AdministratorCommissioning",
  revision: 1,
  // Attribute ids (Core 11.19.7).
  attributes: { WindowStatus: 0x0000, AdminFabricIndex: 0x0001, AdminVendorId: 0x0002 },
  // Command ids (Core 11.19.8); OpenBasicCommissioningWindow (0x01) belongs to the BC feature.
  commands: { OpenCommissioningWindow: 0x00, OpenBasicCommissioningWindow: 0x01, RevokeCommissioning: 0x02 },
  events: {},
});

/** FeatureMap bits (Core 11.19.4). */
export const AdministratorCommissioningFeature = { Basic: 1 << 0 } as const;

/**
 * OpenCommissioningWindow { 0 CommissioningTimeout uint16, 1 PAKEPasscodeVerifier octstr, 2 Discriminator uint16,
 * 3 Iterations uint32, 4 Salt octstr } (Core 11.19.8.1). Lengths and ranges are checked by the handler, not the
 * schema: the spec answers them with PAKEParameterError or INVALID_COMMAND, not a decode failure.
 */
export const OpenCommissioningWindowRequest = tlvStruct({
  commissioningTimeout: tlvField(0, tlvUInt16),
  pakePasscodeVerifier: tlvField(1, tlvBytes()),
  discriminator: tlvField(2, tlvUInt16),
  iterations: tlvField(3, tlvUInt32),
  salt: tlvField(4, tlvBytes()),
});

/** OpenBasicCommissioningWindow { 0 CommissioningTimeout uint16 } (Core 11.19.8.2, BC feature). */
export const OpenBasicCommissioningWindowRequest = tlvStruct({
  commissioningTimeout: tlvField(0, tlvUInt16),
});

/** The node side of a commissioning window (the SDK's CommissioningWindowManager). */
export interface CommissioningWindowController {
  /**
   * Starts accepting PASE with the window just opened in the CommissioningWindowState and advertising as
   * commissionable. A throw answers FAILURE (OpenCommissioningWindow) or PAKEParameterError
   * (OpenBasicCommissioningWindow, as the SDK answers a failed one); the window is closed again.
   */
  openWindow(): Promise<void>;
  /**
   * Stops accepting new PASE sessions and withdraws the commissionable advertisement of the window the cluster just
   * closed (the SDK's Cleanup). An established PASE session and its fail-safe are left alone. `reason` is for the log.
   */
  closeWindow(reason?: string): Promise<void>;
  /**
   * If the fail-safe is held by a PASE session established through the open window, expires it with the full
   * fail-safe cleanup (the SDK's ExpireFailSafeIfHeldByOpenPASESession); returns the cleanup's effects.
   */
  expireFailSafeIfHeldByPaseSession(): Promise<readonly AfterResponseEffect[]>;
}

/** What the cluster needs from the node. */
export interface AdministratorCommissioningOptions {
  /** The node's commissioning window: the commands open and close it, the attributes read it. */
  readonly window: CommissioningWindowState;
  readonly controller: CommissioningWindowController;
  readonly failSafe: FailSafeContext;
  /** For the accessing fabric's VendorID; the cluster also clears the admin fields when that fabric is removed. */
  readonly fabrics: FabricTable;
  /** The Basic (BC) feature: OpenBasicCommissioningWindow. */
  readonly basicCommissioning?: boolean;
}

/** Creates the Administrator Commissioning cluster server. */
export function createAdministratorCommissioning(options: AdministratorCommissioningOptions): Cluster {
  const { window, controller, failSafe, fabrics } = options;
  const basicCommissioning = options.basicCommissioning === true;
  const changes = new AttributeChangeEmitter();
  const attributeOf: Record<WindowAttribute, number> = {
    windowStatus: AdministratorCommissioningCluster.attributes.WindowStatus,
    adminFabricIndex: AdministratorCommissioningCluster.attributes.AdminFabricIndex,
    adminVendorId: AdministratorCommissioningCluster.attributes.AdminVendorId,
  };
  window.onChange((changed) => {
    for (const a of changed) changes.emit(attributeOf[a]);
  });

  const clusterFailure = (code: number, afterResponse: readonly AfterResponseEffect[] = []): CommandResult<never> => ({
    status: ImStatus.FAILURE,
    clusterStatus: code,
    afterResponse,
  });

  /** The accessing fabric of an Open*CommissioningWindow: none over a PASE session (fabric index 0). */
  const accessingFabric = (ctx: InvokeContext): FabricRecord | undefined =>
    ctx.session.fabricIndex === 0 ? undefined : fabrics.fabric(ctx.session.fabricIndex);

  /** CommissioningTimeout within MIN_COMMISSIONING_TIMEOUT_S..MAX_COMMISSIONING_TIMEOUT_S (11.19.8.1, 11.19.8.2). */
  const timeoutInRange = (seconds: number): boolean =>
    seconds >= MIN_COMMISSIONING_TIMEOUT_S && seconds <= MAX_COMMISSIONING_TIMEOUT_S;

  const opener = (fabric: FabricRecord): WindowOpener => ({
    fabricIndex: fabric.fabricIndex,
    vendorId: fabric.vendorId,
  });

  // Core 11.19.7.2 and conformance §1.7: the window stays open; the removed opener is no longer named.
  fabrics.onChange((change) => {
    if (change.kind === "removed") window.fabricRemoved(change.fabricIndex);
  });

  const cluster = AdministratorCommissioningCluster.server({
    featureMap: basicCommissioning ? AdministratorCommissioningFeature.Basic : 0,
    changes,
    attributes: [
      AdministratorCommissioningCluster.attribute("WindowStatus", {
        schema: tlvEnum8,
        readPrivilege: Privilege.View,
        read: () => window.windowStatus,
      }),
      AdministratorCommissioningCluster.attribute("AdminFabricIndex", {
        schema: tlvNullable(tlvFabricIndexValue),
        readPrivilege: Privilege.View,
        read: () => window.adminFabricIndex,
      }),
      AdministratorCommissioningCluster.attribute("AdminVendorId", {
        schema: tlvNullable(tlvUInt16),
        readPrivilege: Privilege.View,
        read: () => window.adminVendorId,
      }),
    ],
    commands: [
      AdministratorCommissioningCluster.command("OpenCommissioningWindow", "A T", {
        requestSchema: OpenCommissioningWindowRequest,
        handler: async (req, ctx) => {
          const { Busy, PAKEParameterError } = AdministratorCommissioningStatus;
          // SDK order: the accessing fabric must exist (a PASE session without a fabric gets PAKEParameterError).
          const fabric = accessingFabric(ctx);
          if (fabric === undefined) return clusterFailure(PAKEParameterError);
          // 11.19.8.1: "If the fail-safe timer is currently armed, this command SHALL fail with a cluster specific
          // status code of Busy" (also while its cleanup runs: the SDK's IsFailSafeFullyDisarmed).
          if (failSafe.armed || failSafe.busy) return clusterFailure(Busy);
          // 11.19.8.1: "If a commissioning window is already currently open, this command SHALL fail with a cluster
          // specific status code of Busy."
          if (window.isOpen) return clusterFailure(Busy);
          // 11.19.8.1: format or validity errors of PAKEPasscodeVerifier, Iterations or Salt → PAKEParameterError.
          if (req.iterations < PBKDF_ITERATIONS_MIN || req.iterations > PBKDF_ITERATIONS_MAX)
            return clusterFailure(PAKEParameterError);
          if (req.salt.length < PBKDF_SALT_MIN_BYTES || req.salt.length > PBKDF_SALT_MAX_BYTES)
            return clusterFailure(PAKEParameterError);
          // 11.19.8.1: "In case of any other parameter error, this command SHALL fail with a status code of
          // COMMAND_INVALID" — the timeout range and the 12-bit discriminator.
          if (!timeoutInRange(req.commissioningTimeout)) return { status: ImStatus.INVALID_COMMAND };
          if (req.discriminator > MAX_DISCRIMINATOR) return { status: ImStatus.INVALID_COMMAND };
          let verifier: PaseVerifier;
          try {
            // Stricter than the SDK (which only checks the 97-byte length): w0 < n and L on the curve.
            verifier = decodePaseVerifier(req.pakePasscodeVerifier, "OpenCommissioningWindow/PAKEPasscodeVerifier");
          } catch {
            return clusterFailure(PAKEParameterError);
          }
          window.openEnhanced(
            {
              verifier,
              pbkdfParameters: { iterations: req.iterations, salt: req.salt.slice() },
              discriminator: req.discriminator,
              closesAt: ctx.now + req.commissioningTimeout * 1000,
            },
            opener(fabric),
          );
          try {
            await controller.openWindow();
          } catch (e) {
            window.close();
            throw e;
          }
          return { status: ImStatus.SUCCESS };
        },
      }),
      ...(basicCommissioning
        ? [
            AdministratorCommissioningCluster.command("OpenBasicCommissioningWindow", "A T", {
              requestSchema: OpenBasicCommissioningWindowRequest,
              handler: async (req, ctx) => {
                const { Busy, PAKEParameterError } = AdministratorCommissioningStatus;
                // SDK order (AdministratorCommissioningLogic::OpenBasicCommissioningWindow): accessing fabric, then the
                // open window, then the fail-safe (the reverse of OpenCommissioningWindow), then the timeout.
                const fabric = accessingFabric(ctx);
                if (fabric === undefined) return clusterFailure(PAKEParameterError);
                // 11.19.8.2: "If a commissioning window is already currently open, this command SHALL fail with a
                // cluster specific status code of Busy."
                if (window.isOpen) return clusterFailure(Busy);
                // 11.19.8.2: "If the fail-safe timer is currently armed, this command SHALL fail with a cluster
                // specific status code of Busy".
                if (failSafe.armed || failSafe.busy) return clusterFailure(Busy);
                if (!timeoutInRange(req.commissioningTimeout)) return { status: ImStatus.INVALID_COMMAND };
                window.openBasic(ctx.now + req.commissioningTimeout * 1000, opener(fabric));
                try {
                  await controller.openWindow();
                } catch {
                  window.close();
                  return clusterFailure(PAKEParameterError);
                }
                return { status: ImStatus.SUCCESS };
              },
            }),
          ]
        : []),
      AdministratorCommissioningCluster.command("RevokeCommissioning", "A T", {
        handler: async () => {
          // SDK (ExpireFailSafeIfHeldByOpenPASESession, then the window check): a fail-safe held by the PASE session
          // established on the open window is expired first with the full cleanup; a fail-safe of any other session
          // is left alone. The cleanup's effects run after the response, success or WindowNotOpen.
          const effects = await controller.expireFailSafeIfHeldByPaseSession();
          // 11.19.8.3: "If the commissioning window was not currently open, then the Node SHALL fail the command
          // with a cluster specific status code of WindowNotOpen."
          if (!window.isOpen) return clusterFailure(AdministratorCommissioningStatus.WindowNotOpen, effects);
          window.close();
          await controller.closeWindow("RevokeCommissioning");
          return { status: ImStatus.SUCCESS, afterResponse: effects };
        },
      }),
    ],
    events: [],
  });

  return cluster;
}
