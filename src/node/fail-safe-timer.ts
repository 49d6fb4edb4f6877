/**
 * The fail-safe's timer (Core 11.10.7.2, the SDK's FailSafeContext timer): follows the deadline the General
 * Commissioning cluster reports after each response ("fail-safe-timer" effects), arms the fail-safe for the PASE
 * session the commissioning window establishes, and runs the expiry when the timer fires or the SDK's
 * ForceFailSafeTimerExpiry asks for it. The expiry's cleanup returns effects: they go to the node's reactions.
 */
import type { GeneralCommissioningServer } from "../clusters/general-commissioning/general-commissioning.ts";
import type { FailSafeContext } from "../fabric/fail-safe-context.ts";
import type { AfterResponseEffect } from "../im/data-model.ts";
import type { LifecycleLog } from "./lifecycle-log.ts";
import type { NodeContext } from "./node-context.ts";

/** The one timer of the node's fail-safe. */
export class FailSafeTimer {
  readonly #ctx: NodeContext;
  readonly #failSafe: FailSafeContext;
  readonly #generalCommissioning: GeneralCommissioningServer;
  readonly #lifecycle: LifecycleLog;
  readonly #expiredListeners = new Set<(effects: readonly AfterResponseEffect[]) => void>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    ctx: NodeContext,
    failSafe: FailSafeContext,
    generalCommissioning: GeneralCommissioningServer,
    lifecycle: LifecycleLog,
  ) {
    this.#ctx = ctx;
    this.#failSafe = failSafe;
    this.#generalCommissioning = generalCommissioning;
    this.#lifecycle = lifecycle;
  }

  /** Calls `listener` with the effects of each expiry's cleanup; returns the unsubscribe function. */
  onExpired(listener: (effects: readonly AfterResponseEffect[]) => void): () => void {
    this.#expiredListeners.add(listener);
    return () => void this.#expiredListeners.delete(listener);
  }

  /** A "fail-safe-timer" effect: fire at `at` (clock ms), or not at all (`null`, the fail-safe was disarmed). */
  follow(at: number | null): void {
    const { clock, timers } = this.#ctx;
    this.#lifecycle.failSafeTimer(at, clock(), this.#failSafe.endedBy);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (at === null) return;
    this.#timer = timers.at(at, (now) => {
      this.#timer = undefined;
      this.expire(now);
    });
  }

  /**
   * CommissioningWindowManager::OnSessionEstablished arms the fail-safe for the PASE session (fabric index
   * undefined = 0, CHIP_DEVICE_CONFIG_FAILSAFE_EXPIRY_LENGTH_SEC); its timer runs like one armed by ArmFailSafe. False
   * when it cannot be armed.
   */
  armForPaseSession(): boolean {
    const armed = this.#failSafe.arm(this.#ctx.clock(), this.#ctx.config.failSafeExpirySeconds, 0);
    if (armed.result !== "armed") return false;
    this.follow(armed.deadlineMs);
    return true;
  }

  /**
   * The timer fired at `now`, or (at +Infinity, past any deadline) the SDK's ForceFailSafeTimerExpiry: the expiry's
   * full cleanup, its effects to the `onExpired` listeners. Nothing once closed: shutdown closes every session, and
   * the fail-safe's state is not persisted anyway.
   */
  expire(now: number): void {
    if (this.#closed) return;
    this.#lifecycle.failSafeExpired(now === Number.POSITIVE_INFINITY ? "forced" : "its timer fired");
    this.#generalCommissioning
      .failSafeTimerFired(now)
      .then((effects) => {
        for (const listener of [...this.#expiredListeners]) listener(effects);
      })
      .catch(this.#ctx.report("fail-safe"));
  }

  /** The node stops: no expiry runs any more (the timer itself is one of the node's timers, cleared with them). */
  close(): void {
    this.#closed = true;
  }
}
