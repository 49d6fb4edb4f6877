/**
 * Administrator Commissioning cluster 0x003C, revision 1 (Core spec 11.19, Matter 1.4.2 data model XML), the Basic (BC)
 * feature optional: WindowStatus / AdminFabricIndex / AdminVendorId and the timed OpenCommissioningWindow,
 * OpenBasicCommissioningWindow (BC) and RevokeCommissioning commands, checked in the order of the SDK's
 * AdministratorCommissioningLogic. The window itself (PASE verifier, `_matterc._udp` advertisement, timer) is the
 * node's: it implements CommissioningWindowController. A window stays open, as the SDK's CommissioningWindowManager
 * keeps it, while the commissioning over the PASE session established on it runs: the node reports its end.
 */

import { Privilege } from "../../fabric/access-control.ts";
import type { FabricRecord } from "../../fabric/fabric-record.ts";
import type { FabricTable } from "../../fabric/fabric-table.ts";
import type { FailSafeContext } from "../../fabric/fail-safe-context.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import {
  type AfterResponseEffect,
  AttributeChangeEmitter,
  attribute,
  type Cluster,
  type CommandResult,
  command,
  type InvokeContext,
} from "../../im/data-model.ts";
import {
  decodePaseVerifier,
  type PaseVerifier,
  PBKDF_ITERATIONS_MAX,
  PBKDF_ITERATIONS_MIN,
  PBKDF_SALT_MAX_BYTES,
  PBKDF_SALT_MIN_BYTES,
  type PbkdfParameters,
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

/** Cluster id (Core 11.19). */
export const ADMINISTRATOR_COMMISSIONING_CLUSTER_ID = 0x003c;
/** ClusterRevision in the Matter 1.4.2 data model. */
const ADMINISTRATOR_COMMISSIONING_REVISION = 1;

/** Shortest CommissioningTimeout (Core 5.4.2.3.1: a window stays open at least 3 minutes). */
export const MIN_COMMISSIONING_TIMEOUT_S = 180;
/** Longest CommissioningTimeout (Core 5.4.2.3.1 / 11.19.8.1: at most 15 minutes). */
const MAX_COMMISSIONING_TIMEOUT_S = 900;
/** Largest discriminator value (12 bits, Core 5.1.1.5). */
export const MAX_DISCRIMINATOR = 0x0fff;

/** CommissioningWindowStatusEnum (Core 11.19.5.1). BasicWindowOpen needs the BC feature. */
export const CommissioningWindowStatus = { WindowNotOpen: 0, EnhancedWindowOpen: 1, BasicWindowOpen: 2 } as const;
/** One CommissioningWindowStatusEnum value. */
export type CommissioningWindowStatus = (typeof CommissioningWindowStatus)[keyof typeof CommissioningWindowStatus];

/** Cluster-specific status codes (Core 11.19.6, StatusCodeEnum), sent with IM status FAILURE. */
export const AdministratorCommissioningStatus = { Busy: 2, PAKEParameterError: 3, WindowNotOpen: 4 } as const;

/** Attribute ids (Core 11.19.7). */
export const AdministratorCommissioningAttribute = {
  WindowStatus: 0x0000,
  AdminFabricIndex: 0x0001,
  AdminVendorId: 0x0002,
} as const;

/** Command ids (Core 11.19.8); OpenBasicCommissioningWindow (0x01) belongs to the BC feature. */
export const AdministratorCommissioningCommand = {
  OpenCommissioningWindow: 0x00,
  OpenBasicCommissioningWindow: 0x01,
  RevokeCommissioning: 0x02,
} as const;

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

/** What the node needs to open a Basic Commissioning Method window for an Administrator (BC feature). */
export interface BasicWindowParameters {
  readonly timeoutSeconds: number;
  /** When the window must close (ms on the invoke clock): the node arms its timer for this. */
  readonly closesAt: number;
}

/** What the node needs to open an Enhanced Commissioning Method window. */
export interface EnhancedWindowParameters {
  readonly verifier: PaseVerifier;
  readonly pbkdf: PbkdfParameters;
  /** The 12-bit discriminator to advertise in `_matterc._udp` (with CM=2). */
  readonly discriminator: number;
  readonly timeoutSeconds: number;
  /** When the window must close (ms on the invoke clock): the node arms its timer for this. */
  readonly closesAt: number;
}

/** The node side of a commissioning window (the SDK's CommissioningWindowManager). */
export interface CommissioningWindowController {
  /** Starts accepting PASE with these parameters and advertising as commissionable. A throw answers FAILURE. */
  openEnhancedWindow(params: EnhancedWindowParameters): Promise<void>;
  /**
   * Starts accepting PASE with the onboarding passcode and advertising as commissionable (CM=1): needed only with the
   * BC feature. A throw answers PAKEParameterError, as the SDK answers a failed OpenBasicCommissioningWindow.
   */
  openBasicWindow?(params: BasicWindowParameters): Promise<void>;
  /**
   * Closes the window (the SDK's Cleanup): stops accepting new PASE sessions, withdraws the commissionable
   * advertisement, cancels the timer. An established PASE session and its fail-safe are left alone.
   */
  closeWindow(): Promise<void>;
  /**
   * If the fail-safe is held by a PASE session established through the open window, expires it with the full
   * fail-safe cleanup (the SDK's ExpireFailSafeIfHeldByOpenPASESession); returns the cleanup's effects.
   */
  expireFailSafeIfHeldByPaseSession(): Promise<readonly AfterResponseEffect[]>;
}

/** The open window as this cluster tracks it. */
export interface CommissioningWindowState {
  /** Enhanced (a verifier) or basic (the onboarding passcode). */
  readonly method: "enhanced" | "basic";
  /** True when an Administrator opened it with this cluster; the node's own (boot) window reports WindowNotOpen. */
  readonly openedByAdministrator: boolean;
  readonly adminFabricIndex: number | null;
  readonly adminVendorId: number | null;
  /** When it closes (ms). */
  readonly closesAt: number;
}

/** What the cluster needs from the node. */
export interface AdministratorCommissioningOptions {
  readonly controller: CommissioningWindowController;
  readonly failSafe: FailSafeContext;
  /** For the accessing fabric's VendorID; the cluster also clears the admin fields when that fabric is removed. */
  readonly fabrics: FabricTable;
  /** The Basic (BC) feature: OpenBasicCommissioningWindow; the controller must implement `openBasicWindow`. */
  readonly basicCommissioning?: boolean;
}

/** The cluster and the hooks the node calls. */
export interface AdministratorCommissioningServer {
  readonly cluster: Cluster;
  /** The open window, or null. */
  readonly window: CommissioningWindowState | null;
  /**
   * True while any commissioning window is open, including while the commissioning over its PASE session runs
   * (GeneralCommissioning's `isCommissioningWindowOpen`, the SDK's IsCommissioningWindowOpen).
   */
  isWindowOpen(): boolean;
  /** The node opened a window by itself (the boot-time window of the onboarding payload); it is not reported. */
  nodeWindowOpened(method: "enhanced" | "basic", closesAt: number): void;
  /**
   * The node closed the window (CommissioningComplete, the fail-safe of its commissioning disarmed or expired, its PASE
   * session ended unarmed, PASE attempts exhausted, shutdown).
   */
  windowClosed(): void;
  /** The node's window timer fired at `now`: closes the window through the controller if it is due. */
  timerFired(now: number): Promise<void>;
  /** A fabric was removed: clears AdminFabricIndex and AdminVendorId if it opened the window (Core 11.19.7.2). */
  fabricRemoved(fabricIndex: number): void;
}

/** Creates the Administrator Commissioning cluster server. */
export function createAdministratorCommissioning(
  options: AdministratorCommissioningOptions,
): AdministratorCommissioningServer {
  const { controller, failSafe, fabrics } = options;
  const basicCommissioning = options.basicCommissioning === true;
  if (basicCommissioning && controller.openBasicWindow === undefined)
    throw new TypeError("the Basic feature needs a controller with openBasicWindow");
  const changes = new AttributeChangeEmitter();
  let window: CommissioningWindowState | null = null;

  const status = (w: CommissioningWindowState | null): CommissioningWindowStatus => {
    // Core 11.19.7.1: WindowStatus tells whether an Administrator opened a window with this cluster. The SDK's
    // CommissioningWindowStatusForCluster answers WindowNotOpen while the opener vendor id is null ("not opened via
    // the cluster"), e.g. for the boot window; its status then changes only with the opener fields.
    if (w === null || !w.openedByAdministrator) return CommissioningWindowStatus.WindowNotOpen;
    return w.method === "enhanced"
      ? CommissioningWindowStatus.EnhancedWindowOpen
      : CommissioningWindowStatus.BasicWindowOpen;
  };

  /** Replaces the window state and reports every attribute whose value changed. */
  const setWindow = (next: CommissioningWindowState | null): void => {
    const before = window;
    window = next;
    if (status(before) !== status(next)) changes.emit(AdministratorCommissioningAttribute.WindowStatus);
    if ((before?.adminFabricIndex ?? null) !== (next?.adminFabricIndex ?? null))
      changes.emit(AdministratorCommissioningAttribute.AdminFabricIndex);
    if ((before?.adminVendorId ?? null) !== (next?.adminVendorId ?? null))
      changes.emit(AdministratorCommissioningAttribute.AdminVendorId);
  };

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

  /** Records the window an Administrator just opened with this cluster, named after its opener. */
  const openedBy = (method: "enhanced" | "basic", opener: FabricRecord, closesAt: number): void =>
    setWindow({
      method,
      openedByAdministrator: true,
      adminFabricIndex: opener.fabricIndex,
      adminVendorId: opener.vendorId,
      closesAt,
    });

  fabrics.onChange((change) => {
    if (change.kind === "removed") server.fabricRemoved(change.fabricIndex);
  });

  const cluster: Cluster = {
    id: ADMINISTRATOR_COMMISSIONING_CLUSTER_ID,
    name: "AdministratorCommissioning",
    revision: ADMINISTRATOR_COMMISSIONING_REVISION,
    featureMap: basicCommissioning ? AdministratorCommissioningFeature.Basic : 0,
    changes,
    attributes: [
      attribute({
        id: AdministratorCommissioningAttribute.WindowStatus,
        name: "WindowStatus",
        schema: tlvEnum8,
        readPrivilege: Privilege.View,
        read: () => status(window),
      }),
      attribute({
        id: AdministratorCommissioningAttribute.AdminFabricIndex,
        name: "AdminFabricIndex",
        schema: tlvNullable(tlvFabricIndexValue),
        readPrivilege: Privilege.View,
        read: () => window?.adminFabricIndex ?? null,
      }),
      attribute({
        id: AdministratorCommissioningAttribute.AdminVendorId,
        name: "AdminVendorId",
        schema: tlvNullable(tlvUInt16),
        readPrivilege: Privilege.View,
        read: () => window?.adminVendorId ?? null,
      }),
    ],
    commands: [
      command({
        id: AdministratorCommissioningCommand.OpenCommissioningWindow,
        name: "OpenCommissioningWindow",
        requestSchema: OpenCommissioningWindowRequest,
        invokePrivilege: Privilege.Administer,
        fabricScoped: false,
        timed: true,
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
          if (window !== null) return clusterFailure(Busy);
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
          const closesAt = ctx.now + req.commissioningTimeout * 1000;
          await controller.openEnhancedWindow({
            verifier,
            pbkdf: { iterations: req.iterations, salt: req.salt.slice() },
            discriminator: req.discriminator,
            timeoutSeconds: req.commissioningTimeout,
            closesAt,
          });
          openedBy("enhanced", fabric, closesAt);
          return { status: ImStatus.SUCCESS };
        },
      }),
      ...(basicCommissioning
        ? [
            command({
              id: AdministratorCommissioningCommand.OpenBasicCommissioningWindow,
              name: "OpenBasicCommissioningWindow",
              requestSchema: OpenBasicCommissioningWindowRequest,
              invokePrivilege: Privilege.Administer,
              fabricScoped: false,
              timed: true,
              handler: async (req, ctx) => {
                const { Busy, PAKEParameterError } = AdministratorCommissioningStatus;
                // SDK order (AdministratorCommissioningLogic::OpenBasicCommissioningWindow): accessing fabric, then the
                // open window, then the fail-safe (the reverse of OpenCommissioningWindow), then the timeout.
                const fabric = accessingFabric(ctx);
                if (fabric === undefined) return clusterFailure(PAKEParameterError);
                // 11.19.8.2: "If a commissioning window is already currently open, this command SHALL fail with a
                // cluster specific status code of Busy."
                if (window !== null) return clusterFailure(Busy);
                // 11.19.8.2: "If the fail-safe timer is currently armed, this command SHALL fail with a cluster
                // specific status code of Busy".
                if (failSafe.armed || failSafe.busy) return clusterFailure(Busy);
                if (!timeoutInRange(req.commissioningTimeout)) return { status: ImStatus.INVALID_COMMAND };
                const closesAt = ctx.now + req.commissioningTimeout * 1000;
                try {
                  await controller.openBasicWindow?.({ timeoutSeconds: req.commissioningTimeout, closesAt });
                } catch {
                  return clusterFailure(PAKEParameterError);
                }
                openedBy("basic", fabric, closesAt);
                return { status: ImStatus.SUCCESS };
              },
            }),
          ]
        : []),
      command({
        id: AdministratorCommissioningCommand.RevokeCommissioning,
        name: "RevokeCommissioning",
        invokePrivilege: Privilege.Administer,
        fabricScoped: false,
        timed: true,
        handler: async () => {
          // SDK (ExpireFailSafeIfHeldByOpenPASESession, then the window check): a fail-safe held by the PASE session
          // established on the open window is expired first with the full cleanup; a fail-safe of any other session
          // is left alone. The cleanup's effects run after the response, success or WindowNotOpen.
          const effects = await controller.expireFailSafeIfHeldByPaseSession();
          // 11.19.8.3: "If the commissioning window was not currently open, then the Node SHALL fail the command
          // with a cluster specific status code of WindowNotOpen."
          if (window === null) return clusterFailure(AdministratorCommissioningStatus.WindowNotOpen, effects);
          await controller.closeWindow();
          setWindow(null);
          return { status: ImStatus.SUCCESS, afterResponse: effects };
        },
      }),
    ],
    events: [],
  };

  const server: AdministratorCommissioningServer = {
    cluster,
    get window() {
      return window;
    },
    isWindowOpen: () => window !== null,
    nodeWindowOpened: (method, closesAt) => {
      setWindow({ method, openedByAdministrator: false, adminFabricIndex: null, adminVendorId: null, closesAt });
    },
    windowClosed: () => setWindow(null),
    timerFired: async (now) => {
      if (window === null || now < window.closesAt) return;
      // 11.19.7.1: "This attribute SHALL revert to WindowNotOpen upon expiry of a commissioning window."
      await controller.closeWindow();
      setWindow(null);
    },
    fabricRemoved: (fabricIndex) => {
      if (window === null || window.adminFabricIndex !== fabricIndex) return;
      // Core 11.19.7.2 and conformance §1.7: the window stays open; the removed opener is no longer named.
      setWindow({ ...window, adminFabricIndex: null, adminVendorId: null });
    },
  };
  return server;
}
