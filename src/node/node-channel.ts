/** The device node's assembly channel: how a part built early reaches a reaction built after it. */
import { InternalError } from "../bytes/errors.ts";

/**
 * One channel from the parts built early (transport, window, IM driver, fail-safe timer) to the reaction that needs
 * them, built last: the assembly stays in dependency order. Items posted before the consumer exists wait, in order;
 * afterwards delivery is synchronous, as a direct call would be.
 */
export class NodeChannel<T> {
  readonly #waiting: T[] = [];
  #consumer: ((item: T) => void) | undefined;

  /** Delivers `item` now, or once the consumer exists. */
  post(item: T): void {
    if (this.#consumer === undefined) this.#waiting.push(item);
    else this.#consumer(item);
  }

  /** Sets the one consumer and hands it the items that waited. */
  consume(consumer: (item: T) => void): void {
    if (this.#consumer !== undefined) throw new InternalError("a node channel has one consumer");
    this.#consumer = consumer;
    for (const item of this.#waiting.splice(0)) consumer(item);
  }
}
