/**
 * The sans-IO Interaction Model server (Core spec 8.2-8.8): one responder state machine per exchange (Read,
 * Subscribe priming, Write incl. chunked, Invoke, Timed Request + Write/Invoke) and the subscriptions with their
 * server-initiated reports. Input: decoded-by-us message bytes, the session and the time (ms); output: messages to
 * send on the exchange, whether the exchange is finished, and after-response effects. The exchange/transport glue
 * (MRP, sessions, timers) is the caller's: it calls `nextDeadline()` and `poll(now)` for subscription reports.
 * Async only where the data model is (write and command handlers persist before answering). The subscriptions live
 * in subscription-pool.ts, their reports in subscription-report-exchange.ts, chunking in the *-chunker.ts files.
 */
import { MalformedError } from "../../bytes/errors.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import type { AccessChecker, SessionInfo } from "../data-model.ts";
import type { EventLog } from "../events.ts";
import { ImMessageType } from "../messages/im-message-type.ts";
import { InvokeRequestMessage } from "../messages/invoke-request-message.ts";
import { ReadRequestMessage } from "../messages/read-request-message.ts";
import { StatusResponseMessage } from "../messages/status-response-message.ts";
import { SubscribeRequestMessage } from "../messages/subscribe-request-message.ts";
import { SubscribeResponseMessage } from "../messages/subscribe-response-message.ts";
import { TimedRequestMessage } from "../messages/timed-request-message.ts";
import { WriteRequestMessage } from "../messages/write-request-message.ts";
import { WriteResponseMessage } from "../messages/write-response-message.ts";
import {
  type ImOutgoing,
  type ImStep,
  imOutgoing as out,
  imStatusMessage as statusMessage,
  imStep as step,
} from "./im-step.ts";
import { DEFAULT_MAX_PATHS_PER_INVOKE, processInvokeRequests } from "./invoke-handler.ts";
import { chunkInvokeResponses } from "./invoke-response-chunker.ts";
import { allClusterInstances, type NodeModel } from "./node-model.ts";
import {
  attributePathsValid,
  eventMinOf,
  eventPathsValid,
  type ReadScope,
  readAttributes,
  readEvents,
} from "./read-handler.ts";
import { chunkReports, MAX_IM_PAYLOAD_BYTES } from "./report-chunker.ts";
import type { Subscription } from "./subscription.ts";
import { MIN_SUBSCRIPTIONS_PER_FABRIC, SubscriptionPool, type SubscriptionPoolOptions } from "./subscription-pool.ts";
import { SubscriptionReportExchange } from "./subscription-report-exchange.ts";
import { processWriteRequests } from "./write-handler.ts";

/** The subscription pool for `supportedFabrics` fabrics (the SDK's CHIP_IM_MAX_NUM_SUBSCRIPTIONS, MAX_FABRICS * 3). */
export function subscriptionPoolSize(supportedFabrics: number): number {
  if (!Number.isInteger(supportedFabrics) || supportedFabrics < 1) {
    throw new RangeError(`supportedFabrics out of range: ${supportedFabrics}`);
  }
  return supportedFabrics * MIN_SUBSCRIPTIONS_PER_FABRIC;
}

/** Options of the server. */
export interface InteractionServerOptions extends SubscriptionPoolOptions {
  readonly node: NodeModel;
  readonly access: AccessChecker;
  readonly events?: EventLog;
  readonly maxPathsPerInvoke?: number;
  /** IM payload budget per message (default MAX_IM_PAYLOAD_BYTES). */
  readonly payloadBudget?: number;
}

const finalStatus = (status: number): ImStep => step([statusMessage(status)], true);

type Pending = { readonly message: ImOutgoing; readonly expectsStatusResponse: boolean };
type ExchangeState =
  | { readonly kind: "idle" }
  | { readonly kind: "timed"; readonly deadline: number }
  | {
      readonly kind: "chunks";
      readonly queue: Pending[];
      readonly finish?: () => ImOutgoing;
      readonly abort?: () => void;
    }
  | { readonly kind: "write-chunks"; readonly timed: boolean }
  | { readonly kind: "done" };

/** The responder side of one exchange opened by a peer. */
export class ImResponderExchange {
  readonly #server: InteractionServer;
  readonly #session: SessionInfo;
  #state: ExchangeState = { kind: "idle" };

  constructor(server: InteractionServer, session: SessionInfo) {
    this.#server = server;
    this.#session = session;
  }

  /** True once the interaction is over. */
  get done(): boolean {
    return this.#state.kind === "done";
  }

  /** Feeds one received IM message. A malformed payload answers INVALID_ACTION and ends the exchange. */
  async onMessage(messageType: number, payload: Uint8Array, now: number): Promise<ImStep> {
    try {
      const s = await this.#dispatch(messageType, payload, now);
      if (s.done) this.#state = { kind: "done" };
      return s;
    } catch (e) {
      if (!(e instanceof MalformedError)) throw e;
      this.abort();
      // Core 8.2.x: a message that cannot be parsed is answered with INVALID_ACTION.
      return finalStatus(ImStatus.INVALID_ACTION);
    }
  }

  /** The exchange failed (MRP gave up, session closed): drops pending chunks and a priming subscription. */
  abort(): void {
    if (this.#state.kind === "chunks") this.#state.abort?.();
    this.#state = { kind: "done" };
  }

  async #dispatch(type: number, payload: Uint8Array, now: number): Promise<ImStep> {
    const state = this.#state;
    switch (state.kind) {
      case "done":
        return finalStatus(ImStatus.INVALID_ACTION);
      case "chunks":
        return this.#continueChunks(state, type, payload);
      case "write-chunks":
        if (type !== ImMessageType.WriteRequest) return this.#fail(ImStatus.INVALID_ACTION);
        return this.#write(WriteRequestMessage.decode(payload), now, state.timed);
      case "timed": {
        if (type !== ImMessageType.WriteRequest && type !== ImMessageType.InvokeRequest)
          return this.#fail(ImStatus.INVALID_ACTION);
        const request =
          type === ImMessageType.WriteRequest
            ? WriteRequestMessage.decode(payload)
            : InvokeRequestMessage.decode(payload);
        // Core 8.7.3.1 / 8.8.3.1: an action arriving after the Timed Request's timeout → TIMEOUT.
        if (now > state.deadline) return finalStatus(ImStatus.TIMEOUT);
        // Core 8.7.3.1: TimedRequest flag false after a Timed Request → TIMED_REQUEST_MISMATCH.
        if (!request.timedRequest) return finalStatus(ImStatus.TIMED_REQUEST_MISMATCH);
        return "writeRequests" in request
          ? this.#write(request, now, true)
          : this.#invoke(request as ReturnType<typeof InvokeRequestMessage.decode>, now, true);
      }
      case "idle":
        break;
    }
    switch (type) {
      case ImMessageType.ReadRequest:
        return this.#read(ReadRequestMessage.decode(payload), now);
      case ImMessageType.SubscribeRequest:
        return this.#subscribe(SubscribeRequestMessage.decode(payload), now);
      case ImMessageType.WriteRequest: {
        const request = WriteRequestMessage.decode(payload);
        // Core 8.7.3.1: TimedRequest true without a preceding Timed Request → TIMED_REQUEST_MISMATCH.
        if (request.timedRequest) return finalStatus(ImStatus.TIMED_REQUEST_MISMATCH);
        return this.#write(request, now, false);
      }
      case ImMessageType.InvokeRequest: {
        const request = InvokeRequestMessage.decode(payload);
        if (request.timedRequest) return finalStatus(ImStatus.TIMED_REQUEST_MISMATCH);
        return this.#invoke(request, now, false);
      }
      case ImMessageType.TimedRequest: {
        const { timeout } = TimedRequestMessage.decode(payload);
        this.#state = { kind: "timed", deadline: now + timeout };
        return step([statusMessage(ImStatus.SUCCESS)], false);
      }
      default:
        return finalStatus(ImStatus.INVALID_ACTION);
    }
  }

  #fail(status: ImStatus): ImStep {
    this.abort();
    return finalStatus(status);
  }

  #continueChunks(state: Extract<ExchangeState, { kind: "chunks" }>, type: number, payload: Uint8Array): ImStep {
    if (type !== ImMessageType.StatusResponse) return this.#fail(ImStatus.INVALID_ACTION);
    const { status } = StatusResponseMessage.decode(payload);
    if (status !== ImStatus.SUCCESS) {
      // The peer ended the interaction (e.g. it stopped a chunked read): nothing more to send.
      this.abort();
      return step([], true);
    }
    return this.#sendNext(state);
  }

  #sendNext(state: Extract<ExchangeState, { kind: "chunks" }>): ImStep {
    const next = state.queue.shift();
    if (next === undefined) {
      const last = state.finish?.();
      return step(last === undefined ? [] : [last], true);
    }
    this.#state = state;
    if (!next.expectsStatusResponse && state.queue.length === 0 && state.finish === undefined)
      return step([next.message], true);
    return step([next.message], false);
  }

  #read(request: ReturnType<typeof ReadRequestMessage.decode>, now: number): ImStep {
    const attributePaths = request.attributeRequests ?? [];
    const eventPaths = request.eventRequests ?? [];
    // Core 8.4.3.2: a request without any path, or with malformed paths → INVALID_ACTION.
    if (attributePaths.length === 0 && eventPaths.length === 0) return finalStatus(ImStatus.INVALID_ACTION);
    if (!attributePathsValid(attributePaths) || !eventPathsValid(eventPaths))
      return finalStatus(ImStatus.INVALID_ACTION);
    const scope = this.#server.readScope(this.#session, now, request.isFabricFiltered);
    const attributes = readAttributes(scope, attributePaths, {
      dataVersionFilters: request.dataVersionFilters ?? [],
    });
    const events = readEvents(scope, eventPaths, eventMinOf(request.eventFilters)).reports;
    const chunks = chunkReports(attributes, events, { kind: "read", budget: this.#server.payloadBudget });
    return this.#sendNext({
      kind: "chunks",
      queue: chunks.map((c) => ({ message: out(ImMessageType.ReportData, c.payload), ...c })),
    });
  }

  #subscribe(request: ReturnType<typeof SubscribeRequestMessage.decode>, now: number): ImStep {
    const attributePaths = request.attributeRequests ?? [];
    const eventPaths = request.eventRequests ?? [];
    if (attributePaths.length === 0 && eventPaths.length === 0) return finalStatus(ImStatus.INVALID_ACTION);
    if (!attributePathsValid(attributePaths) || !eventPathsValid(eventPaths))
      return finalStatus(ImStatus.INVALID_ACTION);
    // Core 8.5.x: MinIntervalFloor above MaxIntervalCeiling is an invalid request.
    if (request.minIntervalFloor > request.maxIntervalCeiling) return finalStatus(ImStatus.INVALID_ACTION);
    // Core 8.5.3.2: KeepSubscriptions false ends the subscriber's other subscriptions.
    if (!request.keepSubscriptions) this.#server.endSubscriptionsOf(this.#session);
    // A full pool: room is made fairly or the request is refused with RESOURCE_EXHAUSTED, as the SDK does.
    if (!this.#server.ensureSubscriptionResource(this.#session)) return finalStatus(ImStatus.RESOURCE_EXHAUSTED);
    const scope = this.#server.readScope(this.#session, now, request.isFabricFiltered);
    const attributes = readAttributes(scope, attributePaths, {
      dataVersionFilters: request.dataVersionFilters ?? [],
    });
    const events = readEvents(scope, eventPaths, eventMinOf(request.eventFilters)).reports;
    const subscription = this.#server.createSubscription(this.#session, request, now);
    const chunks = chunkReports(attributes, events, {
      kind: "subscription",
      subscriptionId: subscription.id,
      budget: this.#server.payloadBudget,
    });
    return this.#sendNext({
      kind: "chunks",
      queue: chunks.map((c) => ({ message: out(ImMessageType.ReportData, c.payload), ...c })),
      finish: () => {
        // Ended while priming (evicted for a fabric below its minimum, or its session went): no subscription to confirm.
        if (subscription.state === "ended") return statusMessage(ImStatus.RESOURCE_EXHAUSTED);
        subscription.state = "active";
        return out(
          ImMessageType.SubscribeResponse,
          SubscribeResponseMessage.encode({ subscriptionId: subscription.id, maxInterval: subscription.maxIntervalS }),
        );
      },
      abort: () => this.#server.endSubscription(subscription.id),
    });
  }

  async #write(request: ReturnType<typeof WriteRequestMessage.decode>, now: number, timed: boolean): Promise<ImStep> {
    const outcome = await processWriteRequests(
      { node: this.#server.node, access: this.#server.access, session: this.#session, now, timed },
      request.writeRequests,
    );
    if (outcome.kind === "status-response") return this.#fail(outcome.status);
    const more = request.moreChunkedMessages === true;
    this.#state = more ? { kind: "write-chunks", timed } : { kind: "done" };
    const send =
      request.suppressResponse === true
        ? []
        : [out(ImMessageType.WriteResponse, WriteResponseMessage.encode({ writeResponses: outcome.statuses }))];
    return step(send, !more, outcome.afterResponse, outcome.errors);
  }

  async #invoke(request: ReturnType<typeof InvokeRequestMessage.decode>, now: number, timed: boolean): Promise<ImStep> {
    const outcome = await processInvokeRequests(
      {
        node: this.#server.node,
        access: this.#server.access,
        session: this.#session,
        now,
        timed,
        maxPathsPerInvoke: this.#server.maxPathsPerInvoke,
      },
      request.invokeRequests,
    );
    if (outcome.kind === "status-response") return this.#fail(outcome.status);
    // Core 8.8.3.x: SuppressResponse → no InvokeResponse (the actions still ran).
    if (request.suppressResponse) return step([], true, outcome.afterResponse, outcome.errors);
    const messages = chunkInvokeResponses(outcome.responses, this.#server.payloadBudget);
    const s = this.#sendNext({
      kind: "chunks",
      queue: messages.map((payload, i) => ({
        message: out(ImMessageType.InvokeResponse, payload),
        expectsStatusResponse: i < messages.length - 1,
      })),
    });
    return { ...s, afterResponse: outcome.afterResponse, errors: outcome.errors };
  }
}

/** The IM server: exchanges, subscriptions, reports. */
export class InteractionServer {
  readonly node: NodeModel;
  readonly access: AccessChecker;
  readonly events: EventLog | undefined;
  readonly maxPathsPerInvoke: number;
  readonly payloadBudget: number;
  readonly maxSubscriptions: number;
  readonly #pool: SubscriptionPool;
  readonly #unsubscribe: (() => void)[] = [];

  constructor(options: InteractionServerOptions) {
    this.node = options.node;
    this.access = options.access;
    this.events = options.events;
    this.maxPathsPerInvoke = options.maxPathsPerInvoke ?? DEFAULT_MAX_PATHS_PER_INVOKE;
    this.payloadBudget = options.payloadBudget ?? MAX_IM_PAYLOAD_BYTES;
    this.#pool = new SubscriptionPool(options);
    this.maxSubscriptions = this.#pool.maxSubscriptions;
    for (const instance of allClusterInstances(this.node))
      this.#unsubscribe.push(
        instance.onAttributeChange((change) => {
          for (const s of this.#pool.values()) s.attributeChanged(change);
        }),
      );
    if (this.events !== undefined)
      this.#unsubscribe.push(
        this.events.onEvent((record) => {
          for (const s of this.#pool.values()) s.eventRecorded(record);
        }),
      );
  }

  /** A responder state machine for an exchange the peer opened on `session`. */
  openExchange(session: SessionInfo): ImResponderExchange {
    return new ImResponderExchange(this, session);
  }

  /** The read scope for a session at `now`. */
  readScope(session: SessionInfo, now: number, fabricFiltered: boolean): ReadScope {
    return {
      node: this.node,
      access: this.access,
      session,
      now,
      fabricFiltered,
      ...(this.events === undefined ? {} : { events: this.events }),
    };
  }

  /** Live subscriptions (priming or active). */
  get subscriptions(): readonly Subscription[] {
    return this.#pool.list();
  }

  /** Makes room for one more subscription of `session`'s fabric (SubscriptionPool.ensureResource). */
  ensureSubscriptionResource(session: SessionInfo): boolean {
    return this.#pool.ensureResource(session);
  }

  /** Creates a subscription in the priming state (internal to the Subscribe exchange). */
  createSubscription(
    session: SessionInfo,
    request: ReturnType<typeof SubscribeRequestMessage.decode>,
    now: number,
  ): Subscription {
    return this.#pool.create(session, request, now, this.events?.nextEventNumber ?? 0n);
  }

  /** Ends one subscription. */
  endSubscription(id: number): void {
    this.#pool.end(id);
  }

  /** Ends the subscriptions of the subscriber behind `session` (same fabric and node id). */
  endSubscriptionsOf(session: SessionInfo): void {
    this.#pool.endWhere(
      (s) => s.session.fabricIndex === session.fabricIndex && s.session.subjectNodeId === session.subjectNodeId,
    );
  }

  /** The session closed: its subscriptions end (Core 8.5: a subscription lives on its CASE session). */
  sessionClosed(sessionId: number): void {
    this.#pool.endWhere((s) => s.session.id === sessionId);
  }

  /** A fabric was removed: its subscriptions end (the SDK's IM engine fabric delegate). */
  fabricRemoved(fabricIndex: number): void {
    this.#pool.endWhere((s) => s.session.fabricIndex === fabricIndex);
  }

  /** A report exchange finished successfully (internal to SubscriptionReportExchange). */
  reportDelivered(id: number): void {
    this.#pool.delivered(id);
  }

  /** When poll() next has work (ms), or undefined when no active subscription waits. */
  nextDeadline(): number | undefined {
    return this.#pool.nextDeadline();
  }

  /** Builds the reports due at `now`: changes after MinInterval, keep-alives at MaxInterval (Core 8.5.x). */
  poll(now: number): SubscriptionReportExchange[] {
    const out: SubscriptionReportExchange[] = [];
    for (const s of this.subscriptions) {
      if (s.state !== "active" || s.inFlight || s.dueAt() > now) continue;
      const scope = this.readScope(s.session, now, s.fabricFiltered);
      const attributes = readAttributes(scope, s.attributePaths, {
        only: (p) => s.isDirty(p.endpoint, p.cluster, p.attribute),
      });
      const events = readEvents(scope, s.eventPaths, s.nextEventNumber, false);
      if (events.lastEventNumber !== undefined) s.nextEventNumber = events.lastEventNumber + 1n;
      s.clearChanges();
      const chunks = chunkReports(attributes, events.reports, {
        kind: "subscription",
        subscriptionId: s.id,
        budget: this.payloadBudget,
      });
      s.inFlight = true;
      s.lastReportAt = now;
      out.push(
        new SubscriptionReportExchange(
          this,
          s,
          chunks.map((c) => ({ messageType: ImMessageType.ReportData, payload: c.payload })),
        ),
      );
    }
    return out;
  }

  /** Detaches from the data model's listeners and ends every subscription. */
  close(): void {
    for (const u of this.#unsubscribe.splice(0)) u();
    this.#pool.endWhere(() => true);
  }
}
