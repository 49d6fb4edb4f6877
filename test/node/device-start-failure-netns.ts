// Runs inside `unshare -n` (spawned by device-start-failure.test.ts): a device start made to fail at one step after the
// UDP socket is bound (argv[2]: "advertiser", "endpoint" or "repair"), then what it must have released: its UDP port
// (bound here), and, once the cause is repaired, a second start on the same data directory and port, stopped again.
// Prints one JSON line; the process then has to exit by itself, which it cannot while a socket or timer is left open.
import { execFileSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { DATABASE_FILE, DeviceNode } from "../../src/node/device-node.ts";
import { UNCOMMITTED_FABRIC_DATA_REPAIR_KEY } from "../../src/node/root-node-composition.ts";
import { SqliteStorage } from "../../src/storage/sqlite-storage.ts";

/** A fixed port, so that the test can bind it after the failed start (the namespace is private, nothing else uses it). */
const PORT = 5541;
/** The bundled light's On/Off record on endpoint 1 (application-endpoint.ts), read when the endpoint is built. */
const ENDPOINT_1_ON_OFF_KEY = "node/on-off";
/** A record kind no version of the storage writes: reading the record throws a MalformedError. */
const UNKNOWN_RECORD_KIND = 99;

const step = process.argv[2];
execFileSync("ip", ["link", "set", "lo", "up"]);
const root = mkdtempSync(join(tmpdir(), "opcreds-start-failure-"));
const dataDir = join(root, "data");
const database = join(dataDir, DATABASE_FILE);

/** Sets `key` to a record whose kind is unknown (`corrupt`), or deletes it (`repair`). */
async function corruptRecord(key: string): Promise<{ repair: () => void }> {
  const storage = await SqliteStorage.open(database);
  await storage.set(key, true);
  await storage.close();
  const db = new Database(database);
  db.prepare("UPDATE records SET kind = ? WHERE key = ?").run(UNKNOWN_RECORD_KIND, key);
  db.close();
  return {
    repair: () => {
      const fix = new Database(database);
      fix.prepare("DELETE FROM records WHERE key = ?").run(key);
      fix.close();
    },
  };
}

/** True when this process can bind `port` (UDP, dual stack, as the node binds it). */
function udpPortFree(port: number): Promise<boolean> {
  const socket = createSocket({ type: "udp6" });
  return new Promise((done) => {
    socket.once("error", () => {
      socket.close();
      done(false);
    });
    socket.bind(port, "::", () => socket.close(() => done(true)));
  });
}

try {
  const errors: string[] = [];
  const logger = (level: string, message: string) => {
    if (level === "error") errors.push(message);
  };
  const lo = { interfaces: ["lo"] };
  let failing: { mdns: { interfaces: string[] }; repair: () => void };
  if (step === "advertiser") {
    // An empty interface list makes the advertiser refuse to open, after the socket is bound.
    failing = { mdns: { interfaces: [] }, repair: () => {} };
  } else if (step === "endpoint") {
    failing = { mdns: lo, ...(await corruptRecord(ENDPOINT_1_ON_OFF_KEY)) };
  } else if (step === "repair") {
    failing = { mdns: lo, ...(await corruptRecord(UNCOMMITTED_FABRIC_DATA_REPAIR_KEY)) };
  } else {
    throw new RangeError(`unknown step ${step}`);
  }
  const rejected = await DeviceNode.start({ dataDir, port: PORT, mdns: failing.mdns, logger }).then(
    async (node) => {
      await node.stop();
      return undefined;
    },
    (e: unknown) => (e instanceof Error ? { name: e.name, message: e.message } : { name: "?", message: String(e) }),
  );
  const portFree = await udpPortFree(PORT);
  failing.repair();
  const again = await DeviceNode.start({ dataDir, port: PORT, mdns: lo, logger }).then(
    async (node) => {
      const port = node.port;
      await node.stop();
      return { port };
    },
    (e: unknown) => ({ error: String(e) }),
  );
  console.log(JSON.stringify({ port: PORT, rejected, portFree, again, errors }));
} finally {
  rmSync(root, { recursive: true, force: true });
}
