// Runs inside `unshare -n` (spawned by dnssd-browser.test.ts): enables multicast on `lo`, forks our CiaoAdvertiser
// (mdns-advertiser-child.ts) with a commissioning window (discriminator 3840) and two operational identities, and
// browses for them with DnssdBrowser; then, once ciao's announcements are over, asks again with fresh browsers (on `lo`
// and on every interface), which only an answer to a query can satisfy. Prints one JSON line of observations; exits non-zero on failure.
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, fork } from "node:child_process";
import dgram from "node:dgram";
import { resolve } from "node:path";
import { DnssdBrowser } from "../../../src/node/mdns/dnssd-browser.ts";

for (const args of [
  ["link", "set", "lo", "up"],
  ["link", "set", "lo", "multicast", "on"],
  ["route", "add", "224.0.0.0/4", "dev", "lo"],
]) {
  execFileSync("ip", args);
}

const child: ChildProcess = fork(resolve(import.meta.dirname, "mdns-advertiser-child.ts"), [], {
  execArgv: ["--import", "tsx"],
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
const replies: { ok: boolean; result?: unknown; error?: string }[] = [];
let wake: (() => void) | undefined;
child.on("message", (m) => {
  replies.push(m as (typeof replies)[number]);
  wake?.();
});
const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
async function reply(): Promise<unknown> {
  while (replies.length === 0) await new Promise<void>((r) => (wake = r));
  const m = replies.shift()!;
  assert.ok(m.ok, `advertiser child failed: ${m.error}`);
  return m.result;
}
async function command(m: unknown): Promise<unknown> {
  child.send(m as object);
  return reply();
}

const plain = <T extends { txt: ReadonlyMap<string, string> }>(x: T | undefined) =>
  x === undefined ? null : { ...x, txt: Object.fromEntries(x.txt) };

let browser: DnssdBrowser | undefined;
try {
  await reply();
  // The browser opens first, so it has to ask: nothing it needs was announced before it listened.
  browser = await DnssdBrowser.open({ interface: "lo" });
  const windowName = await command({
    cmd: "window",
    params: { discriminator: 3840, commissioningMode: 1, vendorId: 0xfff1, productId: 0x8001 },
  });
  const windowOpenedAt = Date.now();
  await command({ cmd: "identities", ids: [["87E1B004E235A130", "0000000000000001"]] });

  const byLong = await browser.findCommissionable({ longDiscriminator: 3840 }, { timeoutMs: 10_000 });
  const byShort = await browser.findCommissionable({ shortDiscriminator: 15 }, { timeoutMs: 10_000 });
  const operational = await browser.resolveOperational(0x87e1b004e235a130n, 1n, { timeoutMs: 10_000 });

  // A fresh browser (empty cache) must get its answers by querying, not from what the first one heard.
  const fresh = await DnssdBrowser.open({ interface: "lo" });
  const freshLong = await fresh.findCommissionable({ longDiscriminator: 3840 }, { timeoutMs: 10_000 });
  const freshStats = fresh.stats;

  // No such node: the lookups run out and resolve empty.
  const wrongLong = await fresh.findCommissionable({ longDiscriminator: 1234 }, { timeoutMs: 1500 });
  const wrongShort = await fresh.findCommissionable({ shortDiscriminator: 3 }, { timeoutMs: 1500 });
  const wrongNode = await fresh.resolveOperational(0x87e1b004e235a130n, 2n, { timeoutMs: 1500 });

  // Garbage datagrams to 5353 are counted and dropped; the browser keeps working.
  const garbage = dgram.createSocket({ type: "udp4", reuseAddr: true });
  await new Promise<void>((r) => garbage.bind(5353, "127.0.0.1", r));
  for (const bytes of [Uint8Array.of(1, 2, 3), Uint8Array.of(0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xc0, 12)]) {
    await new Promise<void>((r) => garbage.send(bytes, 5353, "224.0.0.251", () => r()));
  }
  await new Promise((r) => setTimeout(r, 300));
  garbage.close();
  const malformedAfterGarbage = fresh.stats.malformed;
  const afterGarbage = await fresh.findCommissionable({ longDiscriminator: 3840 }, { timeoutMs: 10_000 });

  // Misuse and lifecycle: bad filters reject; close ends a running lookup with [] and later lookups reject.
  const misuse = await Promise.all([
    fresh.findCommissionable({ longDiscriminator: 4096 }).catch((e: Error) => e.name),
    fresh.findCommissionable({ shortDiscriminator: 16 }).catch((e: Error) => e.name),
    fresh.findCommissionable({ longDiscriminator: 1, shortDiscriminator: 0 } as never).catch((e: Error) => e.name),
    DnssdBrowser.open({ interface: "no-such-if0" }).catch((e: Error) => e.name),
  ]);
  const pending = fresh.findCommissionable({ longDiscriminator: 77 }, { timeoutMs: 60_000 });
  const aborter = new AbortController();
  const aborted = fresh
    .findCommissionable({ longDiscriminator: 78 }, { signal: aborter.signal })
    .catch((e: Error) => e.name);
  aborter.abort(new RangeError("stop"));
  await fresh.close();
  await fresh.close();
  const closed = {
    pending: await pending,
    aborted: await aborted,
    after: await fresh.findCommissionable({ longDiscriminator: 3840 }).catch((e: Error) => e.name),
  };

  // After the announcements (1 s, 2 s, 4 s after advertising): only answers to our queries can find the node now.
  // Without an interface, the kernel alone would send the queries from 0.0.0.0 here, which ciao on `lo` drops.
  await new Promise((r) => setTimeout(r, Math.max(0, windowOpenedAt + 8000 - Date.now())));
  const late: Record<string, { names: string[]; ms: number }> = {};
  for (const [label, options] of [
    // Every interface first: a reply to the `lo` browser's query, multicast by ciao, must not be what it finds.
    ["all", {}],
    ["lo", { interface: "lo" }],
  ] as const) {
    const b = await DnssdBrowser.open(options);
    const t0 = Date.now();
    const found = await b.findCommissionable({ longDiscriminator: 3840 }, { timeoutMs: 3000 });
    late[label] = { names: found.map((c) => c.instanceName), ms: Date.now() - t0 };
    await b.close();
    // Let any multicast reply to this lookup pass before the next browser listens.
    await new Promise((r) => setTimeout(r, 500));
  }

  await browser.close();
  browser = undefined;
  await command({ cmd: "close" });
  const childExit = await exited;
  console.log(
    JSON.stringify({
      windowName,
      byLong: byLong.map(plain),
      byShort: byShort.map(plain),
      operational: plain(operational),
      freshLong: freshLong.map(plain),
      freshStats,
      wrong: { wrongLong, wrongShort, wrongNode: wrongNode ?? null },
      malformedAfterGarbage,
      afterGarbage: afterGarbage.map((c) => c.instanceName),
      misuse,
      closed,
      late,
      childExit,
    }),
  );
} catch (e) {
  console.error(e);
  child.kill("SIGKILL");
  process.exitCode = 1;
} finally {
  await browser?.close();
}
