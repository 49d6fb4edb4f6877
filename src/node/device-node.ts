/**
 * The commissionable device node (Core spec 9.2 Root Node + the declared application endpoints, by default an On/Off
 * Light 0x0100): storage, fabric layer, the root endpoint's clusters and the application endpoints, the IM over the
 * secure channel over UDP, the fail-safe timer, mDNS, and the commissioning window, open while the node has no fabric.
 * `DeviceNode.start` returns once it is ready.
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { loadProductAttestation, openDevAttestationProvider } from "../cert/attestation-provider.ts";
import { createAdministratorCommissioning } from "../clusters/administrator-commissioning/administrator-commissioning.ts";
import { createBasicInformation } from "../clusters/basic-information/basic-information.ts";
import { createDescriptor, DeviceType, type EndpointDescription } from "../clusters/descriptor/descriptor.ts";
import { BootReason, createGeneralDiagnostics } from "../clusters/general-diagnostics/general-diagnostics.ts";
import { GroupKeyManagementCluster } from "../clusters/group-key-management/group-key-management.ts";
import { createEthernetNetworkCommissioning } from "../clusters/network-commissioning/network-commissioning.ts";
import type { Crypto } from "../crypto/crypto.ts";
import { nodeCrypto } from "../crypto/node-crypto.ts";
import type { FabricIndex } from "../fabric/fabric-index.ts";
import type { FabricTable } from "../fabric/fabric-table.ts";
import type { FailSafeContext } from "../fabric/fail-safe-context.ts";
import { type AfterResponseEffect, type Cluster, ClusterInstance } from "../im/data-model.ts";
import { InteractionServer, subscriptionPoolSize } from "../im/engine/interaction-server.ts";
import type { EndpointModel } from "../im/engine/node-model.ts";
import { EventLog } from "../im/events.ts";
import { CommissioningWindowState } from "../sc/commissioning-window-state.ts";
import { paseSelfTest } from "../sc/pase/pase-self-test.ts";
import type { SecureChannelEffect } from "../sc/secure-channel-endpoint.ts";
import { SessionManager, secureSessionPoolSize } from "../sc/session-manager.ts";
import { SqliteStorage } from "../storage/sqlite-storage.ts";
import type { Storage } from "../storage/storage.ts";
import { type ApplicationEndpoint, buildApplicationEndpoint } from "./application-endpoint.ts";
import { CommissioningWindow, onboardingWindow } from "./commissioning-window.ts";
import { acquireDataDirLock, type DataDirLock } from "./data-dir-lock.ts";
import { DEVICE_TYPES } from "./device-library.ts";
import { fabricScenesLifecycle } from "./fabric-scenes-lifecycle.ts";
import { hostNetworkInterfaces } from "./host-network-interfaces.ts";
import { InteractionDriver } from "./interaction-driver.ts";
import { LifecycleLog } from "./lifecycle-log.ts";
import type { CiaoAdvertiser } from "./mdns/ciao-advertiser.ts";
import { NodeChannel } from "./node-channel.ts";
import { type DeviceNodeConfig, type ResolvedDeviceNodeConfig, resolveDeviceNodeConfig } from "./node-config.ts";
import { moduleLogger } from "./node-log.ts";
import { encodeManualPairingCode } from "./onboarding/manual-pairing-code.ts";
import { encodeQrCodePayload } from "./onboarding/qr-code-payload.ts";
import { CommissioningFlow, DiscoveryCapability } from "./onboarding/setup-payload.ts";
import { composeRootNode } from "./root-node-composition.ts";
import { TransportDriver } from "./transport-driver.ts";

/** The SQLite database file inside the data directory. */
export const DATABASE_FILE = "opcreds.db";
/** The directory of the generated development attestation credentials inside the data directory. */
export const ATTESTATION_DIR = "attestation";
/** BasicInformation DataModelRevision served (the SDK's CHIP_DEVICE_DATA_MODEL_REVISION for 1.4.x). */
const DATA_MODEL_REVISION = 18;

const KEY = {
  uniqueId: "node/unique-id",
  basicConfig: "node/basic-config",
  eventNumber: "node/event-number",
  rebootCount: "node/reboot-count",
} as const;

/** The onboarding payloads of the node (Core 5.1.3 QR code, 5.1.4 manual pairing code). */
export interface Onboarding {
  readonly manualPairingCode: string;
  readonly qrCode: string;
}

/** A running device node. */
export class DeviceNode {
  readonly config: ResolvedDeviceNodeConfig;
  readonly crypto: Crypto;
  readonly storage: Storage;
  readonly fabrics: FabricTable;
  readonly onboarding: Onboarding;
  readonly #lock: DataDirLock;
  readonly #transport: TransportDriver;
  readonly #server: InteractionServer;
  readonly #window: CommissioningWindow;
  readonly #sessions: SessionManager;
  readonly #failSafe: FailSafeContext;
  readonly #shutdown: () => Promise<void>;
  #stopped: Promise<void> | undefined;
  /** The first application endpoint's On/Off value (the bundled light's; for logs and tests). */
  readonly light: { readonly onOff: () => boolean };
  /** The application endpoints by id, in declaration order. */
  readonly applicationEndpoints: ReadonlyMap<number, ApplicationEndpoint>;

  /** Use `DeviceNode.start`. */
  constructor(parts: {
    config: ResolvedDeviceNodeConfig;
    crypto: Crypto;
    storage: Storage;
    fabrics: FabricTable;
    onboarding: Onboarding;
    lock: DataDirLock;
    transport: TransportDriver;
    server: InteractionServer;
    window: CommissioningWindow;
    sessions: SessionManager;
    failSafe: FailSafeContext;
    shutdown: () => Promise<void>;
    light: { onOff: () => boolean };
    applicationEndpoints: ReadonlyMap<number, ApplicationEndpoint>;
  }) {
    this.config = parts.config;
    this.crypto = parts.crypto;
    this.storage = parts.storage;
    this.fabrics = parts.fabrics;
    this.onboarding = parts.onboarding;
    this.#lock = parts.lock;
    this.#transport = parts.transport;
    this.#server = parts.server;
    this.#window = parts.window;
    this.#sessions = parts.sessions;
    this.#failSafe = parts.failSafe;
    this.#shutdown = parts.shutdown;
    this.light = parts.light;
    this.applicationEndpoints = parts.applicationEndpoints;
  }

  /** The bound UDP port. */
  get port(): number {
    return this.#transport.port;
  }

  /** The kind of commissioning window open now, if any. */
  get commissioningWindow(): "basic" | "enhanced" | undefined {
    return this.#window.open;
  }

  /** Calls `listener` each time a commissioning window opens (e.g. the basic one after the last fabric). */
  onCommissioningWindowOpened(listener: (kind: "basic" | "enhanced") => void): () => void {
    return this.#window.onOpened(listener);
  }

  /** True while the commissioning window accepts PASE and advertises (false once a PASE session is established). */
  get commissioningWindowListening(): boolean {
    return this.#window.listening;
  }

  /** True while the fail-safe is armed (also the one the window arms for its PASE session). */
  get failSafeArmed(): boolean {
    return this.#failSafe.armed;
  }

  /** Live secure sessions. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Starts the node: opens the data directory (locked), storage and fabric layer, binds UDP, advertises. */
  static async start(config: DeviceNodeConfig): Promise<DeviceNode> {
    const c = resolveDeviceNodeConfig(config);
    const crypto = nodeCrypto;
    const clock = () => performance.now();
    const lock = acquireDataDirLock(c.dataDir);
    let storage: SqliteStorage | undefined;
    try {
      storage = await SqliteStorage.open(join(c.dataDir, DATABASE_FILE));
      // Before anything listens: the commissioning crypto works, and is compiled for the first commissioner.
      paseSelfTest(crypto);
      return await assemble(c, crypto, clock, lock, storage);
    } catch (e) {
      await storage?.close().catch(() => {});
      lock.release();
      throw e;
    }
  }

  /** Stops the node: records ShutDown, closes sessions, withdraws mDNS (goodbyes), closes UDP and storage. */
  stop(): Promise<void> {
    this.#stopped ??= this.#shutdown().finally(() => this.#lock.release());
    return this.#stopped;
  }

  /** For tests: the IM server (subscriptions). */
  get interactionServer(): InteractionServer {
    return this.#server;
  }
}

async function loadOrCreate<T extends string>(storage: Storage, key: string, make: () => T): Promise<T> {
  const v = await storage.get(key);
  if (typeof v === "string") return v as T;
  const created = make();
  await storage.set(key, created);
  return created;
}

async function assemble(
  c: ResolvedDeviceNodeConfig,
  crypto: Crypto,
  clock: () => number,
  lock: DataDirLock,
  storage: SqliteStorage,
): Promise<DeviceNode> {
  const log = c.logger;
  const timers = new Set<NodeJS.Timeout>();
  // Runs `fn` at `at` (clock ms) with the time it fired. Node's timers count from the event loop's cached time, so one
  // can fire while clock() still reads a little before `at` (by more under load): the time passed is never before
  // `at`, or a core that checks "deadline reached" would see it not yet due and never be woken again.
  const later = (at: number, fn: (now: number) => void): NodeJS.Timeout => {
    const t = setTimeout(
      () => {
        timers.delete(t);
        fn(Math.max(clock(), at));
      },
      Math.max(0, Math.ceil(at - clock())),
    );
    timers.add(t);
    return t;
  };
  const report = (what: string) => (e: unknown) =>
    log("error", `${what}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);

  // ---- state -------------------------------------------------------------------------------------------------
  const attestation =
    c.attestation ??
    (c.attestationDir === undefined
      ? await openDevAttestationProvider(crypto, join(c.dataDir, ATTESTATION_DIR), {
          vendorId: c.vendorId,
          productId: c.productId,
          onRegenerate: (reason) => log("warn", reason, "attestation"),
        })
      : await loadProductAttestation(crypto, c.attestationDir, { vendorId: c.vendorId, productId: c.productId }));
  const storedEventNumber = await storage.get(KEY.eventNumber);
  const events = new EventLog({
    firstEventNumber: typeof storedEventNumber === "string" ? BigInt(storedEventNumber) : 0n,
    onReserve: (upTo) => void storage.set(KEY.eventNumber, upTo.toString()).catch(report("event number")),
  });
  const uniqueId = await loadOrCreate(storage, KEY.uniqueId, () =>
    Buffer.from(crypto.randomBytes(16)).toString("hex").toUpperCase().slice(0, 32),
  );
  const basicConfig = await storage.get(KEY.basicConfig);
  const storedReboots = await storage.get(KEY.rebootCount);
  const rebootCount = Math.min(0xffff, (typeof storedReboots === "number" ? storedReboots : -1) + 1);
  await storage.set(KEY.rebootCount, rebootCount);
  // Room for the spec minimum of 3 CASE sessions per supported fabric, plus PASE and a CASE responder (issue 11).
  const sessions = new SessionManager(crypto, { maxSessions: secureSessionPoolSize(c.supportedFabrics) });
  const basicInformation = createBasicInformation({
    values: {
      ...c.basicInformation,
      vendorId: c.vendorId,
      productId: c.productId,
      uniqueId,
      dataModelRevision: DATA_MODEL_REVISION,
      ...(basicConfig !== null && typeof basicConfig === "object" && !(basicConfig instanceof Uint8Array)
        ? (basicConfig as { nodeLabel: string; location: string })
        : {}),
    },
    events,
    onConfigChanged: (cfg) => void storage.set(KEY.basicConfig, { ...cfg }).catch(report("basic config")),
  });
  // The commissioning window's state, read by ArmFailSafe's "window open" check, the secure channel and the
  // Administrator Commissioning cluster, driven by the window manager built with the transport.
  const windowState = new CommissioningWindowState(onboardingWindow(crypto, c.passcode, c.discriminator));
  // The commissioning core, as TestNode runs it: fabric layer, commissioning transaction, per-fabric stores on the
  // fabric lifecycle, and the Access Control, Operational Credentials, General Commissioning and Group Key Management
  // clusters.
  const core = await composeRootNode({
    storage,
    crypto,
    attestation,
    events,
    supportedFabrics: c.supportedFabrics,
    adoptFabric: (sessionId, fabricIndex) => {
      sessions.bindPaseSessionToFabric(sessionId, fabricIndex);
    },
    recordLeaveEvent: (fabricIndex) => {
      basicInformation.leave(fabricIndex, clock());
    },
    isCommissioningWindowOpen: () => windowState.isOpen,
    onError: (what, e) => report(what)(e),
  });
  const { fabrics, failSafe, resumption, groupKeys, accessControl, generalCommissioning } = core;
  const opcreds = core.operationalCredentials;
  const lifecycle = LifecycleLog.attach(fabrics, log);
  const groupKeyManagement = core.groupKeyManagement;

  // ---- transport, window, mDNS -------------------------------------------------------------------------------
  // The parts built next report to reactions that need them (and the IM driver built after them): through these two
  // channels, consumed once the reactions exist at the end of the assembly.
  const secureChannelEvents = new NodeChannel<SecureChannelEffect>();
  const nodeEffects = new NodeChannel<readonly AfterResponseEffect[]>();
  const state = { stopping: false, failSafeTimer: undefined as NodeJS.Timeout | undefined };
  const transport = await TransportDriver.open({
    crypto,
    sessions,
    caseFabrics: core.caseFabrics,
    resumption,
    validAt: () => new Date(),
    port: c.port,
    clock,
    saveResumption: (record) => resumption.save(record),
    onEvent: (e) => secureChannelEvents.post(e),
    onError: report("transport"),
  });
  let advertiser: CiaoAdvertiser | undefined;
  if (c.mdns !== false) {
    // Loaded only when advertising: @homebridge/ciao costs about as much start-up time and memory as the rest of the
    // node together, and a node started with mDNS off never needs it.
    const { CiaoAdvertiser } = await import("./mdns/ciao-advertiser.ts");
    advertiser = await CiaoAdvertiser.open({
      randomBytes: (n) => crypto.randomBytes(n),
      port: transport.port,
      ...(c.mdns.interfaces === undefined ? {} : { interfaces: c.mdns.interfaces }),
    });
  }
  // The fail-safe's timer fired at `now`, or (at +Infinity, past any deadline) the SDK's ForceFailSafeTimerExpiry: the
  // expiry's full cleanup, its effects run by the node.
  const fireFailSafe = (now: number): void => {
    lifecycle.failSafeExpired(now === Number.POSITIVE_INFINITY ? "forced" : "its timer fired");
    generalCommissioning
      .failSafeTimerFired(now)
      .then((effects) => nodeEffects.post(effects))
      .catch(report("fail-safe"));
  };
  const window = new CommissioningWindow({
    state: windowState,
    transport,
    advertiser,
    clock,
    vendorId: c.vendorId,
    productId: c.productId,
    // DNS-SD DT and DN (Core 4.3.1.3): the first application endpoint's device type, the product name.
    deviceType: DEVICE_TYPES[c.endpoints[0]!.deviceType].deviceType.deviceType,
    deviceName: c.basicInformation.productName,
    logger: moduleLogger(log, "window"),
    failSafe,
    sessions,
    // RevokeCommissioning's ForceFailSafeTimerExpiry: any time past the deadline runs the same cleanup as the timer.
    expireFailSafe: () => generalCommissioning.failSafeTimerFired(Number.POSITIVE_INFINITY),
    // CommissioningWindowManager::OnSessionEstablished arms the fail-safe for the PASE session (fabric index
    // undefined = 0, CHIP_DEVICE_CONFIG_FAILSAFE_EXPIRY_LENGTH_SEC); its timer runs like one armed by ArmFailSafe.
    armFailSafe: () => {
      const armed = failSafe.arm(clock(), c.failSafeExpirySeconds, 0);
      if (armed.result !== "armed") return false;
      nodeEffects.post([{ type: "fail-safe-timer", at: armed.deadlineMs }]);
      return true;
    },
    // CommissioningWindowManager::OnSessionReleased → ExpireFailSafeIfArmed → ForceFailSafeTimerExpiry.
    forceFailSafeExpiry: () => {
      // Not while stopping: shutdown closes every session, and the fail-safe's state is not persisted anyway.
      if (!state.stopping) fireFailSafe(Number.POSITIVE_INFINITY);
    },
  });
  const advertiseOperational = (): void => {
    if (advertiser === undefined) return;
    const ids = fabrics.fabrics().map((f) => ({ compressedFabricId: f.compressedFabricId, nodeId: f.nodeId }));
    advertiser.setOperationalIdentities(ids).catch(report("mDNS"));
  };

  // ---- clusters ------------------------------------------------------------------------------------------------
  const admin = createAdministratorCommissioning({ window: windowState, controller: window, failSafe, fabrics });
  // A fabric gone (removed, or a pending addition the fail-safe reverted) leaves the window's admin fields.
  core.onFabricGone((fi) => windowState.fabricRemoved(fi));
  const bootTimeMs = clock();
  const generalDiagnostics = createGeneralDiagnostics({
    events,
    networkInterfaces: hostNetworkInterfaces,
    rebootCount,
    bootTimeMs,
    posixTimeMs: () => BigInt(Date.now()),
  });
  const ethernetName = hostNetworkInterfaces().find((i) => i.name !== "lo")?.name ?? "eth0";
  const networkCommissioning = createEthernetNetworkCommissioning({
    networkId: new TextEncoder().encode(ethernetName),
  });
  // The declared application endpoints, each with the clusters of its device type.
  const applicationEndpoints = new Map<number, ApplicationEndpoint>();
  for (const declaration of c.endpoints) {
    const built = await buildApplicationEndpoint(declaration, {
      storage,
      groupKeys,
      fabricIndices: () => fabrics.fabrics().map((f) => f.fabricIndex),
      later,
      log,
      onGroupTableChanged: () => groupKeyManagement.changes?.emit(GroupKeyManagementCluster.attributes.GroupTable),
      onError: (what, e) => report(what)(e),
    });
    applicationEndpoints.set(declaration.id, built);
  }
  const applications = [...applicationEndpoints.values()];
  // Scenes of a removed fabric are deleted in the storage transaction that deletes its record (lifecycle participant).
  fabrics.participate(fabricScenesLifecycle(applications, report("scenes")));

  const root: Cluster[] = [
    accessControl.cluster,
    basicInformation.cluster,
    lifecycle.observe(generalCommissioning.cluster),
    networkCommissioning.cluster,
    generalDiagnostics.cluster,
    admin,
    lifecycle.observe(opcreds.cluster),
    groupKeyManagement,
  ];
  const DESCRIPTOR_ID = 0x001d;
  const descriptions: EndpointDescription[] = [
    {
      endpoint: 0,
      deviceTypes: [DeviceType.RootNode],
      serverClusters: [DESCRIPTOR_ID, ...root.map((x) => x.id)],
      clientClusters: [],
    },
    ...applications.map((a) => ({
      endpoint: a.id,
      deviceTypes: [DEVICE_TYPES[a.deviceType].deviceType],
      serverClusters: [DESCRIPTOR_ID, ...a.clusters.map((x) => x.id)],
      clientClusters: [],
    })),
  ];
  const descriptorModel = { endpoints: () => descriptions };
  const dataVersion = () => {
    const b = crypto.randomBytes(4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  };
  const instances = (endpoint: number, clusters: Cluster[]) =>
    [createDescriptor({ endpoint, node: descriptorModel }).cluster, ...clusters].map(
      (cl) => new ClusterInstance(endpoint, cl, dataVersion()),
    );
  const endpoints: EndpointModel[] = [
    {
      id: 0,
      deviceTypes: [{ type: DeviceType.RootNode.deviceType, revision: DeviceType.RootNode.revision }],
      clusters: instances(0, root),
    },
    ...applications.map((a) => {
      const { deviceType, revision } = DEVICE_TYPES[a.deviceType].deviceType;
      return { id: a.id, deviceTypes: [{ type: deviceType, revision }], clusters: instances(a.id, [...a.clusters]) };
    }),
  ];
  const deviceTypesOf = (ep: number) =>
    descriptions.find((d) => d.endpoint === ep)?.deviceTypes.map((d) => d.deviceType) ?? [];
  const server = new InteractionServer({
    node: { endpoints },
    access: core.accessChecker(deviceTypesOf),
    events,
    firstSubscriptionId: (dataVersion() & 0x7fffffff) + 1,
    maxSubscriptions: subscriptionPoolSize(c.supportedFabrics),
  });
  // The fabric's subscriptions end with it.
  core.onFabricGone((fi) => server.fabricRemoved(fi));
  const im = new InteractionDriver({
    transport,
    server,
    clock,
    afterResponse: (effects) => nodeEffects.post(effects),
    onError: report("interaction"),
  });
  for (const endpoint of endpoints) for (const inst of endpoint.clusters) inst.onAttributeChange(() => im.schedule());
  events.onEvent(() => im.schedule());

  // ---- the node's reactions ---------------------------------------------------------------------------------------
  const maybeReopenWindow = (): void => {
    // Core 5.5: a node without any fabric is commissionable again (the SDK reopens the window after the last fabric
    // is removed and after a failed commissioning).
    if (fabrics.fabrics().length > 0 || failSafe.armed || window.open !== undefined) return;
    window.openBasic(undefined).catch(report("commissioning window"));
  };
  const runEffects = (effects: readonly AfterResponseEffect[]): void => {
    for (const e of effects) {
      switch (e.type) {
        case "expire-fabric-sessions":
          sessions.endFabricSessions(e.fabricIndex as FabricIndex);
          break;
        case "abort-other-fabric-communication":
          sessions.endFabricSessions(e.fabricIndex as FabricIndex, e.keepSessionId);
          break;
        case "restart-operational-advertising":
          advertiseOperational();
          break;
        case "expire-pase-sessions":
          sessions.endPaseSessions();
          break;
        case "close-commissioning-window":
          window.closeWindow().catch(report("commissioning window"));
          break;
        case "flush-urgent-events":
          im.schedule();
          break;
        case "fail-safe-timer":
          lifecycle.failSafeTimer(e.at, clock(), failSafe.endedBy);
          if (state.failSafeTimer !== undefined) clearTimeout(state.failSafeTimer);
          state.failSafeTimer = undefined;
          // Disarmed: an expiry makes the window evict its PASE session and listen again (kFailSafeTimerExpired).
          if (e.at === null) window.failSafeDisarmed();
          else {
            state.failSafeTimer = later(e.at, (now) => {
              state.failSafeTimer = undefined;
              fireFailSafe(now);
            });
          }
          break;
      }
    }
    maybeReopenWindow();
  };
  nodeEffects.consume(runEffects);
  core.onFabricGone((fi) => log("info", `fabric ${fi} removed`));
  fabrics.onOperationalIdentityChange(() => advertiseOperational());
  sessions.onSessionEnded((s) => {
    server.sessionClosed(s.localSessionId);
    queueMicrotask(maybeReopenWindow);
  });
  secureChannelEvents.consume((e) => {
    window.secureChannelEvent(e);
    if (e.kind === "session-established") {
      log("debug", `${e.session.type} session ${e.session.localSessionId} established`, "sc");
    } else if (e.kind === "handshake-failed") {
      lifecycle.handshakeFailed(e.protocol, e.error);
    }
  });

  // ---- start-up ---------------------------------------------------------------------------------------------------
  // Nothing pending is written before CommissioningComplete, so start-up needs no reconciliation; only a data directory
  // written before the commissioning transaction may hold ACL, IPK, resumption or scene records of a fabric never
  // committed: the composition's one-time repair drops them (a later fabric at the same index must not inherit them).
  const repaired = await core.repairUncommittedFabricData(applications);
  if (repaired.length > 0) log("info", `repaired: dropped uncommitted data of fabric(s) ${repaired.join(", ")}`);
  basicInformation.startUp(clock());
  generalDiagnostics.recordBootReason(BootReason.Unspecified, clock());
  advertiseOperational();
  if (fabrics.fabrics().length === 0) await window.openBasic(undefined);

  const discriminator = c.discriminator;
  const onboarding: Onboarding = {
    manualPairingCode: encodeManualPairingCode({ discriminator, passcode: c.passcode }),
    qrCode: encodeQrCodePayload({
      version: 0,
      vendorId: c.vendorId,
      productId: c.productId,
      commissioningFlow: CommissioningFlow.Standard,
      discoveryCapabilities: DiscoveryCapability.OnNetwork,
      discriminator,
      passcode: c.passcode,
    }),
  };
  log("info", `listening on UDP port ${transport.port}; ${fabrics.fabrics().length} fabric(s)`);

  const shutdown = async (): Promise<void> => {
    state.stopping = true;
    lifecycle.detach();
    basicInformation.shutDown(clock());
    im.close();
    for (const t of timers) clearTimeout(t);
    timers.clear();
    for (const s of sessions.sessions()) transport.act((now) => transport.endpoint.closeSession(now, s.localSessionId));
    await window.closeWindow().catch(report("commissioning window"));
    await advertiser?.close().catch(report("mDNS"));
    // Let the CloseSession datagrams leave before the socket closes.
    await new Promise((r) => setTimeout(r, 20));
    await transport.close();
    server.close();
    await storage.close();
  };

  return new DeviceNode({
    config: c,
    crypto,
    storage,
    fabrics,
    onboarding,
    lock,
    transport,
    server,
    window,
    sessions,
    failSafe,
    shutdown,
    light: { onOff: () => applications[0]!.onOff.onOff },
    applicationEndpoints,
  });
}
