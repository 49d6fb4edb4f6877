/**
 * The node's commissioning window (Core spec 5.4.2.3 / 5.5, the SDK's CommissioningWindowManager): opens the secure
 * channel's PASE responder with a verifier (the onboarding passcode for the basic window, the Administrator's for an
 * enhanced one), advertises `_matterc._udp` while open, and closes both on timeout, on establishment or on request.
 */
import type {
  AdministratorCommissioningServer,
  CommissioningWindowController,
  EnhancedWindowParameters,
} from "../clusters/administrator-commissioning/administrator-commissioning.ts";
import type { Crypto } from "../crypto/crypto.ts";
import type { AfterResponseEffect } from "../im/data-model.ts";
import {
  computePaseVerifier,
  type PaseVerifier,
  PBKDF_ITERATIONS_MIN,
  type PbkdfParameters,
} from "../sc/pase/pase-verifier.ts";
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
}

/** One commissioning window at a time, basic or enhanced. */
export class CommissioningWindow implements CommissioningWindowController {
  readonly #o: CommissioningWindowOptions;
  #admin: AdministratorCommissioningServer | undefined;
  #timer: NodeJS.Timeout | undefined;
  #basic: { verifier: PaseVerifier; pbkdf: PbkdfParameters } | undefined;
  #open: "basic" | "enhanced" | undefined;

  constructor(options: CommissioningWindowOptions) {
    this.#o = options;
  }

  /** The Administrator Commissioning cluster that reports the window (set once both exist). */
  attach(admin: AdministratorCommissioningServer): void {
    this.#admin = admin;
  }

  /** The kind of window open now. */
  get open(): "basic" | "enhanced" | undefined {
    return this.#open;
  }

  /**
   * Opens the basic window with the onboarding passcode (boot without fabrics, last fabric removed); `seconds`
   * undefined keeps it open until a PASE session is established or it is closed.
   */
  async openBasic(seconds: number | undefined): Promise<void> {
    if (this.#basic === undefined) {
      // The verifier is computed once per process: PBKDF2 with a fresh salt, the minimum iteration count.
      const pbkdf = { iterations: PBKDF_ITERATIONS_MIN, salt: this.#o.crypto.randomBytes(BASIC_WINDOW_SALT_BYTES) };
      this.#basic = { verifier: computePaseVerifier(this.#o.crypto, this.#o.passcode, pbkdf), pbkdf };
    }
    const closesAt = seconds === undefined ? Number.MAX_SAFE_INTEGER : this.#o.clock() + seconds * 1000;
    await this.#openWith("basic", this.#basic.verifier, this.#basic.pbkdf, this.#o.discriminator, closesAt);
    this.#admin?.nodeWindowOpened("basic", closesAt);
  }

  /** AdministratorCommissioning.OpenCommissioningWindow. */
  async openEnhancedWindow(params: EnhancedWindowParameters): Promise<void> {
    await this.#openWith("enhanced", params.verifier, params.pbkdf, params.discriminator, params.closesAt);
  }

  /** Closes the window (RevokeCommissioning, timeout, shutdown). */
  async closeWindow(): Promise<void> {
    this.#cancelTimer();
    if (this.#open === undefined) return;
    this.#open = undefined;
    this.#o.transport.act((now) => this.#o.transport.endpoint.closeCommissioningWindow(now));
    await this.#withdraw();
  }

  /**
   * The SDK's ExpireFailSafeIfHeldByOpenPASESession. Not tracked here: which session armed the fail-safe is not exposed
   * by the fail-safe context, so RevokeCommissioning leaves an armed fail-safe to its own timer.
   */
  async expireFailSafeIfHeldByPaseSession(): Promise<readonly AfterResponseEffect[]> {
    return [];
  }

  /** The secure channel closed the window itself (a PASE session was established, or 20 attempts failed). */
  async closedBySecureChannel(reason: string): Promise<void> {
    this.#cancelTimer();
    if (this.#open === undefined) return;
    this.#o.logger("info", `commissioning window closed (${reason})`);
    this.#open = undefined;
    this.#admin?.windowClosed();
    await this.#withdraw();
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

  async #withdraw(): Promise<void> {
    await this.#o.advertiser?.closeCommissioningWindow();
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
