/**
 * The device node's reactions: the effects a response or a fail-safe expiry leaves for the node (RemoveFabric, Core
 * 11.18.6.12; CommissioningComplete and ArmFailSafe, Core 11.10.7) carried out on sessions, mDNS, the window and the
 * fail-safe's timer, and the basic commissioning window reopened whenever the node is left without a fabric (Core 5.5).
 */
import type { FabricIndex } from "../fabric/fabric-index.ts";
import type { AfterResponseEffect } from "../im/data-model.ts";
import type { SessionManager } from "../sc/session-manager.ts";
import type { FailSafeTimer } from "./fail-safe-timer.ts";
import type { NodeContext } from "./node-context.ts";
import type { NodeNetwork } from "./node-network.ts";
import type { RootNodeComposition } from "./root-node-composition.ts";

/** Carries out the node's effects; subscribes to what else makes it re-advertise or reopen the window. */
export class NodeReactions {
  readonly #ctx: NodeContext;
  readonly #core: RootNodeComposition;
  readonly #sessions: SessionManager;
  readonly #network: NodeNetwork;
  readonly #failSafeTimer: FailSafeTimer;

  constructor(
    ctx: NodeContext,
    core: RootNodeComposition,
    sessions: SessionManager,
    network: NodeNetwork,
    failSafeTimer: FailSafeTimer,
  ) {
    this.#ctx = ctx;
    this.#core = core;
    this.#sessions = sessions;
    this.#network = network;
    this.#failSafeTimer = failSafeTimer;
    failSafeTimer.onExpired((effects) => this.run(effects));
    core.fabrics.onOperationalIdentityChange(() => this.advertiseOperational());
    // After the session's other listeners (the window's among them) have seen it end.
    sessions.onSessionEnded(() => queueMicrotask(() => this.#maybeReopenWindow()));
    // An Administrator's window that timed out on a node left without a fabric (its last fabric was removed while the
    // window was open): the node's own basic window takes its place.
    network.window.onTimedOut(() => this.#maybeReopenWindow());
    // RemoveFabric of a committed fabric lifts the lockout of a window that ran out of attempts: the node left without
    // fabrics is commissionable again (the SDK's OpenBasicCommissioningWindow after the last fabric, which starts a
    // fresh count).
    core.fabrics.onLifecycle((event) => {
      if (event.kind === "removed" && network.window.outOfAttempts) {
        queueMicrotask(() => this.#maybeReopenWindow({ afterRemoval: true }));
      }
    });
  }

  /** Runs `effects` in order ("flush-urgent-events" is the IM driver's), then reopens the window if it is due. */
  run(effects: readonly AfterResponseEffect[]): void {
    const { window } = this.#network;
    for (const e of effects) {
      switch (e.type) {
        case "expire-fabric-sessions":
          this.#sessions.endFabricSessions(e.fabricIndex as FabricIndex);
          break;
        case "abort-other-fabric-communication":
          this.#sessions.endFabricSessions(e.fabricIndex as FabricIndex, e.keepSessionId);
          break;
        case "restart-operational-advertising":
          this.advertiseOperational();
          break;
        case "expire-pase-sessions":
          this.#sessions.endPaseSessions();
          break;
        case "close-commissioning-window":
          window.closeWindow("commissioning complete").catch(this.#ctx.report("commissioning window"));
          break;
        case "fail-safe-timer":
          this.#failSafeTimer.follow(e.at);
          // Disarmed: an expiry makes the window evict its PASE session and listen again (kFailSafeTimerExpired).
          if (e.at === null) window.failSafeDisarmed();
          break;
      }
    }
    this.#maybeReopenWindow();
  }

  /** Advertises `_matter._tcp` for each fabric's operational identity (none without mDNS). */
  advertiseOperational(): void {
    const { advertiser } = this.#network;
    if (advertiser === undefined) return;
    const ids = this.#core.fabrics
      .fabrics()
      .map((f) => ({ compressedFabricId: f.compressedFabricId, nodeId: f.nodeId }));
    advertiser.setOperationalIdentities(ids).catch(this.#ctx.report("mDNS"));
  }

  #maybeReopenWindow({ afterRemoval = false } = {}): void {
    // Core 5.5: a node without any fabric is commissionable again (the SDK reopens the window after the last fabric
    // is removed and after a failed commissioning).
    const { window } = this.#network;
    if (this.#core.fabrics.fabrics().length > 0 || this.#core.failSafe.armed || window.open !== undefined) return;
    // Core 5.5: after 20 failed attempts the commissionee leaves commissioning mode (until it restarts, or a fabric is
    // removed and leaves it without any).
    if (window.outOfAttempts && !afterRemoval) return;
    window.openBasic(undefined).catch(this.#ctx.report("commissioning window"));
  }
}
