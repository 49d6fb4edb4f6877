import { DnsRecordType, type DnsResourceRecord, dnsNameKey } from "./dns-message.ts";

/** Most records the cache holds; the oldest are dropped first when a flood fills it. */
export const MAX_CACHED_RECORDS = 1024;
/** A cache-flush record replaces same-name, same-type records received longer ago than this, in ms (RFC 6762 10.2). */
const CACHE_FLUSH_GRACE_MS = 1000;

/** A record in the cache, with when it came and when it expires. */
export type CachedRecord = {
  readonly record: DnsResourceRecord;
  /** Interface a link-local AAAA needs as its %scope, when known. */
  readonly scope: string | undefined;
  readonly receivedAt: number;
  readonly expiresAt: number;
};

function rdataKey(r: DnsResourceRecord): string {
  switch (r.type) {
    case DnsRecordType.A:
    case DnsRecordType.AAAA:
      return r.address;
    case DnsRecordType.PTR:
      return dnsNameKey(r.target);
    case DnsRecordType.SRV:
      return `${r.priority} ${r.weight} ${r.port} ${dnsNameKey(r.target)}`;
    case DnsRecordType.TXT:
      return r.entries.map((e) => Buffer.from(e).toString("hex")).join(" ");
  }
}

/** The cache key of the records with this name and type (names compare case-insensitively). */
export const dnsRecordSetKey = (name: string, type: number): string => `${type} ${dnsNameKey(name)}`;

/** Records heard on the network, by name and type, each kept until its TTL runs out (RFC 6762 10). */
export class DnssdRecordCache {
  readonly #sets = new Map<string, CachedRecord[]>();
  #size = 0;

  /** Number of records held (expired ones included until next looked at). */
  get size(): number {
    return this.#size;
  }

  /** Adds the records of one response received at `now` (ms). */
  add(records: readonly DnsResourceRecord[], now: number, scope?: string): void {
    for (const record of records) {
      const key = dnsRecordSetKey(record.name, record.type);
      const rkey = rdataKey(record);
      let set = this.#sets.get(key) ?? [];
      const before = set.length;
      // Cache-flush: the sender's records of this name and type are exactly those it sent in the last second.
      if (record.cacheFlush) set = set.filter((c) => now - c.receivedAt <= CACHE_FLUSH_GRACE_MS);
      set = set.filter((c) => rdataKey(c.record) !== rkey);
      // A TTL of 0 is a goodbye (RFC 6762 10.1): the record is gone.
      if (record.ttl > 0) set.push({ record, scope, receivedAt: now, expiresAt: now + record.ttl * 1000 });
      this.#size += set.length - before;
      if (set.length === 0) this.#sets.delete(key);
      else this.#sets.set(key, set);
    }
    while (this.#size > MAX_CACHED_RECORDS) this.#evictOldest();
  }

  /** The live records with this name and type at `now`. */
  get(name: string, type: number, now: number): CachedRecord[] {
    const key = dnsRecordSetKey(name, type);
    const set = this.#sets.get(key);
    if (set === undefined) return [];
    const live = set.filter((c) => c.expiresAt > now);
    if (live.length !== set.length) {
      this.#size -= set.length - live.length;
      if (live.length === 0) this.#sets.delete(key);
      else this.#sets.set(key, live);
    }
    return live;
  }

  /** Drops everything. */
  clear(): void {
    this.#sets.clear();
    this.#size = 0;
  }

  #evictOldest(): void {
    let oldest: { key: string; at: number } | undefined;
    for (const [key, set] of this.#sets) {
      for (const c of set) if (oldest === undefined || c.receivedAt < oldest.at) oldest = { key, at: c.receivedAt };
    }
    if (oldest === undefined) return;
    const set = this.#sets.get(oldest.key)!;
    const i = set.findIndex((c) => c.receivedAt === oldest.at);
    set.splice(i, 1);
    this.#size--;
    if (set.length === 0) this.#sets.delete(oldest.key);
  }
}
