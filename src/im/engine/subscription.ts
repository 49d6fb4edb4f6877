/**
 * One subscription's state (Core spec 8.5 "Subscribe Interaction"): its paths, the negotiated intervals, what changed
 * since the last report, and when the next report is due. Time is the node's monotonic clock in ms.
 */
import type { AttributeChange, SessionInfo } from "../data-model.ts";
import type { EventRecord } from "../events.ts";
import type { AttributePathIB } from "../messages/attribute-path-ib.ts";
import type { EventPathIB } from "../messages/event-path-ib.ts";

/** Lifecycle: priming (reports being sent on the request's exchange), active, or ended. */
export type SubscriptionState = "priming" | "active" | "ended";

/** Subscription parameters fixed at creation, and the first event number not yet delivered. */
export type SubscriptionParams = Pick<
  Subscription,
  "id" | "session" | "attributePaths" | "eventPaths" | "fabricFiltered" | "minIntervalS" | "maxIntervalS"
> & { readonly nextEventNumber: bigint };

const key = (e: number, c: number, a: number) => `${e}/${c}/${a}`;

/** A subscription on the server side. */
export class Subscription {
  readonly id: number;
  readonly session: SessionInfo;
  readonly attributePaths: readonly AttributePathIB[];
  readonly eventPaths: readonly EventPathIB[];
  readonly fabricFiltered: boolean;
  readonly minIntervalS: number;
  readonly maxIntervalS: number;
  state: SubscriptionState = "priming";
  /** A report exchange is in flight: no new report starts until it ends. */
  inFlight = false;
  /** When the last report (or the priming report) was sent, in ms. */
  lastReportAt = 0;
  /** First event number not yet delivered. */
  nextEventNumber: bigint;
  readonly #dirty = new Set<string>();
  #eventsPending = false;
  #urgentPending = false;

  constructor(p: SubscriptionParams) {
    this.id = p.id;
    this.session = p.session;
    this.attributePaths = p.attributePaths;
    this.eventPaths = p.eventPaths;
    this.fabricFiltered = p.fabricFiltered;
    this.minIntervalS = p.minIntervalS;
    this.maxIntervalS = p.maxIntervalS;
    this.nextEventNumber = p.nextEventNumber;
  }

  /** Records an attribute change if a path covers it (changes-omitted attributes never trigger reports). */
  attributeChanged(change: AttributeChange): void {
    if (this.state === "ended" || change.changesOmitted) return;
    const covered = this.attributePaths.some(
      (p) =>
        (p.endpoint === undefined || p.endpoint === change.endpoint) &&
        (p.cluster === undefined || p.cluster === change.cluster) &&
        (p.attribute === undefined || p.attribute === change.attribute),
    );
    if (covered) this.#dirty.add(key(change.endpoint, change.cluster, change.attribute));
  }

  /** Records a new event if a path covers it; an IsUrgent path makes it due at the min interval. */
  eventRecorded(record: EventRecord): void {
    if (this.state === "ended") return;
    for (const p of this.eventPaths) {
      if (
        (p.endpoint === undefined || p.endpoint === record.endpoint) &&
        (p.cluster === undefined || p.cluster === record.cluster) &&
        (p.event === undefined || p.event === record.event)
      ) {
        this.#eventsPending = true;
        if (p.isUrgent === true) this.#urgentPending = true;
      }
    }
  }

  /** True when the concrete attribute changed since the last report. */
  isDirty(endpoint: number, cluster: number, attribute: number): boolean {
    return this.#dirty.has(key(endpoint, cluster, attribute));
  }

  /** True when a change or a new event waits to be reported. */
  get hasChanges(): boolean {
    return this.#dirty.size > 0 || this.#eventsPending;
  }

  /**
   * When the next report is due (Core 8.5.x): changes and urgent events once MinInterval has passed since the last
   * report; otherwise an (empty if nothing changed) report at MaxInterval to keep the subscription alive.
   */
  dueAt(): number {
    const soon = this.#dirty.size > 0 || this.#urgentPending;
    return this.lastReportAt + (soon ? this.minIntervalS : this.maxIntervalS) * 1000;
  }

  /** Forgets the recorded changes: a report covering them has been built. */
  clearChanges(): void {
    this.#dirty.clear();
    this.#eventsPending = false;
    this.#urgentPending = false;
  }
}
