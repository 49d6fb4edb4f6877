// Audit of issue 5 (interop): the matter.js controller removes the LAST fabric of our device. Pins what the main
// interop suite does not: the NOCResponse to RemoveFabric really arrives (matter.js's removeNode() accepts a missing
// response, and skips the command while its node reconnects), a new controller process resumes its CASE session, the
// device reopens its basic commissioning window, its mDNS follows (operational service withdrawn, commissionable one
// back), and the six Operational Credentials attributes match what a second controller provisioned.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fromHex, toHex } from "../../src/bytes/bytes.ts";
import { validateChain } from "../../src/cert/validate.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { FabricTable } from "../../src/fabric/fabric-table.ts";
import { DATABASE_FILE } from "../../src/node/device-node.ts";
import { SqliteStorage } from "../../src/storage/sqlite-storage.ts";
import { compiledArgs } from "../support/compiled-child.ts";
import {
  type ControllerRun,
  createNetns,
  type Netns,
  type NsProcess,
  ourPaaDerHex,
  parseResults,
  runController,
  spawnInNetns,
  startOurDevice,
  tail,
  tempState,
  waitForOutput,
} from "./matterjs/harness.ts";

let ns: Netns;
let state: ReturnType<typeof tempState>;
const running = new Set<NsProcess>();
const strict = () => ({ CTRL_ATTESTATION: "strict", CTRL_PAA_DER_HEX: ourPaaDerHex() });

before(() => {
  assert.equal(process.getuid?.(), 0, "interop tests need root to create network namespaces");
  ns = createNetns("lo-mcast");
  state = tempState("opcreds-audit-last-fabric");
});

after(async () => {
  for (const p of running) await p.stop();
  ns?.delete();
  state?.remove();
});

function ok(run: ControllerRun, device: NsProcess): void {
  const summary = run.results.get("summary")?.[0] as { ok?: boolean } | undefined;
  assert.equal(summary?.ok, true, `controller:\n${tail(run.log, 60)}\n--- device:\n${tail(device.output(), 40)}`);
  assert.equal(run.code, 0);
}

const OPERATIONAL = "_matter._tcp.local";
const COMMISSIONABLE = "_matterc._udp.local";
type Browse = Record<typeof OPERATIONAL | typeof COMMISSIONABLE, string[]>;

/** Browses both Matter services inside the namespace until `want` holds (15 s at most); returns the last answer. */
async function browseUntil(want: (b: Browse) => boolean): Promise<Browse> {
  const script = join(import.meta.dirname, "mdns-browse-legacy-unicast.ts");
  let last: Browse = { [OPERATIONAL]: [], [COMMISSIONABLE]: [] };
  for (const end = Date.now() + 15_000; Date.now() < end; ) {
    const p = spawnInNetns(
      ns,
      process.execPath,
      compiledArgs(["--import", "tsx", script, OPERATIONAL, COMMISSIONABLE]),
      {},
    );
    assert.equal(await p.exited, 0, p.output());
    last = JSON.parse(p.output().trim().split("\n").at(-1)!) as Browse;
    if (want(last)) break;
  }
  return last;
}

/** `<CFID>-<NodeId>._matter._tcp.local` with the node id as 16 uppercase hex digits. */
const operationalName = (nodeId: bigint) =>
  new RegExp(`^[0-9A-F]{16}-${nodeId.toString(16).toUpperCase().padStart(16, "0")}\\._matter\\._tcp\\.local$`);

type Descriptor = { fabricIndex: number; rootPublicKey: string; vendorId: number; fabricId: string; nodeId: string };
type OpCreds = {
  supportedFabrics: number;
  commissionedFabrics: number;
  currentFabricIndex: number;
  fabricsFiltered: Descriptor[];
  fabricsUnfiltered: Descriptor[];
  nocs: { noc: string; icac: string | null; fabricIndex: number }[];
  trustedRootCertificates: string[];
};

test("RemoveFabric of the last fabric: NOCResponse received, window reopened and re-advertised, a new admin commissions over mDNS with matching OpCreds attributes", async () => {
  const data = join(state.dir, "device");
  const dev = await startOurDevice(ns, { dataDir: data, args: ["--interface", "lo"] });
  running.add(dev.process);
  assert.equal(dev.ready.commissioningWindow, "basic");
  const boot = await browseUntil((b) => b[COMMISSIONABLE].length === 1);
  assert.deepEqual(boot[OPERATIONAL], []);
  assert.equal(boot[COMMISSIONABLE].length, 1, JSON.stringify(boot));

  // 1. Controller A commissions, then a separate process invokes RemoveFabric for A's own (and only) fabric. matter.js's
  //    removeNode() is not used: it skips the command while its PairedNode reconnects, and accepts a lost response.
  const ctrlA = join(state.dir, "ctrl-a");
  const a = await runController(ns, { CTRL_STORAGE: ctrlA, CTRL_MINIMAL: "1", ...strict() });
  ok(a, dev.process);
  // Commissioned: the operational service <CFID>-<NodeId> is published, the window (and its service) closed.
  const afterA = await browseUntil((b) => b[OPERATIONAL].length === 1 && b[COMMISSIONABLE].length === 0);
  assert.equal(afterA[OPERATIONAL].length, 1, JSON.stringify(afterA));
  assert.match(afterA[OPERATIONAL][0]!, operationalName(BigInt(String(a.first("commissioned").nodeId))));
  assert.deepEqual(afterA[COMMISSIONABLE], []);
  const removal = spawnInNetns(
    ns,
    process.execPath,
    [join(import.meta.dirname, "matterjs-remove-fabric-controller.mjs")],
    {
      CTRL_STORAGE: ctrlA,
      MATTER_LOG_LEVEL: "info",
    },
  );
  const removalCode = await removal.exited;
  const removed = parseResults(removal.output()).get("removeFabric")?.[0] as Record<string, unknown> | undefined;
  assert.deepEqual(
    removed,
    { received: true, fabricIndex: 1, statusCode: 0, responseFabricIndex: 1 },
    `${tail(removal.output(), 40)}\n--- device:\n${tail(dev.process.output(), 40)}`,
  );
  assert.equal(removalCode, 0);
  // That process reached the device through CASE session resumption (Sigma1 with resumption, Sigma2_Resume).
  assert.match(removal.output(), /Resumed session/, tail(removal.output(), 40));

  // 2. The device, now without any fabric, opens its basic window again (second "window open" line in its log).
  await waitForOutput(dev.process, /commissioning window open \(basic[\s\S]*commissioning window open \(basic/, 30_000);
  // ... and its mDNS follows: the operational service is withdrawn, a commissionable one is back.
  const afterRemove = await browseUntil((b) => b[OPERATIONAL].length === 0 && b[COMMISSIONABLE].length === 1);
  assert.deepEqual(afterRemove[OPERATIONAL], [], JSON.stringify(afterRemove));
  assert.equal(afterRemove[COMMISSIONABLE].length, 1, JSON.stringify(afterRemove));

  // 3. Controller B finds it through commissionable mDNS discovery and commissions it with the printed passcode.
  const b = await runController(ns, {
    CTRL_STORAGE: join(state.dir, "ctrl-b"),
    CTRL_DISCOVER: "1",
    CTRL_OPERATIONAL: "mdns",
    CTRL_MINIMAL: "1",
    MATTER_MDNS_NETWORKINTERFACE: "lo",
    ...strict(),
  });
  ok(b, dev.process);
  const provisionedNodeId = BigInt(String(b.first("commissioned").nodeId));

  // 4. The six attributes, checked against what controller B provisioned (its node id, its root, its fabric).
  const oc = b.first("opcreds-before") as unknown as OpCreds;
  assert.equal(oc.commissionedFabrics, 1);
  assert.equal(oc.fabricsFiltered.length, 1);
  assert.equal(oc.fabricsUnfiltered.length, 1);
  const fabric = oc.fabricsFiltered[0]!;
  assert.equal(oc.currentFabricIndex, fabric.fabricIndex);
  assert.notEqual(fabric.fabricIndex, 1, "fabric index 1 was used by the removed fabric; indices are not reused");
  assert.equal(BigInt(fabric.nodeId), provisionedNodeId);
  assert.equal(oc.nocs.length, 1);
  assert.equal(oc.nocs[0]!.fabricIndex, fabric.fabricIndex);
  assert.equal(oc.trustedRootCertificates.length, 1);
  const chain = validateChain({
    noc: fromHex(oc.nocs[0]!.noc),
    icac: oc.nocs[0]!.icac === null ? undefined : fromHex(oc.nocs[0]!.icac),
    rcac: fromHex(oc.trustedRootCertificates[0]!),
    crypto: nodeCrypto,
  });
  assert.equal(chain.nodeId, provisionedNodeId);
  assert.equal(chain.fabricId, BigInt(fabric.fabricId));
  assert.equal(toHex(chain.rootPublicKey), fabric.rootPublicKey.toLowerCase());
  const afterB = await browseUntil((b) => b[OPERATIONAL].length === 1);
  assert.equal(afterB[OPERATIONAL].length, 1, JSON.stringify(afterB));
  assert.match(afterB[OPERATIONAL][0]!, operationalName(provisionedNodeId));

  // 5. Stopped cleanly; the database holds exactly controller B's fabric.
  await dev.process.stop();
  running.delete(dev.process);
  assert.equal(await dev.process.exited, 0);
  const storage = await SqliteStorage.open(join(data, DATABASE_FILE));
  try {
    const table = await FabricTable.open(storage, nodeCrypto);
    assert.deepEqual(
      table.fabrics().map((f) => ({ index: f.fabricIndex, nodeId: f.nodeId })),
      [{ index: fabric.fabricIndex, nodeId: provisionedNodeId }],
    );
  } finally {
    await storage.close();
  }
});
