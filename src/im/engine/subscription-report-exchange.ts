/**
 * A server-initiated report exchange of one subscription (Core spec 8.5, reports after priming): the ReportData
 * chunks go out one per StatusResponse; any answer but SUCCESS, or no delivery, ends the subscription.
 */
import { MalformedError } from "../../bytes/errors.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import { ImMessageType } from "../messages/im-message-type.ts";
import { StatusResponseMessage } from "../messages/status-response-message.ts";
import { type ImOutgoing, type ImStep, imStep as step } from "./im-step.ts";
import type { Subscription } from "./subscription.ts";

/** What a report exchange tells the subscriptions' owner (the InteractionServer). */
export interface SubscriptionReportOwner {
  /** The report was delivered: the subscription may report again. */
  reportDelivered(id: number): void;
  /** The report failed: the subscription ends. */
  endSubscription(id: number): void;
}

/** A server-initiated report exchange of one subscription. */
export class SubscriptionReportExchange {
  readonly subscriptionId: number;
  readonly sessionId: number;
  /** The first ReportData to send on a new exchange. */
  readonly first: ImOutgoing;
  readonly #rest: ImOutgoing[];
  readonly #server: SubscriptionReportOwner;
  #done = false;

  constructor(server: SubscriptionReportOwner, subscription: Subscription, messages: ImOutgoing[]) {
    this.#server = server;
    this.subscriptionId = subscription.id;
    this.sessionId = subscription.session.id;
    this.first = messages[0]!;
    this.#rest = messages.slice(1);
  }

  /** Feeds the peer's answer (a StatusResponse); a non-success status or another message ends the subscription. */
  onMessage(messageType: number, payload: Uint8Array): ImStep {
    if (this.#done) return step([], true);
    let status: number;
    try {
      status =
        messageType === ImMessageType.StatusResponse
          ? StatusResponseMessage.decode(payload).status
          : ImStatus.INVALID_ACTION;
    } catch (e) {
      if (!(e instanceof MalformedError)) throw e;
      status = ImStatus.INVALID_ACTION;
    }
    if (status !== ImStatus.SUCCESS) {
      // Core 8.5.x: a subscriber answering INVALID_SUBSCRIPTION (or anything but SUCCESS) ends the subscription.
      this.fail();
      return step([], true);
    }
    const next = this.#rest.shift();
    if (next !== undefined) return step([next], false);
    this.#done = true;
    this.#server.reportDelivered(this.subscriptionId);
    return step([], true);
  }

  /** The report could not be delivered (no ack, session gone): the subscription ends. */
  fail(): void {
    this.#done = true;
    this.#server.endSubscription(this.subscriptionId);
  }
}
