/**
 * The commissioner's DNS-SD client over mDNS (Core spec 4.3.1.x commissionable discovery by the `_L`/`_S` subtypes,
 * 4.3.2 operational discovery of `<CompressedFabricId>-<NodeId>._matter._tcp`): queries, a record cache with TTLs,
 * cache-flush and goodbyes (RFC 6762 10), and follow-up queries until an instance's SRV, TXT and addresses are known.
 * Two ways to ask, both always used because responders differ: a multicast query from port 5353 without the QU bit
 * (matter.js answers only so: it sends unicast replies to port 5353 whatever the source port; and a QU reply to 5353
 * reaches only one of the sockets sharing that port on Linux, maybe the responder's own), and a legacy unicast query
 * from an ephemeral port (RFC 6762 6.7; ciao answers it directly). Deviation from RFC 6762 5.2: the first retry comes
 * after 250 ms, not 1 s, so that a commissioner finds a device that missed the first query quickly.
 */
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { networkInterfaces } from "node:os";
import { MalformedError } from "../../bytes/errors.ts";
import { operationalInstanceName } from "../../fabric/operational-identity.ts";
import {
  type DnsMessage,
  type DnsQuestion,
  DnsRecordType,
  type DnsResourceRecord,
  decodeDnsMessage,
  dnsNameKey,
  encodeDnsQuery,
  parseTxtEntries,
} from "./dns-message.ts";
import { COMMISSIONABLE_SERVICE_TYPE, MAX_DISCRIMINATOR, OPERATIONAL_SERVICE_TYPE } from "./dnssd-services.ts";

/** The mDNS port (RFC 6762 3). */
export const MDNS_PORT = 5353;
/** The IPv4 mDNS group (RFC 6762 3). */
export const MDNS_IPV4_GROUP = "224.0.0.251";
/** The IPv6 mDNS group (RFC 6762 3). */
export const MDNS_IPV6_GROUP = "ff02::fb";
/** How long a lookup runs unless told otherwise, in ms. */
export const DISCOVERY_TIMEOUT_DEFAULT_MS = 10_000;
/** When each query round is sent, in ms after the lookup starts; later rounds follow at the last interval. */
export const QUERY_SCHEDULE_MS = [0, 250, 1000, 2000, 4000, 8000] as const;
/** Most records the cache holds; the oldest are dropped first when a flood fills it. */
export const MAX_CACHED_RECORDS = 1024;
/** A cache-flush record replaces same-name, same-type records received longer ago than this, in ms (RFC 6762 10.2). */
export const CACHE_FLUSH_GRACE_MS = 1000;
/** Largest short discriminator: the upper 4 of the 12 bits. */
export const MAX_SHORT_DISCRIMINATOR = 0xf;

const DOMAIN = "local";

/** A commissionable node found by discriminator (4.3.1): where to reach it and what its TXT record says. */
export type DiscoveredCommissionable = {
  instanceName: string;
  hostName: string;
  port: number;
  /** IPv4 and IPv6 (link-local with %scope where needed), best first. */
  addresses: string[];
  discriminator: number;
  vendorId?: number;
  productId?: number;
  commissioningMode: number;
  txt: ReadonlyMap<string, string>;
};

/** An operational node resolved by compressed fabric id and node id (4.3.2). */
export type DiscoveredOperational = {
  instanceName: string;
  hostName: string;
  port: number;
  addresses: string[];
  txt: ReadonlyMap<string, string>;
};

/** Counters of what the browser sent and received (a bad datagram is counted and dropped, never thrown). */
export type DnssdBrowserStats = {
  /** Datagrams received on any socket. */
  readonly received: number;
  /** Datagrams that did not decode. */
  readonly malformed: number;
  /** Well-formed datagrams dropped: queries, non-zero opcode or rcode, source port other than 5353. */
  readonly ignored: number;
  /** Query datagrams sent. */
  readonly sent: number;
  /** Sends or socket errors reported by the OS. */
  readonly socketErrors: number;
};

// ---------------------------------------------------------------------------------------------------------------
// The record cache (sans-IO: time comes in as an argument)

type CachedRecord = {
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

const setKey = (name: string, type: number): string => `${type} ${dnsNameKey(name)}`;

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
      const key = setKey(record.name, record.type);
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
    const key = setKey(name, type);
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

// ---------------------------------------------------------------------------------------------------------------
// Resolving instances from the cache

const question = (name: string, type: number): DnsQuestion => ({ name, type, unicastResponse: false });

const isLinkLocalV6 = (a: string): boolean => /^fe[89ab][0-9a-f]:/i.test(a);
const isLinkLocalV4 = (a: string): boolean => a.startsWith("169.254.");

/** Orders addresses: routable IPv6, IPv4, link-local IPv6, link-local IPv4 (stable within a rank). */
function addressRank(a: string): number {
  if (a.includes(":")) return isLinkLocalV6(a) ? 2 : 0;
  return isLinkLocalV4(a) ? 3 : 1;
}

type Resolution<T> = { readonly result?: T; readonly missing: DnsQuestion[] };

type ResolvedInstance = {
  instanceName: string;
  hostName: string;
  port: number;
  addresses: string[];
  txt: Map<string, string> | undefined;
};

/** SRV, TXT and addresses of `<instance>.<service>.local` from the cache, and the questions that would fill gaps. */
function resolveInstance(
  cache: DnssdRecordCache,
  fqdn: string,
  instanceName: string,
  now: number,
): Resolution<ResolvedInstance> {
  const missing: DnsQuestion[] = [];
  const srv = cache
    .get(fqdn, DnsRecordType.SRV, now)
    .map((c) => c.record)
    .sort((a, b) => (a.type === DnsRecordType.SRV && b.type === DnsRecordType.SRV ? a.priority - b.priority : 0))[0];
  const txtRecord = cache.get(fqdn, DnsRecordType.TXT, now)[0]?.record;
  const txt = txtRecord?.type === DnsRecordType.TXT ? parseTxtEntries(txtRecord.entries) : undefined;
  if (txt === undefined) missing.push(question(fqdn, DnsRecordType.TXT));
  if (srv === undefined || srv.type !== DnsRecordType.SRV) {
    missing.push(question(fqdn, DnsRecordType.SRV));
    return { missing };
  }
  const addresses: string[] = [];
  for (const type of [DnsRecordType.AAAA, DnsRecordType.A]) {
    for (const c of cache.get(srv.target, type, now)) {
      if (c.record.type !== DnsRecordType.A && c.record.type !== DnsRecordType.AAAA) continue;
      const a = c.record.address;
      const text =
        c.record.type === DnsRecordType.AAAA && isLinkLocalV6(a) && c.scope !== undefined ? `${a}%${c.scope}` : a;
      if (!addresses.includes(text)) addresses.push(text);
    }
  }
  if (addresses.length === 0) {
    missing.push(question(srv.target, DnsRecordType.A), question(srv.target, DnsRecordType.AAAA));
    return { missing };
  }
  addresses.sort((a, b) => addressRank(a) - addressRank(b));
  return { result: { instanceName, hostName: srv.target, port: srv.port, addresses, txt }, missing };
}

/** The instance label of `<instance>.<service>.local`, or undefined when `fqdn` is not under that service. */
function instanceLabel(fqdn: string, service: string): string | undefined {
  const suffix = `.${dnsNameKey(service)}.${DOMAIN}`;
  const key = dnsNameKey(fqdn);
  if (!key.endsWith(suffix) || key.length === suffix.length) return undefined;
  return fqdn.slice(0, fqdn.length - suffix.length);
}

const DECIMAL = /^(0|[1-9][0-9]{0,9})$/;
const decimal = (text: string | undefined, max: number): number | undefined =>
  text !== undefined && DECIMAL.test(text) && Number(text) <= max ? Number(text) : undefined;

/** The commissionable TXT fields (4.3.1.x: D, VP, CM); undefined when D is absent or not a 12-bit number. */
function commissionableFields(
  txt: ReadonlyMap<string, string>,
): { discriminator: number; vendorId?: number; productId?: number; commissioningMode: number } | undefined {
  const discriminator = decimal(txt.get("D"), MAX_DISCRIMINATOR);
  if (discriminator === undefined) return undefined;
  const [vid, pid, ...rest] = (txt.get("VP") ?? "").split("+");
  const vendorId = rest.length === 0 ? decimal(vid, 0xffff) : undefined;
  const productId = vendorId !== undefined ? decimal(pid, 0xffff) : undefined;
  // CM absent means the node is not in commissioning mode (0).
  const commissioningMode = decimal(txt.get("CM"), 0xff) ?? 0;
  return {
    discriminator,
    ...(vendorId !== undefined ? { vendorId } : {}),
    ...(productId !== undefined ? { productId } : {}),
    commissioningMode,
  };
}

/** What `findCommissionable` matches on. */
export type CommissionableFilter = { readonly longDiscriminator: number } | { readonly shortDiscriminator: number };

function subtypeName(filter: CommissionableFilter): { name: string; matches: (d: number) => boolean } {
  const hasLong = "longDiscriminator" in filter;
  const hasShort = "shortDiscriminator" in filter;
  if (hasLong === hasShort) throw new TypeError("give exactly one of longDiscriminator and shortDiscriminator");
  const service = `${COMMISSIONABLE_SERVICE_TYPE}.${DOMAIN}`;
  if ("longDiscriminator" in filter) {
    const d = filter.longDiscriminator;
    if (!Number.isInteger(d) || d < 0 || d > MAX_DISCRIMINATOR) {
      throw new RangeError(`longDiscriminator must be an integer in 0..${MAX_DISCRIMINATOR}, got ${d}`);
    }
    return { name: `_L${d}._sub.${service}`, matches: (x) => x === d };
  }
  const s = filter.shortDiscriminator;
  if (!Number.isInteger(s) || s < 0 || s > MAX_SHORT_DISCRIMINATOR) {
    throw new RangeError(`shortDiscriminator must be an integer in 0..${MAX_SHORT_DISCRIMINATOR}, got ${s}`);
  }
  // The short discriminator is the upper 4 bits of the 12-bit one.
  return { name: `_S${s}._sub.${service}`, matches: (x) => x >> 8 === s };
}

/** Commissionable instances in the cache that match the filter: the complete ones and the questions still open. */
export function resolveCommissionable(
  cache: DnssdRecordCache,
  filter: CommissionableFilter,
  now: number,
): { found: DiscoveredCommissionable[]; missing: DnsQuestion[] } {
  const { name: subtype, matches } = subtypeName(filter);
  const service = `${COMMISSIONABLE_SERVICE_TYPE}.${DOMAIN}`;
  // Instances named by the subtype PTR, and those announced under the service type alone (their TXT D decides).
  const targets = [...cache.get(subtype, DnsRecordType.PTR, now), ...cache.get(service, DnsRecordType.PTR, now)];
  const seen = new Set<string>();
  const found: DiscoveredCommissionable[] = [];
  const missing: DnsQuestion[] = [];
  for (const { record } of targets) {
    if (record.type !== DnsRecordType.PTR) continue;
    const key = dnsNameKey(record.target);
    const instanceName = instanceLabel(record.target, COMMISSIONABLE_SERVICE_TYPE);
    if (seen.has(key) || instanceName === undefined) continue;
    seen.add(key);
    const viaSubtype = dnsNameKey(record.name) === dnsNameKey(subtype);
    const r = resolveInstance(cache, record.target, instanceName, now);
    const fields = r.result?.txt !== undefined ? commissionableFields(r.result.txt) : undefined;
    // Only a subtype match is worth follow-up queries; a plain service PTR is followed only once its TXT matches.
    if (viaSubtype || (fields !== undefined && matches(fields.discriminator))) missing.push(...r.missing);
    if (r.result === undefined || r.result.txt === undefined || fields === undefined) continue;
    if (!matches(fields.discriminator)) continue;
    const { txt, ...where } = r.result;
    found.push({ ...where, ...fields, txt });
  }
  return { found, missing };
}

/** The operational instance in the cache (complete with SRV and an address), and the questions still open. */
export function resolveOperationalInstance(
  cache: DnssdRecordCache,
  compressedFabricId: bigint,
  nodeId: bigint,
  now: number,
): Resolution<DiscoveredOperational> {
  const instanceName = operationalInstanceName(compressedFabricId, nodeId);
  const fqdn = `${instanceName}.${OPERATIONAL_SERVICE_TYPE}.${DOMAIN}`;
  const r = resolveInstance(cache, fqdn, instanceName, now);
  if (r.result === undefined) return { missing: r.missing };
  const { txt, ...where } = r.result;
  return { result: { ...where, txt: txt ?? new Map() }, missing: r.missing };
}

// ---------------------------------------------------------------------------------------------------------------
// The driver: sockets and timers

type Endpoint = {
  readonly socket: Socket;
  readonly group: string;
  /** True for the port-5353 socket, false for the ephemeral legacy-unicast one. */
  readonly multicast: boolean;
};

type Lookup = {
  /** Re-reads the cache; returns true when the lookup is finished. */
  evaluate(): boolean;
  /** Ends the lookup with what is known (timeout, close). */
  finish(): void;
};

/** One interface to browse on: its name and the addresses `setMulticastInterface`/`addMembership` take per family. */
type InterfaceChoice = { name: string; v4?: string; v6?: string };

function interfaceChoice(name: string, addrs: readonly { family: string; address: string }[]): InterfaceChoice {
  const v4 = addrs.find((a) => a.family === "IPv4")?.address;
  const hasV6 = addrs.some((a) => a.family === "IPv6");
  return { name, ...(v4 !== undefined ? { v4 } : {}), ...(hasV6 ? { v6: `::%${name}` } : {}) };
}

/**
 * The interfaces to browse on: the named one, or every interface with an address (loopback included). Each is used
 * explicitly rather than left to the kernel: its default multicast route may be link-scoped on an interface whose only
 * address is host-scoped (`lo` with 127.0.0.1), and the kernel then sends queries from 0.0.0.0, which responders drop
 * (ciao on loopback ignores IPv4 packets from outside 127.0.0.0/8) and could not answer by unicast anyway.
 */
function chooseInterfaces(name: string | undefined): InterfaceChoice[] {
  const all = networkInterfaces();
  if (name !== undefined) {
    const addrs = all[name];
    if (addrs === undefined || addrs.length === 0) throw new RangeError(`no network interface named ${name}`);
    return [interfaceChoice(name, addrs)];
  }
  return Object.entries(all)
    .filter(([, addrs]) => addrs !== undefined && addrs.length > 0)
    .map(([n, addrs]) => interfaceChoice(n, addrs!));
}

function bindSocket(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    socket.once("error", onError);
    socket.bind({ port, address, exclusive: false }, () => {
      socket.off("error", onError);
      resolve();
    });
  });
}

/** A DNS-SD browser for Matter commissionable and operational nodes on one interface (or the default one). */
export class DnssdBrowser {
  readonly #endpoints: Endpoint[];
  readonly #scope: string | undefined;
  readonly #cache = new DnssdRecordCache();
  readonly #lookups = new Set<Lookup>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #legacyId = 0;
  #closed = false;
  #stats = { received: 0, malformed: 0, ignored: 0, sent: 0, socketErrors: 0 };

  private constructor(endpoints: Endpoint[], scope: string | undefined) {
    this.#endpoints = endpoints;
    this.#scope = scope;
    for (const e of endpoints) {
      e.socket.on("message", (m, rinfo) => this.#onDatagram(m, rinfo, e));
      e.socket.on("error", () => {
        this.#stats.socketErrors++;
      });
    }
  }

  /**
   * Opens the sockets: per interface and IP family, one on port 5353 (shared, joined to the mDNS group there) and one
   * on an ephemeral port for legacy unicast queries, both sending on that interface. Without `interface`, every
   * interface with an address is used (each query goes out on all of them); when the OS lists none, the kernel's
   * default multicast interface is. A family or interface that cannot be opened is left out; when nothing can, the
   * OS error is thrown.
   */
  static async open(options: { interface?: string } = {}): Promise<DnssdBrowser> {
    const choices: (InterfaceChoice | undefined)[] = chooseInterfaces(options.interface);
    if (choices.length === 0) choices.push(undefined);
    const endpoints: Endpoint[] = [];
    const errors: unknown[] = [];
    for (const choice of choices) {
      const families = [
        { type: "udp4", group: MDNS_IPV4_GROUP, any: "0.0.0.0", iface: choice?.v4 },
        { type: "udp6", group: MDNS_IPV6_GROUP, any: "::", iface: choice?.v6 },
      ] as const;
      for (const f of families) {
        // With an interface chosen, a family it has no address of is skipped.
        if (choice !== undefined && f.iface === undefined) continue;
        for (const multicast of [true, false]) {
          const socket = createSocket({
            type: f.type,
            reuseAddr: multicast,
            ...(f.type === "udp6" ? { ipv6Only: true } : {}),
          });
          try {
            await bindSocket(socket, multicast ? MDNS_PORT : 0, f.any);
            if (multicast) {
              socket.addMembership(f.group, f.iface);
              socket.setMulticastLoopback(true);
            }
            if (f.iface !== undefined) socket.setMulticastInterface(f.iface);
            // RFC 6762 11: mDNS packets are sent with TTL/hop limit 255.
            socket.setMulticastTTL(255);
            endpoints.push({ socket, group: f.group, multicast });
          } catch (e) {
            errors.push(e);
            socket.close();
          }
        }
      }
    }
    if (endpoints.length === 0) throw errors[0] ?? new RangeError("no IP family to browse on");
    return new DnssdBrowser(endpoints, options.interface);
  }

  /** What was sent and received so far. */
  get stats(): DnssdBrowserStats {
    return { ...this.#stats };
  }

  /** Commissionable nodes whose long discriminator (12 bits) or short discriminator (upper 4 bits) matches. */
  async findCommissionable(
    filter: CommissionableFilter,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<DiscoveredCommissionable[]> {
    const subtype = subtypeName(filter).name;
    return this.#lookup(
      [question(subtype, DnsRecordType.PTR)],
      () => {
        const r = resolveCommissionable(this.#cache, filter, Date.now());
        return r.found.length > 0 ? { result: r.found, missing: [] } : { missing: r.missing };
      },
      (): DiscoveredCommissionable[] => [],
      options,
    );
  }

  /** The operational node `<compressedFabricId>-<nodeId>`: SRV, TXT and addresses, or undefined at timeout. */
  async resolveOperational(
    compressedFabricId: bigint,
    nodeId: bigint,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<DiscoveredOperational | undefined> {
    const fqdn = `${operationalInstanceName(compressedFabricId, nodeId)}.${OPERATIONAL_SERVICE_TYPE}.${DOMAIN}`;
    return this.#lookup(
      [question(fqdn, DnsRecordType.SRV), question(fqdn, DnsRecordType.TXT)],
      () => {
        const r = resolveOperationalInstance(this.#cache, compressedFabricId, nodeId, Date.now());
        // Complete once the TXT is in too; at timeout an answer without TXT is still returned.
        return r.result !== undefined && r.missing.length === 0 ? r : { missing: r.missing };
      },
      () => resolveOperationalInstance(this.#cache, compressedFabricId, nodeId, Date.now()).result,
      options,
    );
  }

  /** Ends every lookup (commissionable ones with [], operational ones with what is known), clears timers, closes sockets. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const l of [...this.#lookups]) l.finish();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await Promise.all(this.#endpoints.map((e) => new Promise<void>((resolve) => e.socket.close(() => resolve()))));
    this.#cache.clear();
  }

  #lookup<T>(
    base: DnsQuestion[],
    evaluate: () => Resolution<T>,
    fallback: () => T,
    options: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? DISCOVERY_TIMEOUT_DEFAULT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new RangeError(`timeoutMs must be >= 0, got ${timeoutMs}`);
    if (this.#closed) return Promise.reject(new TypeError("the browser is closed"));
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const timers = new Set<NodeJS.Timeout>();
      const asked = new Set<string>();
      const schedule = (ms: number, fn: () => void): void => {
        const t = setTimeout(() => {
          timers.delete(t);
          this.#timers.delete(t);
          fn();
        }, ms);
        timers.add(t);
        this.#timers.add(t);
      };
      const end = (): void => {
        this.#lookups.delete(lookup);
        for (const t of timers) {
          clearTimeout(t);
          this.#timers.delete(t);
        }
        signal?.removeEventListener("abort", onAbort);
      };
      const onAbort = (): void => {
        end();
        reject(signal?.reason);
      };
      const questionKey = (q: DnsQuestion): string => setKey(q.name, q.type);
      const send = (questions: DnsQuestion[]): void => {
        for (const q of questions) asked.add(questionKey(q));
        this.#query(questions);
      };
      const lookup: Lookup = {
        evaluate: () => {
          const r = evaluate();
          if (r.result !== undefined) {
            end();
            resolve(r.result);
            return true;
          }
          // Follow-up questions for gaps just revealed go out at once; known gaps wait for the next round.
          const fresh = r.missing.filter((q) => !asked.has(questionKey(q)));
          if (fresh.length > 0) send(fresh);
          return false;
        },
        finish: () => {
          end();
          resolve(fallback());
        },
      };
      const round = (i: number): void => {
        send([...base, ...evaluate().missing]);
        const last = QUERY_SCHEDULE_MS.length - 1;
        const next =
          i < last
            ? QUERY_SCHEDULE_MS[i + 1]! - QUERY_SCHEDULE_MS[i]!
            : QUERY_SCHEDULE_MS[last]! - QUERY_SCHEDULE_MS[last - 1]!;
        schedule(next, () => round(i + 1));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#lookups.add(lookup);
      // Records already cached (e.g. from announcements) may answer at once.
      for (const q of base) asked.add(questionKey(q));
      if (lookup.evaluate()) return;
      schedule(timeoutMs, () => lookup.finish());
      round(0);
    });
  }

  #query(questions: DnsQuestion[]): void {
    if (this.#closed || questions.length === 0) return;
    const unique = [...new Map(questions.map((q) => [setKey(q.name, q.type), q])).values()];
    const multicastQuery = encodeDnsQuery(unique);
    this.#legacyId = (this.#legacyId % 0xffff) + 1;
    const legacyQuery = encodeDnsQuery(unique, this.#legacyId);
    for (const e of this.#endpoints) {
      this.#stats.sent++;
      e.socket.send(e.multicast ? multicastQuery : legacyQuery, MDNS_PORT, e.group, (err) => {
        if (err) this.#stats.socketErrors++;
      });
    }
  }

  #onDatagram(bytes: Buffer, rinfo: RemoteInfo, endpoint: Endpoint): void {
    this.#stats.received++;
    let message: DnsMessage;
    try {
      message = decodeDnsMessage(bytes);
    } catch (e) {
      if (!(e instanceof MalformedError)) throw e;
      this.#stats.malformed++;
      return;
    }
    // RFC 6762 6 and 18.3, 18.11: responses come from port 5353 with opcode 0 and rcode 0; anything else is ignored.
    if (!message.isResponse || message.opcode !== 0 || message.rcode !== 0 || rinfo.port !== MDNS_PORT) {
      this.#stats.ignored++;
      return;
    }
    const scope = this.#scope ?? (endpoint.group === MDNS_IPV6_GROUP ? rinfo.address.split("%")[1] : undefined);
    this.#cache.add([...message.answers, ...message.authorities, ...message.additionals], Date.now(), scope);
    for (const l of [...this.#lookups]) l.evaluate();
  }
}
