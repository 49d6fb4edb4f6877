// Runs inside `unshare -n` (spawned by ciao-advertiser.test.ts): enables multicast on `lo`, forks the advertiser
// (mdns-advertiser-child.ts), asks it DNS-SD questions with legacy unicast mDNS queries (RFC 6762 6.7) and listens on
// 224.0.0.251:5353 for announcements and goodbyes. Prints one JSON line of observations; exits non-zero on failure.
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, fork } from "node:child_process";
import dgram from "node:dgram";
import { resolve } from "node:path";
import { type DnsMessage, type DnsRecord, decodeMessage, encodeQuery, RR_TYPE } from "./dns-message.ts";

for (const args of [
  ["link", "set", "lo", "up"],
  ["link", "set", "lo", "multicast", "on"],
  ["route", "add", "224.0.0.0/4", "dev", "lo"],
]) {
  execFileSync("ip", args);
}

const MDNS_GROUP = "224.0.0.251";
const CFID_A = "87E1B004E235A130";
const CFID_B = "1122334455667788";

// Passive listener: every multicast packet on the group, decoded.
const heard: DnsRecord[] = [];
const listener = dgram.createSocket({ type: "udp4", reuseAddr: true });
listener.on("message", (m) => {
  const msg = decodeMessage(m);
  if (msg.response) heard.push(...msg.records);
});
await new Promise<void>((r) => listener.bind(5353, r));
listener.addMembership(MDNS_GROUP, "127.0.0.1");

let queryId = 0x1200;
/** One legacy unicast query (from an ephemeral port): the responder answers us directly, repeating id and question. */
async function ask(name: string, type: number): Promise<DnsMessage> {
  const id = ++queryId;
  const q = encodeQuery([name], type);
  q[0] = id >> 8;
  q[1] = id & 0xff;
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
  try {
    return await new Promise<DnsMessage>((resolveAnswer, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${name} type ${type}`)), 5000);
      socket.on("message", (m) => {
        const msg = decodeMessage(m);
        if (msg.id !== id) return;
        clearTimeout(timer);
        resolveAnswer(msg);
      });
      socket.send(q, 5353, MDNS_GROUP);
    });
  } finally {
    socket.close();
  }
}

const ptrTargets = (m: DnsMessage, name: string): string[] =>
  m.records
    .filter((r) => r.type === RR_TYPE.PTR && r.name.toLowerCase() === name.toLowerCase())
    .map((r) => r.data as string)
    .sort();
const instanceRecords = async (fqdn: string): Promise<{ srv: string[]; txt: string[] }> => {
  const m = await ask(fqdn, RR_TYPE.ANY);
  return {
    srv: m.records.filter((r) => r.type === RR_TYPE.SRV && r.name === fqdn).map((r) => r.data as string),
    txt: m.records.filter((r) => r.type === RR_TYPE.TXT && r.name === fqdn).flatMap((r) => r.data as string[]),
  };
};

// The advertiser child and a request/response channel to it.
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

try {
  const started = await reply();
  const windowName = await command({
    cmd: "window",
    params: {
      discriminator: 3840,
      commissioningMode: 1,
      vendorId: 0xfff1,
      productId: 0x8001,
      deviceType: 257,
      deviceName: "Opcreds Light",
      pairingHint: 33,
    },
  });
  const published1 = await command({
    cmd: "identities",
    ids: [
      [CFID_A, "0000000000000001"],
      [CFID_B, "00000000000000AB"],
    ],
  });

  const commissionable = `${windowName}._matterc._udp.local`;
  const cm = {
    name: windowName,
    type: ptrTargets(await ask("_matterc._udp.local", RR_TYPE.PTR), "_matterc._udp.local"),
    subtypes: {} as Record<string, string[]>,
    ...(await instanceRecords(commissionable)),
  };
  for (const sub of ["_L3840", "_S15", "_V65521", "_T257", "_CM"]) {
    const n = `${sub}._sub._matterc._udp.local`;
    cm.subtypes[sub] = ptrTargets(await ask(n, RR_TYPE.PTR), n);
  }
  const legacy = await ask("_matterc._udp.local", RR_TYPE.PTR);
  const hostA = (await ask(`${windowName}.local`, RR_TYPE.A)).records
    .filter((r) => r.type === RR_TYPE.A)
    .map((r) => r.data as string);
  const opA = `${CFID_A}-0000000000000001._matter._tcp.local`;
  const op1 = {
    published: published1,
    type: ptrTargets(await ask("_matter._tcp.local", RR_TYPE.PTR), "_matter._tcp.local"),
    subtypeA: ptrTargets(
      await ask(`_I${CFID_A}._sub._matter._tcp.local`, RR_TYPE.PTR),
      `_I${CFID_A}._sub._matter._tcp.local`,
    ),
    a: await instanceRecords(opA),
  };

  // UpdateNOC-like change: A's node id becomes 2 (old identity withdrawn, new one announced); B stays.
  const heardBefore = heard.length;
  const published2 = await command({
    cmd: "identities",
    ids: [
      [CFID_B, "00000000000000AB"],
      [CFID_A, "0000000000000002"],
    ],
  });
  const op2 = {
    published: published2,
    type: ptrTargets(await ask("_matter._tcp.local", RR_TYPE.PTR), "_matter._tcp.local"),
    goodbyes: heard
      .slice(heardBefore)
      .filter((r) => r.ttl === 0 && r.type === RR_TYPE.PTR)
      .map((r) => `${r.name} -> ${r.data}`)
      .sort(),
  };

  // A new commissioning window: a new instance name; the old one is withdrawn.
  const heardBeforeReopen = heard.length;
  const reopenedName = await command({ cmd: "window", params: { discriminator: 100, commissioningMode: 2 } });
  const reopened = {
    name: reopenedName,
    type: ptrTargets(await ask("_matterc._udp.local", RR_TYPE.PTR), "_matterc._udp.local"),
    txt: (await instanceRecords(`${reopenedName}._matterc._udp.local`)).txt,
    goodbyes: [
      ...new Set(
        heard
          .slice(heardBeforeReopen)
          .filter((r) => r.ttl === 0 && r.type === RR_TYPE.PTR && r.name === "_matterc._udp.local")
          .map((r) => r.data as string),
      ),
    ],
  };

  const heardBeforeClose = heard.length;
  const afterClose = await command({ cmd: "close" });
  const childExit = await Promise.race([exited, new Promise((r) => setTimeout(() => r("timeout"), 10_000))]);
  // Goodbyes are multicast; give the last datagrams on lo a moment to arrive.
  await new Promise((r) => setTimeout(r, 300));
  const closeGoodbyes = heard
    .slice(heardBeforeClose)
    .filter((r) => r.ttl === 0 && r.type === RR_TYPE.PTR && !r.name.includes("._sub."))
    .map((r) => `${r.name} -> ${r.data}`)
    .sort();
  console.log(
    JSON.stringify({
      commissionable: cm,
      legacy: { id: legacy.id, questions: legacy.questions },
      hostA,
      reopened,
      op1,
      op2,
      closeGoodbyes: [...new Set(closeGoodbyes)],
      childExit,
      started,
      afterClose,
    }),
  );
} finally {
  if (child.exitCode === null) child.kill();
  listener.close();
}
