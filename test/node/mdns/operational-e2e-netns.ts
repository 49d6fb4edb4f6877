// Runs inside `unshare -n` (spawned by operational-e2e.test.ts): a real DeviceNode advertising on `lo` with multicast
// on, driven over UDP by an in-process controller (PASE, then CASE on the new fabric): an abandoned commissioning
// (AddNOC, ArmFailSafe(0)), a real one, UpdateNOC to node 2, UpdateNOC to node 3 reverted by ArmFailSafe(0), and
// RemoveFabric. At each checkpoint it browses with legacy unicast mDNS queries (RFC 6762 6.7) and records every
// multicast response heard on 224.0.0.251:5353. Prints one JSON line of observations; exits non-zero on failure.
import { execFileSync } from "node:child_process";
import dgram from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeviceNode } from "../../../src/node/device-node.ts";
import type { SecureSession } from "../../../src/sc/secure-session.ts";
import { type AddNocSteps, NodeController, testFabric } from "../../support/node-controller.ts";
import { type DnsMessage, type DnsRecord, decodeMessage, encodeQuery, RR_TYPE } from "./dns-message.ts";

for (const args of [
  ["link", "set", "lo", "up"],
  ["link", "set", "lo", "multicast", "on"],
  ["route", "add", "224.0.0.0/4", "dev", "lo"],
]) {
  execFileSync("ip", args);
}

const MDNS_GROUP = "224.0.0.251";
const OPERATIONAL = "_matter._tcp.local";
const COMMISSIONABLE = "_matterc._udp.local";
/** How long one wait for an mDNS change may take before the checkpoint is recorded as it is. */
const WAIT_MS = 20_000;
/** How long a legacy unicast query waits for an answer (a service nobody publishes is never answered). */
const QUERY_WAIT_MS = 1000;

const hex16 = (v: bigint): string => v.toString(16).toUpperCase().padStart(16, "0");

// ---- the wire: a passive listener on the group, and legacy unicast queries -----------------------------------------
const heard: DnsRecord[] = [];
const heardWaiters = new Set<() => void>();
const listener = dgram.createSocket({ type: "udp4", reuseAddr: true });
listener.on("message", (m) => {
  const msg = decodeMessage(m);
  if (!msg.response) return;
  heard.push(...msg.records);
  for (const w of [...heardWaiters]) w();
});
await new Promise<void>((r) => listener.bind(5353, r));
listener.addMembership(MDNS_GROUP, "127.0.0.1");

let queryId = 0x4e00;
/** One legacy unicast query from an ephemeral port; resolves undefined when nobody answers within QUERY_WAIT_MS. */
async function ask(name: string, type: number): Promise<DnsMessage | undefined> {
  const id = ++queryId & 0xffff;
  const q = encodeQuery([name], type);
  q[0] = id >> 8;
  q[1] = id & 0xff;
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
  try {
    return await new Promise<DnsMessage | undefined>((resolveAnswer) => {
      const timer = setTimeout(() => resolveAnswer(undefined), QUERY_WAIT_MS);
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

/** The instance names a PTR browse of `service` returns now (with TTL > 0). */
async function browse(service: string): Promise<string[]> {
  const m = await ask(service, RR_TYPE.PTR);
  return (m?.records ?? [])
    .filter((r) => r.type === RR_TYPE.PTR && r.ttl > 0 && r.name.toLowerCase() === service.toLowerCase())
    .map((r) => r.data as string)
    .sort();
}

/** Browses `service` until `done(instances)` holds or WAIT_MS pass; returns the last answer either way. */
async function browseUntil(service: string, done: (instances: string[]) => boolean): Promise<string[]> {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const instances = await browse(service);
    if (done(instances) || Date.now() > until) return instances;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** SRV "port target" values and TXT strings of an instance, from an ANY query. */
async function instanceRecords(fqdn: string): Promise<{ srv: string[]; txt: string[] }> {
  const m = await ask(fqdn, RR_TYPE.ANY);
  const of = (type: number) => (m?.records ?? []).filter((r) => r.type === type && r.name === fqdn);
  return { srv: of(RR_TYPE.SRV).map((r) => r.data as string), txt: of(RR_TYPE.TXT).flatMap((r) => r.data as string[]) };
}
const srvOf = async (fqdn: string): Promise<string[]> => (await instanceRecords(fqdn)).srv;

const isGoodbye = (service: string, instance: string) => (r: DnsRecord) =>
  r.type === RR_TYPE.PTR && r.ttl === 0 && r.name.toLowerCase() === service.toLowerCase() && r.data === instance;
const isAnnouncement = (service: string) => (r: DnsRecord) =>
  r.type === RR_TYPE.PTR && r.ttl > 0 && r.name.toLowerCase() === service.toLowerCase();

/** Waits until a record heard from `from` on matches, or WAIT_MS pass; returns whether one did. */
async function heardSince(from: number, match: (r: DnsRecord) => boolean): Promise<boolean> {
  const found = () => heard.slice(from).some(match);
  if (found()) return true;
  return new Promise<boolean>((resolveHeard) => {
    const timer = setTimeout(() => {
      heardWaiters.delete(check);
      resolveHeard(found());
    }, WAIT_MS);
    const check = () => {
      if (!found()) return;
      clearTimeout(timer);
      heardWaiters.delete(check);
      resolveHeard(true);
    };
    heardWaiters.add(check);
  });
}

/** Goodbye PTRs (TTL 0) heard from `from` on, as "service -> instance", deduplicated. */
const goodbyesSince = (from: number): string[] => [
  ...new Set(
    heard
      .slice(from)
      .filter((r) => r.type === RR_TYPE.PTR && r.ttl === 0 && !r.name.includes("._sub."))
      .map((r) => `${r.name} -> ${r.data}`),
  ),
];

// ---- the controller and the test fabric ------------------------------------------------------------------------------
const controller = await NodeController.open({ waitMs: WAIT_MS });

const FABRIC_ID = 0xfab0_0000_0000_00e2n;
const ADMIN_NODE_ID = 0x0000_0000_0001_b669n;
const DEVICE_NODE_ABANDONED = 0x0000_0000_0000_0010n;
const DEVICE_NODE_1 = 0x0000_0000_0000_0001n;
const DEVICE_NODE_2 = 0x0000_0000_0000_0002n;
const DEVICE_NODE_3 = 0x0000_0000_0000_0003n;
const fabric = testFabric(FABRIC_ID, ADMIN_NODE_ID);
const cfid = fabric.compressedFabricId;
const instanceAbandoned = `${hex16(cfid)}-${hex16(DEVICE_NODE_ABANDONED)}.${OPERATIONAL}`;
const instance1 = `${hex16(cfid)}-${hex16(DEVICE_NODE_1)}.${OPERATIONAL}`;
const instance2 = `${hex16(cfid)}-${hex16(DEVICE_NODE_2)}.${OPERATIONAL}`;
const instance3 = `${hex16(cfid)}-${hex16(DEVICE_NODE_3)}.${OPERATIONAL}`;

/** Over a PASE session: ArmFailSafe, CSRRequest, AddTrustedRootCertificate, AddNOC for `nodeId` on the test fabric. */
async function addNocOverPase(pase: SecureSession, nodeId: bigint): Promise<Omit<AddNocSteps, "chain">> {
  const { armed, rootAdded, addNoc } = await controller.addNocOverPase(pase, fabric, nodeId);
  return { armed, rootAdded, addNoc };
}

const root = mkdtempSync(join(tmpdir(), "opcreds-mdns-e2e-"));
const log: string[] = [];
const node = await DeviceNode.start({
  dataDir: join(root, "data"),
  port: 0,
  mdns: { interfaces: ["lo"] },
  logger: (level, message) => log.push(`${level}: ${message}`),
});
try {
  const peer = { address: "127.0.0.1", port: node.port };

  // 1. Fresh node: commissionable, not operational.
  const commissionable0 = await browseUntil(COMMISSIONABLE, (xs) => xs.length > 0);
  const before = {
    commissionable: commissionable0,
    operational: await browse(OPERATIONAL),
    operationalHeard: heard.some(isAnnouncement(OPERATIONAL)),
  };
  const commissionableInstance = commissionable0[0] ?? "";

  // 2. An abandoned commissioning: PASE, AddNOC for node 0x10, then ArmFailSafe(0) over the same PASE session. The
  // pending fabric is announced at AddNOC, withdrawn by the fail-safe cleanup, and the window listens and advertises
  // again (the SDK's kFailSafeTimerExpired → HandleFailedAttempt → AdvertiseAndListenForPASE).
  const paseA = await controller.pase(peer, 20202021);
  // The SDK stops advertising commissioning mode once a PASE session is established (CommissioningWindowManager
  // OnSessionEstablished -> StopAdvertisement).
  const afterPase = {
    commissionableGoodbye: await heardSince(0, isGoodbye(COMMISSIONABLE, commissionableInstance)),
    commissionable: await browseUntil(COMMISSIONABLE, (xs) => xs.length === 0),
  };
  const heardBeforeAbandon = heard.length;
  const addNocA = await addNocOverPase(paseA, DEVICE_NODE_ABANDONED);
  const abandonedAnnounced = await heardSince(
    heardBeforeAbandon,
    (r) => isAnnouncement(OPERATIONAL)(r) && r.data === instanceAbandoned,
  );
  const heardBeforeDisarmA = heard.length;
  const disarmedA = await controller.armFailSafe(paseA, 0);
  const reopenedA = await browseUntil(COMMISSIONABLE, (xs) => xs.length > 0);
  const abandoned = {
    addNoc: addNocA,
    announced: abandonedAnnounced,
    disarmed: disarmedA,
    goodbye: await heardSince(heardBeforeDisarmA, isGoodbye(OPERATIONAL, instanceAbandoned)),
    operational: await browseUntil(OPERATIONAL, (xs) => xs.length === 0),
    commissionable: reopenedA,
    fabrics: node.fabrics.fabrics().length,
  };
  const commissionableInstance2 = reopenedA[0] ?? "";

  // 3. PASE again, ArmFailSafe, CSR, AddTrustedRootCertificate, AddNOC (node 1): the pending fabric is advertised.
  const heardBeforePase = heard.length;
  const pase = await controller.pase(peer, 20202021);
  const afterPase2 = {
    commissionableGoodbye: await heardSince(heardBeforePase, isGoodbye(COMMISSIONABLE, commissionableInstance2)),
    commissionable: await browseUntil(COMMISSIONABLE, (xs) => xs.length === 0),
  };
  const heardBeforeAddNoc = heard.length;
  const commissioning = await addNocOverPase(pase, DEVICE_NODE_1);
  const afterAddNoc = {
    operational: await browseUntil(OPERATIONAL, (xs) => xs.includes(instance1)),
    announced: await heardSince(heardBeforeAddNoc, (r) => isAnnouncement(OPERATIONAL)(r) && r.data === instance1),
  };

  // 4. CASE on the new fabric, CommissioningComplete: committed; the commissionable service stays gone.
  const case1 = await controller.case(peer, fabric, DEVICE_NODE_1);
  const complete1 = await controller.commissioningComplete(case1);
  const afterComplete = {
    operational: await browseUntil(OPERATIONAL, (xs) => xs.length === 1 && xs[0] === instance1),
    srv: await srvOf(instance1),
    commissionable: await browse(COMMISSIONABLE),
    window: node.commissioningWindow ?? null,
  };

  // 5. UpdateNOC to node 2 over the CASE session, then CommissioningComplete: node 1 withdrawn, node 2 announced.
  const heardBeforeUpdate = heard.length;
  const armed2 = await controller.armFailSafe(case1, 300);
  const chain2 = fabric.ca.issueChain(await controller.csr(case1, true), {
    nodeId: DEVICE_NODE_2,
    fabricId: FABRIC_ID,
  });
  const updateNoc = await controller.updateNoc(case1, chain2.noc);
  const afterUpdateNoc = {
    operational: await browseUntil(OPERATIONAL, (xs) => xs.length === 1 && xs[0] === instance2),
    oldGoodbye: await heardSince(heardBeforeUpdate, isGoodbye(OPERATIONAL, instance1)),
    newAnnounced: await heardSince(heardBeforeUpdate, (r) => isAnnouncement(OPERATIONAL)(r) && r.data === instance2),
  };
  // The SDK aborts the fabric's other communication after UpdateNOC; the invoking session may stay until its
  // response is delivered, so CommissioningComplete goes over a new CASE session authenticated with the new NOC.
  const case2 = await controller.case(peer, fabric, DEVICE_NODE_2, { resume: false });
  const complete2 = await controller.commissioningComplete(case2);
  const afterComplete2 = {
    operational: await browseUntil(OPERATIONAL, (xs) => xs.length === 1 && xs[0] === instance2),
    srv: await srvOf(instance2),
    goodbyes: goodbyesSince(heardBeforeUpdate),
  };

  // 6. UpdateNOC to node 3, then ArmFailSafe(0) instead of CommissioningComplete: the pending NOC is reverted, so node 3
  // is withdrawn and node 2 comes back (SDK FailSafeCleanup: "if UpdateNOC was invoked, restart DNS-SD").
  const heardBeforeRevert = heard.length;
  const armed3 = await controller.armFailSafe(case2, 300);
  const chain3 = fabric.ca.issueChain(await controller.csr(case2, true), {
    nodeId: DEVICE_NODE_3,
    fabricId: FABRIC_ID,
  });
  const updateNoc3 = await controller.updateNoc(case2, chain3.noc);
  const pendingUpdate = {
    operational: await browseUntil(OPERATIONAL, (xs) => xs.length === 1 && xs[0] === instance3),
    goodbye2: await heardSince(heardBeforeRevert, isGoodbye(OPERATIONAL, instance2)),
  };
  const heardBeforeDisarm = heard.length;
  const case3 = await controller.case(peer, fabric, DEVICE_NODE_3, { resume: false });
  const disarmed = await controller.armFailSafe(case3, 0);
  const afterRevert = {
    goodbye3: await heardSince(heardBeforeDisarm, isGoodbye(OPERATIONAL, instance3)),
    reannounced2: await heardSince(heardBeforeDisarm, (r) => isAnnouncement(OPERATIONAL)(r) && r.data === instance2),
    operational: await browseUntil(OPERATIONAL, (xs) => xs.length === 1 && xs[0] === instance2),
    srv: await srvOf(instance2),
  };
  const revert = { armed3, updateNoc3: updateNoc3.statusCode, pendingUpdate, disarmed, afterRevert };

  // 7. RemoveFabric (the last one) over a new CASE session to node 2 (the revert expired the fabric's sessions): node 2
  // withdrawn, the node is commissionable again.
  const case4 = await controller.case(peer, fabric, DEVICE_NODE_2, { resume: false });
  const heardBeforeRemove = heard.length;
  const removed = await controller.removeFabric(case4, commissioning.addNoc.fabricIndex ?? 0);
  const goodbye2 = await heardSince(heardBeforeRemove, isGoodbye(OPERATIONAL, instance2));
  const reopened = await browseUntil(COMMISSIONABLE, (xs) => xs.length > 0);
  const afterRemove = {
    goodbye: goodbye2,
    operational: await browseUntil(OPERATIONAL, (xs) => xs.length === 0),
    commissionable: reopened,
    commissionableRecords: reopened[0] === undefined ? null : await instanceRecords(reopened[0]),
    goodbyes: goodbyesSince(heardBeforeRemove),
    commissionableAnnounced: await heardSince(heardBeforeRemove, isAnnouncement(COMMISSIONABLE)),
    fabrics: node.fabrics.fabrics().length,
    window: node.commissioningWindow ?? null,
  };

  console.log(
    JSON.stringify({
      port: node.port,
      instanceAbandoned,
      instance1,
      instance2,
      instance3,
      commissionableInstance,
      before,
      afterPase,
      abandoned,
      commissionableInstance2,
      afterPase2,
      commissioning: { ...commissioning, complete1 },
      afterAddNoc,
      afterComplete,
      update: {
        armed2,
        updateNoc,
        complete2,
      },
      afterUpdateNoc,
      afterComplete2,
      revert,
      removed,
      afterRemove,
    }),
  );
} catch (e) {
  console.error(log.join("\n"));
  throw e;
} finally {
  await node.stop();
  await controller.close();
  listener.close();
  rmSync(root, { recursive: true, force: true });
}
