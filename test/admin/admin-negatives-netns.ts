// Runs inside `unshare -n` (spawned by admin-negatives.test.ts, one case per run): commissioning flows of our
// Administrator that must fail against our own device, each followed by a look at the registry and, over a fresh PASE
// with the device's passcode, at the device (CommissionedFabrics, TrustedRootCertificates, Breadcrumb).
//   untrusted-paa  the device's PAI chains to a PAA of our own making; a production store holding another PAA refuses
//                  it (and, as a control, one holding our PAA lets the same device be commissioned)
//   wrong-passcode a pairing code with another passcode
//   killed         the device (a separate `opcreds start` process) is SIGKILLed right after AddNOC, then restarted
//   aborted-after-addnoc  a live device; the caller's onStep throws after AddNOC, so the flow disarms the fail-safe
// Prints one JSON line.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdminError, Administrator } from "../../src/admin/administrator.ts";
import { toHex } from "../../src/bytes/bytes.ts";
import { attestationKeyId, generatePaa } from "../../src/cert/attestation-cert.ts";
import {
  DEV_ATTESTATION_DIR,
  DEV_PRODUCT_ID,
  DEV_VENDOR_ID,
  openDevAttestationProvider,
} from "../../src/cert/attestation-provider.ts";
import { loadPaaTrustStore } from "../../src/cert/attestation-trust-store.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { DeviceNode } from "../../src/node/device-node.ts";
import { ATTESTATION_DIR } from "../../src/node/node-state.ts";
import { encodeManualPairingCode } from "../../src/node/onboarding/manual-pairing-code.ts";
import { PaseBusyError } from "../../src/sc/pase/pase-initiator.ts";
import type { TlvNode } from "../../src/tlv/tlv-node.ts";
import { NodeController } from "../support/node-controller.ts";

const PASSCODE = 20202021;
const DISCRIMINATOR = 3840;
const CODE = encodeManualPairingCode({ discriminator: DISCRIMINATOR, passcode: PASSCODE });
const REQUEST_MS = 3000;
/** `opcreds`, which runs the compiled CLI in dist/ (fresh: this script is itself started from dist/). */
const BIN = join(import.meta.dirname, "..", "..", "bin", "opcreds.js");

execFileSync("ip", ["link", "set", "lo", "up"]);
const which = process.argv[2];
const root = mkdtempSync(join(tmpdir(), "opcreds-admin-neg-"));
const o: Record<string, unknown> = {};
const cleanups: (() => Promise<unknown>)[] = [];

/** An error as the test sees it: class, code, step and the message (which must be one line). */
function errorOf(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { name: typeof e, message: String(e) };
  return {
    name: e.name,
    code: e instanceof AdminError ? e.code : undefined,
    step: e instanceof AdminError ? e.step : undefined,
    message: e.message,
  };
}

/** Runs a commissioning that must fail, with the steps it finished. */
async function failingCommission(admin: Administrator, code: string, port: number, extra: object = {}) {
  const steps: string[] = [];
  try {
    await admin.commission(code, { ip: "127.0.0.1", port, onStep: (s) => steps.push(s.step), ...extra });
    return { steps, error: null };
  } catch (e) {
    return { steps, error: errorOf(e) };
  }
}

const uint = (n: TlvNode): number | null => (n.type === "uint" ? Number(n.value) : null);

/** What the device says over a fresh PASE with its own passcode: fabrics, roots and the commissioning breadcrumb. */
async function deviceState(port: number): Promise<Record<string, unknown>> {
  const c = await NodeController.open({ waitMs: 5000 });
  try {
    // After a failed attempt the window answers Busy for up to one handshake timeout: wait it out.
    const peer = { address: "127.0.0.1", port };
    const pase = await c.pase(peer, PASSCODE).catch(async (e) => {
      if (!(e instanceof PaseBusyError)) throw e;
      await new Promise((r) => setTimeout(r, e.minimumWaitMs));
      return c.pase(peer, PASSCODE);
    });
    try {
      const fabrics = await c.readAttribute(pase, 0, 0x3e, 3);
      const roots = await c.readAttribute(pase, 0, 0x3e, 4);
      const breadcrumb = await c.readAttribute(pase, 0, 0x30, 0);
      return {
        commissionedFabrics: uint(fabrics),
        trustedRoots: "elements" in roots ? roots.elements.length : null,
        breadcrumb: uint(breadcrumb),
      };
    } finally {
      c.closeSession(pase);
    }
  } catch (e) {
    return { error: errorOf(e) };
  } finally {
    await c.close();
  }
}

async function openAdmin(name: string): Promise<Administrator> {
  const admin = await Administrator.open({ dataDir: join(root, name), requestTimeoutMs: REQUEST_MS });
  cleanups.push(() => admin.close());
  return admin;
}

async function startNode(dataDir: string): Promise<DeviceNode> {
  const node = await DeviceNode.start({ dataDir, port: 0, mdns: false, logger: () => {} });
  cleanups.push(() => node.stop());
  return node;
}

/** A self-signed PAA with a fresh key (its SKID is no connectedhomeip test PAA's): DER and key. */
function newPaa(commonName: string) {
  const key = nodeCrypto.generateKeyPair();
  const now = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const der = generatePaa(nodeCrypto, key, { commonName, notBefore: now, notAfter: new Date("2099-01-01T00:00:00Z") });
  return { der, key, skid: toHex(attestationKeyId(key.publicKey.raw)).toUpperCase() };
}

async function untrustedPaa(): Promise<void> {
  // The device's credentials: a PAI and DAC under our own PAA (the development generator with another anchor) and the
  // CD signed by the test CD signer.
  const ours = newPaa("opcreds test PAA (ours)");
  const anchor = join(root, "anchor");
  mkdirSync(anchor);
  writeFileSync(join(anchor, "Chip-Development-PAA-Cert.pem"), ours.der);
  writeFileSync(join(anchor, "Chip-Development-PAA-Key.pem"), ours.key.toSec1Pem());
  for (const f of ["Chip-Test-CD-Signing-Cert.pem", "Chip-Test-CD-Signing-Key.pem"]) {
    copyFileSync(join(DEV_ATTESTATION_DIR, f), join(anchor, f));
  }
  const deviceDir = join(root, "device");
  await openDevAttestationProvider(nodeCrypto, join(deviceDir, ATTESTATION_DIR), {
    devDir: anchor,
    vendorId: DEV_VENDOR_ID,
    productId: DEV_PRODUCT_ID,
  });
  const other = newPaa("opcreds test PAA (other)");
  const otherDir = join(root, "paa-other");
  mkdirSync(otherDir);
  writeFileSync(join(otherDir, "other-paa.der"), other.der);
  const oursDir = join(root, "paa-ours");
  mkdirSync(oursDir);
  writeFileSync(join(oursDir, "our-paa.der"), ours.der);
  o.paaSkid = ours.skid;
  o.otherSkid = other.skid;

  const node = await startNode(deviceDir);
  const admin = await openAdmin("admin");
  o.before = await deviceState(node.port);
  o.refused = await failingCommission(admin, CODE, node.port, { trust: await loadPaaTrustStore([otherDir]) });
  o.nodes = (await admin.nodes()).length;
  o.after = await deviceState(node.port);
  // Control: the same device, a production store holding its PAA.
  const control = await failingCommission(admin, CODE, node.port, { trust: await loadPaaTrustStore([oursDir]) });
  o.control = { error: control.error, nodes: (await admin.nodes()).length };
}

async function wrongPasscode(): Promise<void> {
  const node = await startNode(join(root, "device"));
  const admin = await openAdmin("admin");
  o.before = await deviceState(node.port);
  const wrong = encodeManualPairingCode({ discriminator: DISCRIMINATOR, passcode: PASSCODE + 1 });
  o.refused = await failingCommission(admin, wrong, node.port);
  o.nodes = (await admin.nodes()).length;
  o.after = await deviceState(node.port);
}

/** `opcreds start` in this namespace, with its DEVICE_READY port. */
async function startCliDevice(
  dataDir: string,
): Promise<{ child: ChildProcess; port: number; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, [BIN, "start", "--data", dataDir, "--port", "5540", "--no-mdns"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise((r) => child.on("exit", r));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  });
  let out = "";
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RangeError(`device not ready in 30 s: ${out.slice(-500)}`)), 30_000);
    let buffered = "";
    child.stdout?.on("data", (d: Buffer) => {
      buffered += d.toString();
      const m = /DEVICE_READY (\{.*\})/.exec(buffered);
      if (m) {
        clearTimeout(timer);
        resolve(JSON.parse(m[1]!) as Record<string, unknown>);
      }
    });
    void exited.then(() => reject(new RangeError(`device exited: ${out.slice(-500)}`)));
  });
  return { child, port: Number(ready.port ?? 5540), exited };
}

async function killed(): Promise<void> {
  const dataDir = join(root, "device");
  const first = await startCliDevice(dataDir);
  const admin = await openAdmin("admin");
  o.before = await deviceState(first.port);
  const steps: string[] = [];
  try {
    await admin.commission(CODE, {
      ip: "127.0.0.1",
      port: first.port,
      onStep: (s) => {
        steps.push(s.step);
        if (s.step === "AddNOC") first.child.kill("SIGKILL");
      },
    });
    o.failed = { steps, error: null };
  } catch (e) {
    o.failed = { steps, error: errorOf(e) };
  }
  o.signal = await first.exited.then(() => first.child.signalCode);
  o.nodes = (await admin.nodes()).length;
  const second = await startCliDevice(dataDir);
  o.afterRestart = await deviceState(second.port);
}

/** A live device, and the caller's onStep throwing right after AddNOC: the flow disarms the fail-safe over PASE. */
async function abortedAfterAddNoc(): Promise<void> {
  const node = await startNode(join(root, "device"));
  const admin = await openAdmin("admin");
  o.before = await deviceState(node.port);
  const steps: string[] = [];
  try {
    await admin.commission(CODE, {
      ip: "127.0.0.1",
      port: node.port,
      onStep: (s) => {
        steps.push(s.step);
        if (s.step === "AddNOC") throw new RangeError("aborted by the test after AddNOC");
      },
    });
    o.failed = { steps, error: null };
  } catch (e) {
    o.failed = { steps, error: errorOf(e) };
  }
  o.nodes = (await admin.nodes()).length;
  o.storedFabrics = node.fabrics.fabrics().length;
  o.after = await deviceState(node.port);
}

try {
  const cases: Record<string, () => Promise<void>> = {
    "aborted-after-addnoc": abortedAfterAddNoc,
    "untrusted-paa": untrustedPaa,
    "wrong-passcode": wrongPasscode,
    killed,
  };
  const run = cases[which ?? ""];
  if (run === undefined) throw new TypeError(`unknown case ${which}; one of ${Object.keys(cases).join(", ")}`);
  await run();
  o.ok = true;
} catch (e) {
  o.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify(o));
