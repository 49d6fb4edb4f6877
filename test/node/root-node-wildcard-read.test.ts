// Audit of issue 5 item 2: the device node as started (not the clusters one by one) serves on endpoint 0 every
// root-node cluster the issue lists and on endpoint 1 the On/Off light (Identify, Groups, On/Off with Lighting);
// BasicInformation's mandatory attributes (incl. UniqueID, CapabilityMinima, SpecificationVersion, MaxPathsPerInvoke),
// General Diagnostics' mandatory ones, and the StartUp and BootReason events are all reported by a wildcard read.
// Runs in `unshare -n`.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { runInPrivateNetns } from "../support/netns-child.ts";

const CLUSTER = {
  Identify: 0x03,
  Groups: 0x04,
  OnOff: 0x06,
  Descriptor: 0x1d,
  AccessControl: 0x1f,
  BasicInformation: 0x28,
  GeneralCommissioning: 0x30,
  NetworkCommissioning: 0x31,
  GeneralDiagnostics: 0x33,
  AdministratorCommissioning: 0x3c,
  OperationalCredentials: 0x3e,
  GroupKeyManagement: 0x3f,
} as const;
const GLOBALS = [0xfff8, 0xfff9, 0xfffb, 0xfffc, 0xfffd];

test("endpoint 0 serves the root-node clusters, endpoint 1 the On/Off light; mandatory attributes and boot events are read", () => {
  const r = runInPrivateNetns<{
    attributes: Record<string, number[]>;
    serverLists: Record<string, number[]>;
    partsList: number[];
    events: string[];
  }>(resolve(import.meta.dirname, "root-node-wildcard-read-netns.ts"));
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  assert.deepEqual(
    sorted(r.serverLists["0"]!),
    sorted([
      CLUSTER.Descriptor,
      CLUSTER.AccessControl,
      CLUSTER.BasicInformation,
      CLUSTER.GeneralCommissioning,
      CLUSTER.NetworkCommissioning,
      CLUSTER.GeneralDiagnostics,
      CLUSTER.AdministratorCommissioning,
      CLUSTER.OperationalCredentials,
      CLUSTER.GroupKeyManagement,
    ]),
  );
  assert.deepEqual(
    sorted(r.serverLists["1"]!),
    sorted([CLUSTER.Identify, CLUSTER.Groups, CLUSTER.OnOff, 0x0062, CLUSTER.Descriptor]),
  );
  assert.deepEqual(r.partsList, [1]);
  // The wildcard read reaches exactly the clusters the ServerLists name.
  assert.deepEqual(
    Object.keys(r.attributes).sort(),
    [...r.serverLists["0"]!.map((c) => `0/${c}`), ...r.serverLists["1"]!.map((c) => `1/${c}`)].sort(),
  );
  const has = (ep: number, cluster: number, ids: number[]) => {
    const got = r.attributes[`${ep}/${cluster}`] ?? [];
    for (const id of [...ids, ...GLOBALS])
      assert.ok(got.includes(id), `${ep}/0x${cluster.toString(16)} lacks 0x${id.toString(16)}`);
  };
  // BasicInformation: DataModelRevision..SoftwareVersionString (0..0x0a), UniqueID 0x12, CapabilityMinima 0x13,
  // SpecificationVersion 0x15, MaxPathsPerInvoke 0x16.
  has(0, CLUSTER.BasicInformation, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0x12, 0x13, 0x15, 0x16]);
  // General Diagnostics: NetworkInterfaces, RebootCount, UpTime, TestEventTriggersEnabled.
  has(0, CLUSTER.GeneralDiagnostics, [0, 1, 2, 8]);
  // Administrator Commissioning: WindowStatus, AdminFabricIndex, AdminVendorId.
  has(0, CLUSTER.AdministratorCommissioning, [0, 1, 2]);
  // Operational Credentials: NOCs, Fabrics, SupportedFabrics, CommissionedFabrics, TrustedRootCertificates, CurrentFabricIndex.
  has(0, CLUSTER.OperationalCredentials, [0, 1, 2, 3, 4, 5]);
  // Network Commissioning (Ethernet): MaxNetworks, Networks, InterfaceEnabled, LastNetworkingStatus, LastNetworkID, LastConnectErrorValue.
  has(0, CLUSTER.NetworkCommissioning, [0, 1, 4, 5, 6, 7]);
  // On/Off with the Lighting feature: OnOff, GlobalSceneControl, OnTime, OffWaitTime, StartUpOnOff.
  has(1, CLUSTER.OnOff, [0, 0x4000, 0x4001, 0x4002, 0x4003]);
  // Groups: NameSupport.
  has(1, CLUSTER.Groups, [0]);
  has(1, CLUSTER.Identify, [0, 1]);
  // StartUp (BasicInformation event 0) and BootReason (General Diagnostics event 3) were emitted at boot.
  assert.ok(r.events.includes(`0/${CLUSTER.BasicInformation}/0`), r.events.join(","));
  assert.ok(r.events.includes(`0/${CLUSTER.GeneralDiagnostics}/3`), r.events.join(","));
});
