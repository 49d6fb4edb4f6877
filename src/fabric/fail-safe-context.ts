/**
 * The fail-safe (Core spec 11.10.7.2 ArmFailSafe, 11.10.7.6 CommissioningComplete; conformance doc §2) as a sans-IO state
 * machine: time comes in as milliseconds, cleanup goes out as an ordered list of steps for the driver to execute.
 */
import { ProtocolError } from "../bytes/errors.ts";
import type { FabricIndex } from "./fabric-index.ts";
import { ImStatus } from "./status-codes.ts";

/** BasicCommissioningInfo.FailSafeExpiryLengthSeconds: the commissioner's suggested arming time. */
export const FAILSAFE_EXPIRY_LENGTH_S = 60;
/** BasicCommissioningInfo.MaxCumulativeFailsafeSeconds: the longest a fail-safe stays armed in total. */
export const FAILSAFE_MAX_CUMULATIVE_S = 900;

/** One cleanup action of fail-safe expiry, in the order of conformance §2. */
export type FailSafeCleanupStep =
  | { readonly step: "report-fabrics" }
  | { readonly step: "expire-sessions"; readonly fabricIndex: number }
  | { readonly step: "revert-pending-fabric-data" }
  | { readonly step: "delete-fabric"; readonly fabricIndex: number }
  | { readonly step: "restart-dnssd" }
  | { readonly step: "reset-breadcrumb" };

/** ArmFailSafe outcome: armed/extended, disarmed (with cleanup), or refused. */
export type ArmResult =
  | { readonly result: "armed"; readonly deadlineMs: number }
  | { readonly result: "disarmed"; readonly cleanup: readonly FailSafeCleanupStep[] }
  | { readonly result: "busy-with-other-admin" };

/** CommissioningComplete outcome (GeneralCommissioning CommissioningErrorEnum names). */
export type CommissioningCompleteResult =
  | { readonly result: "ok"; readonly updateNocInvoked: boolean; readonly addNocInvoked: boolean }
  | { readonly result: "no-fail-safe" }
  | { readonly result: "invalid-authentication" };

/** The fail-safe context; one per node. */
export class FailSafeContext {
  readonly #maxCumulativeMs: number;
  #armed = false;
  #busy = false;
  #fabricIndex = 0;
  #armedAtMs = 0;
  #deadlineMs = 0;
  #addNocInvoked = false;
  #updateNocInvoked = false;
  #addTrustedRootInvoked = false;
  #csrRequestForUpdateNoc = false;
  #setVidVerificationStatementInvoked = false;
  #endedBy: "expiry" | "commissioning-complete" | undefined;
  #generation = 0;
  #committing = false;

  constructor(options: { readonly maxCumulativeSeconds?: number } = {}) {
    const max = options.maxCumulativeSeconds ?? FAILSAFE_MAX_CUMULATIVE_S;
    if (!Number.isFinite(max) || max <= 0) throw new RangeError("maxCumulativeSeconds must be positive");
    this.#maxCumulativeMs = max * 1000;
  }

  get armed(): boolean {
    return this.#armed;
  }
  /** True between `expire()` and `cleanupDone()`, while the driver runs the cleanup steps. */
  get busy(): boolean {
    return this.#busy;
  }
  /** The accessing fabric of the arming session (0 for PASE), moved to the new fabric by AddNOC. */
  get fabricIndex(): number {
    return this.#fabricIndex;
  }
  /** When the fail-safe expires (ms); meaningful only while armed. */
  get deadlineMs(): number {
    return this.#deadlineMs;
  }
  get addNocInvoked(): boolean {
    return this.#addNocInvoked;
  }
  get updateNocInvoked(): boolean {
    return this.#updateNocInvoked;
  }
  /** AddNOC or UpdateNOC succeeded in this fail-safe (then CSR, root, AddNOC and UpdateNOC are CONSTRAINT_ERROR). */
  get nocInvoked(): boolean {
    return this.#addNocInvoked || this.#updateNocInvoked;
  }
  get addTrustedRootInvoked(): boolean {
    return this.#addTrustedRootInvoked;
  }
  get csrRequestForUpdateNoc(): boolean {
    return this.#csrRequestForUpdateNoc;
  }
  get setVidVerificationStatementInvoked(): boolean {
    return this.#setVidVerificationStatementInvoked;
  }

  /**
   * How the last armed period ended while disarmed (undefined while armed or never armed): the commissioning window
   * reacts to an expiry (the SDK's kFailSafeTimerExpired event) but not to CommissioningComplete.
   */
  get endedBy(): "expiry" | "commissioning-complete" | undefined {
    return this.#armed ? undefined : this.#endedBy;
  }

  /**
   * The armed period's generation: it changes whenever the fail-safe disarms (expiry, disarm, CommissioningComplete),
   * so a handler that awaited can tell whether the fail-safe it started under is still the one armed.
   */
  get generation(): number {
    return this.#generation;
  }

  /** True between `beginCommit()` and `commissioningComplete()`/`endCommit()`: expiry waits for the commit. */
  get committing(): boolean {
    return this.#committing;
  }

  /** CommissioningComplete starts writing the pending state: until it ends, the timer's `poll` does not expire it. */
  beginCommit(): void {
    if (!this.#armed)
      throw new ProtocolError("fail-safe.disarmed", "no armed fail-safe to commit", ImStatus.FAILSAFE_REQUIRED);
    this.#committing = true;
  }

  /** The commit failed: the fail-safe is armed as before and expires at its deadline (poll again). */
  endCommit(): void {
    this.#committing = false;
  }

  /** IsFailSafeArmed(accessingFabric): armed and armed by (or moved to) this fabric; PASE sessions pass 0. */
  isArmedFor(accessingFabricIndex: number): boolean {
    return this.#armed && this.#fabricIndex === accessingFabricIndex;
  }

  /**
   * ArmFailSafe(expiryLengthSeconds) from a session whose accessing fabric is `accessingFabricIndex` (0 = PASE).
   * Armed by another fabric or busy -> BusyWithOtherAdmin; 0 seconds disarms (the expiry cleanup runs now); otherwise
   * arms or extends, never past armedAt + MaxCumulativeFailsafeSeconds. Re-arming keeps the flags.
   */
  arm(nowMs: number, expiryLengthSeconds: number, accessingFabricIndex: number): ArmResult {
    if (!Number.isInteger(expiryLengthSeconds) || expiryLengthSeconds < 0 || expiryLengthSeconds > 0xffff) {
      throw new RangeError("expiryLengthSeconds must be a uint16");
    }
    if (this.#busy || this.#committing || (this.#armed && this.#fabricIndex !== accessingFabricIndex)) {
      return { result: "busy-with-other-admin" };
    }
    if (expiryLengthSeconds === 0) {
      return { result: "disarmed", cleanup: this.#armed ? this.expire() : [] };
    }
    if (!this.#armed) {
      this.#armed = true;
      this.#fabricIndex = accessingFabricIndex;
      this.#armedAtMs = nowMs;
    }
    this.#deadlineMs = Math.min(nowMs + expiryLengthSeconds * 1000, this.#armedAtMs + this.#maxCumulativeMs);
    return { result: "armed", deadlineMs: this.#deadlineMs };
  }

  /** Cleanup steps when the deadline has passed at `nowMs` (the driver's timer calls this), else undefined. */
  poll(nowMs: number): readonly FailSafeCleanupStep[] | undefined {
    return this.#armed && !this.#committing && nowMs >= this.#deadlineMs ? this.expire() : undefined;
  }

  /**
   * Disarms and returns the cleanup of conformance §2 in order; the context is busy until `cleanupDone()`.
   * Expiring a disarmed context returns no steps.
   */
  expire(): readonly FailSafeCleanupStep[] {
    if (!this.#armed) return [];
    const steps: FailSafeCleanupStep[] = [];
    if (this.#setVidVerificationStatementInvoked) steps.push({ step: "report-fabrics" });
    if (this.nocInvoked) steps.push({ step: "expire-sessions", fabricIndex: this.#fabricIndex });
    steps.push({ step: "revert-pending-fabric-data" });
    if (this.#addNocInvoked) steps.push({ step: "delete-fabric", fabricIndex: this.#fabricIndex });
    if (this.#updateNocInvoked) steps.push({ step: "restart-dnssd" });
    steps.push({ step: "reset-breadcrumb" });
    this.#reset();
    this.#endedBy = "expiry";
    this.#busy = true;
    return steps;
  }

  /** The driver finished the cleanup steps; ArmFailSafe is accepted again. */
  cleanupDone(): void {
    this.#busy = false;
  }

  /**
   * CommissioningComplete from a session (`isCase`, accessing fabric): not armed -> NoFailSafe; not CASE or another
   * fabric -> InvalidAuthentication; else disarms (the caller commits the fabric table and, after UpdateNOC, restarts DNS-SD).
   */
  commissioningComplete(session: {
    readonly isCase: boolean;
    readonly fabricIndex: number;
  }): CommissioningCompleteResult {
    if (!this.#armed) return { result: "no-fail-safe" };
    if (!session.isCase || session.fabricIndex !== this.#fabricIndex) return { result: "invalid-authentication" };
    const result = {
      result: "ok",
      addNocInvoked: this.#addNocInvoked,
      updateNocInvoked: this.#updateNocInvoked,
    } as const;
    this.#reset();
    this.#endedBy = "commissioning-complete";
    return result;
  }

  /** CSRRequest: recorded before any check, even when the command then fails (conformance §1.3 step 0). */
  recordCsrRequest(isForUpdateNoc: boolean): void {
    this.#csrRequestForUpdateNoc = isForUpdateNoc;
  }

  /** AddTrustedRootCertificate succeeded. */
  recordAddTrustedRoot(): void {
    this.#addTrustedRootInvoked = true;
  }

  /** AddNOC succeeded: from now on only sessions of the new fabric match (§2). Refused on a disarmed fail-safe. */
  recordAddNoc(newFabricIndex: FabricIndex): void {
    this.#requireArmed("AddNOC");
    this.#addNocInvoked = true;
    this.#fabricIndex = newFabricIndex;
  }

  /** UpdateNOC succeeded. Refused on a disarmed fail-safe. */
  recordUpdateNoc(): void {
    this.#requireArmed("UpdateNOC");
    this.#updateNocInvoked = true;
  }

  /** SetVIDVerificationStatement succeeded while armed. */
  recordSetVidVerificationStatement(): void {
    this.#setVidVerificationStatementInvoked = true;
  }

  #requireArmed(what: string): void {
    if (!this.#armed || this.#committing) {
      throw new ProtocolError(
        "fail-safe.disarmed",
        `${what} recorded without an armed fail-safe`,
        ImStatus.FAILSAFE_REQUIRED,
      );
    }
  }

  #reset(): void {
    this.#generation++;
    this.#committing = false;
    this.#armed = false;
    this.#fabricIndex = 0;
    this.#armedAtMs = 0;
    this.#deadlineMs = 0;
    this.#addNocInvoked = false;
    this.#updateNocInvoked = false;
    this.#addTrustedRootInvoked = false;
    this.#csrRequestForUpdateNoc = false;
    this.#setVidVerificationStatementInvoked = false;
  }
}
