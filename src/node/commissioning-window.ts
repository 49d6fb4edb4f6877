/**
 * The node's commissioning window (Core spec 5.4.2.3 / 5.5, the SDK's CommissioningWindowManager of the 1.4 line):
 * opens the secure channel's PASE responder with a verifier (the onboarding passcode for the basic window, the
 * Administrator's for an enhanced one) and advertises `_matterc._udp` while it listens. Once a PASE session is
 * established on it the window stops listening and advertising and arms the fail-safe for that session; the window
 * stays open (WindowStatus and the admin fields keep their values, its timeout keeps running). The commissioning then
 * ends with CommissioningComplete (the window closes), RevokeCommissioning (the fail-safe held by the session expires,
 * the window closes), or the fail-safe expiring (timer, ArmFailSafe(0), the PASE session released): the session is
 * evicted, the attempt counts as failed and the window listens again (fewer than 20 failed attempts, timeout not
 * fired) or closes.
 */
import type {
  AdministratorCommissioningServer,
  BasicWindowParameters,
  CommissioningWindowController,
  EnhancedWindowParameters,
} from "../clusters/administrator-commissioning/administrator-commissioning.ts";
import type { Crypto } from "../crypto/crypto.ts";
import type { FailSafeContext } from "../fabric/fail-safe-context.ts";
import type { AfterResponseEffect } from "../im/data-model.ts";
import {
  computePaseVerifier,
  type PaseVerifier,
  PBKDF_ITERATIONS_MIN,
  type PbkdfParameters,
} from "../sc/pase/pase-verifier.ts";
import type { SecureChannelEffect } from "../sc/secure-channel-effect.ts";
import type { SessionManager } from "../sc/session-manager.ts";
import type { CiaoAdvertiser } from "./mdns/ciao-advertiser.ts";
import { CommissioningMode } from "./mdns/dnssd-services.ts";
import type { NodeLogger } from "./node-config.ts";
import type { TransportDriver } from "./transport-driver.ts";

/** Salt length of the basic window's PBKDF parameters (Core 3.9: 16..32 bytes). */
const BASIC_WINDOW_SALT_BYTES = 32;
/** The SDK's kMaxFailedCommissioningAttempts (Core 5.5: exit commissioning mode after 20 failed attempts). */
export const MAX_FAILED_COMMISSIONING_ATTEMPTS = 20;

/** What the window manager works with. */
export interface CommissioningWindowOptions {
  readonly crypto: Crypto;
  readonly transport: TransportDriver;
  readonly advertiser: CiaoAdvertiser | undefined;
  readonly clock: () => number;
  readonly passcode: number;
  readonly discriminator: number;
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
  #admin: AdministratorCommissioningServer | undefined;
  readonly #openedListeners = new Set<(kind: "basic" | "enhanced") => void>();
  #timer: NodeJS.Timeout | undefined;
  #basic: { verifier: PaseVerifier; pbkdf: PbkdfParameters } | undefined;
  #open: "basic" | "enhanced" | undefined;
  /** True while the secure channel answers PBKDFParamRequest for this window (false once PASE is established). */
  #listening = false;
  /**
   * The PASE session established on this window (the SDK's mPASESession), while the commissioning over it runs; it
   * outlives a window closed by its timeout or RevokeCommissioning (the SDK's holder is not reset by Cleanup).
   */
  #paseSessionId: number | undefined;
  /** What the window listens with, to listen again after a failed attempt. */
  #params: { verifier: PaseVerifier; pbkdf: PbkdfParameters; discriminator: number } | undefined;
  /** The SDK's mCommissioningTimeoutTimerArmed: true for a window without timeout (the boot window). */
  #timeoutArmed = false;
  /** The SDK's mFailedCommissioningAttempts: fail-safe expiries of this window's commissionings. */
  #failedAttempts = 0;

  constructor(options: CommissioningWindowOptions) {
    this.#o = options;
    options.sessions.onSessionEnded((session) => this.#sessionEnded(session.localSessionId));
  }

  /** The Administrator Commissioning cluster that reports the window (set once both exist). */
  attach(admin: AdministratorCommissioningServer): void {
    this.#admin = admin;
  }

  /** Calls `listener` each time a window opens and listens (after its advertisement); returns the unsubscribe function. */
  onOpened(listener: (kind: "basic" | "enhanced") => void): () => void {
    this.#openedListeners.add(listener);
    return () => void this.#openedListeners.delete(listener);
  }

  /** The kind of window open now (also while the commissioning over its PASE session runs). */
  get open(): "basic" | "enhanced" | undefined {
    return this.#open;
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
    const basic = this.#basicVerifier();
    await this.#openWith("basic", basic.verifier, basic.pbkdf, this.#o.discriminator, closesAt);
    this.#admin?.nodeWindowOpened("basic", closesAt);
  }

  /** AdministratorCommissioning.OpenBasicCommissioningWindow (BC feature): the onboarding passcode, a timer. */
  async openBasicWindow(params: BasicWindowParameters): Promise<void> {
    const basic = this.#basicVerifier();
    await this.#openWith("basic", basic.verifier, basic.pbkdf, this.#o.discriminator, params.closesAt);
  }

  /** AdministratorCommissioning.OpenCommissioningWindow. */
  async openEnhancedWindow(params: EnhancedWindowParameters): Promise<void> {
    await this.#openWith("enhanced", params.verifier, params.pbkdf, params.discriminator, params.closesAt);
  }

  /**
   * Closes the window (RevokeCommissioning, timeout, CommissioningComplete, shutdown): the SDK's
   * CloseCommissioningWindow / Cleanup. An established PASE session and the fail-safe it holds are left alone (the
   * session is still followed: its release expires the fail-safe, the SDK's OnSessionReleased).
   */
  async closeWindow(): Promise<void> {
    this.#cancelTimer();
    if (this.#open === undefined) return;
    const wasListening = this.#listening;
    this.#reset();
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
    if (this.#open === undefined || this.#listening || this.#paseSessionId === undefined) return [];
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
        this.#open !== undefined &&
        !this.#listening &&
        this.#paseSessionId === undefined
      ) {
        this.#paseSessionSetUp(e.session.localSessionId);
      }
    }
  }

  /**
   * The fail-safe was disarmed (the node's "fail-safe-timer" effect with no deadline). Only an expiry concerns the
   * window (the SDK's kFailSafeTimerExpired event: the timer, ArmFailSafe(0), ForceFailSafeTimerExpiry); the SDK
   * handles it only while the window is open with an established PASE session (its event handler is added at
   * OnSessionEstablished and removed by Cleanup). CommissioningComplete closes the window by its own effect.
   */
  failSafeDisarmed(): void {
    // endedBy is undefined while the fail-safe is armed.
    if (this.#open === undefined || this.#listening || this.#o.failSafe.endedBy !== "expiry") return;
    // SDK OnPlatformEvent(kFailSafeTimerExpired): evict the window's PASE session, then HandleFailedAttempt.
    const pase = this.#paseSessionId;
    this.#paseSessionId = undefined;
    if (pase !== undefined && this.#o.sessions.get(pase) !== undefined) {
      this.#o.logger("info", `PASE session ${pase} evicted (fail-safe expired)`);
      this.#o.transport.act((now) => this.#o.transport.endpoint.closeSession(now, pase));
    }
    this.#handleFailedAttempt("fail-safe expired");
  }

  #paseEstablished(): void {
    if (this.#open === undefined || !this.#listening) return;
    // SDK OnSessionEstablished: stop listening for PASE and advertising (StopAdvertisement). The window timeout keeps
    // running (the 1.4 SDK no longer cancels it here); mWindowStatus and the opener fields stay until Cleanup.
    this.#listening = false;
    this.#o.logger("info", `commissioning window stops listening (PASE session established, ${this.#open})`);
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
    this.#failedAttempts++;
    this.#o.logger("info", `commissioning failed (attempt ${this.#failedAttempts}): ${reason}`);
    if (this.#open !== undefined && this.#failedAttempts < MAX_FAILED_COMMISSIONING_ATTEMPTS && this.#timeoutArmed) {
      this.#advertiseAndListen().catch(this.#report);
      return;
    }
    this.#cleanup(reason);
  }

  #closedAfterFailedAttempts(): void {
    if (this.#open === undefined) return;
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
    this.#admin?.windowClosed();
  }

  #reset(): void {
    this.#open = undefined;
    this.#listening = false;
    this.#params = undefined;
    this.#timeoutArmed = false;
  }

  async #openWith(
    kind: "basic" | "enhanced",
    verifier: PaseVerifier,
    pbkdf: PbkdfParameters,
    discriminator: number,
    closesAt: number,
  ): Promise<void> {
    // SDK OpenBasicCommissioningWindow / OpenEnhancedCommissioningWindow: the failed attempts start at 0, the timeout
    // timer is armed (a window without timeout counts as armed), then AdvertiseAndListenForPASE.
    this.#cancelTimer();
    this.#open = kind;
    // A new window follows the PASE session established on it (the SDK grabs mPASESession anew).
    this.#paseSessionId = undefined;
    this.#params = { verifier, pbkdf, discriminator };
    this.#failedAttempts = 0;
    this.#timeoutArmed = true;
    if (closesAt !== Number.MAX_SAFE_INTEGER) {
      this.#timer = setTimeout(
        () => {
          // SDK HandleCommissioningWindowTimeout: mCommissioningTimeoutTimerArmed = false, CloseCommissioningWindow.
          this.#timer = undefined;
          this.#timeoutArmed = false;
          const admin = this.#admin;
          // Never before closesAt: a Node timer may fire while the clock still reads a little earlier.
          const now = Math.max(this.#o.clock(), closesAt);
          const done = admin !== undefined ? admin.timerFired(now) : this.closeWindow();
          done.catch((e: unknown) => this.#o.logger("error", `window timer: ${String(e)}`));
        },
        Math.max(0, closesAt - this.#o.clock()),
      );
    }
    this.#o.logger("info", `commissioning window open (${kind}, discriminator ${discriminator})`);
    await this.#advertiseAndListen();
    for (const l of [...this.#openedListeners]) l(kind);
  }

  /** SDK AdvertiseAndListenForPASE: answer PBKDFParamRequest with the window's verifier and advertise as commissionable. */
  async #advertiseAndListen(): Promise<void> {
    const kind = this.#open;
    const p = this.#params;
    if (kind === undefined || p === undefined) return;
    // The secure channel counts failed PASE handshakes itself; it gets the attempts this window has left.
    const maxFailedAttempts = MAX_FAILED_COMMISSIONING_ATTEMPTS - this.#failedAttempts;
    this.#o.transport.act((now) =>
      this.#o.transport.endpoint.openCommissioningWindow(now, {
        verifier: p.verifier,
        pbkdfParameters: p.pbkdf,
        maxFailedAttempts,
      }),
    );
    this.#listening = true;
    if (this.#failedAttempts > 0) this.#o.logger("info", `commissioning window listens again (${kind})`);
    if (this.#o.advertiser !== undefined) {
      await this.#o.advertiser.openCommissioningWindow({
        discriminator: p.discriminator,
        commissioningMode: kind === "basic" ? CommissioningMode.Basic : CommissioningMode.Enhanced,
        vendorId: this.#o.vendorId,
        productId: this.#o.productId,
        deviceType: this.#o.deviceType,
        deviceName: this.#o.deviceName,
      });
    }
  }

  #basicVerifier(): { verifier: PaseVerifier; pbkdf: PbkdfParameters } {
    if (this.#basic === undefined) {
      // The verifier is computed once per process: PBKDF2 with a fresh salt, the minimum iteration count.
      const pbkdf = { iterations: PBKDF_ITERATIONS_MIN, salt: this.#o.crypto.randomBytes(BASIC_WINDOW_SALT_BYTES) };
      this.#basic = { verifier: computePaseVerifier(this.#o.crypto, this.#o.passcode, pbkdf), pbkdf };
    }
    return this.#basic;
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
