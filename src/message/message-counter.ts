/**
 * Outgoing message counters (Core spec 4.6.1): the global unencrypted counter and per-session secure counters start at
 * a random value in [1, 2^28]; a secure session counter SHALL NOT roll over, the unencrypted counter may (4.6.1.1).
 */
import { OpcredsError } from "../bytes/errors.ts";
import type { Crypto } from "../crypto/crypto.ts";

/** Initial counter values are drawn from [1, MESSAGE_COUNTER_INIT_MAX] (4.6.1.1: "a random number in 1..2^28"). */
export const MESSAGE_COUNTER_INIT_MAX = 2 ** 28;
/** The largest 32-bit message counter. */
export const MESSAGE_COUNTER_MAX = 0xffffffff;

/** A random initial counter in [1, 2^28] drawn from `crypto.randomBytes`. */
export function randomInitialCounter(crypto: Pick<Crypto, "randomBytes">): number {
  const b = crypto.randomBytes(4);
  const r = ((b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0) % MESSAGE_COUNTER_INIT_MAX;
  return r + 1;
}

/**
 * Thrown when a secure session's counter is exhausted: 4.6.1.2 says the session SHALL then be expired and a new one
 * established instead of reusing a (key, nonce) pair.
 */
export class MessageCounterExhaustedError extends OpcredsError {
  constructor() {
    super("message.counter-exhausted", "secure session message counter exhausted: the session must be replaced");
  }
}

/** Which rollover rule a counter follows. */
export type MessageCounterKind = "unencrypted" | "secure-session";

/** One outgoing message counter; `next()` returns the value to put in the next message. */
export class MessageCounter {
  readonly kind: MessageCounterKind;
  #value: number;
  #exhausted = false;

  /** A counter starting at `initial` (a random value from `randomInitialCounter` outside tests). */
  constructor(kind: MessageCounterKind, initial: number) {
    if (!Number.isInteger(initial) || initial < 0 || initial > MESSAGE_COUNTER_MAX) {
      throw new RangeError(`initial message counter out of range: ${initial}`);
    }
    this.kind = kind;
    this.#value = initial;
  }

  /** A counter of `kind` starting at a random value in [1, 2^28]. */
  static random(kind: MessageCounterKind, crypto: Pick<Crypto, "randomBytes">): MessageCounter {
    return new MessageCounter(kind, randomInitialCounter(crypto));
  }

  /** The value the next message will carry (not consumed). */
  get current(): number {
    return this.#value;
  }

  /**
   * Consumes and returns the current value. The unencrypted counter wraps 2^32-1 -> 0; a secure session counter
   * throws MessageCounterExhaustedError once 2^32-1 has been used.
   */
  next(): number {
    if (this.#exhausted) throw new MessageCounterExhaustedError();
    const v = this.#value;
    if (v === MESSAGE_COUNTER_MAX) {
      if (this.kind === "secure-session") this.#exhausted = true;
      this.#value = 0;
    } else {
      this.#value = v + 1;
    }
    return v;
  }
}
