/**
 * The event log (Core 7.14 "Events", 8.9.3.x event records): event numbers (u64, strictly increasing across restarts
 * via reserved blocks the node persists), priority, timestamp, the fabric of fabric-sensitive events, listeners,
 * bounded retention and per-fabric purge (on RemoveFabric).
 */
import { ANONYMOUS, type TlvNode } from "../tlv/tlv-node.ts";
import type { EventDefinition, EventPriority } from "./data-model.ts";

/** An event timestamp (Core 7.14.2.2): epoch time in µs when the node knows the time, else system time in ms. */
export type EventTimestamp =
  | { readonly kind: "epoch-us"; readonly value: bigint }
  | { readonly kind: "system-ms"; readonly value: bigint };

/** One recorded event. */
export interface EventRecord {
  readonly eventNumber: bigint;
  readonly endpoint: number;
  readonly cluster: number;
  readonly event: number;
  readonly priority: EventPriority;
  readonly timestamp: EventTimestamp;
  /** The fabric a fabric-sensitive event belongs to; undefined for events visible to every fabric. */
  readonly fabricIndex: number | undefined;
  /** The event's data fields, anonymous-tagged (EventDataIB field 7 once re-tagged by the message codec). */
  readonly data: TlvNode;
}

/** Event-log limits and persistence hooks. */
export interface EventLogOptions {
  /** First event number to hand out: the value the node persisted through `onReserve` last time (0 on first boot). */
  readonly firstEventNumber?: bigint;
  /** Event numbers reserved per persisted block (the SDK's "event number epoch"); default 1000. */
  readonly reserveBlock?: bigint;
  /**
   * Called (synchronously) when the log starts a new block: the node MUST persist `upTo` and start the next boot's
   * log at it, so numbers never repeat after a crash (Core 7.14.2.1: event numbers are monotonically increasing).
   */
  readonly onReserve?: (upTo: bigint) => void;
  /** Records kept; the oldest lowest-priority record is dropped first. Default 256. */
  readonly capacity?: number;
}

/** Event number limit (u64). */
const MAX_EVENT_NUMBER = 0xffff_ffff_ffff_ffffn;

/** Input of EventLog.record. */
export interface EventInput<T> {
  readonly endpoint: number;
  readonly cluster: number;
  readonly event: EventDefinition<T>;
  readonly value: T;
  readonly timestamp: EventTimestamp;
  /** Required for fabric-sensitive events (the fabric they concern), ignored otherwise. */
  readonly fabricIndex?: number;
}

/** Filter of EventLog.events. */
export interface EventFilter {
  readonly endpoint?: number;
  readonly cluster?: number;
  readonly event?: number;
  /** Only records with eventNumber >= this (the EventFilterIB EventMin, Core 8.9.2.x). */
  readonly minEventNumber?: bigint;
}

/** An in-memory event log; sans-IO: persistence of the event-number block goes through `onReserve`. */
export class EventLog {
  #next: bigint;
  #reservedUpTo: bigint;
  readonly #block: bigint;
  readonly #onReserve: ((upTo: bigint) => void) | undefined;
  readonly #capacity: number;
  #records: EventRecord[] = [];
  readonly #listeners = new Set<(record: EventRecord) => void>();

  constructor(options: EventLogOptions = {}) {
    const first = options.firstEventNumber ?? 0n;
    if (first < 0n || first > MAX_EVENT_NUMBER) throw new RangeError(`first event number: ${first}`);
    const block = options.reserveBlock ?? 1000n;
    if (block < 1n) throw new RangeError(`reserve block: ${block}`);
    const capacity = options.capacity ?? 256;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity: ${capacity}`);
    this.#next = first;
    this.#reservedUpTo = first;
    this.#block = block;
    this.#onReserve = options.onReserve;
    this.#capacity = capacity;
  }

  /** The number the next event will get. */
  get nextEventNumber(): bigint {
    return this.#next;
  }

  /** Records an event and notifies listeners. A fabric-sensitive event without a fabric index is a RangeError. */
  record<T>(input: EventInput<T>): EventRecord {
    const def = input.event;
    if (def.fabricSensitive && (input.fabricIndex === undefined || input.fabricIndex < 1 || input.fabricIndex > 254))
      throw new RangeError(`${def.name}: a fabric-sensitive event needs a fabric index 1..254`);
    if (this.#next >= this.#reservedUpTo) {
      const upTo = this.#next + this.#block > MAX_EVENT_NUMBER ? MAX_EVENT_NUMBER : this.#next + this.#block;
      if (upTo === this.#next) throw new RangeError("event numbers exhausted");
      this.#onReserve?.(upTo);
      this.#reservedUpTo = upTo;
    }
    const record: EventRecord = {
      eventNumber: this.#next,
      endpoint: input.endpoint,
      cluster: input.cluster,
      event: def.id,
      priority: def.priority,
      timestamp: input.timestamp,
      fabricIndex: def.fabricSensitive ? input.fabricIndex : undefined,
      data: def.schema.encodeNode(input.value, ANONYMOUS),
    };
    this.#next += 1n;
    this.#records.push(record);
    if (this.#records.length > this.#capacity) this.#evictOne();
    for (const l of [...this.#listeners]) l(record);
    return record;
  }

  #evictOne(): void {
    let victim = 0;
    for (let i = 1; i < this.#records.length; i++)
      if (this.#records[i]!.priority < this.#records[victim]!.priority) victim = i;
    this.#records.splice(victim, 1);
  }

  /** Subscribes to new records; returns the unsubscribe function. */
  onEvent(listener: (record: EventRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Records matching `filter`, in event-number order. Access filtering is the reader's job (see readEvents). */
  events(filter: EventFilter = {}): EventRecord[] {
    return this.#records.filter(
      (r) =>
        (filter.endpoint === undefined || r.endpoint === filter.endpoint) &&
        (filter.cluster === undefined || r.cluster === filter.cluster) &&
        (filter.event === undefined || r.event === filter.event) &&
        (filter.minEventNumber === undefined || r.eventNumber >= filter.minEventNumber),
    );
  }

  /** Drops every record of a fabric (RemoveFabric: the SDK's EventManagement::FabricRemoved); returns how many. */
  purgeFabric(fabricIndex: number): number {
    const before = this.#records.length;
    this.#records = this.#records.filter((r) => r.fabricIndex !== fabricIndex);
    return before - this.#records.length;
  }
}
