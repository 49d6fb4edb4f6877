/**
 * The commissioning window (Core spec 5.4.2.3, 5.5, 11.19.7), sans-IO: the one record of whether a window is open, basic
 * or enhanced, with which verifier and PBKDF parameters and discriminator, until when, who opened it (AdminFabricIndex,
 * AdminVendorId, WindowStatus), how many attempts failed and until when a failed attempt holds it. The secure channel,
 * the Administrator Commissioning cluster and the node read and drive this object; none keeps a copy.
 */
import type { PaseVerifier, PbkdfParameters } from "./pase/pase-verifier.ts";

/** The SDK's kMaxFailedCommissioningAttempts (Core 5.5: exit commissioning mode after 20 failed attempts). */
export const MAX_FAILED_COMMISSIONING_ATTEMPTS = 20;

/** CommissioningWindowStatusEnum (Core 11.19.5.1). BasicWindowOpen needs the BC feature. */
export const CommissioningWindowStatus = { WindowNotOpen: 0, EnhancedWindowOpen: 1, BasicWindowOpen: 2 } as const;
/** One CommissioningWindowStatusEnum value. */
export type CommissioningWindowStatus = (typeof CommissioningWindowStatus)[keyof typeof CommissioningWindowStatus];

/** What a PASE responder answers PBKDFParamRequest with. */
export interface PaseParameters {
  readonly verifier: PaseVerifier;
  readonly pbkdfParameters: PbkdfParameters;
}

/** The Administrator that opened a window with the Administrator Commissioning cluster. */
export interface WindowOpener {
  readonly fabricIndex: number;
  readonly vendorId: number;
}

/** An enhanced window: an Administrator's verifier and discriminator. */
export interface EnhancedWindow extends PaseParameters {
  readonly discriminator: number;
  /** When the window closes (ms); Number.MAX_SAFE_INTEGER for none. */
  readonly closesAt: number;
}

/** The attributes of the window the Administrator Commissioning cluster reports, in attribute id order. */
export type WindowAttribute = "windowStatus" | "adminFabricIndex" | "adminVendorId";

type Open = EnhancedWindow & {
  readonly kind: "basic" | "enhanced";
  adminFabricIndex: number | null;
  adminVendorId: number | null;
  readonly openedByAdministrator: boolean;
};

/** The node's one commissioning window. */
export class CommissioningWindowState {
  readonly #basic: () => PaseParameters & { readonly discriminator: number };
  readonly #listeners: ((changed: readonly WindowAttribute[]) => void)[] = [];
  #open: Open | undefined;
  /**
   * The SDK's mFailedCommissioningAttempts: PASE handshakes that started and failed, and commissionings over an
   * established PASE session that ended by the fail-safe expiring. Counted here only.
   */
  #failedAttempts = 0;
  /** New PASE handshakes get Busy until then: a failed attempt holds the window until its start plus the timeout. */
  #heldUntil = 0;

  /** `basic` gives the onboarding passcode's verifier and discriminator (asked for when a basic window opens). */
  constructor(basic: () => PaseParameters & { readonly discriminator: number }) {
    this.#basic = basic;
  }

  /** Calls `listener` with the reported attributes whose value changed, in attribute id order. */
  onChange(listener: (changed: readonly WindowAttribute[]) => void): void {
    this.#listeners.push(listener);
  }

  /** The kind of window open now (also while the commissioning over its PASE session runs). */
  get kind(): "basic" | "enhanced" | undefined {
    return this.#open?.kind;
  }

  /** True while a window is open (the SDK's IsCommissioningWindowOpen). */
  get isOpen(): boolean {
    return this.#open !== undefined;
  }

  /** The verifier and PBKDF parameters of the open window. */
  get pase(): PaseParameters | undefined {
    return this.#open;
  }

  /** The discriminator the open window advertises. */
  get discriminator(): number | undefined {
    return this.#open?.discriminator;
  }

  /** When the open window closes (ms); Number.MAX_SAFE_INTEGER for none. */
  get closesAt(): number | undefined {
    return this.#open?.closesAt;
  }

  /**
   * WindowStatus (Core 11.19.7.1): whether an Administrator opened a window with the cluster. The SDK's
   * CommissioningWindowStatusForCluster answers WindowNotOpen while the opener vendor id is null ("not opened via the
   * cluster"), e.g. for the boot window.
   */
  get windowStatus(): CommissioningWindowStatus {
    const w = this.#open;
    if (w === undefined || !w.openedByAdministrator) return CommissioningWindowStatus.WindowNotOpen;
    return w.kind === "enhanced"
      ? CommissioningWindowStatus.EnhancedWindowOpen
      : CommissioningWindowStatus.BasicWindowOpen;
  }

  /** AdminFabricIndex (Core 11.19.7.2). */
  get adminFabricIndex(): number | null {
    return this.#open?.adminFabricIndex ?? null;
  }

  /** AdminVendorId (Core 11.19.7.3). */
  get adminVendorId(): number | null {
    return this.#open?.adminVendorId ?? null;
  }

  /** Failed attempts in the open window. */
  get failedAttempts(): number {
    return this.#failedAttempts;
  }

  /** True once the open window is out of attempts: the commissionee SHALL exit commissioning mode (Core 5.5). */
  get outOfAttempts(): boolean {
    return this.#failedAttempts >= MAX_FAILED_COMMISSIONING_ATTEMPTS;
  }

  /** Opens the basic window (the onboarding passcode); `opener` when an Administrator opened it with the cluster. */
  openBasic(closesAt: number, opener?: WindowOpener): void {
    const basic = this.#basic();
    this.#set({ ...basic, closesAt, kind: "basic", ...admin(opener) });
  }

  /** Opens an enhanced window an Administrator asked for with OpenCommissioningWindow. */
  openEnhanced(window: EnhancedWindow, opener: WindowOpener): void {
    this.#set({ ...window, kind: "enhanced", ...admin(opener) });
  }

  /** Closes the window (timeout, RevokeCommissioning, CommissioningComplete, out of attempts, shutdown). */
  close(): void {
    this.#set(undefined);
  }

  /**
   * A fabric was removed: it no longer names the window's opener (Core 11.19.7.2); the window stays open. Only
   * AdminFabricIndex is cleared: AdminVendorId keeps the opener's vendor until the window closes, as in the SDK
   * (src/app/server/CommissioningWindowManager.cpp, OnFabricRemoved clears the opener fabric index only).
   */
  fabricRemoved(fabricIndex: number): void {
    const w = this.#open;
    if (w === undefined || w.adminFabricIndex !== fabricIndex) return;
    const before = this.#snapshot();
    w.adminFabricIndex = null;
    this.#report(before);
  }

  /** One more failed attempt: a PASE handshake that started and failed, or a commissioning whose fail-safe expired. */
  attemptFailed(): void {
    this.#failedAttempts++;
  }

  /**
   * A failed PASE attempt holds the window until `at` (its start plus the handshake timeout). [DIFF] The SDK's
   * CommissioningWindowManager.cpp (HandleFailedAttempt) listens again at once, so a stranger can spend the 20 attempts
   * in seconds and lock the window; here the budget lasts at least 20 handshake timeouts.
   */
  holdUntil(at: number): void {
    this.#heldUntil = Math.max(this.#heldUntil, at);
  }

  /** The time (ms) a PASE handshake starting at `now` must wait for a failed attempt's hold; undefined when none. */
  heldFor(now: number): number | undefined {
    return now < this.#heldUntil ? this.#heldUntil - now : undefined;
  }

  #set(next: Open | undefined): void {
    const before = this.#snapshot();
    // A new window starts with no failed attempt and no hold (the SDK resets mFailedCommissioningAttempts on open).
    if (next !== undefined) {
      this.#failedAttempts = 0;
      this.#heldUntil = 0;
    }
    this.#open = next;
    this.#report(before);
  }

  #snapshot(): Record<WindowAttribute, number | null> {
    return {
      windowStatus: this.windowStatus,
      adminFabricIndex: this.adminFabricIndex,
      adminVendorId: this.adminVendorId,
    };
  }

  #report(before: Record<WindowAttribute, number | null>): void {
    const after = this.#snapshot();
    const changed = (["windowStatus", "adminFabricIndex", "adminVendorId"] as const).filter(
      (a) => before[a] !== after[a],
    );
    if (changed.length === 0) return;
    for (const l of [...this.#listeners]) l(changed);
  }
}

const admin = (opener: WindowOpener | undefined) => ({
  openedByAdministrator: opener !== undefined,
  adminFabricIndex: opener?.fabricIndex ?? null,
  adminVendorId: opener?.vendorId ?? null,
});
