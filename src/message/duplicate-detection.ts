/**
 * Message reception state and duplicate detection (Core spec 4.6.5): per peer, the largest counter seen and a bitmap of
 * the MSG_COUNTER_WINDOW_SIZE (32) counters at and behind it. Secure unicast counters never roll over; group and
 * unencrypted counters do, and an unencrypted counter far behind the window resets the state (the peer rebooted).
 */

/** MSG_COUNTER_WINDOW_SIZE (4.6.5): how many counters at and behind the maximum are tracked. */
export const MSG_COUNTER_WINDOW_SIZE = 32;

/**
 * Which counter rules apply (4.6.5.1-4.6.5.3): "secure-unicast" (no rollover; counters behind the window are
 * duplicates), "group" (rollover; behind the window is a duplicate), "unencrypted" (rollover; behind the window resets).
 */
export type CounterRules = "secure-unicast" | "group" | "unencrypted";

/** The verdict on a received counter. */
export type CounterVerdict = "new" | "duplicate";

const HALF_RANGE = 2 ** 31;
const RANGE = 2 ** 32;

/**
 * The reception state for one peer. `check` is pure; `commit` records a counter once its message was authenticated,
 * so that a forged message cannot advance the window (4.6.5: "after the message has been successfully decrypted").
 */
export class MessageReceptionState {
  readonly rules: CounterRules;
  #synced: boolean;
  #max = 0;
  /** Bit i set: counter (max - i) was received. Bit 0 is the max itself. */
  #bitmap = 0;

  /**
   * Secure unicast sessions start synchronized at 0 (counters start at >= 1, 4.6.1.1): pass `initialMax` = 0.
   * Group and unencrypted peers start unsynchronized: the first message is trusted and sets the maximum.
   */
  constructor(rules: CounterRules, initialMax?: number) {
    this.rules = rules;
    if (initialMax !== undefined) {
      this.#synced = true;
      this.#max = initialMax;
      this.#bitmap = 1;
    } else {
      this.#synced = rules === "secure-unicast";
      if (this.#synced) this.#bitmap = 1;
    }
  }

  /** The largest counter recorded (0 before any). */
  get maxCounter(): number {
    return this.#max;
  }

  #position(counter: number): { kind: "ahead"; by: number } | { kind: "window"; offset: number } | { kind: "behind" } {
    if (this.rules === "secure-unicast") {
      if (counter > this.#max) return { kind: "ahead", by: counter - this.#max };
      const offset = this.#max - counter;
      return offset < MSG_COUNTER_WINDOW_SIZE ? { kind: "window", offset } : { kind: "behind" };
    }
    // 4.6.5.2: with rollover, counters in (max, max + 2^31) mod 2^32 are ahead, all others behind.
    const ahead = (counter - this.#max + RANGE) % RANGE;
    if (ahead !== 0 && ahead < HALF_RANGE) return { kind: "ahead", by: ahead };
    const offset = (this.#max - counter + RANGE) % RANGE;
    return offset < MSG_COUNTER_WINDOW_SIZE ? { kind: "window", offset } : { kind: "behind" };
  }

  /** Whether `counter` is new or a duplicate, without changing the state. */
  check(counter: number): CounterVerdict {
    if (!Number.isInteger(counter) || counter < 0 || counter >= RANGE) throw new RangeError(`counter ${counter}`);
    if (!this.#synced) return "new";
    const p = this.#position(counter);
    switch (p.kind) {
      case "ahead":
        return "new";
      case "window":
        return (this.#bitmap >>> p.offset) & 1 ? "duplicate" : "new";
      case "behind":
        return this.rules === "unencrypted" ? "new" : "duplicate";
    }
  }

  /** Records `counter` as received; call only after `check` returned "new" and the message was authenticated. */
  commit(counter: number): void {
    if (!this.#synced) {
      this.#synced = true;
      this.#max = counter;
      this.#bitmap = 1;
      return;
    }
    const p = this.#position(counter);
    switch (p.kind) {
      case "ahead":
        this.#bitmap = p.by < MSG_COUNTER_WINDOW_SIZE ? ((this.#bitmap << p.by) | 1) >>> 0 : 1;
        this.#max = counter;
        return;
      case "window":
        this.#bitmap = (this.#bitmap | (1 << p.offset)) >>> 0;
        return;
      case "behind":
        // Only the unencrypted rules accept such a counter: the peer restarted its counter, start over from it.
        this.#max = counter;
        this.#bitmap = 1;
        return;
    }
  }

  /** `check` then, when new, `commit`: for messages that need no authentication step in between. */
  receive(counter: number): CounterVerdict {
    const v = this.check(counter);
    if (v === "new") this.commit(counter);
    return v;
  }
}
