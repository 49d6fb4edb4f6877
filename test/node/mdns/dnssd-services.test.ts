// The Matter DNS-SD service model without sockets: instance names, TXT values, subtypes, limits, and the diff a
// change of operational identities produces.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  COMMISSIONABLE_SERVICE_TYPE,
  CommissioningMode,
  commissionableInstanceName,
  commissionableService,
  commonTxt,
  DnssdAdvertisement,
  type DnssdService,
  diffServices,
  OPERATIONAL_SERVICE_TYPE,
  operationalService,
} from "../../../src/node/mdns/dnssd-services.ts";

/** A deterministic random source: counts up from `start`. */
function counter(start = 0): (n: number) => Uint8Array {
  let next = start;
  return (n) => Uint8Array.from({ length: n }, () => next++ & 0xff);
}

const CFID = 0x87e1b004e235a130n;
const txtOf = (s: DnssdService): Record<string, string> => Object.fromEntries(s.txt);

test("commissionable instance name is 16 uppercase hex digits of 64 random bits", () => {
  assert.equal(
    commissionableInstanceName(() => Uint8Array.of(0xab, 0xcd, 0xef, 1, 2, 3, 0x0a, 0xff)),
    "ABCDEF0102030AFF",
  );
  assert.throws(() => commissionableInstanceName(() => new Uint8Array(7)), RangeError);
});

test("commissionable service: TXT D, VP, CM, DT, DN, PH, PI, SII, SAI, SAT, T in order, and every subtype", () => {
  const s = commissionableService(
    "0123456789ABCDEF",
    5540,
    {
      discriminator: 3840,
      commissioningMode: CommissioningMode.Basic,
      vendorId: 0xfff1,
      productId: 0x8000,
      deviceType: 257,
      deviceName: "Test Light",
      pairingHint: 33,
      pairingInstruction: "Press the button",
    },
    { sessionIdleInterval: 5000, sessionActiveInterval: 300, sessionActiveThreshold: 4000 },
  );
  assert.equal(s.serviceType, "_matterc._udp");
  assert.equal(s.instanceName, "0123456789ABCDEF");
  assert.equal(s.key, "0123456789ABCDEF._matterc._udp");
  assert.equal(s.port, 5540);
  assert.deepEqual(s.txt, [
    ["D", "3840"],
    ["VP", "65521+32768"],
    ["CM", "1"],
    ["DT", "257"],
    ["DN", "Test Light"],
    ["PH", "33"],
    ["PI", "Press the button"],
    ["SII", "5000"],
    ["SAI", "300"],
    ["SAT", "4000"],
    ["T", "0"],
  ]);
  // Long discriminator, short discriminator (its high 4 bits: 3840 >> 8 = 15), vendor, device type, commissioning mode.
  assert.deepEqual(s.subtypes, ["_L3840", "_S15", "_V65521", "_T257", "_CM"]);
});

test("commissionable service: optional keys absent when not given; VP without PID; enhanced window CM=2", () => {
  const minimal = commissionableService("FFFFFFFFFFFFFFFF", 5541, {
    discriminator: 0x0a5,
    commissioningMode: CommissioningMode.Enhanced,
  });
  assert.deepEqual(minimal.txt, [
    ["D", "165"],
    ["CM", "2"],
    ["SII", "500"],
    ["SAI", "300"],
    ["SAT", "4000"],
    ["T", "0"],
  ]);
  assert.deepEqual(minimal.subtypes, ["_L165", "_S0", "_CM"]);
  assert.equal(minimal.port, 5541);
  const vidOnly = commissionableService("FFFFFFFFFFFFFFFF", 5540, {
    discriminator: 4095,
    commissioningMode: 1,
    vendorId: 0,
  });
  assert.equal(txtOf(vidOnly).VP, "0");
  assert.deepEqual(vidOnly.subtypes, ["_L4095", "_S15", "_V0", "_CM"]);
});

test("commissionable service rejects values outside the spec's limits", () => {
  const base = { discriminator: 1, commissioningMode: CommissioningMode.Basic } as const;
  const bad: [string, () => unknown, new (...a: never[]) => Error][] = [
    [
      "discriminator 4096",
      () => commissionableService("0000000000000000", 5540, { ...base, discriminator: 4096 }),
      RangeError,
    ],
    [
      "discriminator -1",
      () => commissionableService("0000000000000000", 5540, { ...base, discriminator: -1 }),
      RangeError,
    ],
    [
      "discriminator 1.5",
      () => commissionableService("0000000000000000", 5540, { ...base, discriminator: 1.5 }),
      RangeError,
    ],
    ["CM 0", () => commissionableService("0000000000000000", 5540, { ...base, commissioningMode: 0 as 1 }), RangeError],
    ["lower-case name", () => commissionableService("000000000000000a", 5540, base), RangeError],
    ["short name", () => commissionableService("000000000000000", 5540, base), RangeError],
    ["port 0", () => commissionableService("0000000000000000", 0, base), RangeError],
    ["port 65536", () => commissionableService("0000000000000000", 65536, base), RangeError],
    ["PID without VID", () => commissionableService("0000000000000000", 5540, { ...base, productId: 1 }), TypeError],
    ["VID 65536", () => commissionableService("0000000000000000", 5540, { ...base, vendorId: 65536 }), RangeError],
    ["DT 2^32", () => commissionableService("0000000000000000", 5540, { ...base, deviceType: 2 ** 32 }), RangeError],
    [
      "DN 33 bytes",
      () => commissionableService("0000000000000000", 5540, { ...base, deviceName: "x".repeat(33) }),
      RangeError,
    ],
    // 11 two-byte characters: 22 bytes of UTF-8 fit; 17 of them (34 bytes) do not, though only 17 characters.
    [
      "DN 34 UTF-8 bytes",
      () => commissionableService("0000000000000000", 5540, { ...base, deviceName: "é".repeat(17) }),
      RangeError,
    ],
    [
      "DN lone surrogate",
      () => commissionableService("0000000000000000", 5540, { ...base, deviceName: "a\ud800" }),
      RangeError,
    ],
    [
      "PI 129 bytes",
      () => commissionableService("0000000000000000", 5540, { ...base, pairingInstruction: "p".repeat(129) }),
      RangeError,
    ],
    ["PH -1", () => commissionableService("0000000000000000", 5540, { ...base, pairingHint: -1 }), RangeError],
    [
      "SII > 1 h",
      () => commissionableService("0000000000000000", 5540, base, { sessionIdleInterval: 3_600_001 }),
      RangeError,
    ],
    [
      "SAT > 65535",
      () => commissionableService("0000000000000000", 5540, base, { sessionActiveThreshold: 65536 }),
      RangeError,
    ],
  ];
  for (const [name, f, type] of bad) assert.throws(f, type, name);
  // The limits themselves are accepted.
  const edge = commissionableService(
    "0000000000000000",
    65535,
    { ...base, deviceName: "é".repeat(16), pairingInstruction: "p".repeat(128), deviceType: 2 ** 32 - 1 },
    { sessionIdleInterval: 3_600_000, sessionActiveInterval: 0, sessionActiveThreshold: 65535 },
  );
  assert.equal(txtOf(edge).DN, "é".repeat(16));
  assert.equal(txtOf(edge).SII, "3600000");
  assert.equal(txtOf(edge).SAT, "65535");
});

test("operational service: <CFID>-<NodeID> in 16 uppercase hex digits each, subtype _I<CFID>, common TXT", () => {
  const s = operationalService({ compressedFabricId: CFID, nodeId: 0x1n }, 5540, { sessionIdleInterval: 800 });
  assert.equal(s.serviceType, "_matter._tcp");
  assert.equal(s.instanceName, "87E1B004E235A130-0000000000000001");
  assert.deepEqual(s.subtypes, ["_I87E1B004E235A130"]);
  assert.deepEqual(s.txt, [
    ["SII", "800"],
    ["SAI", "300"],
    ["SAT", "4000"],
    ["T", "0"],
  ]);
  const max = operationalService({ compressedFabricId: 0xffff_ffff_ffff_ffffn, nodeId: 0xffff_ffef_ffff_ffffn }, 1);
  assert.equal(max.instanceName, "FFFFFFFFFFFFFFFF-FFFFFFEFFFFFFFFF");
  assert.throws(() => operationalService({ compressedFabricId: -1n, nodeId: 1n }, 5540), RangeError);
  assert.throws(() => operationalService({ compressedFabricId: 1n, nodeId: 1n << 64n }, 5540), RangeError);
});

test("common TXT defaults to the MRP defaults", () => {
  assert.deepEqual(commonTxt(), [
    ["SII", "500"],
    ["SAI", "300"],
    ["SAT", "4000"],
    ["T", "0"],
  ]);
});

test("a new commissioning window gets a new instance name; closing it withdraws the service", () => {
  const ad = new DnssdAdvertisement({ port: 5540 });
  const random = counter(1);
  const first = ad.openCommissioningWindow({ discriminator: 3840, commissioningMode: 1 }, random);
  assert.equal(first, "0102030405060708");
  assert.equal(ad.commissionableInstanceName, first);
  const second = ad.openCommissioningWindow({ discriminator: 3840, commissioningMode: 2 }, random);
  assert.equal(second, "090A0B0C0D0E0F10");
  assert.deepEqual(
    ad.services().map((s) => [s.instanceName, s.serviceType]),
    [[second, COMMISSIONABLE_SERVICE_TYPE]],
  );
  ad.closeCommissioningWindow();
  assert.equal(ad.commissionableInstanceName, undefined);
  assert.deepEqual(ad.services(), []);
});

test("a rejected window leaves the advertisement as it was", () => {
  const ad = new DnssdAdvertisement();
  const name = ad.openCommissioningWindow({ discriminator: 1, commissioningMode: 1 }, counter());
  assert.throws(
    () => ad.openCommissioningWindow({ discriminator: 5000, commissioningMode: 1 }, counter(9)),
    RangeError,
  );
  assert.equal(ad.commissionableInstanceName, name);
  assert.throws(() => ad.setOperationalIdentities([{ compressedFabricId: 1n, nodeId: -1n }]), RangeError);
  assert.equal(ad.services().length, 1);
});

test("operational identities: diff adds new ones, removes dropped ones, keeps unchanged ones", () => {
  const ad = new DnssdAdvertisement();
  const a = { compressedFabricId: CFID, nodeId: 1n };
  const b = { compressedFabricId: 0x1122334455667788n, nodeId: 0x42n };
  const c = { compressedFabricId: CFID, nodeId: 2n };
  ad.setOperationalIdentities([a, b, a]);
  const v1 = ad.services();
  assert.deepEqual(
    v1.map((s) => s.instanceName),
    ["87E1B004E235A130-0000000000000001", "1122334455667788-0000000000000042"],
  );
  const first = diffServices([], v1);
  assert.deepEqual(
    first.add.map((s) => s.key),
    v1.map((s) => s.key),
  );
  assert.deepEqual([first.remove, first.updateTxt], [[], []]);

  // UpdateNOC: fabric A's node id changes; a commissioning window opens at the same time.
  ad.setOperationalIdentities([c, b]);
  ad.openCommissioningWindow({ discriminator: 7, commissioningMode: 1 }, counter(0xa0));
  const v2 = ad.services();
  const d = diffServices(v1, v2);
  assert.deepEqual(
    d.remove.map((s) => s.key),
    [`87E1B004E235A130-0000000000000001.${OPERATIONAL_SERVICE_TYPE}`],
  );
  assert.deepEqual(
    d.add.map((s) => s.key),
    [
      `A0A1A2A3A4A5A6A7.${COMMISSIONABLE_SERVICE_TYPE}`,
      `87E1B004E235A130-0000000000000002.${OPERATIONAL_SERVICE_TYPE}`,
    ],
  );
  assert.deepEqual(d.updateTxt, []);

  // RemoveFabric of every fabric: everything operational goes, nothing is added.
  ad.setOperationalIdentities([]);
  ad.closeCommissioningWindow();
  const d3 = diffServices(v2, ad.services());
  assert.equal(d3.remove.length, 3);
  assert.deepEqual([d3.add, d3.updateTxt], [[], []]);
  assert.deepEqual(diffServices(v2, v2), { remove: [], add: [], updateTxt: [] });
});

test("diff: a TXT-only change is an update, a port or subtype change a withdraw plus announce", () => {
  const id = { compressedFabricId: CFID, nodeId: 5n };
  const s = operationalService(id, 5540);
  const txtChanged = operationalService(id, 5540, { sessionIdleInterval: 1000 });
  assert.deepEqual(diffServices([s], [txtChanged]), { remove: [], add: [], updateTxt: [txtChanged] });
  const portChanged = operationalService(id, 5541);
  assert.deepEqual(diffServices([s], [portChanged]), { remove: [s], add: [portChanged], updateTxt: [] });
  const subtypeChanged = { ...s, subtypes: ["_Ixx"] };
  assert.deepEqual(diffServices([s], [subtypeChanged]), { remove: [s], add: [subtypeChanged], updateTxt: [] });
  assert.throws(() => diffServices([s, s], []), RangeError);
});

test("property: applying the diff to the current set yields the next set", () => {
  const identity = fc.record({
    compressedFabricId: fc.bigInt({ min: 0n, max: 3n }),
    nodeId: fc.bigInt({ min: 1n, max: 3n }),
  });
  const state = fc.record({
    ids: fc.array(identity, { maxLength: 6 }),
    sii: fc.integer({ min: 0, max: 2 }),
  });
  fc.assert(
    fc.property(state, state, (x, y) => {
      const build = (st: typeof x): DnssdService[] => {
        const ad = new DnssdAdvertisement({ session: { sessionIdleInterval: st.sii } });
        ad.setOperationalIdentities(st.ids);
        return ad.services();
      };
      const cur = build(x);
      const next = build(y);
      const d = diffServices(cur, next);
      const applied = new Map(cur.map((s) => [s.key, s]));
      for (const s of d.remove) assert.ok(applied.delete(s.key));
      for (const s of [...d.updateTxt, ...d.add]) applied.set(s.key, s);
      assert.deepEqual(
        [...applied.values()].sort((p, q) => p.key.localeCompare(q.key)),
        [...next].sort((p, q) => p.key.localeCompare(q.key)),
      );
      // Nothing published is touched when nothing changed.
      const show = (st: typeof x): string => JSON.stringify(st, (_k, v) => (typeof v === "bigint" ? `${v}` : v));
      if (show(x) === show(y)) assert.deepEqual(d, { remove: [], add: [], updateTxt: [] });
    }),
    { numRuns: 300 },
  );
});
