// Runs inside `unshare -n` (spawned by device-application-state.test.ts): a MatterDevice with a light on endpoint 1 and
// a plug-in unit on endpoint 2; the application switches the plug on, the device restarts on the same data directory,
// and the misuses of the setter and of `on` are tried. Prints one JSON line.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ApplicationAttributeChange, MatterDevice } from "../../src/node/matter-device.ts";

execFileSync("ip", ["link", "set", "lo", "up"]);
const root = mkdtempSync(join(tmpdir(), "opcreds-app-state-"));
const start = () =>
  MatterDevice.start({
    dataDir: join(root, "data"),
    endpoints: [
      { id: 1, deviceType: "OnOffLight" },
      { id: 2, deviceType: "OnOffPlugInUnit" },
    ],
    commissioning: { port: 0, mdnsInterfaces: false },
  });
const refusal = (f: () => unknown) => {
  try {
    f();
    return "accepted";
  } catch (e) {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
};
try {
  const first = await start();
  const changes: ApplicationAttributeChange[] = [];
  const off = first.on("attributeChanged", (c) => changes.push(c));
  first.setAttribute(2, "OnOff", "OnOff", true);
  first.setAttribute(2, "OnOff", "OnOff", true); // no change, no event
  off();
  first.setAttribute(2, "OnOff", "OnOff", false);
  first.setAttribute(2, "OnOff", "OnOff", true); // after `off()`: not seen
  const misuse = {
    endpoint: refusal(() => first.setAttribute(9, "OnOff", "OnOff", true)),
    cluster: refusal(() => first.setAttribute(2, "LevelControl" as "OnOff", "OnOff", true)),
    value: refusal(() => first.setAttribute(2, "OnOff", "OnOff", 1 as unknown as boolean)),
    event: refusal(() => first.on("fabricLabelled" as "fabricUpdated", () => {})),
  };
  await first.stop();
  const again = await start();
  const afterRestart = {
    light: again.getAttribute(1, "OnOff", "OnOff"),
    plug: again.getAttribute(2, "OnOff", "OnOff"),
  };
  await again.stop();
  console.log(JSON.stringify({ changes, misuse, afterRestart }));
} finally {
  rmSync(root, { recursive: true, force: true });
}
