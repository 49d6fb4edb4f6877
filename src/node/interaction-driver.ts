/**
 * The Interaction Model (protocol 0x0001, Core spec 8) over the secure channel: exchanges peers open on PASE/CASE
 * sessions go to the sans-IO InteractionServer, its messages go back on the same exchange, and after-response effects
 * run once the exchange has ended (the response was acknowledged or could not be delivered). Subscription reports are
 * sent on exchanges we open, driven by one timer at the server's next deadline; the urgent-event flush a response asks
 * for is the driver's own.
 */

import type { AfterResponseEffect, SessionInfo } from "../im/data-model.ts";
import type { ImStep } from "../im/engine/im-step.ts";
import type { ImResponderExchange, InteractionServer } from "../im/engine/interaction-server.ts";
import { ProtocolId } from "../message/protocol-ids.ts";
import type { ApplicationExchange } from "../sc/secure-channel-endpoint.ts";
import type { SecureSession } from "../sc/secure-session.ts";
import type { TransportDriver } from "./transport-driver.ts";

/** How long we wait for the peer's StatusResponse to a chunk or report we sent (ms; the SDK's IM default is 30 s). */
const IM_RESPONSE_TIMEOUT_MS = 30_000;

/** The accessing-subject view of a secure session (Core 6.6.2.9). */
function sessionInfo(session: SecureSession): SessionInfo {
  return {
    kind: session.type,
    fabricIndex: session.fabricIndex ?? 0,
    subjectNodeId: session.type === "case" ? (session.peerNodeId ?? 0n) : 0n,
    cats: session.peerCats,
    attestationChallenge: session.attestationChallenge,
    id: session.localSessionId,
  };
}

/** Options of the IM driver. */
export interface InteractionDriverOptions {
  readonly transport: TransportDriver;
  readonly server: InteractionServer;
  /** Monotonic ms, the same clock the transport uses. */
  readonly clock: () => number;
  /**
   * Runs effects after the response that caused them was delivered (or its exchange failed); never given
   * "flush-urgent-events", which the driver carries out itself.
   */
  readonly afterResponse: (effects: readonly AfterResponseEffect[]) => void;
  /** Handler errors behind FAILURE statuses and driver bugs. */
  readonly onError?: (error: unknown) => void;
}

/** Serves protocol 0x0001 on the transport's secure sessions. */
export class InteractionDriver {
  readonly #o: InteractionDriverOptions;
  #timer: NodeJS.Timeout | undefined;
  #timerAt: number | undefined;
  #scheduled = false;
  #closed = false;

  constructor(options: InteractionDriverOptions) {
    this.#o = options;
    options.transport.endpoint.registerProtocol(ProtocolId.INTERACTION_MODEL, (_now, ax, message) => {
      this.#accept(ax, message.opcode, message.applicationPayload);
    });
  }

  /** Something changed (an attribute, an event, a subscription): recompute when reports are due. */
  schedule(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#arm();
    });
  }

  /** Stops the report timer. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #accept(ax: ApplicationExchange, opcode: number, payload: Uint8Array): void {
    const im = this.#o.server.openExchange(sessionInfo(ax.session));
    const pending: AfterResponseEffect[] = [];
    let queue: Promise<void> = Promise.resolve();
    let ended = false;
    const feed = (type: number, bytes: Uint8Array): void => {
      queue = queue.then(() => this.#step(ax, im, type, bytes, pending, () => ended));
    };
    ax.onMessage = (_now, m) => feed(m.opcode, m.applicationPayload);
    ax.onEnd = () => {
      ended = true;
      // Runs after every queued step, so effects of the last response are collected.
      void queue.then(() => {
        if (!im.done) im.abort();
        this.#handOver(pending.splice(0));
        this.schedule();
      });
    };
    feed(opcode, payload);
  }

  async #step(
    ax: ApplicationExchange,
    im: ImResponderExchange,
    type: number,
    payload: Uint8Array,
    pending: AfterResponseEffect[],
    ended: () => boolean,
  ): Promise<void> {
    let s: ImStep;
    try {
      s = await im.onMessage(type, payload, this.#o.clock());
    } catch (e) {
      this.#o.onError?.(e);
      if (!ended()) this.#o.transport.act((now) => ax.close(now));
      return;
    }
    for (const e of s.errors) this.#o.onError?.(e);
    pending.push(...s.afterResponse);
    if (ended()) {
      // The exchange is gone (session closed while a handler ran): effects still have to run.
      this.#handOver(pending.splice(0));
      return;
    }
    this.#o.transport.act((now) => {
      for (const m of s.send) {
        ax.send(now, m.messageType, m.payload, s.done ? {} : { expectResponseWithinMs: IM_RESPONSE_TIMEOUT_MS });
      }
      if (s.done) ax.close(now);
    });
    this.schedule();
  }

  /**
   * Hands a finished exchange's effects to the node, except "flush-urgent-events" (a critical event such as Leave was
   * logged): that one is the driver's, which recomputes when reports are due rather than wait for a max interval.
   */
  #handOver(effects: readonly AfterResponseEffect[]): void {
    if (effects.some((e) => e.type === "flush-urgent-events")) this.schedule();
    const forTheNode = effects.filter((e) => e.type !== "flush-urgent-events");
    if (forTheNode.length > 0) this.#o.afterResponse(forTheNode);
  }

  #arm(): void {
    const at = this.#o.server.nextDeadline();
    if (at === this.#timerAt && this.#timer !== undefined) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = at;
    if (at === undefined || this.#closed) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = undefined;
        // Never before `at`: a Node timer may fire while the clock still reads a little earlier.
        this.#report(Math.max(this.#o.clock(), at));
      },
      Math.max(0, Math.ceil(at - this.#o.clock())),
    );
  }

  #report(now: number): void {
    if (this.#closed) return;
    const endpoint = this.#o.transport.endpoint;
    for (const r of this.#o.server.poll(now)) {
      if (endpoint.sessionContext(r.sessionId) === undefined) {
        r.fail();
        continue;
      }
      let ax: ApplicationExchange;
      try {
        ax = endpoint.openExchange(r.sessionId, ProtocolId.INTERACTION_MODEL);
      } catch (e) {
        this.#o.onError?.(e);
        r.fail();
        continue;
      }
      let done = false;
      ax.onMessage = (_now, m) => {
        const s = r.onMessage(m.opcode, m.applicationPayload);
        this.#o.transport.act((now) => {
          for (const next of s.send)
            ax.send(now, next.messageType, next.payload, { expectResponseWithinMs: IM_RESPONSE_TIMEOUT_MS });
          if (s.done) {
            done = true;
            ax.close(now);
          }
        });
        this.schedule();
      };
      ax.onEnd = (outcome) => {
        if (!done || outcome !== "closed") r.fail();
        this.schedule();
      };
      this.#o.transport.act((now) =>
        ax.send(now, r.first.messageType, r.first.payload, { expectResponseWithinMs: IM_RESPONSE_TIMEOUT_MS }),
      );
    }
    this.schedule();
  }
}
