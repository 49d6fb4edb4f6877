// DnssdBrowser against our CiaoAdvertiser on real sockets, inside a private network namespace (dnssd-browser-netns.ts):
// the commissionable service (discriminator 3840) is found by long and by short discriminator with its SRV, TXT and
// addresses, the operational service is resolved by compressed fabric id and node id, a fresh browser finds them by
// querying, wrong discriminators time out with [], garbage is counted, close ends pending lookups, and a lookup made
// after the announcements are over (on `lo` or on every interface) is answered by a query; and, in memory,
// the record cache (TTL, goodbye, cache-flush, flood bound) and the resolution of instances from it.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { DnsRecordType, type DnsResourceRecord, txtEntries } from "../../../src/node/mdns/dns-message.ts";
import { DnssdRecordCache, MAX_CACHED_RECORDS } from "../../../src/node/mdns/dnssd-record-cache.ts";
import { resolveCommissionable, resolveOperationalInstance } from "../../../src/node/mdns/dnssd-resolution.ts";
import { runInPrivateNetns } from "../../support/netns-child.ts";

type Found = {
  instanceName: string;
  hostName: string;
  port: number;
  addresses: string[];
  discriminator?: number;
  vendorId?: number;
  productId?: number;
  commissioningMode?: number;
  txt: Record<string, string>;
};

test("DnssdBrowser finds our ciao-advertised commissionable and operational services in a private namespace", () => {
  const r = runInPrivateNetns<{
    windowName: string;
    byLong: Found[];
    byShort: Found[];
    operational: Found | null;
    freshLong: Found[];
    freshStats: { sent: number; received: number };
    wrong: { wrongLong: Found[]; wrongShort: Found[]; wrongNode: Found | null };
    malformedAfterGarbage: number;
    afterGarbage: string[];
    misuse: string[];
    closed: { pending: Found[]; aborted: string; after: string };
    late: Record<"all" | "lo", { names: string[]; ms: number }>;
    childExit: number;
  }>(resolve(import.meta.dirname, "dnssd-browser-netns.ts"));

  const name = "A0A1A2A3A4A5A6A7";
  assert.equal(r.windowName, name);
  const expected: Found = {
    instanceName: name,
    hostName: `${name}.local`,
    port: 5540,
    // ciao on `lo` publishes both loopback addresses; IPv6 ranks first.
    addresses: ["::1", "127.0.0.1"],
    discriminator: 3840,
    vendorId: 0xfff1,
    productId: 0x8001,
    commissioningMode: 1,
    txt: { D: "3840", VP: "65521+32769", CM: "1", SII: "5000", SAI: "300", SAT: "4000", T: "0" },
  };
  assert.deepEqual(r.byLong, [expected]);
  assert.deepEqual(r.byShort, [expected]);
  assert.deepEqual(r.freshLong, [expected]);
  assert.ok(r.freshStats.sent > 0 && r.freshStats.received > 0, JSON.stringify(r.freshStats));

  const op = "87E1B004E235A130-0000000000000001";
  assert.deepEqual(r.operational, {
    instanceName: op,
    hostName: `${op}.local`,
    port: 5540,
    addresses: ["::1", "127.0.0.1"],
    txt: { SII: "5000", SAI: "300", SAT: "4000", T: "0" },
  });

  assert.deepEqual(r.wrong, { wrongLong: [], wrongShort: [], wrongNode: null });
  assert.equal(r.malformedAfterGarbage, 2);
  assert.deepEqual(r.afterGarbage, [name]);
  // Bad long and short discriminators, both filters at once, an unknown interface.
  assert.deepEqual(r.misuse, ["RangeError", "RangeError", "TypeError", "RangeError"]);
  assert.deepEqual(r.closed, { pending: [], aborted: "RangeError", after: "TypeError" });
  // Past the announcements, a query is answered: well before the 3 s timeout, with or without a named interface.
  for (const late of [r.late.all, r.late.lo]) {
    assert.deepEqual(late.names, [name]);
    assert.ok(late.ms < 2000, JSON.stringify(r.late));
  }
  assert.equal(r.childExit, 0);
});

// The sans-IO half: the record cache and the resolution from it, in memory with explicit time.
const INSTANCE = "00112233AABBCCDD._matterc._udp.local";
const HOST = "00112233AABBCCDD.local";
const rr = {
  ptr: (name: string, target: string, ttl = 120): DnsResourceRecord => ({
    name,
    ttl,
    cacheFlush: false,
    type: DnsRecordType.PTR,
    target,
  }),
  srv: (port: number, ttl = 120, cacheFlush = true): DnsResourceRecord => ({
    name: INSTANCE,
    ttl,
    cacheFlush,
    type: DnsRecordType.SRV,
    priority: 0,
    weight: 0,
    port,
    target: HOST,
  }),
  txt: (pairs: [string, string][]): DnsResourceRecord => ({
    name: INSTANCE,
    ttl: 4500,
    cacheFlush: true,
    type: DnsRecordType.TXT,
    entries: txtEntries(pairs),
  }),
  a: (address: string, ttl = 120, cacheFlush = true): DnsResourceRecord => ({
    name: HOST,
    ttl,
    cacheFlush,
    type: DnsRecordType.A,
    address,
  }),
  aaaa: (address: string): DnsResourceRecord => ({
    name: HOST,
    ttl: 120,
    cacheFlush: false,
    type: DnsRecordType.AAAA,
    address,
  }),
};
const SUB_L = "_L3840._sub._matterc._udp.local";

test("resolveCommissionable asks for what is missing, step by step, and completes with SRV, TXT and addresses", () => {
  const cache = new DnssdRecordCache();
  const filter = { longDiscriminator: 3840 };
  cache.add([rr.ptr(SUB_L, INSTANCE)], 0);
  assert.deepEqual(
    resolveCommissionable(cache, filter, 1).missing.map((q) => [q.name, q.type]),
    [
      [INSTANCE, DnsRecordType.TXT],
      [INSTANCE, DnsRecordType.SRV],
    ],
  );
  cache.add(
    [
      rr.srv(5540),
      rr.txt([
        ["D", "3840"],
        ["VP", "65521+32768"],
        ["CM", "2"],
      ]),
    ],
    2,
  );
  assert.deepEqual(
    resolveCommissionable(cache, filter, 3).missing.map((q) => [q.name, q.type]),
    [
      [HOST, DnsRecordType.A],
      [HOST, DnsRecordType.AAAA],
    ],
  );
  cache.add([rr.a("10.0.0.7"), rr.aaaa("fe80::7"), rr.aaaa("fd00::7")], 4, "eth0");
  const { found } = resolveCommissionable(cache, filter, 5);
  assert.deepEqual(
    found.map((f) => ({ ...f, txt: Object.fromEntries(f.txt) })),
    [
      {
        instanceName: "00112233AABBCCDD",
        hostName: HOST,
        port: 5540,
        // Routable IPv6, then IPv4, then link-local IPv6 with its interface.
        addresses: ["fd00::7", "10.0.0.7", "fe80::7%eth0"],
        discriminator: 3840,
        vendorId: 0xfff1,
        productId: 0x8000,
        commissioningMode: 2,
        txt: { D: "3840", VP: "65521+32768", CM: "2" },
      },
    ],
  );
  // The short discriminator 15 matches 3840; 14 does not, and a TXT D that contradicts the filter is not a match.
  assert.equal(resolveCommissionable(cache, { shortDiscriminator: 15 }, 5).found.length, 0, "no _S15 PTR yet");
  cache.add([rr.ptr("_matterc._udp.local", INSTANCE)], 5);
  assert.equal(resolveCommissionable(cache, { shortDiscriminator: 15 }, 6).found.length, 1);
  assert.equal(resolveCommissionable(cache, { shortDiscriminator: 14 }, 6).found.length, 0);
  assert.deepEqual(resolveCommissionable(cache, { longDiscriminator: 3841 }, 6), { found: [], missing: [] });
});

test("the cache drops records at TTL end, on goodbye (TTL 0), and older same-name records on cache-flush", () => {
  const cache = new DnssdRecordCache();
  cache.add([rr.a("10.0.0.1"), rr.a("10.0.0.2", 120, false)], 0);
  assert.equal(cache.get(HOST, DnsRecordType.A, 1000).length, 2);
  // Cache-flush 5 s later: both earlier addresses are replaced by the new one.
  cache.add([rr.a("10.0.0.3")], 5000);
  assert.deepEqual(
    cache.get(HOST, DnsRecordType.A, 5001).map((c) => c.record.type === DnsRecordType.A && c.record.address),
    ["10.0.0.3"],
  );
  // Within the 1 s grace a cache-flush set builds up instead of replacing itself.
  cache.add([rr.a("10.0.0.4")], 5500);
  assert.equal(cache.get(HOST, DnsRecordType.A, 5501).length, 2);
  cache.add([rr.a("10.0.0.4", 0)], 5600);
  assert.equal(cache.get(HOST, DnsRecordType.A, 5601).length, 1);
  // TTL 120 s from 5000 ms: gone at 125 s.
  assert.equal(cache.get(HOST, DnsRecordType.A, 124_999).length, 1);
  assert.equal(cache.get(HOST, DnsRecordType.A, 125_000).length, 0);
  assert.equal(cache.size, 0);
});

test("a flood of records from one stranger stays within MAX_CACHED_RECORDS, dropping the oldest first", () => {
  const cache = new DnssdRecordCache();
  cache.add([rr.srv(5540, 4500, false)], 0);
  const flood = Array.from({ length: MAX_CACHED_RECORDS + 50 }, (_, i) =>
    rr.ptr("_matterc._udp.local", `F${i}._matterc._udp.local`, 4500),
  );
  cache.add(flood, 1);
  assert.equal(cache.size, MAX_CACHED_RECORDS);
  assert.equal(cache.get(INSTANCE, DnsRecordType.SRV, 2).length, 0);
  assert.equal(cache.get("_matterc._udp.local", DnsRecordType.PTR, 2).length, MAX_CACHED_RECORDS);
});

test("resolveOperationalInstance names `<CFID>-<NodeID>._matter._tcp.local` and completes without TXT when asked", () => {
  const cache = new DnssdRecordCache();
  const fqdn = "87E1B004E235A130-0000000000000001._matter._tcp.local";
  const before = resolveOperationalInstance(cache, 0x87e1b004e235a130n, 1n, 0);
  assert.deepEqual(
    before.missing.map((q) => [q.name, q.type]),
    [
      [fqdn, DnsRecordType.TXT],
      [fqdn, DnsRecordType.SRV],
    ],
  );
  cache.add(
    [
      {
        name: fqdn.toLowerCase(),
        ttl: 120,
        cacheFlush: true,
        type: DnsRecordType.SRV,
        priority: 0,
        weight: 0,
        port: 5541,
        target: "h.local",
      },
    ],
    0,
  );
  cache.add([{ name: "H.LOCAL", ttl: 120, cacheFlush: true, type: DnsRecordType.A, address: "10.1.1.1" }], 0);
  const r = resolveOperationalInstance(cache, 0x87e1b004e235a130n, 1n, 1);
  assert.deepEqual(r.result && { ...r.result, txt: [...r.result.txt] }, {
    instanceName: "87E1B004E235A130-0000000000000001",
    hostName: "h.local",
    port: 5541,
    addresses: ["10.1.1.1"],
    txt: [],
  });
  assert.deepEqual(
    r.missing.map((q) => q.type),
    [DnsRecordType.TXT],
  );
});
