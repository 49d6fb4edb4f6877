/**
 * CASE session resumption state (Core spec 4.14.2.2 "Session Resumption"): what each side keeps after a CASE
 * session so a later Sigma1 can skip certificates: {resumptionID, sharedSecret, peer node id, fabric, CATs}. Records
 * persist through `src/storage`, at most one per peer node and fabric (the SDK's SimpleSessionResumptionStorage), and
 * are dropped when their fabric is removed or its NOC updated.
 */
import { fromHex, toHex } from "../../bytes/bytes.ts";
import { MalformedError } from "../../bytes/errors.ts";
import { type FabricIndex, isFabricIndex } from "../../fabric/fabric-index.ts";
import type { FabricLifecycleEvent, FabricLifecycleParticipant } from "../../fabric/fabric-table.ts";
import type { JsonValue, Storage, StorageTransaction, StorageValue } from "../../storage/storage.ts";
import { RESUMPTION_ID_BYTES, SHARED_SECRET_BYTES } from "./case-constants.ts";

/** One resumable CASE session. */
export type ResumptionRecord = {
  readonly resumptionId: Uint8Array;
  readonly sharedSecret: Uint8Array;
  readonly peerNodeId: bigint;
  readonly fabricIndex: FabricIndex;
  /** CATs of the peer's NOC when the session was first established. */
  readonly cats: readonly number[];
};

/** Storage key prefix of resumption records; the key ends with the resumption id in hex. */
export const RESUMPTION_RECORD_PREFIX = "case/resumption/";

/** Records kept at most (SDK CHIP_CONFIG_CASE_SESSION_RESUME_CACHE_SIZE order of magnitude); the oldest goes first. */
const DEFAULT_MAX_RESUMPTION_RECORDS = 64;

const RECORD = "case.resumption-record";

function recordKey(resumptionId: Uint8Array): string {
  return `${RESUMPTION_RECORD_PREFIX}${toHex(resumptionId)}`;
}

function checkRecord(r: ResumptionRecord): void {
  if (r.resumptionId.length !== RESUMPTION_ID_BYTES) throw new RangeError("resumptionId must be 16 bytes");
  if (r.sharedSecret.length !== SHARED_SECRET_BYTES) throw new RangeError("sharedSecret must be 32 bytes");
  if (!isFabricIndex(r.fabricIndex)) throw new RangeError(`fabric index ${r.fabricIndex} is not 1..254`);
  if (r.peerNodeId < 0n || r.peerNodeId > 0xffff_ffff_ffff_ffffn) throw new RangeError("peer node id is not a uint64");
  for (const c of r.cats) if (!Number.isInteger(c) || c < 0 || c > 0xffff_ffff) throw new RangeError("CAT not uint32");
}

function encodeRecord(r: ResumptionRecord, seq: number): JsonValue {
  return {
    sharedSecret: toHex(r.sharedSecret),
    peerNodeId: r.peerNodeId.toString(16),
    fabricIndex: r.fabricIndex,
    cats: [...r.cats],
    seq,
  };
}

function decodeRecord(key: string, value: StorageValue | undefined): { record: ResumptionRecord; seq: number } {
  const bad = (message: string): never => {
    throw new MalformedError(RECORD, message, { path: key });
  };
  const idHex = key.slice(RESUMPTION_RECORD_PREFIX.length);
  if (!/^[0-9a-f]{32}$/.test(idHex)) bad("key does not end with a 16-byte hex resumption id");
  if (value === undefined || value === null || typeof value !== "object" || value instanceof Uint8Array) {
    return bad("not an object");
  }
  if (Array.isArray(value)) return bad("not an object");
  const v = value as { readonly [k: string]: JsonValue };
  const names = Object.keys(v).sort().join(",");
  if (names !== "cats,fabricIndex,peerNodeId,seq,sharedSecret") bad(`unexpected members ${names}`);
  const { sharedSecret, peerNodeId, fabricIndex, cats, seq } = v;
  if (typeof sharedSecret !== "string" || !/^[0-9a-f]{64}$/.test(sharedSecret)) bad("sharedSecret is not 32 hex bytes");
  if (typeof peerNodeId !== "string" || !/^[0-9a-f]{1,16}$/.test(peerNodeId)) bad("peerNodeId is not a hex uint64");
  if (!isFabricIndex(fabricIndex)) bad("fabricIndex is not 1..254");
  if (
    !Array.isArray(cats) ||
    !cats.every((c) => typeof c === "number" && Number.isInteger(c) && c >= 0 && c <= 0xffff_ffff)
  ) {
    bad("cats is not a list of uint32");
  }
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) bad("seq is not a counter");
  return {
    record: {
      resumptionId: fromHex(idHex),
      sharedSecret: fromHex(sharedSecret as string),
      peerNodeId: BigInt(`0x${peerNodeId as string}`),
      fabricIndex: fabricIndex as FabricIndex,
      cats: [...(cats as number[])],
    },
    seq: seq as number,
  };
}

type Entry = { readonly record: ResumptionRecord; readonly seq: number };

/** Resumption records in memory (synchronous lookups for the sans-IO handshakes) backed by storage (async writes). */
export class ResumptionStore {
  readonly maxRecords: number;
  readonly #storage: Storage;
  readonly #byId = new Map<string, Entry>();
  #nextSeq = 0;

  private constructor(storage: Storage, maxRecords: number) {
    this.#storage = storage;
    this.maxRecords = maxRecords;
  }

  /** Loads every stored record; a damaged record is MalformedError `case.resumption-record`. */
  static async open(storage: Storage, options: { maxRecords?: number } = {}): Promise<ResumptionStore> {
    const max = options.maxRecords ?? DEFAULT_MAX_RESUMPTION_RECORDS;
    if (!Number.isInteger(max) || max < 1) throw new RangeError("maxRecords must be a positive integer");
    const store = new ResumptionStore(storage, max);
    for (const key of await storage.keys(RESUMPTION_RECORD_PREFIX)) {
      const entry = decodeRecord(key, await storage.get(key));
      store.#byId.set(toHex(entry.record.resumptionId), entry);
      store.#nextSeq = Math.max(store.#nextSeq, entry.seq + 1);
    }
    return store;
  }

  /** Number of records held. */
  get size(): number {
    return this.#byId.size;
  }

  /** The record with this resumption id (responder side), or undefined. */
  findById(resumptionId: Uint8Array): ResumptionRecord | undefined {
    return copy(this.#byId.get(toHex(resumptionId))?.record);
  }

  /** The record for a peer node on a fabric (initiator side), or undefined. */
  findByPeer(fabricIndex: FabricIndex, peerNodeId: bigint): ResumptionRecord | undefined {
    for (const { record } of this.#byId.values()) {
      if (record.fabricIndex === fabricIndex && record.peerNodeId === peerNodeId) return copy(record);
    }
    return undefined;
  }

  /**
   * Saves `record` after a CASE session was established or resumed: it replaces the peer's previous record on that
   * fabric (a resumption id is single-use) and the oldest records beyond `maxRecords`, in one transaction.
   */
  async save(record: ResumptionRecord): Promise<void> {
    checkRecord(record);
    const drop = new Set<string>();
    for (const [id, { record: r }] of this.#byId) {
      if (r.fabricIndex === record.fabricIndex && r.peerNodeId === record.peerNodeId) drop.add(id);
    }
    const id = toHex(record.resumptionId);
    drop.add(id);
    const kept = [...this.#byId.entries()].filter(([k]) => !drop.has(k)).sort((a, b) => a[1].seq - b[1].seq);
    while (kept.length >= this.maxRecords) drop.add(kept.shift()![0]);
    const entry: Entry = { record: copy(record)!, seq: this.#nextSeq++ };
    await this.#storage.transaction(async (tx) => {
      for (const k of drop) if (k !== id && this.#byId.has(k)) await tx.delete(`${RESUMPTION_RECORD_PREFIX}${k}`);
      await tx.set(recordKey(record.resumptionId), encodeRecord(entry.record, entry.seq));
    });
    for (const k of drop) this.#byId.delete(k);
    this.#byId.set(id, entry);
  }

  /** Deletes one record (e.g. after its resumption failed on the initiator side). */
  async remove(resumptionId: Uint8Array): Promise<boolean> {
    const id = toHex(resumptionId);
    if (!this.#byId.has(id)) return false;
    await this.#storage.delete(recordKey(resumptionId));
    this.#byId.delete(id);
    return true;
  }

  /** The fabric indices that have at least one record (start-up reconciliation with the fabric table). */
  fabricIndices(): FabricIndex[] {
    return [...new Set([...this.#byId.values()].map((e) => e.record.fabricIndex))].sort((a, b) => a - b);
  }

  /**
   * The root node's one-time repair (as AccessControlStore and GroupKeyStore take part in): deletes the records of every
   * fabric not in `keep`, so a later fabric at the same index cannot be resumed into; returns the indices cleaned.
   */
  async pruneFabrics(keep: ReadonlySet<number>): Promise<FabricIndex[]> {
    const dropped = this.fabricIndices().filter((i) => !keep.has(i));
    for (const i of dropped) await this.removeFabric(i);
    return dropped;
  }

  /**
   * The store as a fabric lifecycle participant: a removed fabric's records are deleted in the transaction that deletes
   * the fabric record, then forgotten; a reverted pending fabric (whose CASE session ran before CommissioningComplete)
   * loses its records too, reported to `onError` if that write fails.
   */
  fabricLifecycle(onError: (error: unknown) => void): FabricLifecycleParticipant {
    return {
      removeWrites: async (tx: StorageTransaction, fabricIndex: FabricIndex) => {
        for (const k of this.#idsOf(fabricIndex)) await tx.delete(`${RESUMPTION_RECORD_PREFIX}${k}`);
      },
      fabricEvent: (event: FabricLifecycleEvent) => {
        if (event.kind === "removed") for (const k of this.#idsOf(event.fabricIndex)) this.#byId.delete(k);
        else if (event.kind === "reverted" && event.pending === "add")
          this.removeFabric(event.fabricIndex).catch(onError);
      },
    };
  }

  #idsOf(fabricIndex: FabricIndex): string[] {
    return [...this.#byId.entries()].filter(([, e]) => e.record.fabricIndex === fabricIndex).map(([k]) => k);
  }

  /** RemoveFabric or a committed UpdateNOC: deletes every record of the fabric; returns how many went. */
  async removeFabric(fabricIndex: FabricIndex): Promise<number> {
    const ids = [...this.#byId.entries()].filter(([, e]) => e.record.fabricIndex === fabricIndex).map(([k]) => k);
    if (ids.length === 0) return 0;
    await this.#storage.transaction(async (tx) => {
      for (const k of ids) await tx.delete(`${RESUMPTION_RECORD_PREFIX}${k}`);
    });
    for (const k of ids) this.#byId.delete(k);
    return ids.length;
  }
}

/**
 * `record` under the resumption id a resumption hands out. Member by member (as `copy` below): in V8 a literal that
 * starts with a spread and goes on with members (`{ ...record, resumptionId }`) takes a slow path (1-3 µs).
 */
export function withResumptionId(record: ResumptionRecord, resumptionId: Uint8Array): ResumptionRecord {
  return {
    resumptionId,
    sharedSecret: record.sharedSecret,
    peerNodeId: record.peerNodeId,
    fabricIndex: record.fabricIndex,
    cats: record.cats,
  };
}

function copy(r: ResumptionRecord | undefined): ResumptionRecord | undefined {
  if (r === undefined) return undefined;
  return {
    resumptionId: r.resumptionId.slice(),
    sharedSecret: r.sharedSecret.slice(),
    peerNodeId: r.peerNodeId,
    fabricIndex: r.fabricIndex,
    cats: [...r.cats],
  };
}
