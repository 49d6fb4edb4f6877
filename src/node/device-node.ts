/**
 * The commissionable device node (Core spec 9.2 Root Node + the declared application endpoints, by default an On/Off
 * Light 0x0100), assembled in dependency order: its stored state, the commissioning core (fabric layer and root
 * clusters), the fail-safe's timer, the network (UDP secure channel, mDNS, commissioning window), the data model and
 * the IM server, the reactions to their effects, the IM driver; then start-up. `DeviceNode.start` returns once it is
 * ready, `stop` undoes it.
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { BootReason } from "../clusters/general-diagnostics/general-diagnostics.ts";
import type { Crypto } from "../crypto/crypto.ts";
import { nodeCrypto } from "../crypto/node-crypto.ts";
import type { FabricTable } from "../fabric/fabric-table.ts";
import type { InteractionServer } from "../im/engine/interaction-server.ts";
import { paseSelfTest } from "../sc/pase/pase-self-test.ts";
import { SessionManager, secureSessionPoolSize } from "../sc/session-manager.ts";
import { SqliteStorage } from "../storage/sqlite-storage.ts";
import type { Storage } from "../storage/storage.ts";
import type { ApplicationEndpoint } from "./application-endpoint.ts";
import { acquireDataDirLock } from "./data-dir-lock.ts";
import { FailSafeTimer } from "./fail-safe-timer.ts";
import { InteractionDriver } from "./interaction-driver.ts";
import { LifecycleLog } from "./lifecycle-log.ts";
import { type DeviceNodeConfig, type ResolvedDeviceNodeConfig, resolveDeviceNodeConfig } from "./node-config.ts";
import { type NodeContext, nodeContext, reportTo } from "./node-context.ts";
import { buildDataModel, type NodeDataModel } from "./node-data-model.ts";
import { commissioningWindowState, type NodeNetwork, openNodeNetwork } from "./node-network.ts";
import { NodeReactions } from "./node-reactions.ts";
import { loadNodeState, type NodeState } from "./node-state.ts";
import { onNetworkPairingCodes } from "./onboarding/pairing-codes.ts";
import { OpenedSoFar } from "./opened-so-far.ts";
import { composeRootNode, type RootNodeComposition } from "./root-node-composition.ts";

/** The SQLite database file inside the data directory. */
export const DATABASE_FILE = "opcreds.db";

/** The onboarding payloads of the node (Core 5.1.3 QR code, 5.1.4 manual pairing code). */
export interface Onboarding {
  readonly manualPairingCode: string;
  readonly qrCode: string;
}

/** The parts start-up and the running node use, in the order they were built, and what shutdown closes. */
interface NodeParts {
  readonly ctx: NodeContext;
  readonly opened: OpenedSoFar;
  readonly state: NodeState;
  readonly sessions: SessionManager;
  readonly core: RootNodeComposition;
  readonly network: NodeNetwork;
  readonly dataModel: NodeDataModel;
  readonly reactions: NodeReactions;
}

/** A running device node. */
export class DeviceNode {
  readonly config: ResolvedDeviceNodeConfig;
  readonly crypto: Crypto;
  readonly storage: Storage;
  readonly fabrics: FabricTable;
  readonly onboarding: Onboarding;
  readonly #parts: NodeParts;
  #stopped: Promise<void> | undefined;
  /** The first application endpoint's On/Off value (the bundled light's; for logs and tests). */
  readonly light: { readonly onOff: () => boolean };
  /** The application endpoints by id, in declaration order. */
  readonly applicationEndpoints: ReadonlyMap<number, ApplicationEndpoint>;

  private constructor(parts: NodeParts) {
    this.#parts = parts;
    this.config = parts.ctx.config;
    this.crypto = parts.ctx.crypto;
    this.storage = parts.ctx.storage;
    this.fabrics = parts.core.fabrics;
    this.onboarding = onNetworkPairingCodes(parts.ctx.config);
    this.applicationEndpoints = parts.dataModel.applicationEndpoints;
    const first = [...this.applicationEndpoints.values()][0]!;
    this.light = { onOff: () => first.onOff.onOff };
  }

  /** The bound UDP port. */
  get port(): number {
    return this.#parts.network.transport.port;
  }

  /** The kind of commissioning window open now, if any. */
  get commissioningWindow(): "basic" | "enhanced" | undefined {
    return this.#parts.network.window.open;
  }

  /** Calls `listener` each time a commissioning window opens (e.g. the basic one after the last fabric). */
  onCommissioningWindowOpened(listener: (kind: "basic" | "enhanced") => void): () => void {
    return this.#parts.network.window.onOpened(listener);
  }

  /** True while the commissioning window accepts PASE and advertises (false once a PASE session is established). */
  get commissioningWindowListening(): boolean {
    return this.#parts.network.window.listening;
  }

  /** True while the fail-safe is armed (also the one the window arms for its PASE session). */
  get failSafeArmed(): boolean {
    return this.#parts.core.failSafe.armed;
  }

  /** Live secure sessions. */
  get sessionCount(): number {
    return this.#parts.sessions.size;
  }

  /**
   * Starts the node: opens the data directory (locked), storage and fabric layer, binds UDP, advertises. When a step
   * fails, everything opened before it is closed again (in reverse order) and the step's error is thrown.
   */
  static async start(config: DeviceNodeConfig): Promise<DeviceNode> {
    const c = resolveDeviceNodeConfig(config);
    const crypto = nodeCrypto;
    const opened = new OpenedSoFar();
    try {
      const lock = acquireDataDirLock(c.dataDir);
      opened.add("data directory lock", () => lock.release());
      const storage = await SqliteStorage.open(join(c.dataDir, DATABASE_FILE));
      opened.add("storage", () => storage.close());
      // Before anything listens: the commissioning crypto works, and is compiled for the first commissioner.
      paseSelfTest(crypto);
      const parts = await assemble(
        nodeContext(c, crypto, storage, () => performance.now()),
        opened,
      );
      await startUp(parts);
      return new DeviceNode(parts);
    } catch (e) {
      // The caller gets the step's error; a close that fails as well is logged, not thrown in its place.
      await opened.closeAll(reportTo(c.logger));
      throw e;
    }
  }

  /** Stops the node: records ShutDown, closes sessions, withdraws mDNS (goodbyes), closes UDP and storage. */
  stop(): Promise<void> {
    this.#stopped ??= shutDown(this.#parts);
    return this.#stopped;
  }

  /** For tests: the IM server (subscriptions). */
  get interactionServer(): InteractionServer {
    return this.#parts.dataModel.server;
  }
}

/** Builds the node's parts, each from the ones before it; what opens something registers its close with `opened`. */
async function assemble(ctx: NodeContext, opened: OpenedSoFar): Promise<NodeParts> {
  const { config: c, crypto, storage, clock, log, report } = ctx;
  const state = await loadNodeState(ctx);
  // Room for the spec minimum of 3 CASE sessions per supported fabric, plus PASE and a CASE responder (issue 11).
  const sessions = new SessionManager(crypto, { maxSessions: secureSessionPoolSize(c.supportedFabrics) });
  const windowState = commissioningWindowState(ctx);
  // The commissioning core, as TestNode runs it: fabric layer, commissioning transaction, per-fabric stores on the
  // fabric lifecycle, and the Access Control, Operational Credentials, General Commissioning and Group Key Management
  // clusters.
  const core = await composeRootNode({
    storage,
    crypto,
    attestation: state.attestation,
    events: state.events,
    supportedFabrics: c.supportedFabrics,
    adoptFabric: (sessionId, fabricIndex) => sessions.bindPaseSessionToFabric(sessionId, fabricIndex),
    recordLeaveEvent: (fabricIndex) => void state.basicInformation.leave(fabricIndex, clock()),
    isCommissioningWindowOpen: () => windowState.isOpen,
    onError: (what, e) => report(what)(e),
  });
  const lifecycle = LifecycleLog.attach(core.fabrics, log);
  opened.add("lifecycle log", () => lifecycle.detach());
  const failSafeTimer = new FailSafeTimer(ctx, core.failSafe, core.generalCommissioning, lifecycle);
  const network = await openNodeNetwork(ctx, core, sessions, windowState, failSafeTimer, lifecycle, opened.add);
  const dataModel = await buildDataModel(ctx, core, { state, windowState, window: network.window, lifecycle });
  opened.add("interaction server", () => dataModel.server.close());
  sessions.onSessionEnded((s) => dataModel.server.sessionClosed(s.localSessionId));
  core.onFabricGone((fi) => log("info", `fabric ${fi} removed`));
  const reactions = new NodeReactions(ctx, core, sessions, network, failSafeTimer);
  const im = new InteractionDriver({
    transport: network.transport,
    server: dataModel.server,
    clock,
    afterResponse: (effects) => reactions.run(effects),
    onError: report("interaction"),
  });
  opened.add("interaction driver", () => im.close());
  for (const endpoint of dataModel.endpoints)
    for (const inst of endpoint.clusters) inst.onAttributeChange(() => im.schedule());
  state.events.onEvent(() => im.schedule());
  // The node's timers are set by commands (through the IM driver, built just above) and by the window's PASE session
  // (the window listens from start-up on), so none before this point; registered last, they stop first: no fail-safe
  // expiry or application timer runs while the rest closes.
  opened.add("timers", () => {
    failSafeTimer.close();
    ctx.timers.clearAll();
  });
  return { ctx, opened, state, sessions, core, network, dataModel, reactions };
}

/**
 * Start-up: the one-time repair, the StartUp and BootReason events, the operational advertisement, and the basic
 * window when the node has no fabric. Nothing pending is written before CommissioningComplete, so start-up needs no
 * reconciliation; only a data directory written before the commissioning transaction may hold ACL, IPK, resumption or
 * scene records of a fabric never committed: the repair drops them (a later fabric at the same index must not inherit
 * them).
 */
async function startUp(parts: NodeParts): Promise<void> {
  const { ctx, core, state, dataModel, network } = parts;
  const { clock, log } = ctx;
  const repaired = await core.repairUncommittedFabricData([...dataModel.applicationEndpoints.values()]);
  if (repaired.length > 0) log("info", `repaired: dropped uncommitted data of fabric(s) ${repaired.join(", ")}`);
  state.basicInformation.startUp(clock());
  dataModel.generalDiagnostics.recordBootReason(BootReason.Unspecified, clock());
  parts.reactions.advertiseOperational();
  if (core.fabrics.fabrics().length === 0) await network.window.openBasic(undefined);
  log("info", `listening on UDP port ${network.transport.port}; ${core.fabrics.fabrics().length} fabric(s)`);
}

/**
 * Shutdown: ShutDown recorded, then what start opened closed in reverse order: timers stopped, the IM closed, sessions
 * closed, the window and mDNS withdrawn, UDP, storage and the data directory lock closed.
 */
async function shutDown(parts: NodeParts): Promise<void> {
  try {
    parts.state.basicInformation.shutDown(parts.ctx.clock());
  } finally {
    // Whatever recording the ShutDown event did, what start opened is closed (the data directory lock above all).
    await parts.opened.closeAll(parts.ctx.report);
  }
}
