/**
 * The commissioner's DNS-SD client over mDNS (Core spec 4.3.1.x commissionable discovery by the `_L`/`_S` subtypes,
 * 4.3.2 operational discovery of `<CompressedFabricId>-<NodeId>._matter._tcp`): sockets, queries and follow-up
 * queries until an instance's SRV, TXT and addresses are known (the cache is dnssd-record-cache.ts, the resolution from
 * it dnssd-resolution.ts).
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
import { type DnsMessage, type DnsQuestion, DnsRecordType, decodeDnsMessage, encodeDnsQuery } from "./dns-message.ts";
import { DnssdRecordCache, dnsRecordSetKey } from "./dnssd-record-cache.ts";
import {
  type CommissionableFilter,
  commissionableSubtype,
  type DiscoveredCommissionable,
  type DiscoveredOperational,
  DNSSD_DOMAIN,
  dnsQuestion,
  type Resolution,
  resolveCommissionable,
  resolveOperationalInstance,
} from "./dnssd-resolution.ts";
import { OPERATIONAL_SERVICE_TYPE } from "./dnssd-services.ts";

/** The mDNS port (RFC 6762 3). */
const MDNS_PORT = 5353;
/** The IPv4 mDNS group (RFC 6762 3). */
const MDNS_IPV4_GROUP = "224.0.0.251";
/** The IPv6 mDNS group (RFC 6762 3). */
const MDNS_IPV6_GROUP = "ff02::fb";
/** How long a lookup runs unless told otherwise, in ms. */
const DISCOVERY_TIMEOUT_DEFAULT_MS = 10_000;
/** When each query round is sent, in ms after the lookup starts; later rounds follow at the last interval. */
const QUERY_SCHEDULE_MS = [0, 250, 1000, 2000, 4000, 8000] as const;

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
    const subtype = commissionableSubtype(filter).name;
    return this.#lookup(
      [dnsQuestion(subtype, DnsRecordType.PTR)],
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
    const fqdn = `${operationalInstanceName(compressedFabricId, nodeId)}.${OPERATIONAL_SERVICE_TYPE}.${DNSSD_DOMAIN}`;
    return this.#lookup(
      [dnsQuestion(fqdn, DnsRecordType.SRV), dnsQuestion(fqdn, DnsRecordType.TXT)],
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
      const questionKey = (q: DnsQuestion): string => dnsRecordSetKey(q.name, q.type);
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
    const unique = [...new Map(questions.map((q) => [dnsRecordSetKey(q.name, q.type), q])).values()];
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
