/**
 * The device node on the network: the secure channel over UDP (Core 4), the mDNS advertiser (Core 4.3, loaded only
 * when advertising) and the commissioning window that listens for PASE and advertises `_matterc._udp` (Core 5.4.2.3).
 */
import { CommissioningWindowState } from "../sc/commissioning-window-state.ts";
import type { SessionManager } from "../sc/session-manager.ts";
import { CommissioningWindow, onboardingWindow } from "./commissioning-window.ts";
import { DEVICE_TYPES } from "./device-library.ts";
import type { FailSafeTimer } from "./fail-safe-timer.ts";
import type { LifecycleLog } from "./lifecycle-log.ts";
import type { CiaoAdvertiser } from "./mdns/ciao-advertiser.ts";
import type { NodeContext } from "./node-context.ts";
import { moduleLogger } from "./node-log.ts";
import type { RootNodeComposition } from "./root-node-composition.ts";
import { type SecureChannelEvent, TransportDriver } from "./transport-driver.ts";

/** How long the socket stays open after the sessions were closed, for their CloseSession datagrams to leave (ms). */
const CLOSE_SESSION_DRAIN_MS = 20;

/** The node's network parts. */
export interface NodeNetwork {
  readonly transport: TransportDriver;
  /** Absent when the node runs with mDNS off. */
  readonly advertiser: CiaoAdvertiser | undefined;
  readonly window: CommissioningWindow;
}

/**
 * The commissioning window's state, built before the clusters: ArmFailSafe's "window open" check, the secure channel
 * and the Administrator Commissioning cluster read it; the window opened by `openNodeNetwork` drives it.
 */
export function commissioningWindowState(ctx: NodeContext): CommissioningWindowState {
  return new CommissioningWindowState(onboardingWindow(ctx.crypto, ctx.config.passcode, ctx.config.discriminator));
}

/**
 * Binds UDP, starts mDNS when configured, and builds the commissioning window over them (not yet open); each is
 * handed to `opened` with its close as soon as it exists, so that a failure of the next one still closes it.
 */
export async function openNodeNetwork(
  ctx: NodeContext,
  core: RootNodeComposition,
  sessions: SessionManager,
  windowState: CommissioningWindowState,
  failSafeTimer: FailSafeTimer,
  lifecycle: LifecycleLog,
  opened: (what: string, close: () => void | Promise<void>) => void,
): Promise<NodeNetwork> {
  const { config: c, crypto, clock, report } = ctx;
  const { resumption, failSafe, generalCommissioning } = core;
  const transport = await TransportDriver.open({
    crypto,
    sessions,
    caseFabrics: core.caseFabrics,
    resumption,
    validAt: () => new Date(),
    port: c.port,
    clock,
    saveResumption: (record) => resumption.save(record),
    onError: report("transport"),
  });
  opened("UDP", async () => {
    // Let the CloseSession datagrams of the sessions closed before leave before the socket closes.
    await new Promise((r) => setTimeout(r, CLOSE_SESSION_DRAIN_MS));
    await transport.close();
  });
  // Subscribed before the advertiser's start-up awaits: a CASE handshake may already arrive meanwhile.
  transport.onEvent((e) => logSecureChannelEvent(ctx, lifecycle, e));
  const advertiser = await openAdvertiser(ctx, transport.port);
  if (advertiser !== undefined) opened("mDNS", () => advertiser.close());
  const window = new CommissioningWindow({
    state: windowState,
    transport,
    advertiser,
    clock,
    vendorId: c.vendorId,
    productId: c.productId,
    // DNS-SD DT and DN (Core 4.3.1.3): the first application endpoint's device type, the product name.
    deviceType: DEVICE_TYPES[c.endpoints[0]!.deviceType].deviceType.deviceType,
    deviceName: c.basicInformation.productName,
    logger: moduleLogger(ctx.log, "window"),
    failSafe,
    sessions,
    // RevokeCommissioning's ForceFailSafeTimerExpiry: any time past the deadline runs the same cleanup as the timer.
    expireFailSafe: () => generalCommissioning.failSafeTimerFired(Number.POSITIVE_INFINITY),
    armFailSafe: () => failSafeTimer.armForPaseSession(),
    // CommissioningWindowManager::OnSessionReleased → ExpireFailSafeIfArmed → ForceFailSafeTimerExpiry.
    forceFailSafeExpiry: () => failSafeTimer.expire(Number.POSITIVE_INFINITY),
  });
  // The window hears of its PASE sessions only once it listens, which it does from `openBasic`/`openWindow` on.
  transport.onEvent((e) => window.secureChannelEvent(e));
  opened("commissioning window", () => window.closeWindow("shutdown"));
  // Registered last, so closed first of the network's parts: peers get CloseSession before the rest goes.
  opened("sessions", () => {
    for (const s of sessions.sessions()) transport.act((now) => transport.endpoint.closeSession(now, s.localSessionId));
  });
  return { transport, advertiser, window };
}

/** The mDNS advertiser on `port`, unless the node runs with mDNS off. */
async function openAdvertiser(ctx: NodeContext, port: number): Promise<CiaoAdvertiser | undefined> {
  const { mdns } = ctx.config;
  if (mdns === false) return undefined;
  // Loaded only when advertising: @homebridge/ciao costs about as much start-up time and memory as the rest of the
  // node together, and a node started with mDNS off never needs it.
  const { CiaoAdvertiser } = await import("./mdns/ciao-advertiser.ts");
  return CiaoAdvertiser.open({
    randomBytes: (n) => ctx.crypto.randomBytes(n),
    port,
    ...(mdns.interfaces === undefined ? {} : { interfaces: mdns.interfaces }),
  });
}

/** Established sessions at debug, failed handshakes decoded (module sc). */
function logSecureChannelEvent(ctx: NodeContext, lifecycle: LifecycleLog, e: SecureChannelEvent): void {
  if (e.kind === "session-established") {
    ctx.log("debug", `${e.session.type} session ${e.session.localSessionId} established`, "sc");
  } else if (e.kind === "handshake-failed") {
    lifecycle.handshakeFailed(e.protocol, e.error);
  }
}
