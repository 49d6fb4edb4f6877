/**
 * The node's commissioning window (Core spec 5.4.2.3 / 5.5, the SDK's CommissioningWindowManager): opens the secure
 * channel's PASE responder with a verifier (the onboarding passcode for the basic window, the Administrator's for an
 * enhanced one) and advertises `_matterc._udp` while it listens. Once a PASE session is established on it the window
 * stops listening and advertising but stays open (WindowStatus and the admin fields keep their values) until the
 * commissioning ends: CommissioningComplete, RevokeCommissioning, or the fail-safe expiring or being disarmed.
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
import type { SecureChannelEffect } from "../sc/secure-channel-endpoint.ts";
import type { SessionManager } from "../sc/session-manager.ts";
import type { CiaoAdvertiser } from "./mdns/ciao-advertiser.ts";
import { CommissioningMode } from "./mdns/dnssd-services.ts";
import type { NodeLogger } from "./node-config.ts";
import type { TransportDriver } from "./transport-driver.ts";

/** Salt length of the basic window's PBKDF parameters (Core 3.9: 16..32 bytes). */
export const BASIC_WINDOW_SALT_BYTES = 32;

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
}

/** One commissioning window at a time, basic or enhanced. */
export class CommissioningWindow implements CommissioningWindowController {
  readonly #o: CommissioningWindowOptions;
  #admin: AdministratorCommissioningServer | undefined;
  #timer: NodeJS.Timeout | undefined;
  #basic: { verifier: PaseVerifier; pbkdf: PbkdfParameters } | undefined;
  #open: "basic" | "enhanced" | undefined;
  /** True while the secure channel answers PBKDFParamRequest for this window (false once PASE is established). */
  #listening = false;
  /** The PASE session established on this window (the SDK's mPASESession), while the commissioning runs. */
  #paseSessionId: number | undefined;

  constructor(options: CommissioningWindowOptions) {
    this.#o = options;
    options.sessions.onSessionEnded((session) => this.#sessionEnded(session.localSessionId));
  }

  /** The Administrator Commissioning cluster that reports the window (set once both exist). */
  attach(admin: AdministratorCommissioningServer): void {
    this.#admin = admin;
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

  /** Closes the window (RevokeCommissioning, timeout, CommissioningComplete, shutdown): the SDK's Cleanup. */
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
   * on the open window (armed over it, or moved by AddNOC to the fabric that session was bound to), expires it now
   * with the full cleanup and returns the cleanup's effects; otherwise (no window, still listening, a fail-safe of
   * another session) leaves it alone and returns none.
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
        this.#paseSessionId = e.session.localSessionId;
      }
    }
  }

  /**
   * The fail-safe was disarmed (expiry, ArmFailSafe(0), RevokeCommissioning, CommissioningComplete): a window whose
   * commissioning was running is cleaned up. The SDK tries to listen again on a failed attempt, which fails because
   * the window timer was cancelled at session establishment, so it runs Cleanup.
   */
  failSafeDisarmed(): void {
    if (this.#open === undefined || this.#listening || this.#o.failSafe.armed) return;
    this.#cleanup("fail-safe disarmed");
  }

  #paseEstablished(): void {
    if (this.#open === undefined || !this.#listening) return;
    // SDK OnSessionEstablished: stop listening for PASE and advertising, cancel the window timeout; mWindowStatus and
    // the opener fields stay until Cleanup.
    this.#cancelTimer();
    this.#listening = false;
    this.#o.logger("info", `commissioning window stops listening (PASE session established, ${this.#open})`);
    this.#withdraw().catch((e: unknown) => this.#o.logger("error", `commissioning window: ${String(e)}`));
  }

  #closedAfterFailedAttempts(): void {
    this.#cancelTimer();
    if (this.#open === undefined) return;
    this.#reset();
    this.#o.logger("info", "commissioning window closed (failed-attempts)");
    this.#admin?.windowClosed();
    this.#withdraw().catch((e: unknown) => this.#o.logger("error", `commissioning window: ${String(e)}`));
  }

  #sessionEnded(localSessionId: number): void {
    if (localSessionId !== this.#paseSessionId) return;
    this.#paseSessionId = undefined;
    // A fail-safe armed over the session keeps the commissioning alive until it expires or completes.
    if (this.#open !== undefined && !this.#listening && !this.#o.failSafe.armed) this.#cleanup("PASE session ended");
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
    this.#paseSessionId = undefined;
  }

  async #openWith(
    kind: "basic" | "enhanced",
    verifier: PaseVerifier,
    pbkdfParameters: PbkdfParameters,
    discriminator: number,
    closesAt: number,
  ): Promise<void> {
    this.#cancelTimer();
    this.#o.transport.act((now) =>
      this.#o.transport.endpoint.openCommissioningWindow(now, { verifier, pbkdfParameters }),
    );
    this.#open = kind;
    this.#listening = true;
    this.#paseSessionId = undefined;
    if (closesAt !== Number.MAX_SAFE_INTEGER) {
      this.#timer = setTimeout(
        () => {
          this.#timer = undefined;
          const admin = this.#admin;
          const done = admin !== undefined ? admin.timerFired(this.#o.clock()) : this.closeWindow();
          done.catch((e: unknown) => this.#o.logger("error", `window timer: ${String(e)}`));
        },
        Math.max(0, closesAt - this.#o.clock()),
      );
    }
    this.#o.logger("info", `commissioning window open (${kind}, discriminator ${discriminator})`);
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

  #basicVerifier(): { verifier: PaseVerifier; pbkdf: PbkdfParameters } {
    if (this.#basic === undefined) {
      // The verifier is computed once per process: PBKDF2 with a fresh salt, the minimum iteration count.
      const pbkdf = { iterations: PBKDF_ITERATIONS_MIN, salt: this.#o.crypto.randomBytes(BASIC_WINDOW_SALT_BYTES) };
      this.#basic = { verifier: computePaseVerifier(this.#o.crypto, this.#o.passcode, pbkdf), pbkdf };
    }
    return this.#basic;
  }

  async #withdraw(): Promise<void> {
    await this.#o.advertiser?.closeCommissioningWindow();
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
