// Runs inside `unshare -n` (spawned by fabric-revert.test.ts): a DeviceNode without mDNS and two in-process
// controllers over UDP. Controller A adds fabric index 1 over PASE and runs CASE on the pending fabric (full, then
// resumed: the node keeps a resumption record for fabric 1), then lets the fail-safe expire (ArmFailSafe(1) over PASE).
// Controller B then commissions fabric index 1. Records, at each step, the node's stored resumption records and what
// A's CASE attempts with its old resumption id give; then stops the node, plants a resumption record for a fabric
// index the table does not hold, restarts it on the same data directory and records what start-up left.
// Prints one JSON line of observations; exits non-zero only when the run itself breaks.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "../../src/bytes/bytes.ts";
import { OperationalCredentialsCluster } from "../../src/clusters/operational-credentials/operational-credentials-options.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { fabricIndex } from "../../src/fabric/fabric-index.ts";
import { DATABASE_FILE, DeviceNode } from "../../src/node/device-node.ts";
import { UNCOMMITTED_FABRIC_DATA_REPAIR_KEY } from "../../src/node/root-node-composition.ts";
import type { UdpPeer } from "../../src/node/udp-transport.ts";
import { ResumptionStore } from "../../src/sc/case/resumption-record.ts";
import { SqliteStorage } from "../../src/storage/sqlite-storage.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { NodeController as Controller, type NodeController, testFabric } from "../support/node-controller.ts";

execFileSync("ip", ["link", "set", "lo", "up"]);

/** How long a wait for the node's asynchronous effects (record writes, fail-safe expiry) may take. */
const SETTLE_MS = 10_000;
const PASSCODE = 20202021;
const crypto = nodeCrypto;

const fabricA = testFabric(0xfab0_0000_0000_00a1n, 0x0000_0000_0001_b669n);
const fabricB = testFabric(0xfab0_0000_0000_00b2n, 0x0000_0000_0002_c77an);
const DEVICE_NODE_A = 0x0000_0000_0000_00a1n;
const DEVICE_NODE_B = 0x0000_0000_0000_00b2n;
/** A fabric index the node's table never holds in this run (the planted stale record's). */
const STALE_FABRIC_INDEX = 2;

/** The node's stored resumption records, read back from its storage (a fresh read-only view of the same keys). */
async function nodeRecords(storage: Storage) {
  const store = await ResumptionStore.open(storage);
  return {
    fabricIndices: store.fabricIndices() as number[],
    has: (resumptionId: Uint8Array) => store.findById(resumptionId) !== undefined,
    peerOn: (fi: number, peerNodeId: bigint) => store.findByPeer(fabricIndex(fi), peerNodeId) !== undefined,
  };
}

/** Polls `probe` until `done` holds or SETTLE_MS pass; returns the last value either way. */
async function settle<T>(probe: () => Promise<T> | T, done: (v: T) => boolean): Promise<T> {
  const until = Date.now() + SETTLE_MS;
  for (;;) {
    const v = await probe();
    if (done(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A CASE attempt: "resumed", "full" (a full handshake established a session) or "failed: <why>". */
async function caseAttempt(
  c: NodeController,
  peer: UdpPeer,
  fabric: ReturnType<typeof testFabric>,
  nodeId: bigint,
): Promise<string> {
  try {
    const s = await c.case(peer, fabric, nodeId);
    return s.resumed ? "resumed" : "full";
  } catch (e) {
    return `failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Controller A's resumption record for the device on its fabric. */
const recordOfA = (a: NodeController) => a.resumption.findByPeer(fabricA.caseFabric.fabricIndex, DEVICE_NODE_A);

const root = mkdtempSync(join(tmpdir(), "opcreds-fabric-revert-"));
const dataDir = join(root, "data");
const log: string[] = [];
const logger = (level: string, message: string) => log.push(`${level}: ${message}`);
const a = await Controller.open();
const b = await Controller.open();
let node = await DeviceNode.start({ dataDir, port: 0, mdns: false, logger });

/** Observations so far: a failing step ends the run but what was seen before it is still printed. */
const o: Record<string, unknown> = {};
try {
  let peer: UdpPeer = { address: "127.0.0.1", port: node.port };

  // 1. A: PASE, ArmFailSafe(300), CSR, AddTrustedRootCertificate, AddNOC (pending fabric index 1), then CASE on the
  // pending fabric twice: a full handshake, then a resumption (so resumption works on this node and fabric).
  const paseA = await a.pase(peer, PASSCODE);
  const stepsA = await a.addNocOverPase(paseA, fabricA, DEVICE_NODE_A);
  o.addNocA = { armed: stepsA.armed, addNoc: stepsA.addNoc };
  o.caseA1 = await caseAttempt(a, peer, fabricA, DEVICE_NODE_A);
  o.caseA2 = await caseAttempt(a, peer, fabricA, DEVICE_NODE_A);
  const oldRecord = recordOfA(a);
  if (oldRecord === undefined) throw new RangeError("controller A holds no resumption record after CASE");
  const heldBefore = await settle(
    () => nodeRecords(node.storage),
    (r) => r.has(oldRecord.resumptionId),
  );
  o.beforeExpiry = {
    fabrics: node.fabrics.fabrics().length,
    nodeFabricIndices: heldBefore.fabricIndices,
    nodeHasRecordOfA: heldBefore.has(oldRecord.resumptionId),
    controllerRecord: toHex(oldRecord.resumptionId),
  };

  // 2. The fail-safe expires: re-armed for 1 s over the PASE session, then the timer reverts the pending fabric.
  o.rearmed = await a.armFailSafe(paseA, 1);
  await settle(
    () => node.fabrics.fabrics().length === 0 && node.commissioningWindow === "basic",
    (v) => v,
  );
  // (a) The fail-safe cleanup removes fabric 1 like RemoveFabric does: its resumption records go too.
  const afterExpiry = await settle(
    () => nodeRecords(node.storage),
    (r) => r.fabricIndices.length === 0,
  );
  o.afterExpiry = {
    fabrics: node.fabrics.fabrics().length,
    window: node.commissioningWindow ?? null,
    nodeFabricIndices: afterExpiry.fabricIndices,
    nodeHasRecordOfA: afterExpiry.has(oldRecord.resumptionId),
  };

  // (b) A asks to resume with its old record: no session (no fabric is left to fall back to either).
  o.controllerStillHolds = recordOfA(a) !== undefined;
  o.resumeAfterExpiry = await caseAttempt(a, peer, fabricA, DEVICE_NODE_A);

  // 3. B commissions the node; it gets fabric index 1 again.
  const paseB = await b.pase(peer, PASSCODE);
  const stepsB = await b.addNocOverPase(paseB, fabricB, DEVICE_NODE_B);
  o.addNocB = { armed: stepsB.armed, addNoc: stepsB.addNoc };
  const caseB = await b.case(peer, fabricB, DEVICE_NODE_B);
  o.caseB = caseB.resumed ? "resumed" : "full";
  o.completeB = await b.commissioningComplete(caseB);
  const commissioned = await b.readAttribute(
    caseB,
    0,
    OperationalCredentialsCluster.id,
    OperationalCredentialsCluster.attributes.CommissionedFabrics,
  );
  o.commissionedFabrics = commissioned.type === "uint" ? Number(commissioned.value) : commissioned.type;
  // (c) A's old resumption id must not give it a session on B's fabric (same index 1).
  const heldAtB = recordOfA(a);
  o.controllerStillHoldsAtB = heldAtB !== undefined && toHex(heldAtB.resumptionId) === toHex(oldRecord.resumptionId);
  o.resumeIntoB = await caseAttempt(a, peer, fabricA, DEVICE_NODE_A);
  // B's own resumption works on fabric 1, so A's refusal is not resumption being off.
  o.resumeB = await caseAttempt(b, peer, fabricB, DEVICE_NODE_B);
  const withB = await settle(
    () => nodeRecords(node.storage),
    (r) => r.peerOn(1, fabricB.adminNodeId),
  );
  o.withB = {
    nodeFabricIndices: withB.fabricIndices,
    nodeHasRecordOfA: withB.has(oldRecord.resumptionId),
    recordOfAdminA: withB.peerOn(1, fabricA.adminNodeId),
    recordOfAdminB: withB.peerOn(1, fabricB.adminNodeId),
  };

  // 4. (d) Stop, plant a stale record for a fabric index the table does not hold (as a crash between CASE and the
  // revert left it in a data directory written before the commissioning transaction: the repair mark is cleared to
  // stand for one), restart on the same data directory: the one-time repair drops it and keeps fabric 1's.
  await node.stop();
  const planted = {
    resumptionId: crypto.randomBytes(16),
    sharedSecret: crypto.randomBytes(32),
    peerNodeId: fabricA.adminNodeId,
    fabricIndex: fabricIndex(STALE_FABRIC_INDEX),
    cats: [],
  };
  const storage = await SqliteStorage.open(join(dataDir, DATABASE_FILE));
  try {
    await (await ResumptionStore.open(storage)).save(planted);
    o.repairMarkBeforePlant = (await storage.get(UNCOMMITTED_FABRIC_DATA_REPAIR_KEY)) !== undefined;
    await storage.delete(UNCOMMITTED_FABRIC_DATA_REPAIR_KEY);
    o.plantedBeforeRestart = (await nodeRecords(storage)).fabricIndices;
  } finally {
    await storage.close();
  }
  node = await DeviceNode.start({ dataDir, port: 0, mdns: false, logger });
  peer = { address: "127.0.0.1", port: node.port };
  const afterRestart = await nodeRecords(node.storage);
  o.afterRestart = {
    fabrics: node.fabrics.fabrics().map((f) => f.fabricIndex),
    nodeFabricIndices: afterRestart.fabricIndices,
    hasPlanted: afterRestart.has(planted.resumptionId),
    recordOfAdminB: afterRestart.peerOn(1, fabricB.adminNodeId),
  };
  o.repairMarkAfterRestart = (await node.storage.get(UNCOMMITTED_FABRIC_DATA_REPAIR_KEY)) !== undefined;
  o.resumeBAfterRestart = await caseAttempt(b, peer, fabricB, DEVICE_NODE_B);
} catch (e) {
  o.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
} finally {
  await node.stop();
  await a.close();
  await b.close();
  rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify({ ...o, logs: log }));
