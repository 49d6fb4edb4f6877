// The matter.js 0.17.9 controller against OUR device (`opcreds start`), every process inside private network
// namespaces: commissioning with strict attestation (minimal, then default mode with wildcard read + subscription),
// the six OpCreds attributes, fabric label, CASE from a new process, a second admin through an enhanced window,
// RemoveFabric, a SIGKILL restart, and mDNS discovery (commissionable and operational) in a multicast-capable namespace.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { nodeCrypto } from "../../../src/crypto/node-crypto.ts";
import { FabricTable } from "../../../src/fabric/fabric-table.ts";
import { DATABASE_FILE } from "../../../src/node/device-node.ts";
import { SqliteStorage } from "../../../src/storage/sqlite-storage.ts";
import {
  type ControllerRun,
  createNetns,
  type Netns,
  type NsProcess,
  ourPaaDerHex,
  runController,
  startOurDevice,
  tail,
  tempState,
} from "./harness.ts";

let ns: Netns;
let state: ReturnType<typeof tempState>;
const running = new Set<NsProcess>();
const strict = () => ({ CTRL_ATTESTATION: "strict", CTRL_PAA_DER_HEX: ourPaaDerHex() });

before(() => {
  assert.equal(process.getuid?.(), 0, "interop tests need root to create network namespaces");
  ns = createNetns("lo");
  state = tempState("opcreds-mjs-our");
});

after(async () => {
  for (const p of running) await p.stop();
  ns?.delete();
  state?.remove();
});

async function device(dataDir: string, args?: readonly string[], netns: Netns = ns) {
  const d = await startOurDevice(netns, { dataDir, ...(args === undefined ? {} : { args }) });
  running.add(d.process);
  return d;
}

async function stop(p: NsProcess): Promise<number | string> {
  await p.stop();
  running.delete(p);
  return p.exited;
}

/** Our device's fabrics as its database holds them (read while the device is stopped). */
async function storedFabrics(dataDir: string) {
  const storage = await SqliteStorage.open(join(dataDir, DATABASE_FILE));
  try {
    const table = await FabricTable.open(storage, nodeCrypto);
    return table
      .fabrics()
      .map((f) => ({ index: f.fabricIndex, nodeId: f.nodeId, label: f.label, vendorId: f.vendorId }));
  } finally {
    await storage.close();
  }
}

function ok(run: ControllerRun, device: NsProcess): void {
  const summary = run.results.get("summary")?.[0] as { ok?: boolean } | undefined;
  assert.equal(summary?.ok, true, `controller:\n${tail(run.log, 60)}\n--- device:\n${tail(device.output(), 40)}`);
  assert.equal(run.code, 0);
}

type OpCreds = {
  supportedFabrics: number;
  commissionedFabrics: number;
  currentFabricIndex: number;
  fabricsFiltered: { fabricIndex: number; label: string; nodeId: string; vendorId: number }[];
  fabricsUnfiltered: { fabricIndex: number }[];
  nocs: { icac: unknown; noc: string; fabricIndex: number }[];
  trustedRootCertificates: string[];
};

test("minimal commissioning with strict attestation from the printed pairing code; six OpCreds attributes; label; our stored fabric", async () => {
  const data = join(state.dir, "minimal");
  // A passcode and discriminator other than the controller's defaults: it can only succeed through the printed code.
  const dev = await device(data, ["--no-mdns", "--passcode", "24681357", "--discriminator", "1234"]);
  assert.equal(dev.ready.commissioningWindow, "basic");
  const manualPairingCode = dev.ready.manualPairingCode as string;
  assert.match(manualPairingCode, /^\d{11}$/);
  const run = await runController(ns, {
    CTRL_STORAGE: join(state.dir, "ctrl-min"),
    CTRL_MINIMAL: "1",
    CTRL_PAIRING_CODE: manualPairingCode,
    CTRL_DISCRIMINATOR: "1234",
    ...strict(),
  });
  ok(run, dev.process);
  const findings = (run.results.get("attestation-finding") ?? []) as { level: string }[];
  assert.deepEqual(
    findings.filter((f) => f.level === "error"),
    [],
  );
  const oc = run.first("opcreds-before") as unknown as OpCreds;
  assert.equal(oc.supportedFabrics, 16);
  assert.equal(oc.commissionedFabrics, 1);
  assert.equal(oc.currentFabricIndex, 1);
  assert.equal(oc.fabricsFiltered.length, 1);
  assert.equal(oc.fabricsFiltered[0]!.fabricIndex, 1);
  assert.equal(oc.fabricsFiltered[0]!.vendorId, 0xfff1);
  assert.equal(oc.fabricsFiltered[0]!.nodeId, "1");
  assert.equal(oc.fabricsFiltered[0]!.label, "peer-matterjs");
  assert.equal(oc.nocs.length, 1);
  assert.equal(oc.nocs[0]!.icac, null);
  assert.equal(oc.trustedRootCertificates.length, 1);
  assert.deepEqual(run.first("updateFabricLabel"), { statusCode: 0, fabricIndex: 1 });
  assert.equal((run.first("opcreds-after") as unknown as OpCreds).fabricsFiltered[0]!.label, "peer-matterjs-x");
  assert.equal(run.first("reconnected").currentFabricIndex, 1);
  assert.equal(run.first("reconnected").onOff, true);
  assert.equal(await stop(dev.process), 0);
  assert.deepEqual(await storedFabrics(data), [{ index: 1, nodeId: 1n, label: "peer-matterjs", vendorId: 0xfff1 }]);
});

const shared = { data: "", ctrlA: "", dev: undefined as NsProcess | undefined };

test("default mode (wildcard read + subscription), then CASE from a new controller process", async () => {
  shared.data = join(state.dir, "default");
  shared.ctrlA = join(state.dir, "ctrl-a");
  const dev = await device(shared.data);
  shared.dev = dev.process;
  const run = await runController(ns, { CTRL_STORAGE: shared.ctrlA, CTRL_LIGHT_CHECKS: "1", ...strict() });
  ok(run, dev.process);
  assert.equal(run.first("connected").minimal, false);
  // The Lighting feature and Scenes Management through matter.js's cluster clients.
  const light = run.first("light") as Record<string, unknown>;
  assert.equal(light.startUpOnOff, 1);
  assert.deepEqual(light.afterOffWithEffect, { onOff: false, globalSceneControl: false });
  assert.equal(light.afterRecallGlobal, true);
  assert.deepEqual(light.added, { status: 0, groupId: 0, sceneId: 1 });
  const viewed = light.viewed as Record<string, unknown>;
  assert.equal(viewed.status, 0);
  assert.equal(viewed.sceneName, "Evening");
  assert.deepEqual(viewed.extensionFieldSetStructs, [
    { clusterId: 6, attributeValueList: [{ attributeId: 0, valueUnsigned8: 0 }] },
  ]);
  assert.equal(light.afterRecall, false);
  const membership = light.membership as { status: number; sceneList: number[] };
  assert.equal(membership.status, 0);
  assert.deepEqual([...membership.sceneList].sort(), [0, 1]);
  const info = light.info as { sceneCount: number; currentScene: number; currentGroup: number; sceneValid: boolean }[];
  assert.equal(info.length, 1);
  assert.equal(info[0]!.sceneCount, 2);
  assert.equal(info[0]!.currentScene, 1);
  assert.equal(info[0]!.currentGroup, 0);
  assert.equal(info[0]!.sceneValid, true);
  // Endpoint 1 as matter.js sees it: Identify, Groups, On/Off (Lighting), Scenes Management (SceneNames), Descriptor.
  const ep1 = run.first("endpoint1") as { clusters: number[]; features: Record<string, Record<string, boolean>> };
  assert.deepEqual(ep1.clusters, [0x0003, 0x0004, 0x0006, 0x001d, 0x0062]);
  assert.equal(ep1.features["6"]?.lighting, true);
  assert.equal(ep1.features["4"]?.groupNames, true);
  assert.equal(ep1.features["98"]?.sceneNames, true);
  const oc = run.first("opcreds-before") as unknown as OpCreds;
  assert.equal(oc.commissionedFabrics, 1);
  assert.equal(oc.fabricsUnfiltered.length, 1);
  const again = await runController(ns, { CTRL_STORAGE: shared.ctrlA, CTRL_MODE: "reconnect" });
  ok(again, dev.process);
  assert.equal(again.first("reconnected").currentFabricIndex, 1);
});

test("enhanced window: a second admin joins as fabric 2, sees both fabrics unfiltered, removes its own fabric", async () => {
  const dev = shared.dev;
  assert.ok(dev, "needs the device of the previous test");
  const a = await runController(ns, {
    CTRL_STORAGE: shared.ctrlA,
    CTRL_MODE: "reconnect",
    CTRL_OPEN_WINDOW: "enhanced",
  });
  ok(a, dev);
  const window = a.first("window-opened") as { kind: string; manualPairingCode: string };
  assert.equal(window.kind, "enhanced");
  const b = await runController(ns, {
    CTRL_STORAGE: join(state.dir, "ctrl-b"),
    CTRL_PAIRING_CODE: window.manualPairingCode,
    CTRL_FABRIC_LABEL: "second-admin",
    CTRL_REMOVE: "1",
    ...strict(),
  });
  ok(b, dev);
  const oc = b.first("opcreds-before") as unknown as OpCreds;
  assert.equal(oc.commissionedFabrics, 2);
  assert.equal(oc.currentFabricIndex, 2);
  assert.deepEqual(
    oc.fabricsUnfiltered.map((f) => f.fabricIndex),
    [1, 2],
  );
  assert.deepEqual(
    oc.fabricsFiltered.map((f) => f.fabricIndex),
    [2],
  );
  assert.deepEqual(b.first("updateFabricLabel"), { statusCode: 0, fabricIndex: 2 });
  // The NOCResponse of RemoveFabric(own index) arrived: OK, with the removed index.
  assert.deepEqual(b.first("removed"), {
    nodeId: b.first("removed").nodeId,
    requestedFabricIndex: 2,
    received: true,
    statusCode: 0,
    fabricIndex: 2,
  });
  // The first admin's fabric keeps working.
  const a2 = await runController(ns, { CTRL_STORAGE: shared.ctrlA, CTRL_MODE: "reconnect" });
  ok(a2, dev);
  assert.equal((a2.first("opcreds-before") as unknown as OpCreds).commissionedFabrics, 1);
});

test("after SIGKILL and restart the device reconnects over CASE with its fabric intact", async () => {
  const dev = shared.dev;
  assert.ok(dev);
  await dev.kill();
  running.delete(dev);
  const restarted = await device(shared.data);
  assert.equal(restarted.ready.fabrics, 1);
  assert.equal(restarted.ready.commissioningWindow, null);
  const run = await runController(ns, { CTRL_STORAGE: shared.ctrlA, CTRL_MODE: "reconnect" });
  ok(run, restarted.process);
  assert.equal(run.first("reconnected").currentFabricIndex, 1);
  assert.equal(await stop(restarted.process), 0);
  assert.deepEqual(
    (await storedFabrics(shared.data)).map((f) => f.index),
    [1],
  );
});

test("mDNS: the controller discovers our device as commissionable and operational (lo-mcast namespace)", async () => {
  const mc = createNetns("lo-mcast");
  try {
    const dev = await device(join(state.dir, "mdns"), ["--interface", "lo"], mc);
    const run = await runController(mc, {
      CTRL_STORAGE: join(state.dir, "ctrl-mdns"),
      CTRL_DISCOVER: "1",
      CTRL_OPERATIONAL: "mdns",
      CTRL_MINIMAL: "1",
      MATTER_MDNS_NETWORKINTERFACE: "lo",
      ...strict(),
    });
    ok(run, dev.process);
    assert.equal(await stop(dev.process), 0);
  } finally {
    mc.delete();
  }
});
