/**
 * What the device node's start has opened so far, each with its close: a start that fails and `stop` close the same
 * list, in reverse order, so that what was opened last, and uses what came before it, closes first.
 */

/** The closes of what was opened, in the order it was opened. */
export class OpenedSoFar {
  readonly #closes: { readonly what: string; readonly close: () => void | Promise<void> }[] = [];

  /** Registers the close of `what`, just opened. */
  readonly add = (what: string, close: () => void | Promise<void>): void => {
    this.#closes.push({ what, close });
  };

  /**
   * Runs every close once, the last registered first; a close that fails goes to `report` and the others still run
   * (a failed start rethrows the step's error, which a close's error must not replace).
   */
  async closeAll(report: (what: string) => (error: unknown) => void): Promise<void> {
    for (const { what, close } of this.#closes.splice(0).reverse()) {
      try {
        await close();
      } catch (e) {
        report(what)(e);
      }
    }
  }
}
