// Runs inside `unshare -n` (spawned by device-attestation-bytes.test.ts): a MatterDevice started with attestation
// credentials given as bytes (DER DAC, PAI and CD, the DAC key as PEM text) for VID 0xFFF1 PID 0x8001 starts with them:
// no development credentials are generated in its data directory. Prints one JSON line.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDevAttestationProvider } from "../../src/cert/attestation-provider.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { MatterDevice } from "../../src/node/matter-device.ts";
import { ATTESTATION_DIR } from "../../src/node/node-state.ts";

execFileSync("ip", ["link", "set", "lo", "up"]);
const root = mkdtempSync(join(tmpdir(), "opcreds-attestation-bytes-"));
try {
  const creds = join(root, "creds");
  await openDevAttestationProvider(nodeCrypto, creds, { vendorId: 0xfff1, productId: 0x8001 });
  const file = (name: string) => new Uint8Array(readFileSync(join(creds, name)));
  const dataDir = join(root, "data");
  const device = await MatterDevice.start({
    dataDir,
    endpoints: [{ id: 1, deviceType: "OnOffPlugInUnit" }],
    commissioning: { vendorId: 0xfff1, productId: 0x8001, port: 0, mdnsInterfaces: false },
    attestation: {
      dac: file("dac.der"),
      pai: file("pai.der"),
      cd: file("cd.der"),
      dacKey: readFileSync(join(creds, "dac-key.pem"), "utf8"),
    },
  });
  const started = { window: device.commissioningWindow ?? null, port: device.port };
  await device.stop();
  console.log(JSON.stringify({ started, devCredentialsGenerated: existsSync(join(dataDir, ATTESTATION_DIR)) }));
} finally {
  rmSync(root, { recursive: true, force: true });
}
