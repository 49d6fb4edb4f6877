import { MAX_DISCRIMINATOR } from "../../clusters/administrator-commissioning/administrator-commissioning.ts";
import { operationalInstanceName } from "../../fabric/operational-identity.ts";
import { type DnsQuestion, DnsRecordType, dnsNameKey, parseTxtEntries } from "./dns-message.ts";
import type { DnssdRecordCache } from "./dnssd-record-cache.ts";
import { COMMISSIONABLE_SERVICE_TYPE, OPERATIONAL_SERVICE_TYPE } from "./dnssd-services.ts";

/** Largest short discriminator: the upper 4 of the 12 bits. */
const MAX_SHORT_DISCRIMINATOR = 0xf;

/** The mDNS domain every Matter service is in. */
export const DNSSD_DOMAIN = "local";

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

/** A multicast question (QU bit clear) for `name` and `type`. */
export const dnsQuestion = (name: string, type: number): DnsQuestion => ({ name, type, unicastResponse: false });

const isLinkLocalV6 = (a: string): boolean => /^fe[89ab][0-9a-f]:/i.test(a);
const isLinkLocalV4 = (a: string): boolean => a.startsWith("169.254.");

/** Orders addresses: routable IPv6, IPv4, link-local IPv6, link-local IPv4 (stable within a rank). */
function addressRank(a: string): number {
  if (a.includes(":")) return isLinkLocalV6(a) ? 2 : 0;
  return isLinkLocalV4(a) ? 3 : 1;
}

/** What the cache answers: the result once complete, and the questions that would fill the gaps. */
export type Resolution<T> = { readonly result?: T; readonly missing: DnsQuestion[] };

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
  if (txt === undefined) missing.push(dnsQuestion(fqdn, DnsRecordType.TXT));
  if (srv === undefined || srv.type !== DnsRecordType.SRV) {
    missing.push(dnsQuestion(fqdn, DnsRecordType.SRV));
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
    missing.push(dnsQuestion(srv.target, DnsRecordType.A), dnsQuestion(srv.target, DnsRecordType.AAAA));
    return { missing };
  }
  addresses.sort((a, b) => addressRank(a) - addressRank(b));
  return { result: { instanceName, hostName: srv.target, port: srv.port, addresses, txt }, missing };
}

/** The instance label of `<instance>.<service>.local`, or undefined when `fqdn` is not under that service. */
function instanceLabel(fqdn: string, service: string): string | undefined {
  const suffix = `.${dnsNameKey(service)}.${DNSSD_DOMAIN}`;
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

/** The `_L<d>`/`_S<d>` subtype to browse for `filter` and the discriminators it matches. */
export function commissionableSubtype(filter: CommissionableFilter): { name: string; matches: (d: number) => boolean } {
  const hasLong = "longDiscriminator" in filter;
  const hasShort = "shortDiscriminator" in filter;
  if (hasLong === hasShort) throw new TypeError("give exactly one of longDiscriminator and shortDiscriminator");
  const service = `${COMMISSIONABLE_SERVICE_TYPE}.${DNSSD_DOMAIN}`;
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
  const { name: subtype, matches } = commissionableSubtype(filter);
  const service = `${COMMISSIONABLE_SERVICE_TYPE}.${DNSSD_DOMAIN}`;
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
  const fqdn = `${instanceName}.${OPERATIONAL_SERVICE_TYPE}.${DNSSD_DOMAIN}`;
  const r = resolveInstance(cache, fqdn, instanceName, now);
  if (r.result === undefined) return { missing: r.missing };
  const { txt, ...where } = r.result;
  return { result: { ...where, txt: txt ?? new Map() }, missing: r.missing };
}
