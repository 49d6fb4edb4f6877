/**
 * The mDNS driver: publishes the services of a DnssdAdvertisement (dnssd-services.ts) through @homebridge/ciao
 * (RFC 6762/6763 probing, announcing, answering, goodbyes). Every change recomputes the wanted services, diffs them
 * against the published ones and applies only the difference, one change at a time.
 * Deviations, both from how ciao works: each service gets its own host name (its instance name), because ciao
 * probes host names per service and treats two services of one responder sharing a host name as a conflict; and
 * ciao publishes subtype PTR names lower-cased (`_i<cfid>`, `_cm`), which DNS compares case-insensitively.
 */
import { type CiaoService, getResponder, type Protocol, type Responder, type ServiceOptions } from "@homebridge/ciao";
import type { MrpSessionParameters } from "../../mrp/mrp-parameters.ts";
import {
  type AdvertisedOperationalIdentity,
  type CommissionableParameters,
  DnssdAdvertisement,
  type DnssdService,
  diffServices,
} from "./dnssd-services.ts";

/** How to run the advertiser. */
export interface CiaoAdvertiserOptions {
  /** Source of the random instance names (e.g. `crypto.randomBytes`); a seeded one makes names deterministic. */
  readonly randomBytes: (n: number) => Uint8Array;
  /** The Matter UDP port advertised in SRV records (5540 by default). */
  readonly port?: number;
  /** Network interfaces (names or addresses) to advertise on; all by default (ciao's `interface` option). */
  readonly interfaces?: readonly string[];
  /** Also send mDNS over IPv6 multicast (ciao's `advertiseIpv6`; off by default, as in ciao). */
  readonly ipv6?: boolean;
  /** Session parameters announced as SII/SAI/SAT (MRP defaults when absent). */
  readonly session?: MrpSessionParameters;
  /** Called when a name conflict on the network made ciao rename a service (e.g. `NAME (2)`). */
  readonly onNameChange?: (service: DnssdService, newName: string) => void;
}

type Published = { readonly description: DnssdService; readonly ciao: CiaoService; name: string };

/** `_matterc._udp` -> ciao's type "matterc" and protocol "udp". */
function ciaoServiceOptions(service: DnssdService): ServiceOptions {
  const [type, protocol] = service.serviceType.split(".") as [string, string];
  return {
    name: service.instanceName,
    type: type.slice(1),
    // ciao's Protocol is a const enum whose values are these strings; const enums cannot be read under isolatedModules.
    protocol: protocol.slice(1) as string as Protocol,
    port: service.port,
    hostname: service.instanceName,
    subtypes: service.subtypes.map((s) => s.slice(1)),
    txt: Object.fromEntries(service.txt),
  };
}

/** Advertises a Matter node's commissionable and operational services over mDNS. */
export class CiaoAdvertiser {
  readonly #model: DnssdAdvertisement;
  /** Creates the responder, which starts binding its sockets at once (see `#publish`). */
  readonly #createResponder: () => Responder;
  #responder: Responder | undefined;
  readonly #randomBytes: (n: number) => Uint8Array;
  readonly #onNameChange: ((service: DnssdService, newName: string) => void) | undefined;
  readonly #published = new Map<string, Published>();
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(model: DnssdAdvertisement, createResponder: () => Responder, options: CiaoAdvertiserOptions) {
    this.#model = model;
    this.#createResponder = createResponder;
    this.#randomBytes = options.randomBytes;
    this.#onNameChange = options.onNameChange;
  }

  /** Creates the advertiser; the mDNS socket is bound when the first service is published. */
  static async open(options: CiaoAdvertiserOptions): Promise<CiaoAdvertiser> {
    const model = new DnssdAdvertisement({
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.session !== undefined ? { session: options.session } : {}),
    });
    if (options.interfaces !== undefined && options.interfaces.length === 0) {
      throw new RangeError("interfaces must name at least one interface when given");
    }
    const createResponder = () =>
      getResponder({
        ...(options.interfaces !== undefined ? { interface: [...options.interfaces] } : {}),
        ...(options.ipv6 !== undefined ? { advertiseIpv6: options.ipv6 } : {}),
      });
    return new CiaoAdvertiser(model, createResponder, options);
  }

  /** The services published right now, with the names they are published under (after any conflict rename). */
  get published(): readonly { readonly service: DnssdService; readonly name: string }[] {
    return [...this.#published.values()].map((p) => ({ service: p.description, name: p.name }));
  }

  /** The open window's instance name, if a window is open. */
  get commissionableInstanceName(): string | undefined {
    return this.#model.commissionableInstanceName;
  }

  /** Opens (or reopens, under a new name) a commissioning window; resolves with the instance name once announced. */
  openCommissioningWindow(params: CommissionableParameters): Promise<string> {
    return this.#change(() => this.#model.openCommissioningWindow(params, this.#randomBytes));
  }

  /** Withdraws the commissionable service (goodbye). */
  closeCommissioningWindow(): Promise<void> {
    return this.#change(() => this.#model.closeCommissioningWindow());
  }

  /** Advertises exactly these operational identities: new ones are announced, dropped ones withdrawn. */
  setOperationalIdentities(identities: readonly AdvertisedOperationalIdentity[]): Promise<void> {
    const copy = [...identities];
    return this.#change(() => this.#model.setOperationalIdentities(copy));
  }

  /** Withdraws every service (goodbye packets sent) and releases the responder; later calls are no-ops. */
  async close(): Promise<void> {
    if (this.#closed) return this.#queue;
    this.#closed = true;
    const run = this.#queue.then(async () => {
      this.#model.closeCommissioningWindow();
      this.#model.setOperationalIdentities([]);
      try {
        await this.#apply();
      } finally {
        await this.#responder?.shutdown();
      }
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  #change<T>(mutate: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new TypeError("the advertiser is closed"));
    const run = this.#queue.then(async () => {
      const result = mutate();
      await this.#apply();
      return result;
    });
    this.#queue = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  async #apply(): Promise<void> {
    const current = [...this.#published.values()].map((p) => p.description);
    const diff = diffServices(current, this.#model.services());
    for (const s of diff.remove) {
      const p = this.#published.get(s.key);
      this.#published.delete(s.key);
      // destroy() ends the service first, which sends its goodbye (TTL 0) records.
      await p?.ciao.destroy();
    }
    for (const s of diff.updateTxt) {
      const p = this.#published.get(s.key);
      if (p === undefined) continue;
      p.ciao.updateTxt(Object.fromEntries(s.txt));
      this.#published.set(s.key, { description: s, ciao: p.ciao, name: p.name });
    }
    await Promise.all(diff.add.map((s) => this.#publish(s)));
  }

  async #publish(service: DnssdService): Promise<void> {
    // Created on the first publish, not at open: ciao binds the responder's sockets asynchronously from its creation,
    // and a shutdown before that bind completes leaves them open (an advertiser closed unused would keep the process).
    this.#responder ??= this.#createResponder();
    const ciao = this.#responder.createService(ciaoServiceOptions(service));
    const entry: Published = { description: service, ciao, name: service.instanceName };
    ciao.on("name-change", (name: string) => {
      entry.name = name;
      this.#onNameChange?.(service, name);
    });
    this.#published.set(service.key, entry);
    try {
      await ciao.advertise();
    } catch (e) {
      this.#published.delete(service.key);
      await ciao.destroy();
      throw e;
    }
  }
}
