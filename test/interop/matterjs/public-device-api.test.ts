// A device built only through `matter-opcreds/node` (public-device-api-device.ts: a light and two plug-in units) is
// commissioned by the matter.js 0.17.9 controller with strict attestation inside a private network namespace: the
// controller sees the declared endpoints, toggles the plug whose state the application set, receives the reports of
// the plug the application toggles, and the device's application hears fabricAdded, fabricUpdated,
// commissioningComplete and attributeChanged.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  createNetns,
  HERE,
  type Netns,
  type NsProcess,
  ourPaaDerHex,
  runController,
  spawnInNetns,
  tail,
  tempState,
  waitForOutput,
} from "./harness.ts";

let ns: Netns;
let state: ReturnType<typeof tempState>;
let device: NsProcess | undefined;

before(() => {
  assert.equal(process.getuid?.(), 0, "interop tests need root to create network namespaces");
  ns = createNetns("lo");
  state = tempState("opcreds-public-api");
});

after(async () => {
  await device?.stop();
  ns?.delete();
  state?.remove();
});

type DeviceEvent = { event: string } & Record<string, unknown>;

const eventsOf = (output: string): DeviceEvent[] =>
  [...output.matchAll(/^EVENT (\{.*\})$/gm)].map((m) => JSON.parse(m[1]!) as DeviceEvent);

test("the matter.js controller commissions a device built through matter-opcreds/node and sees its application state", async () => {
  device = spawnInNetns(
    ns,
    process.execPath,
    ["--conditions=source", "--import", "tsx", join(HERE, "public-device-api-device.ts")],
    { DEV_DATA: join(state.dir, "device") },
  );
  const ready = JSON.parse((await waitForOutput(device, /DEVICE_READY (\{.*\})/, 60_000))[1]!) as {
    manualPairingCode: string;
    endpoints: { id: number; deviceType: string }[];
    plugOnOff: boolean;
  };
  assert.deepEqual(ready.endpoints, [
    { id: 1, deviceType: "OnOffLight" },
    { id: 2, deviceType: "OnOffPlugInUnit" },
    { id: 3, deviceType: "OnOffPlugInUnit" },
  ]);
  assert.equal(ready.plugOnOff, true);

  const run = await runController(ns, {
    CTRL_STORAGE: join(state.dir, "controller"),
    CTRL_PAIRING_CODE: ready.manualPairingCode,
    CTRL_DISCRIMINATOR: "1234",
    CTRL_ONOFF_ENDPOINT: "2",
    CTRL_SUBSCRIBE_ONOFF_ENDPOINT: "3",
    CTRL_ATTESTATION: "strict",
    CTRL_PAA_DER_HEX: ourPaaDerHex(),
  });
  const log = `controller:\n${tail(run.log, 60)}\n--- device:\n${tail(device.output(), 40)}`;
  assert.equal((run.results.get("summary")?.[0] as { ok?: boolean } | undefined)?.ok, true, log);
  // The light's endpoint as matter.js's wildcard read decoded it.
  assert.deepEqual(
    (run.first("endpoint1") as { clusters: number[] }).clusters,
    [0x0003, 0x0004, 0x0006, 0x001d, 0x0062],
  );
  // The application switched the plug on; the controller's Toggle turned it off.
  assert.equal(run.first("reconnected").onOff, false, log);
  const reported = run.first("subscribed-onoff").values as boolean[];
  assert.ok(reported.includes(true) && reported.includes(false), `reports: ${JSON.stringify(reported)}`);

  await device.stop();
  assert.equal(await device.exited, 0, tail(device.output()));
  const events = eventsOf(device.output());
  const named = (name: string) => events.filter((e) => e.event === name);
  assert.deepEqual(named("attributeChanged")[0], {
    event: "attributeChanged",
    endpoint: 2,
    cluster: "OnOff",
    attribute: "OnOff",
    value: true,
    source: "application",
  });
  assert.ok(
    named("attributeChanged").some((e) => e.endpoint === 2 && e.value === false && e.source === "node"),
    "the controller's Toggle of the plug is an attributeChanged from the node",
  );
  const added = named("fabricAdded");
  assert.equal(added.length, 1);
  assert.equal(added[0]!.fabricIndex, 1);
  assert.equal(added[0]!.vendorId, 0xfff1);
  assert.equal(added[0]!.nodeId, "1");
  assert.deepEqual(
    named("commissioningComplete").map((e) => e.fabricIndex),
    [1],
  );
  // matter.js labels its fabric after CommissioningComplete ("peer-matterjs"), the controller script then relabels it
  // "peer-matterjs-x" and back: three fabricUpdated after the commit.
  assert.equal(added[0]!.label, "");
  assert.deepEqual(
    named("fabricUpdated").map((e) => e.label),
    ["peer-matterjs", "peer-matterjs-x", "peer-matterjs"],
  );
  assert.deepEqual(named("fabricRemoved"), []);
  // fabricAdded comes before commissioningComplete, which comes before the first label update.
  const order = events
    .filter((e) => e.event !== "attributeChanged")
    .map((e) => e.event)
    .slice(0, 3);
  assert.deepEqual(order, ["fabricAdded", "commissioningComplete", "fabricUpdated"]);
});
