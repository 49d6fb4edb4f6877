/**
 * What every part of the device node's assembly takes: the resolved configuration, crypto, storage, the monotonic
 * clock, the node's timers and its logger, with one way to report failures of work nobody awaits.
 */
import type { Crypto } from "../crypto/crypto.ts";
import type { Storage } from "../storage/storage.ts";
import type { ResolvedDeviceNodeConfig } from "./node-config.ts";
import type { NodeLogger } from "./node-log.ts";
import { NodeTimers } from "./node-timers.ts";

/** The arguments every part of the node shares. */
export interface NodeContext {
  readonly config: ResolvedDeviceNodeConfig;
  readonly crypto: Crypto;
  readonly storage: Storage;
  /** Monotonic milliseconds, the one clock of the transport, the IM and the fail-safe. */
  readonly clock: () => number;
  readonly timers: NodeTimers;
  readonly log: NodeLogger;
  /** A handler for the failure of background work: logs "`what`: name: message" at error. */
  report(what: string): (error: unknown) => void;
}

/** The context of a node over `storage`, with fresh timers on `clock`. */
export function nodeContext(
  config: ResolvedDeviceNodeConfig,
  crypto: Crypto,
  storage: Storage,
  clock: () => number,
): NodeContext {
  const log = config.logger;
  return {
    config,
    crypto,
    storage,
    clock,
    timers: new NodeTimers(clock),
    log,
    report: reportTo(log),
  };
}

/** The node's failure handlers on `log`, also for what start opened before its context exists (NodeContext.report). */
export function reportTo(log: NodeLogger): (what: string) => (error: unknown) => void {
  return (what) => (e) => log("error", `${what}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
}
