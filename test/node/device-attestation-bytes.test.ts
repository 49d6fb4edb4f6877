// Attestation credentials given to MatterDevice as bytes are used as given (no development credentials generated), and
// are checked before anything opens as `--attestation DIR` is: a DAC for another VID/PID or a key that is not the
// DAC's is refused with a typed error naming the declaration field.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { MalformedError, ValidationError } from "../../src/bytes/errors.ts";
import { openDevAttestationProvider } from "../../src/cert/attestation-provider.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { type AttestationDeclaration, type DeviceDeclaration, MatterDevice } from "../../src/node/matter-device.ts";
import { runInPrivateNetns } from "../support/netns-child.ts";

let root: string;
let fff1: Extract<AttestationDeclaration, { dac: Uint8Array }>;
let other: Extract<AttestationDeclaration, { dac: Uint8Array }>;

async function credentials(dir: string, productId: number) {
  await openDevAttestationProvider(nodeCrypto, dir, { vendorId: 0xfff1, productId });
  const file = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
  return { dac: file("dac.der"), pai: file("pai.der"), cd: file("cd.der"), dacKey: file("dac-key.pem") };
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), "opcreds-attestation-refused-"));
  fff1 = await credentials(join(root, "a"), 0x8000);
  other = await credentials(join(root, "b"), 0x8000);
});
after(() => rmSync(root, { recursive: true, force: true }));

const declaration = (attestation: AttestationDeclaration, productId = 0x8000): DeviceDeclaration => ({
  // Never opened: every refusal happens before the data directory is touched.
  dataDir: join(root, "never-opened"),
  endpoints: [{ id: 1, deviceType: "OnOffLight" }],
  commissioning: { vendorId: 0xfff1, productId, port: 0, mdnsInterfaces: false },
  attestation,
});

test("attestation bytes for another PID are refused naming attestation.dac", async () => {
  await assert.rejects(MatterDevice.start(declaration(fff1, 0x8001)), (e: unknown) => {
    assert.ok(e instanceof ValidationError);
    assert.equal(e.code, "attestation.dac-vid-pid");
    assert.match(
      e.message,
      /attestation\.dac: the DAC is for VID 0xFFF1 PID 0x8000, the device is VID 0xFFF1 PID 0x8001/,
    );
    return true;
  });
});

test("a DAC key that is not the DAC's is refused", async () => {
  await assert.rejects(MatterDevice.start(declaration({ ...fff1, dacKey: other.dacKey })), (e: unknown) => {
    assert.ok(e instanceof MalformedError);
    assert.equal(e.code, "attestation.dac-key");
    return true;
  });
});

test("attestation bytes that fit are used as given: no development credentials are generated", () => {
  const r = runInPrivateNetns<{ started: { window: string | null; port: number }; devCredentialsGenerated: boolean }>(
    resolve(import.meta.dirname, "device-attestation-bytes-netns.ts"),
  );
  assert.equal(r.started.window, "basic");
  assert.ok(r.started.port > 0);
  assert.equal(r.devCredentialsGenerated, false);
});
