/**
 * The server's live subscriptions (Core spec 8.5): ids, the negotiated MaxInterval, the bound on how many are held
 * and the fair eviction that keeps every fabric its minimum of 3, as the SDK's InteractionModelEngine does.
 */
import type { SessionInfo } from "../data-model.ts";
import type { SubscribeRequestMessage } from "../messages/subscribe-request-message.ts";
import { Subscription } from "./subscription.ts";

/** SUBSCRIPTION_MAX_INTERVAL_PUBLISHER_LIMIT (Core 8.5.1): the server may raise MaxInterval up to 60 minutes. */
const SUBSCRIPTION_MAX_INTERVAL_PUBLISHER_LIMIT_S = 3600;

/** Core 8.5.1: every fabric SHALL be able to hold at least 3 subscriptions (SDK kMinSupportedSubscriptionsPerFabric). */
export const MIN_SUBSCRIPTIONS_PER_FABRIC = 3;

/** Subscriptions held at once when the owner does not size the pool: the minimum for 16 fabrics. */
export const DEFAULT_MAX_SUBSCRIPTIONS = 16 * MIN_SUBSCRIPTIONS_PER_FABRIC;

/** How the pool is sized and its ids and intervals chosen. */
export interface SubscriptionPoolOptions {
  /** Subscriptions (priming or active) held at once, all fabrics (default DEFAULT_MAX_SUBSCRIPTIONS). */
  readonly maxSubscriptions?: number;
  /** First subscription id handed out (ids then count up, wrapping at 2^32); SHOULD be random. */
  readonly firstSubscriptionId?: number;
  /** The MaxInterval the server would like; clamped to [floor, max(ceiling, 60 min)]; default: the ceiling. */
  readonly preferredMaxIntervalS?: number;
}

/** The live subscriptions of one server, in creation order (the first of a fabric is its oldest). */
export class SubscriptionPool {
  readonly maxSubscriptions: number;
  readonly #preferredMaxIntervalS: number | undefined;
  readonly #subscriptions = new Map<number, Subscription>();
  #nextSubscriptionId: number;

  constructor(options: SubscriptionPoolOptions) {
    const max = options.maxSubscriptions ?? DEFAULT_MAX_SUBSCRIPTIONS;
    if (!Number.isInteger(max) || max < MIN_SUBSCRIPTIONS_PER_FABRIC) {
      throw new RangeError(`maxSubscriptions below the per-fabric minimum: ${max}`);
    }
    this.maxSubscriptions = max;
    this.#preferredMaxIntervalS = options.preferredMaxIntervalS;
    this.#nextSubscriptionId = options.firstSubscriptionId ?? 1;
  }

  /** The live subscriptions, in creation order, as a snapshot safe to end subscriptions while walking it. */
  list(): Subscription[] {
    return [...this.#subscriptions.values()];
  }

  /** The live subscriptions, in creation order, without a copy (do not end subscriptions while walking it). */
  values(): IterableIterator<Subscription> {
    return this.#subscriptions.values();
  }

  /**
   * Makes room for one more subscription of `session`'s fabric, following the SDK (InteractionModelEngine.cpp
   * EnsureResourceForSubscription / TrimFabricForSubscriptions): below the pool size there is room; in a full pool a
   * fabric holding fewer than MIN_SUBSCRIPTIONS_PER_FABRIC ends the oldest subscription of the fabric holding the most
   * (when that one is above the minimum); otherwise false, and the request is refused with RESOURCE_EXHAUSTED.
   */
  ensureResource(session: SessionInfo): boolean {
    if (this.#subscriptions.size < this.maxSubscriptions) return true;
    const byFabric = new Map<number, Subscription[]>();
    for (const s of this.#subscriptions.values()) {
      const list = byFabric.get(s.session.fabricIndex);
      if (list === undefined) byFabric.set(s.session.fabricIndex, [s]);
      else list.push(s);
    }
    if ((byFabric.get(session.fabricIndex)?.length ?? 0) >= MIN_SUBSCRIPTIONS_PER_FABRIC) return false;
    let largest: Subscription[] | undefined;
    for (const list of byFabric.values()) if (largest === undefined || list.length > largest.length) largest = list;
    if (largest === undefined || largest.length <= MIN_SUBSCRIPTIONS_PER_FABRIC) return false;
    this.end(largest[0]!.id);
    return true;
  }

  /** Creates a subscription in the priming state, its events starting at `nextEventNumber`. */
  create(
    session: SessionInfo,
    request: ReturnType<typeof SubscribeRequestMessage.decode>,
    now: number,
    nextEventNumber: bigint,
  ): Subscription {
    const floor = request.minIntervalFloor;
    const ceiling = request.maxIntervalCeiling;
    // Core 8.5.x: floor <= MaxInterval <= max(SUBSCRIPTION_MAX_INTERVAL_PUBLISHER_LIMIT, MaxIntervalCeiling).
    const upper = Math.max(SUBSCRIPTION_MAX_INTERVAL_PUBLISHER_LIMIT_S, ceiling);
    const maxInterval = Math.min(upper, Math.max(floor, this.#preferredMaxIntervalS ?? ceiling));
    let id = this.#nextSubscriptionId;
    while (this.#subscriptions.has(id)) id = (id + 1) >>> 0;
    this.#nextSubscriptionId = (id + 1) >>> 0;
    const subscription = new Subscription({
      id,
      session,
      attributePaths: request.attributeRequests ?? [],
      eventPaths: request.eventRequests ?? [],
      fabricFiltered: request.isFabricFiltered,
      minIntervalS: floor,
      maxIntervalS: maxInterval,
      nextEventNumber,
    });
    subscription.lastReportAt = now;
    this.#subscriptions.set(id, subscription);
    return subscription;
  }

  /** Ends one subscription. */
  end(id: number): void {
    const s = this.#subscriptions.get(id);
    if (s === undefined) return;
    s.state = "ended";
    this.#subscriptions.delete(id);
  }

  /** Ends every subscription `which` selects. */
  endWhere(which: (s: Subscription) => boolean): void {
    for (const s of this.list()) if (which(s)) this.end(s.id);
  }

  /** A report of subscription `id` was delivered: it may report again. */
  delivered(id: number): void {
    const s = this.#subscriptions.get(id);
    if (s !== undefined) s.inFlight = false;
  }

  /** When the next report is due (ms), or undefined when no active subscription waits. */
  nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const s of this.#subscriptions.values()) {
      if (s.state !== "active" || s.inFlight) continue;
      const due = s.dueAt();
      if (min === undefined || due < min) min = due;
    }
    return min;
  }
}
