// DnssdBrowser against our CiaoAdvertiser on real sockets, inside a private network namespace (dnssd-browser-netns.ts):
// the commissionable service (discriminator 3840) is found by long and by short discriminator with its SRV, TXT and
// addresses, the operational service is resolved by compressed fabric id and node id, a fresh browser finds them by
// querying, wrong discriminators time out with [], garbage is counted, and close ends pending lookups.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
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
  assert.equal(r.childExit, 0);
});
