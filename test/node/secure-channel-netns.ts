// Runs inside `unshare -n` (spawned by transport-driver.test.ts): brings up lo, starts the device process, runs the
// controller process against it, stops the device by its pid and prints one JSON line with both processes' output.
import { execFileSync, spawn } from "node:child_process";
import { resolve } from "node:path";

execFileSync("ip", ["link", "set", "lo", "up"]);
const peer = resolve(import.meta.dirname, "secure-channel-peer.ts");
const run = (args: string[]) => spawn(process.execPath, ["--import", "tsx", peer, ...args], { stdio: "pipe" });

const device = run(["device"]);
let deviceOut = "";
let deviceErr = "";
device.stderr.on("data", (d) => (deviceErr += d));
const port = await new Promise<number>((done, fail) => {
  const t = setTimeout(() => fail(new Error(`device not ready: ${deviceErr}`)), 30_000);
  device.stdout.on("data", (d) => {
    deviceOut += d;
    const m = /READY (\d+)/.exec(deviceOut);
    if (m) {
      clearTimeout(t);
      done(Number(m[1]));
    }
  });
});
const controller = run(["controller", String(port)]);
let controllerOut = "";
let controllerErr = "";
controller.stdout.on("data", (d) => (controllerOut += d));
controller.stderr.on("data", (d) => (controllerErr += d));
const code = await new Promise<number | null>((done) => controller.on("exit", done));
// Give the device a moment to log the CloseSession, then stop it by pid.
await new Promise((r) => setTimeout(r, 300));
device.kill("SIGTERM");
await new Promise((r) => device.on("exit", r));
const lines = (s: string, prefix: string) =>
  s
    .split("\n")
    .filter((l) => l.startsWith(prefix))
    .map((l) => JSON.parse(l.slice(prefix.length)));
console.log(
  JSON.stringify({
    controllerExit: code,
    controllerErr,
    deviceErr,
    result: lines(controllerOut, "RESULT ")[0],
    deviceEvents: lines(deviceOut, "EVENT "),
    deviceStats: lines(deviceOut, "STATS ")[0],
    controllerEvents: lines(controllerOut, "EVENT "),
  }),
);
