// Our administrator as a commissioner process of its own for bench/commission.ts, run from the compiled dist/
// (`npm run build`) inside the benchmark's private network namespace, so that its process CPU time is measured like
// the matter.js controller's (bench/cpu-probe.mjs preloaded). It opens a fresh data directory (the fabric is created
// there, before the measured part), commissions the device at a known address with the development trust store
// (commission's default, passed in prebuilt), i.e. strict attestation, and with ADM_ROTATE=1 then runs rotateNoc on
// the new node. Our own benchmark tool.
//
// Environment: ADM_DATA (data directory, must not exist yet), ADM_TARGET_IP (127.0.0.1), ADM_TARGET_PORT (5540),
// ADM_PASSCODE (20202021), ADM_DISCRIMINATOR (3840), ADM_ROTATE (1 to rotate the NOC afterwards).
// Prints `RESULT <tag> <json>` lines: admin-opened, commissioned {ms, steps, nodeId, hrStart, hrEnd},
// rotate-start, rotated {ms, steps}, and commission-failed / rotate-failed {error} (exit code 2) on failure.
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const dist = join(import.meta.dirname, "..", "dist", "src");
const { Administrator } = await import(pathToFileURL(join(dist, "admin", "administrator.js")).href);
const { developmentTrustStore } = await import(pathToFileURL(join(dist, "cert", "attestation-trust-store.js")).href);
const { encodeManualPairingCode } = await import(
  pathToFileURL(join(dist, "node", "onboarding", "manual-pairing-code.js")).href
);

const dataDir = process.env.ADM_DATA;
if (dataDir === undefined) throw new TypeError("ADM_DATA is required");
const ip = process.env.ADM_TARGET_IP ?? "127.0.0.1";
const port = Number(process.env.ADM_TARGET_PORT ?? 5540);
const passcode = Number(process.env.ADM_PASSCODE ?? 20202021);
const discriminator = Number(process.env.ADM_DISCRIMINATOR ?? 3840);

const result = (tag, data) =>
  console.log(`RESULT ${tag} ${JSON.stringify(data, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);

const t0 = performance.now();
const admin = await Administrator.open({ dataDir, requestTimeoutMs: 8000 });
// The development trust store (commission's default) is loaded before the measured part, as the matter.js controller
// script loads its trust store before it commissions; built inside commission() it costs ~10 ms of CPU per call.
const trust = developmentTrustStore();
let code = 0;
try {
  result("admin-opened", { ms: performance.now() - t0 });
  const pairingCode = encodeManualPairingCode({ discriminator, passcode });
  let commissioned;
  const hrStart = process.hrtime.bigint(); // CLOCK_MONOTONIC, comparable with bench/udp-relay.mjs's timestamps
  try {
    commissioned = await admin.commission(pairingCode, { ip, port, trust });
  } catch (error) {
    result("commission-failed", { error: String(error) });
    code = 2;
  }
  if (commissioned !== undefined) {
    const hrEnd = process.hrtime.bigint();
    result("commissioned", {
      nodeId: commissioned.nodeId,
      ms: commissioned.ms,
      steps: commissioned.steps,
      hrStart,
      hrEnd,
    });
    if (process.env.ADM_ROTATE === "1") {
      result("rotate-start", {});
      const r0 = performance.now();
      try {
        const rotated = await admin.rotateNoc(commissioned.nodeId);
        result("rotated", { ms: performance.now() - r0, steps: rotated.steps });
      } catch (error) {
        result("rotate-failed", { error: String(error) });
        code = 2;
      }
    }
  }
} finally {
  await admin.close();
}
process.exit(code);
