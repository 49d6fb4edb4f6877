// A device built through the package's public entry point only (`matter-opcreds/node`, resolved by the package's
// self-reference; run with `--conditions=source --import tsx` to load the sources): an On/Off Light on endpoint 1, an
// On/Off Plug-in Unit on endpoint 2 whose relay the application switches on at start, and a second plug-in unit on
// endpoint 3 that the application toggles every second once commissioned (at most 120 times). Started inside a network
// namespace by public-device-api.test.ts; prints DEVICE_READY {json} and one EVENT {json} line per device event.
import { MatterDevice, type MatterDeviceEventName } from "matter-opcreds/node";

const dataDir = process.env.DEV_DATA;
if (dataDir === undefined) throw new TypeError("DEV_DATA must name the data directory");
const print = (tag: string, value: unknown) =>
  process.stdout.write(`${tag} ${JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}\n`);

const device = await MatterDevice.start({
  dataDir,
  endpoints: [
    { id: 1, deviceType: "OnOffLight" },
    { id: 2, deviceType: "OnOffPlugInUnit" },
    { id: 3, deviceType: "OnOffPlugInUnit" },
  ],
  basicInformation: { vendorName: "Example Co", productName: "Example light and plugs", serialNumber: "SN-0042" },
  commissioning: { passcode: 24681357, discriminator: 1234, port: 5540, mdnsInterfaces: false },
});
const events: readonly MatterDeviceEventName[] = [
  "fabricAdded",
  "fabricUpdated",
  "fabricRemoved",
  "commissioningComplete",
  "attributeChanged",
];
for (const name of events) device.on(name, (payload) => print("EVENT", { event: name, ...payload }));

let flips = 0;
let flipper: NodeJS.Timeout | undefined;
device.on("commissioningComplete", () => {
  flipper ??= setInterval(() => {
    if (++flips > 120) clearInterval(flipper);
    else device.setAttribute(3, "OnOff", "OnOff", !device.getAttribute(3, "OnOff", "OnOff"));
  }, 1000);
});

device.setAttribute(2, "OnOff", "OnOff", true);
print("DEVICE_READY", {
  port: device.port,
  manualPairingCode: device.onboarding.manualPairingCode,
  endpoints: device.endpoints,
  plugOnOff: device.getAttribute(2, "OnOff", "OnOff"),
});
process.once("SIGTERM", () => {
  clearInterval(flipper);
  device.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
