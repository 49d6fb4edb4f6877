// Runs inside `unshare -n` (spawned by data-dir-lock-device.test.ts): the real `opcreds start` on a data directory
// holding two fabrics; while it runs, `fabrics list` (read-only), `fabrics remove`, `fabrics reset --yes` and a second
// `start` on the same directory; then SIGKILL of the device's whole process group and an immediate restart. Prints one
// JSON line with what each step printed.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { FabricTable } from "../../src/fabric/fabric-table.ts";
import { DATABASE_FILE } from "../../src/node/device-node.ts";
import { SqliteStorage } from "../../src/storage/sqlite-storage.ts";
import { addFabric } from "../fabric/fixtures.ts";

const REPO = resolve(import.meta.dirname, "..", "..");
const BIN = join(REPO, "bin", "opcreds.js");
// The sources as they are in this checkout, not a possibly older dist/ build.
const ENV = { ...process.env, OPCREDS_RUN: "source" };

execFileSync("ip", ["link", "set", "lo", "up"]);
const root = mkdtempSync(join(tmpdir(), "opcreds-lock-device-"));
const dataDir = join(root, "data");

/** `opcreds ARGS` to completion (60 s bound). */
function opcreds(...args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO, env: ENV, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

/** Starts the device as the leader of its own process group; resolves once it printed DEVICE_READY (90 s bound). */
function startDevice(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, "start", "--data", dataDir, "--no-mdns"], {
    cwd: REPO,
    env: ENV,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((ready, fail) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`no DEVICE_READY within 90 s:\n${out}\n${err}`));
    }, 90_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("DEVICE_READY")) {
        clearTimeout(timer);
        ready(child);
      }
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`device exited (${code ?? signal}) before DEVICE_READY:\n${out}\n${err}`));
    });
  });
}

function exited(child: ChildProcess): Promise<number | string> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r(child.exitCode ?? child.signalCode ?? "?");
    else child.on("exit", (code, signal) => r(code ?? signal ?? "?"));
  });
}

const children: ChildProcess[] = [];
try {
  const storage = await SqliteStorage.open(join(dataDir, DATABASE_FILE));
  const table = await FabricTable.open(storage, nodeCrypto);
  for (const nodeId of [0x11n, 0x22n]) await addFabric(table, { nodeId, fabricId: nodeId << 8n });
  await storage.close();

  const device = await startDevice();
  children.push(device);
  const list = opcreds("fabrics", "list", "--data", dataDir);
  const remove = opcreds("fabrics", "remove", "1", "--data", dataDir);
  const reset = opcreds("fabrics", "reset", "--yes", "--data", dataDir);
  const second = opcreds("start", "--data", dataDir, "--no-mdns");

  // The whole group, as a supervisor or a power cut would; then at once a new device on the same directory.
  process.kill(-device.pid!, "SIGKILL");
  const killed = await exited(device);
  const restarted = await startDevice();
  children.push(restarted);
  const listAfter = opcreds("fabrics", "list", "--data", dataDir, "--json");
  restarted.kill("SIGINT");
  const stopped = await exited(restarted);
  console.log(
    JSON.stringify({
      dataDir,
      devicePid: device.pid,
      list,
      remove,
      reset,
      second,
      killed,
      listAfter,
      stopped,
    }),
  );
} finally {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
}
