// resolveDeviceNodeConfig: defaults filled in, and every out-of-range option refused with a RangeError naming it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEVICE_DEFAULTS, passcodeProblem, resolveDeviceNodeConfig } from "../../src/node/node-config.ts";

test("defaults: the window's fail-safe is armed for 60 s (CHIP_DEVICE_CONFIG_FAILSAFE_EXPIRY_LENGTH_SEC)", () => {
  const r = resolveDeviceNodeConfig({ dataDir: "/tmp/x" });
  assert.equal(r.failSafeExpirySeconds, 60);
  assert.equal(r.port, DEVICE_DEFAULTS.port);
  assert.equal(r.passcode, DEVICE_DEFAULTS.passcode);
  assert.equal(r.supportedFabrics, DEVICE_DEFAULTS.supportedFabrics);
  assert.equal(resolveDeviceNodeConfig({ dataDir: "/tmp/x", failSafeExpirySeconds: 2 }).failSafeExpirySeconds, 2);
});

test("out-of-range options are a RangeError naming the option", () => {
  const bad: [string, Record<string, unknown>][] = [
    ["failSafeExpirySeconds", { failSafeExpirySeconds: 0 }],
    ["failSafeExpirySeconds", { failSafeExpirySeconds: 0x10000 }],
    ["failSafeExpirySeconds", { failSafeExpirySeconds: 1.5 }],
    ["discriminator", { discriminator: 0x1000 }],
    ["supportedFabrics", { supportedFabrics: 4 }],
    ["passcode", { passcode: 12345678 }],
    ["dataDir", { dataDir: "" }],
  ];
  for (const [name, extra] of bad) {
    assert.throws(
      () => resolveDeviceNodeConfig({ dataDir: "/tmp/x", ...extra }),
      (e: unknown) => e instanceof RangeError && e.message.includes(name),
      name,
    );
  }
});

test("a forbidden passcode says why (Core 5.1.7.1); vendor id 0 is refused", () => {
  assert.match(passcodeProblem(0) ?? "", /all eight digits are the same/);
  assert.match(passcodeProblem(55555555) ?? "", /all eight digits are the same/);
  assert.match(passcodeProblem(12345678) ?? "", /ascending or descending/);
  assert.match(passcodeProblem(87654321) ?? "", /ascending or descending/);
  assert.match(passcodeProblem(100000000) ?? "", /8 digits/);
  assert.equal(passcodeProblem(20202021), undefined);
  assert.equal(passcodeProblem(1), undefined);
  assert.throws(
    () => resolveDeviceNodeConfig({ dataDir: "/tmp/x", passcode: 22222222 }),
    (e: unknown) => e instanceof RangeError && /passcode 22222222 .*all eight digits/.test(e.message),
  );
  assert.throws(
    () => resolveDeviceNodeConfig({ dataDir: "/tmp/x", vendorId: 0 }),
    (e: unknown) => e instanceof RangeError && e.message.includes("vendorId"),
  );
  assert.equal(resolveDeviceNodeConfig({ dataDir: "/tmp/x", vendorId: 1 }).vendorId, 1);
  assert.throws(() => resolveDeviceNodeConfig({ dataDir: "/tmp/x", attestationDir: "" }), RangeError);
  assert.equal(resolveDeviceNodeConfig({ dataDir: "/tmp/x" }).attestationDir, undefined);
});
