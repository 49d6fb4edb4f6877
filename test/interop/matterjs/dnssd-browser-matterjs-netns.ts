// Runs inside the lo-mcast namespace of dnssd-browser-matterjs.test.ts, next to the matter.js reference device:
// browses for it with DnssdBrowser on `lo` by long and short discriminator (argv[2]) and for a discriminator nobody
// has, then prints one JSON line of what was found and the browser's counters.
import { DnssdBrowser } from "../../../src/node/mdns/dnssd-browser.ts";

const discriminator = Number(process.argv[2]);
const plain = (found: { txt: ReadonlyMap<string, string> }[]) =>
  found.map((f) => ({ ...f, txt: Object.fromEntries(f.txt) }));

const browser = await DnssdBrowser.open({ interface: "lo" });
try {
  const byLong = await browser.findCommissionable({ longDiscriminator: discriminator }, { timeoutMs: 15_000 });
  const byShort = await browser.findCommissionable({ shortDiscriminator: discriminator >> 8 }, { timeoutMs: 15_000 });
  const wrong = await browser.findCommissionable(
    { longDiscriminator: (discriminator + 1) & 0xfff },
    { timeoutMs: 1500 },
  );
  console.log(
    JSON.stringify({ byLong: plain(byLong), byShort: plain(byShort), wrong: plain(wrong), stats: browser.stats }),
  );
} finally {
  await browser.close();
}
