// A device declaration is checked at the boundary (checkDeviceDeclaration, also run by MatterDevice.start before
// anything is opened): what is not of the declaration's shape is a TypeError, a value out of its range a RangeError,
// each naming the field; a valid declaration passes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DescriptorCluster } from "../../src/clusters/descriptor/descriptor.ts";
import { OnOffCluster } from "../../src/clusters/on-off/on-off-options.ts";
import type { Cluster } from "../../src/im/data-model.ts";
import { checkDeviceDeclaration, type DeviceDeclaration } from "../../src/node/matter-device.ts";

const valid: DeviceDeclaration = {
  dataDir: "/tmp/never-opened",
  endpoints: [
    { id: 1, deviceType: "OnOffLight" },
    { id: 2, deviceType: "OnOffPlugInUnit" },
  ],
  basicInformation: { vendorName: "Example Co", productName: "Plug", serialNumber: "SN-1", softwareVersion: 7 },
  commissioning: { passcode: 24681357, discriminator: 1234, vendorId: 0xfff1, productId: 0x8001, port: 0 },
};

const cluster = (id: number): Cluster => ({
  id,
  name: "Vendor",
  revision: 1,
  featureMap: 0,
  attributes: [],
  commands: [],
  events: [],
});

/** `change` applied to the valid declaration (typed loosely: these are the mistakes a caller can make). */
const refused = (change: Record<string, unknown>) => ({ ...valid, ...change }) as unknown as DeviceDeclaration;

test("a declaration of a light and a plug-in unit with a vendor cluster passes", () => {
  checkDeviceDeclaration(valid);
  checkDeviceDeclaration({
    ...valid,
    endpoints: [{ id: 1, deviceType: "OnOffPlugInUnit", clusters: [cluster(0xfff1fc01)] }],
  });
});

test("an unknown device type is a TypeError listing the known ones", () => {
  assert.throws(
    () => checkDeviceDeclaration(refused({ endpoints: [{ id: 1, deviceType: "DimmableLight" }] })),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message === 'endpoints[0].deviceType: unknown device type "DimmableLight" (known: OnOffLight, OnOffPlugInUnit)',
  );
});

test("a duplicate endpoint id and the root endpoint 0 are RangeErrors", () => {
  assert.throws(
    () =>
      checkDeviceDeclaration(
        refused({
          endpoints: [
            { id: 1, deviceType: "OnOffLight" },
            { id: 1, deviceType: "OnOffPlugInUnit" },
          ],
        }),
      ),
    { name: "RangeError", message: "endpoints[1].id: duplicate endpoint id 1" },
  );
  assert.throws(() => checkDeviceDeclaration(refused({ endpoints: [{ id: 0, deviceType: "OnOffLight" }] })), {
    name: "RangeError",
    message: "endpoints[0].id must be an integer 1..65534 (0 is the root node), got 0",
  });
  assert.throws(() => checkDeviceDeclaration(refused({ endpoints: [] })), {
    name: "RangeError",
    message: "endpoints must declare at least one application endpoint",
  });
});

test("a forbidden passcode, a 13-bit discriminator and vendor id 0 are RangeErrors naming the option", () => {
  const commissioning = (c: Record<string, unknown>) => refused({ commissioning: c });
  assert.throws(() => checkDeviceDeclaration(commissioning({ passcode: 12345678 })), {
    name: "RangeError",
    message:
      "passcode 12345678 is not a valid setup passcode: an ascending or descending digit run, which the Matter spec forbids (Core 5.1.7.1)",
  });
  assert.throws(() => checkDeviceDeclaration(commissioning({ discriminator: 0x1000 })), {
    name: "RangeError",
    message: "discriminator must be an integer 0..4095",
  });
  assert.throws(() => checkDeviceDeclaration(commissioning({ vendorId: 0 })), {
    name: "RangeError",
    message: "vendorId must be an integer 1..65534",
  });
});

test("an unknown property anywhere in the declaration is a TypeError (a typo is not ignored)", () => {
  assert.throws(() => checkDeviceDeclaration(refused({ endpoint: [] })), {
    name: "TypeError",
    message:
      "declaration.endpoint: unknown property (known: dataDir, endpoints, basicInformation, commissioning, attestation, logger)",
  });
  assert.throws(() => checkDeviceDeclaration(refused({ commissioning: { pincode: 20202021 } })), {
    name: "TypeError",
    message:
      "commissioning.pincode: unknown property (known: passcode, discriminator, vendorId, productId, port, mdnsInterfaces)",
  });
  assert.throws(() => checkDeviceDeclaration(refused({ endpoints: [{ id: 1, deviceType: "OnOffLight", type: 1 }] })), {
    name: "TypeError",
    message: "endpoints[0].type: unknown property (known: id, deviceType, clusters)",
  });
  assert.throws(() => checkDeviceDeclaration(refused({ attestation: { directory: "/x", dac: new Uint8Array(1) } })), {
    name: "TypeError",
    message: "attestation.dac: unknown property (known: directory)",
  });
  assert.throws(() => checkDeviceDeclaration(refused({ endpoints: "1" })), TypeError);
});

test("an application cluster that is already on the endpoint is a RangeError", () => {
  for (const id of [OnOffCluster.id, DescriptorCluster.id]) {
    assert.throws(
      () =>
        checkDeviceDeclaration({
          ...valid,
          endpoints: [{ id: 2, deviceType: "OnOffPlugInUnit", clusters: [cluster(id)] }],
        }),
      {
        name: "RangeError",
        message: `endpoints[0].clusters[0]: cluster 0x${id.toString(16).padStart(4, "0")} is already on endpoint 2`,
      },
    );
  }
  assert.throws(
    () =>
      checkDeviceDeclaration(
        refused({ endpoints: [{ id: 2, deviceType: "OnOffPlugInUnit", clusters: [{ id: 0xfc01 }] }] }),
      ),
    { name: "TypeError", message: "endpoints[0].clusters[0] must be a Cluster (id, attributes, commands, events)" },
  );
});

test("Basic Information values outside their spec constraints are RangeErrors naming the field", () => {
  assert.throws(() => checkDeviceDeclaration({ ...valid, basicInformation: { productName: "x".repeat(33) } }), {
    name: "RangeError",
    message: "basicInformation.productName must be 0..32 characters, got 33",
  });
  assert.throws(() => checkDeviceDeclaration({ ...valid, basicInformation: { softwareVersionString: "" } }), {
    name: "RangeError",
    message: "basicInformation.softwareVersionString must be 1..64 characters, got 0",
  });
  assert.throws(() => checkDeviceDeclaration({ ...valid, basicInformation: { hardwareVersion: 0x10000 } }), {
    name: "RangeError",
    message: "basicInformation.hardwareVersion must be an integer 0..65535",
  });
});
