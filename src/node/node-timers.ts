/** The device node's one-shot timers on its monotonic clock, every one of them cleared when the node stops. */

/** One-shot timers that fire at a time of the node's clock; `clearAll` at shutdown. */
export class NodeTimers {
  readonly #clock: () => number;
  readonly #live = new Set<NodeJS.Timeout>();

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /**
   * Runs `fn` at `at` (clock ms) with the time it fired. Node's timers count from the event loop's cached time, so one
   * can fire while the clock still reads a little before `at` (by more under load): the time passed is never before
   * `at`, or a core that checks "deadline reached" would see it not yet due and never be woken again.
   */
  at(at: number, fn: (now: number) => void): NodeJS.Timeout {
    const t = setTimeout(
      () => {
        this.#live.delete(t);
        fn(Math.max(this.#clock(), at));
      },
      Math.max(0, Math.ceil(at - this.#clock())),
    );
    this.#live.add(t);
    return t;
  }

  /** Cancels every timer not yet fired. */
  clearAll(): void {
    for (const t of this.#live) clearTimeout(t);
    this.#live.clear();
  }
}
