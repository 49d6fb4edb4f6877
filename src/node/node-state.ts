/**
 * What the device node keeps across restarts besides its fabrics: the attestation credentials, the event number epoch
 * (Core 7.14.2.1), the UniqueID, the writable Basic Information attributes (NodeLabel, Location) and the reboot count
 * (General Diagnostics RebootCount), loaded once at start-up and written back as they change.
 */
import { join } from "node:path";
import {
  type AttestationProvider,
  loadProductAttestation,
  openDevAttestationProvider,
} from "../cert/attestation-provider.ts";
import {
  type BasicInformationServer,
  createBasicInformation,
} from "../clusters/basic-information/basic-information.ts";
import { EventLog } from "../im/events.ts";
import type { Storage } from "../storage/storage.ts";
import type { NodeContext } from "./node-context.ts";

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

/** The node's state as loaded at start-up. */
export interface NodeState {
  readonly attestation: AttestationProvider;
  /** The event log, numbering on from the epoch the last boot reserved. */
  readonly events: EventLog;
  /** The Basic Information cluster, its UniqueID and writable attributes restored, their changes persisted. */
  readonly basicInformation: BasicInformationServer;
  /** This boot's RebootCount (already counted in storage). */
  readonly rebootCount: number;
}

async function loadOrCreate<T extends string>(storage: Storage, key: string, make: () => T): Promise<T> {
  const v = await storage.get(key);
  if (typeof v === "string") return v as T;
  const created = make();
  await storage.set(key, created);
  return created;
}

/** The configured attestation, else the product's from `attestationDir`, else the data directory's development set. */
function openAttestation(ctx: NodeContext): Promise<AttestationProvider> {
  const { config: c, crypto, log } = ctx;
  if (c.attestation !== undefined) return Promise.resolve(c.attestation);
  const product = { vendorId: c.vendorId, productId: c.productId };
  return c.attestationDir === undefined
    ? openDevAttestationProvider(crypto, join(c.dataDir, ATTESTATION_DIR), {
        ...product,
        onRegenerate: (reason) => log("warn", reason, "attestation"),
      })
    : loadProductAttestation(crypto, c.attestationDir, product);
}

/** Loads the node's state from `ctx.storage` and counts this boot. */
export async function loadNodeState(ctx: NodeContext): Promise<NodeState> {
  const { config: c, crypto, storage, report } = ctx;
  const attestation = await openAttestation(ctx);
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
  return { attestation, events, basicInformation, rebootCount };
}
