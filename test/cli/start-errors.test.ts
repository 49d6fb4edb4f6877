// `opcreds start` through the real bin, each run inside `unshare -n`: every refusal is one line naming its culprit
// (option as entered, port, file), and --attestation loads a product's credentials only when they fit --vid/--pid.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { openDevAttestationProvider } from "../../src/cert/attestation-provider.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { FabricTable } from "../../src/fabric/fabric-table.ts";
import { DATABASE_FILE } from "../../src/node/device-node.ts";
import { decodeQrCodePayload } from "../../src/node/onboarding/qr-code-payload.ts";
import { SqliteStorage } from "../../src/storage/sqlite-storage.ts";
import { addFabric } from "../fabric/fixtures.ts";
import { REPO, tempDir } from "./cli-harness.ts";

const BIN = join(REPO, "bin", "opcreds.js");

type Outcome = { code: number | string; stdout: string; stderr: string };

/**
 * Runs `script` (bash, with $NODE and $BIN set) in a private network namespace, bounded to 90 s.
 */
function inNamespace(script: string): Promise<Outcome> {
  return new Promise((done) => {
    execFile(
      "unshare",
      ["-n", "bash", "-c", script],
      { cwd: REPO, timeout: 90_000, env: { ...process.env, NODE: process.execPath, BIN } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : String(error.signal);
        done({ code, stdout, stderr });
      },
    );
  });
}

/** `opcreds start ARGS` (space-separated, no quoting), expected to exit by itself. */
const start = (args: string) => inNamespace(`"$NODE" "$BIN" start --no-mdns ${args}`);

/** `opcreds start ARGS` in a private namespace, stopped with SIGINT once its DEVICE_READY line is out (its last). */
function startUntilReady(args: string): Promise<Outcome> {
  return new Promise((done) => {
    const child = spawn("unshare", ["-n", process.execPath, BIN, "start", "--no-mdns", ...args.split(" ")], {
      cwd: REPO,
      timeout: 90_000,
    });
    let stdout = "";
    let stderr = "";
    let stopping = false;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (!stopping && /DEVICE_READY .*\n/.test(stdout)) {
        stopping = true;
        child.kill("SIGINT");
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("close", (code, signal) => done({ code: code ?? String(signal), stdout, stderr }));
  });
}

function oneLineNaming(r: Outcome, code: number, ...texts: string[]): void {
  assert.equal(r.code, code, `exit ${r.code}: ${r.stderr}`);
  // Log lines (timestamped) may come first; the refusal itself is one line.
  const lines = r.stderr
    .trim()
    .split("\n")
    .filter((l) => !/^\d{4}-\d\d-\d\dT/.test(l));
  assert.equal(lines.length, 1, r.stderr);
  for (const t of texts) assert.ok(lines[0]!.includes(t), `${JSON.stringify(t)} not in: ${lines[0]}`);
  assert.doesNotMatch(r.stderr, /Error: Error|\(\S+:\d+:\d+\)/);
  assert.doesNotMatch(r.stdout, /DEVICE_READY|Manual pairing code/);
}

test("option refusals name the option as entered and say why (passcode, vid, interface, log level)", async () => {
  const tmp = tempDir();
  try {
    const d = `--data ${join(tmp.dir, "d")}`;
    oneLineNaming(await start(`${d} --passcode 00000000`), 2, "--passcode 00000000", "all eight digits are the same");
    oneLineNaming(await start(`${d} --passcode 87654321`), 2, "--passcode 87654321", "descending");
    oneLineNaming(await start(`${d} --passcode 1234abcd`), 2, "--passcode 1234abcd", "8 decimal digits");
    oneLineNaming(await start(`${d} --vid 0`), 2, "--vid 0", "reserved");
    oneLineNaming(await start(`${d} --interface nosuch0`), 2, "--interface nosuch0", "no such network interface");
    oneLineNaming(await start(`${d} --log-level loud`), 2, "--log-level loud", "error, warn, info, debug");
    oneLineNaming(await start(`${d} --attestation nowhere`), 2, "--attestation nowhere", "no such directory");
  } finally {
    tmp.remove();
  }
});

test("a busy UDP port suggests --port; a file that is not a database names its path", async () => {
  const tmp = tempDir();
  try {
    // A socket holds the port; the device started beside it, in the same namespace, must name the port.
    const holder =
      "const s=require('node:dgram').createSocket('udp6');s.bind(5540,()=>{" +
      "const c=require('node:child_process').spawnSync(process.env.NODE,[process.env.BIN,'start','--no-mdns'," +
      "'--port','5540','--data',process.env.DATA],{stdio:'inherit',timeout:60000});" +
      "s.close();process.exit(c.status)})";
    const busy = await inNamespace(`DATA=${join(tmp.dir, "busy")} "$NODE" -e "${holder}"`);
    oneLineNaming(busy, 1, "UDP port 5540 is already in use", "--port");
    const bad = join(tmp.dir, "bad");
    mkdirSync(bad);
    writeFileSync(join(bad, "opcreds.db"), "this is not a database, it is a shopping list\n".repeat(20));
    oneLineNaming(await start(`--data ${bad}`), 1, join(bad, "opcreds.db"), "not an opcreds database");
  } finally {
    tmp.remove();
  }
});

test("--attestation: credentials for another VID/PID are refused naming dac.der; fitting ones start the device", async () => {
  const tmp = tempDir();
  try {
    const prod = join(tmp.dir, "prod");
    await openDevAttestationProvider(nodeCrypto, prod, { vendorId: 0xfff2, productId: 0x8001 });
    oneLineNaming(
      await start(`--data ${join(tmp.dir, "d")} --attestation ${prod}`),
      1,
      join(prod, "dac.der"),
      "VID 0xFFF2 PID 0x8001",
    );
    const broken = join(tmp.dir, "broken");
    cpSync(prod, broken, { recursive: true });
    writeFileSync(join(broken, "cd.der"), new Uint8Array([0x30, 0x03, 0x02, 0x01]));
    oneLineNaming(
      await start(`--data ${join(tmp.dir, "d")} --attestation ${broken} --vid 0xFFF2 --pid 0x8001`),
      1,
      join(broken, "cd.der"),
    );
    const ok = await startUntilReady(
      `--port 0 --data ${join(tmp.dir, "d")} --attestation ${prod} --vid 0xFFF2 --pid 0x8001`,
    );
    assert.match(ok.stdout, /DEVICE_READY/, ok.stderr);
    assert.match(ok.stderr, new RegExp(`attestation: ${prod}`));
  } finally {
    tmp.remove();
  }
});

test("a data directory started again with another VID/PID gets development credentials for the new ones", async () => {
  const tmp = tempDir();
  try {
    const d = join(tmp.dir, "d");
    const first = await startUntilReady(`--port 0 --data ${d}`);
    assert.match(first.stdout, /DEVICE_READY/, first.stderr);
    const second = await startUntilReady(`--port 0 --data ${d} --vid 0xFFF2 --pid 0x8001`);
    assert.match(second.stderr, /warn .*stored DAC is for VID 0xFFF1 PID 0x8000.*VID 0xFFF2 PID 0x8001/, second.stderr);
    const qr = /QR code payload: +(MT:\S+)/.exec(second.stdout);
    assert.ok(qr, second.stdout);
    assert.equal(decodeQrCodePayload(qr[1]!).vendorId, 0xfff2);
    // The credentials the device now serves fit what it advertises: a product load with the same VID/PID passes.
    const third = await startUntilReady(
      `--port 0 --data ${join(tmp.dir, "e")} --attestation ${join(d, "attestation")} --vid 0xFFF2 --pid 0x8001`,
    );
    assert.match(third.stdout, /DEVICE_READY/, third.stderr);
  } finally {
    tmp.remove();
  }
});

test("a commissioned device prints no pairing codes (its window is closed) and says so", async () => {
  const tmp = tempDir();
  try {
    const d = join(tmp.dir, "d");
    mkdirSync(d, { mode: 0o700 });
    const storage = await SqliteStorage.open(join(d, DATABASE_FILE));
    await addFabric(await FabricTable.open(storage, nodeCrypto), { nodeId: 0x11n, fabricId: 0x1100n });
    await storage.close();
    const r = await startUntilReady(`--port 0 --data ${d}`);
    assert.match(r.stdout, /DEVICE_READY .*"commissioningWindow":null/, r.stderr);
    assert.doesNotMatch(r.stdout, /Manual pairing code|QR code payload/);
    assert.match(r.stdout, /^Commissioned \(1 fabric\(s\)\); no commissioning window is open/m);
  } finally {
    tmp.remove();
  }
});

test("a --data path that cannot be a directory is refused naming --data", async () => {
  oneLineNaming(await start("--data /etc/passwd"), 1, "--data /etc/passwd", "cannot be used as the data directory");
});
