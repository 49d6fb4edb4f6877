/**
 * What the sans-IO Interaction Model server hands its exchange glue (Core spec 8.2): the messages to send on an
 * exchange, whether the interaction is over, and the effects to run after the response went out.
 */
import type { AfterResponseEffect } from "../data-model.ts";
import { ImMessageType } from "../messages/im-message-type.ts";
import { StatusResponseMessage } from "../messages/status-response-message.ts";

/** One message to send on an exchange. */
export interface ImOutgoing {
  readonly messageType: ImMessageType;
  readonly payload: Uint8Array;
}

/** What the glue does after feeding a message to an exchange. */
export interface ImStep {
  readonly send: readonly ImOutgoing[];
  /** The interaction is over once `send` is delivered; later messages on this exchange are protocol errors. */
  readonly done: boolean;
  readonly afterResponse: readonly AfterResponseEffect[];
  /** Unexpected handler errors behind FAILURE statuses (for the node's log; never sent). */
  readonly errors: readonly unknown[];
}

/** One outgoing message of type `messageType`. */
export const imOutgoing = (messageType: ImMessageType, payload: Uint8Array): ImOutgoing => ({ messageType, payload });

/** A StatusResponse message carrying `status`. */
export const imStatusMessage = (status: number): ImOutgoing =>
  imOutgoing(ImMessageType.StatusResponse, StatusResponseMessage.encode({ status }));

/** A step sending `send`, finished or not, with its after-response effects and handler errors. */
export const imStep = (
  send: ImOutgoing[],
  done: boolean,
  afterResponse: AfterResponseEffect[] = [],
  errors: unknown[] = [],
): ImStep => ({ send, done, afterResponse, errors });
