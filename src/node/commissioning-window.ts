/**
 * The node's commissioning window (Core spec 5.4.2.3 / 5.5, the SDK's CommissioningWindowManager of the 1.4 line):
 * opens the secure channel's PASE responder with a verifier (the onboarding passcode for the basic window, the
 * Administrator's for an enhanced one) and advertises `_matterc._udp` while it listens. Once a PASE session is
 * established on it the window stops listening and advertising and arms the fail-safe for that session; the window
 * stays open (WindowStatus and the admin fields keep their values, its timeout keeps running). The commissioning then
 * ends with CommissioningComplete (the window closes), RevokeCommissioning (the fail-safe held by the session expires,
 * the window closes), or the fail-safe expiring (timer, ArmFailSafe(0), the PASE session released): the session is
 * evicted, the attempt counts as failed and the window listens again (fewer than 20 failed attempts, timeout not
 * fired) or closes. What the window is (kind, verifier, deadline, opener, failed attempts) is the CommissioningWindowState
 * the Administrator Commissioning cluster and the secure channel share; this class does the listening, advertising and
 * timing for it.
 */
import type { CommissioningWindowController } from "../clusters/administrator-commissioning/administrator-commissioning.ts";
import type { Crypto } from "../crypto/crypto.ts";
import type { FailSafeContext } from "../fabric/fail-safe-context.ts";
import type { AfterResponseEffect } from "../im/data-model.ts";
import type { CommissioningWindowState, PaseParameters } from "../sc/commissioning-window-state.ts";
import { computePaseVerifier, PBKDF_ITERATIONS_MIN } from "../sc/pase/pase-verifier.ts";
import type { SecureChannelEffect } from "../sc/secure-channel-effect.ts";
import type { SessionManager } from "../sc/session-manager.ts";
import type { CiaoAdvertiser } from "./mdns/ciao-advertiser.ts";
import { CommissioningMode } from "./mdns/dnssd-services.ts";
import type { NodeLogger } from "./node-config.ts";
import type { TransportDriver } from "./transport-driver.ts";

/** Salt length of the basic window's PBKDF parameters (Core 3.9: 16..32 bytes). */
const BASIC_WINDOW_SALT_BYTES = 32;

/**
 * The basic window's parameters for CommissioningWindowState: the onboarding passcode's verifier, computed on first use
 * and kept for the process (PBKDF2 with a fresh salt, the minimum iteration count), and the onboarding discriminator.
 */
export function onboardingWindow(
  crypto: Crypto,
  passcode: number,
  discriminator: number,
): () => PaseParameters & { readonly discriminator: number } {
  let basic: (PaseParameters & { readonly discriminator: number }) | undefined;
  return () => {
    if (basic === undefined) {
      const pbkdfParameters = { iterations: PBKDF_ITERATIONS_MIN, salt: crypto.randomBytes(BASIC_WINDOW_SALT_BYTES) };
      basic = { verifier: computePaseVerifier(crypto, passcode, pbkdfParameters), pbkdfParameters, discriminator };
    }
    return basic;
  };
}

/** What the window manager works with. */
export interface CommissioningWindowOptions {
  /** The node's one commissioning window state. */
  readonly state: CommissioningWindowState;
  readonly transport: TransportDriver;
  readonly advertiser: CiaoAdvertiser | undefined;
  readonly clock: () => number;
  readonly vendorId: number;
  readonly productId: number;
  readonly deviceType: number;
  readonly deviceName: string;
  readonly logger: NodeLogger;
  /** The node's fail-safe: which commissioning holds it decides what RevokeCommissioning expires. */
  readonly failSafe: FailSafeContext;
  /** The node's sessions: the window follows the PASE session established on it. */
  readonly sessions: SessionManager;
  /**
   * Expires the armed fail-safe now with the full expiry cleanup (the SDK's ForceFailSafeTimerExpiry: pending fabric
   * data reverted, an added fabric deleted, ...); returns the effects for the node to run after the response.
   */
  readonly expireFailSafe: () => Promise<readonly AfterResponseEffect[]>;
  /**
   * Arms the fail-safe for the PASE session just established on the window (accessing fabric 0, the node's
   * fail-safe expiry length, the SDK's CHIP_DEVICE_CONFIG_FAILSAFE_EXPIRY_LENGTH_SEC) and starts its timer; false
   * when it cannot be armed.
   */
  readonly armFailSafe: () => boolean;
  /**
   * Expires the armed fail-safe now and runs the cleanup's effects (the SDK's ForceFailSafeTimerExpiry outside a
   * command: the PASE session was released).
   */
  readonly forceFailSafeExpiry: () => void;
}

/** One commissioning window at a time, basic or enhanced. */
export class CommissioningWindow implements CommissioningWindowController {
  readonly #o: CommissioningWindowOptions;
  readonly #state: CommissioningWindowState;
  readonly #openedListeners = new Set<(kind: "basic" | "enhanced") => void>();
  readonly #timedOutListeners: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** True while the secure channel answers PBKDFParamRequest for this window (false once PASE is established). */
  #listening = false;
  /**
   * The PASE session established on this window (the SDK's mPASESession), while the commissioning over it runs; it
   * outlives a window closed by its timeout or RevokeCommissioning (the SDK's holder is not reset by Cleanup).
   */
  #paseSessionId: number | undefined;
  /** The SDK's mCommissioningTimeoutTimerArmed: true for a window without timeout (the boot window). */
  #timeoutArmed = false;

  constructor(options: CommissioningWindowOptions) {
    this.#o = options;
    this.#state = options.state;
    options.sessions.onSessionEnded((session) => this.#sessionEnded(session.localSessionId));
  }

  /** Calls `listener` each time a window opens and listens (after its advertisement); returns the unsubscribe function. */
  onOpened(listener: (kind: "basic" | "enhanced") => void): () => void {
    this.#openedListeners.add(listener);
    return () => void this.#openedListeners.delete(listener);
  }

  /** Calls `listener` each time a window closes because its timeout fired. */
  onTimedOut(listener: () => void): void {
    this.#timedOutListeners.push(listener);
  }

  /**
   * True when the last window closed after the limit of failed attempts (until a window opens again): Core 5.5's
   * commissionee then leaves commissioning mode, so the node does not reopen one by itself.
   */
  get outOfAttempts(): boolean {
    return this.#state.outOfAttempts;
  }

  /** The kind of window open now (also while the commissioning over its PASE session runs). */
  get open(): "basic" | "enhanced" | undefined {
    return this.#state.kind;
  }

  /** True while the window accepts PASE and advertises `_matterc._udp`; false once a PASE session is established. */
  get listening(): boolean {
    return this.#listening;
  }

  /** The local id of the PASE session established on the open window, if any. */
  get paseSessionId(): number | undefined {
    return this.#paseSessionId;
  }

  /**
   * Opens the basic window with the onboarding passcode (boot without fabrics, last fabric removed); `seconds`
   * undefined keeps it open until it is closed or its commissioning ends.
   */
  async openBasic(seconds: number | undefined): Promise<void> {
    const closesAt = seconds === undefined ? Number.MAX_SAFE_INTEGER : this.#o.clock() + seconds * 1000;
    this.#state.openBasic(closesAt);
    await this.openWindow();
  }

  /**
   * Listens for and advertises the window just opened in the state (AdministratorCommissioning's open commands, the
   * node's own basic window): the SDK's OpenBasicCommissioningWindow / OpenEnhancedCommissioningWindow.
   */
  async openWindow(): Promise<void> {
    const kind = this.#state.kind;
    const closesAt = this.#state.closesAt;
    if (kind === undefined || closesAt === undefined) throw new TypeError("no commissioning window is open");
    // The timeout timer is armed (a window without timeout counts as armed), then AdvertiseAndListenForPASE.
    this.#cancelTimer();
    // A new window follows the PASE session established on it (the SDK grabs mPASESession anew).
    this.#paseSessionId = undefined;
    this.#timeoutArmed = true;
    if (closesAt !== Number.MAX_SAFE_INTEGER) {
      this.#timer = setTimeout(
        () => {
          // SDK HandleCommissioningWindowTimeout: mCommissioningTimeoutTimerArmed = false, CloseCommissioningWindow.
          // 11.19.7.1: "This attribute SHALL revert to WindowNotOpen upon expiry of a commissioning window."
          this.#timer = undefined;
          this.#timeoutArmed = false;
          this.closeWindow("timeout")
            .then(() => {
              for (const l of [...this.#timedOutListeners]) l();
            })
            .catch((e: unknown) => this.#o.logger("error", `window timer: ${String(e)}`));
        },
        Math.max(0, closesAt - this.#o.clock()),
      );
    }
    this.#o.logger("info", `commissioning window open (${kind}, discriminator ${this.#state.discriminator})`);
    try {
      await this.#advertiseAndListen();
    } catch (e) {
      // Not advertised: the window is closed again as a whole (timer, state, the endpoint's listening), so the secure
      // channel never listens on a window the state no longer has.
      await this.closeWindow("not advertised").catch(this.#report);
      throw e;
    }
    for (const l of [...this.#openedListeners]) l(kind);
  }

  /**
   * Closes the window (RevokeCommissioning, timeout, CommissioningComplete, shutdown): the SDK's
   * CloseCommissioningWindow / Cleanup. An established PASE session and the fail-safe it holds are left alone (the
   * session is still followed: its release expires the fail-safe, the SDK's OnSessionReleased).
   */
  async closeWindow(reason = "closed"): Promise<void> {
    this.#cancelTimer();
    const wasListening = this.#listening;
    // The state may be closed already (RevokeCommissioning closes it before asking the node to stop listening).
    const wasOpen = this.#state.isOpen || wasListening || this.#paseSessionId !== undefined;
    this.#reset();
    if (wasOpen) this.#o.logger("info", `commissioning window closed (${reason})`);
    if (!wasListening) return;
    this.#o.transport.act((now) => this.#o.transport.endpoint.closeCommissioningWindow(now));
    await this.#withdraw();
  }

  /**
   * The SDK's ExpireFailSafeIfHeldByOpenPASESession: when the armed fail-safe is held by the PASE session established
   * on the open window (armed for it at establishment or by it, or moved by AddNOC to the fabric that session was
   * bound to), expires it now with the full cleanup and returns the cleanup's effects; otherwise (no window, still
   * listening, a fail-safe of another session) leaves it alone and returns none.
   */
  async expireFailSafeIfHeldByPaseSession(): Promise<readonly AfterResponseEffect[]> {
    const { failSafe, sessions } = this.#o;
    if (!this.#state.isOpen || this.#listening || this.#paseSessionId === undefined) return [];
    if (!failSafe.armed) return [];
    const pase = sessions.get(this.#paseSessionId);
    // Sessions other than this PASE session cannot have armed it while the window is open (General Commissioning
    // answers a first CASE ArmFailSafe with BusyWithOtherAdmin), so the fabric match identifies the holder.
    if (pase === undefined || (pase.fabricIndex ?? 0) !== failSafe.fabricIndex) return [];
    this.#o.logger("info", `fail-safe held by PASE session ${this.#paseSessionId} expired (RevokeCommissioning)`);
    return this.#o.expireFailSafe();
  }

  /** What the secure channel reports about the window and the sessions established on it. */
  secureChannelEvent(e: SecureChannelEffect): void {
    if (e.kind === "commissioning-window-closed") {
      if (e.reason === "established") this.#paseEstablished();
      else if (e.reason === "failed-attempts") this.#closedAfterFailedAttempts();
    } else if (e.kind === "session-established") {
      // The PASE responder session of the window (the window-closed event came just before it).
      if (
        e.session.type === "pase" &&
        e.handshake === undefined &&
        this.#state.isOpen &&
        !this.#listening &&
        this.#paseSessionId === undefined
      ) {
        this.#paseSessionSetUp(e.session.localSessionId);
      }
    }
  }

  /**
   * The fail-safe was disarmed (the node's "fail-safe-timer" effect with no deadline). Only an expiry concerns the
   * window (the SDK's kFailSafeTimerExpired event: the timer, ArmFailSafe(0), ForceFailSafeTimerExpiry).
   * CommissioningComplete closes the window and ends the PASE sessions by its own effects.
   */
  failSafeDisarmed(): void {
    // endedBy is undefined while the fail-safe is armed.
    if (this.#o.failSafe.endedBy !== "expiry") return;
    // The PASE session the window set up is evicted on every expiry, also when the window has closed since (its
    // timeout, RevokeCommissioning): Core 11.10.7.2.2 ends open PASE sessions when the fail-safe expires, and the SDK's
    // TestCommissioningWindowManager (RevokeCommissioningAfterCommissioningTimeoutClearsPASESession) pins it. Without
    // it, a commissioner whose window was revoked would keep a session with the commissioning's implicit Administer.
    const pase = this.#paseSessionId;
    this.#paseSessionId = undefined;
    if (pase !== undefined && this.#o.sessions.get(pase) !== undefined) {
      this.#o.logger("info", `PASE session ${pase} evicted (fail-safe expired)`);
      this.#o.transport.act((now) => this.#o.transport.endpoint.closeSession(now, pase));
    }
    // SDK OnPlatformEvent(kFailSafeTimerExpired), then HandleFailedAttempt: only while the window is open with an
    // established PASE session (its event handler is added at OnSessionEstablished and removed by Cleanup).
    if (!this.#state.isOpen || this.#listening) return;
    this.#handleFailedAttempt("fail-safe expired");
  }

  #paseEstablished(): void {
    if (!this.#state.isOpen || !this.#listening) return;
    // SDK OnSessionEstablished: stop listening for PASE and advertising (StopAdvertisement). The window timeout keeps
    // running (the 1.4 SDK no longer cancels it here); mWindowStatus and the opener fields stay until Cleanup.
    this.#listening = false;
    this.#o.logger("info", `commissioning window stops listening (PASE session established, ${this.#state.kind})`);
    this.#withdraw().catch(this.#report);
  }

  /** SDK OnSessionEstablished, second half: arm the fail-safe for the PASE session, which the window then holds. */
  #paseSessionSetUp(localSessionId: number): void {
    if (this.#o.failSafe.armed) {
      // The SDK logs this and keeps the session: nothing can have armed it (a CASE ArmFailSafe is refused while a
      // window is open, and a window opens only with the fail-safe disarmed).
      this.#o.logger("error", "fail-safe already armed at PASE session establishment");
    } else if (!this.#o.armFailSafe()) {
      // "Don't allow a PASE session to hang around without a fail-safe": evict it, count a failed attempt.
      this.#o.logger("error", `fail-safe could not be armed for PASE session ${localSessionId}`);
      // Deferred: this runs inside the secure channel's report of the new session.
      queueMicrotask(() =>
        this.#o.transport.act((now) => this.#o.transport.endpoint.closeSession(now, localSessionId)),
      );
      this.#handleFailedAttempt("fail-safe not armed");
      return;
    }
    this.#paseSessionId = localSessionId;
  }

  /**
   * SDK HandleFailedAttempt: one more failed attempt; below the limit listen and advertise again
   * (AdvertiseAndListenForPASE, which fails once the window's timeout has fired), else Cleanup.
   */
  #handleFailedAttempt(reason: string): void {
    this.#state.attemptFailed();
    this.#o.logger("info", `commissioning failed (attempt ${this.#state.failedAttempts}): ${reason}`);
    if (this.#state.isOpen && !this.#state.outOfAttempts && this.#timeoutArmed) {
      this.#advertiseAndListen().catch(this.#report);
      return;
    }
    this.#cleanup(reason);
  }

  #closedAfterFailedAttempts(): void {
    if (!this.#state.isOpen) return;
    this.#cleanup("failed-attempts");
    // The secure channel stopped listening by itself; the advertisement is still up.
    this.#withdraw().catch(this.#report);
  }

  #sessionEnded(localSessionId: number): void {
    if (localSessionId !== this.#paseSessionId) return;
    this.#paseSessionId = undefined;
    // SDK OnSessionReleased: the PASE session died (CloseSession, eviction): expire the fail-safe if it is still
    // armed (it is held by this session); the expiry makes the window listen again. Not armed: the session went
    // because the fail-safe expired or the commissioning completed, which the window handles by themselves.
    if (this.#o.failSafe.armed) {
      this.#o.logger("info", `PASE session ${localSessionId} released: fail-safe expired`);
      this.#o.forceFailSafeExpiry();
    }
  }

  /** Cleanup of a window that no longer listens: nothing to withdraw from the secure channel or mDNS. */
  #cleanup(reason: string): void {
    this.#cancelTimer();
    this.#reset();
    this.#o.logger("info", `commissioning window closed (${reason})`);
  }

  #reset(): void {
    this.#state.close();
    this.#listening = false;
    this.#timeoutArmed = false;
  }

  /** SDK AdvertiseAndListenForPASE: answer PBKDFParamRequest with the window's verifier and advertise as commissionable. */
  async #advertiseAndListen(): Promise<void> {
    const kind = this.#state.kind;
    const discriminator = this.#state.discriminator;
    if (kind === undefined || discriminator === undefined) return;
    // The secure channel reports the failed PASE handshakes to the state, which counts every failed attempt.
    this.#o.transport.act((now) => this.#o.transport.endpoint.openCommissioningWindow(now, this.#state));
    this.#listening = true;
    if (this.#state.failedAttempts > 0) this.#o.logger("info", `commissioning window listens again (${kind})`);
    if (this.#o.advertiser !== undefined) {
      await this.#o.advertiser.openCommissioningWindow({
        discriminator,
        commissioningMode: kind === "basic" ? CommissioningMode.Basic : CommissioningMode.Enhanced,
        vendorId: this.#o.vendorId,
        productId: this.#o.productId,
        deviceType: this.#o.deviceType,
        deviceName: this.#o.deviceName,
      });
    }
  }

  readonly #report = (e: unknown): void => this.#o.logger("error", `commissioning window: ${String(e)}`);

  async #withdraw(): Promise<void> {
    await this.#o.advertiser?.closeCommissioningWindow();
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
