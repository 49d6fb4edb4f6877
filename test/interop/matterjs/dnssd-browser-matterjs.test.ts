// DnssdBrowser finds the matter.js reference device (device.mjs, @matter 0.17.9) by its discriminator: both run in one
// lo-mcast namespace (matter.js with MATTER_MDNS_NETWORKINTERFACE=lo), the browser in dnssd-browser-matterjs-netns.ts.
// matter.js answers even a legacy unicast query by multicast to port 5353, so this pins the browser's 5353 socket.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { compiledArgs } from "../../support/compiled-child.ts";
import {
  createNetns,
  HERE,
  type Netns,
  type NsProcess,
  spawnInNetns,
  startReferenceDevice,
  tail,
  tempState,
} from "./harness.ts";

const PORT = 5601;
const DISCRIMINATOR = 2345;

let ns: Netns;
let state: ReturnType<typeof tempState>;
let device: NsProcess | undefined;
let browser: NsProcess | undefined;

before(() => {
  ns = createNetns("lo-mcast");
  state = tempState("opcreds-mjs-dnssd");
});

after(async () => {
  await browser?.stop();
  await device?.stop();
  ns?.delete();
  state?.remove();
});

type Found = {
  instanceName: string;
  port: number;
  addresses: string[];
  discriminator: number;
  vendorId?: number;
  productId?: number;
  commissioningMode: number;
  txt: Record<string, string>;
};

test("DnssdBrowser finds the matter.js reference device by long and short discriminator, with its port", async () => {
  const started = await startReferenceDevice(ns, {
    storage: join(state.dir, "device"),
    port: PORT,
    discriminator: DISCRIMINATOR,
    extra: { MATTER_MDNS_NETWORKINTERFACE: "lo" },
  });
  device = started.process;
  browser = spawnInNetns(
    ns,
    process.execPath,
    compiledArgs(["--import", "tsx", join(HERE, "dnssd-browser-matterjs-netns.ts"), String(DISCRIMINATOR)]),
    {},
  );
  const timer = setTimeout(() => void browser?.stop(), 60_000);
  const code = await browser.exited;
  clearTimeout(timer);
  assert.equal(code, 0, tail(browser.output()));
  const r = JSON.parse(browser.output().trim().split("\n").at(-1)!) as {
    byLong: Found[];
    byShort: Found[];
    wrong: Found[];
    stats: { malformed: number };
  };

  assert.equal(r.byLong.length, 1, JSON.stringify(r));
  const found = r.byLong[0]!;
  assert.match(found.instanceName, /^[0-9A-F]{16}$/);
  assert.equal(found.port, PORT);
  assert.equal(found.discriminator, DISCRIMINATOR);
  assert.equal(found.vendorId, 0xfff1);
  assert.equal(found.productId, 0x8000);
  assert.equal(found.commissioningMode, 1);
  assert.equal(found.txt.D, String(DISCRIMINATOR));
  assert.ok(found.addresses.includes("127.0.0.1"), JSON.stringify(found.addresses));
  assert.deepEqual(
    r.byShort.map((f) => [f.instanceName, f.port]),
    [[found.instanceName, PORT]],
  );
  assert.deepEqual(r.wrong, []);
  assert.equal(r.stats.malformed, 0);
});
