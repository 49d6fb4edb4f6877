import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BasicInformationCluster,
  type BasicInformationValues,
  CapabilityMinimaStruct,
  createBasicInformation,
  leaveEvent,
  SPECIFICATION_VERSION_1_4_2,
} from "../../../src/clusters/basic-information/basic-information.ts";
import { Privilege } from "../../../src/fabric/access-control.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { readAttribute } from "../../../src/im/attribute-read.ts";
import { writeAttribute } from "../../../src/im/attribute-write.ts";
import { type AccessChecker, ClusterInstance, type SessionInfo } from "../../../src/im/data-model.ts";
import { EventLog } from "../../../src/im/events.ts";
import { ANONYMOUS, type TlvNode } from "../../../src/tlv/tlv-node.ts";
import { tlvArray, tlvString, tlvUInt32 } from "../../../src/tlv/tlv-schema.ts";

const allow: AccessChecker = () => true;
const session: SessionInfo = {
  kind: "case",
  fabricIndex: 1,
  subjectNodeId: 1n,
  cats: [],
  attestationChallenge: new Uint8Array(16),
  id: 1,
};
const values: BasicInformationValues = {
  vendorName: "Test Vendor",
  vendorId: 0xfff1,
  productName: "Opcreds Node",
  productId: 0x8000,
  hardwareVersion: 1,
  hardwareVersionString: "1.0",
  softwareVersion: 3,
  softwareVersionString: "0.1.0",
  uniqueId: "unique-123",
  dataModelRevision: 18,
};

function setup(over: Partial<BasicInformationValues> = {}) {
  const events = new EventLog();
  const saved: unknown[] = [];
  const server = createBasicInformation({
    values: { ...values, ...over },
    events,
    onConfigChanged: (c) => saved.push(c),
  });
  const inst = new ClusterInstance(0, server.cluster, 0);
  const read = (id: number): TlvNode => {
    const out = readAttribute(inst, id, { session, now: 0 }, { fabricFiltered: true }, allow);
    assert.ok(out.kind === "data", `attribute ${id}`);
    return out.value;
  };
  return { events, server, inst, read, saved };
}

test("mandatory attributes carry the node's values, SpecificationVersion 1.4.2 and default minima", () => {
  const { read } = setup();
  const u = (n: TlvNode) => (n as { value: bigint }).value;
  assert.equal(tlvString().decodeNode(read(BasicInformationCluster.attributes.VendorName), "v"), "Test Vendor");
  assert.equal(u(read(BasicInformationCluster.attributes.VendorID)), 0xfff1n);
  assert.equal(u(read(BasicInformationCluster.attributes.ProductID)), 0x8000n);
  assert.equal(u(read(BasicInformationCluster.attributes.SoftwareVersion)), 3n);
  assert.equal(u(read(BasicInformationCluster.attributes.DataModelRevision)), 18n);
  assert.equal(u(read(BasicInformationCluster.attributes.SpecificationVersion)), BigInt(SPECIFICATION_VERSION_1_4_2));
  assert.equal(u(read(BasicInformationCluster.attributes.MaxPathsPerInvoke)), 1n);
  assert.equal(tlvString().decodeNode(read(BasicInformationCluster.attributes.Location), "l"), "XX");
  assert.deepEqual(CapabilityMinimaStruct.decodeNode(read(BasicInformationCluster.attributes.CapabilityMinima), "c"), {
    caseSessionsPerFabric: 3,
    subscriptionsPerFabric: 3,
  });
  assert.equal(u(read(0xfffd)), 5n);
  assert.deepEqual(tlvArray(tlvUInt32).decodeNode(read(0xfff9), "a"), []);
});

test("construction rejects values outside the spec constraints", () => {
  assert.throws(() => setup({ vendorName: "x".repeat(33) }), RangeError);
  assert.throws(() => setup({ softwareVersionString: "" }), RangeError);
  assert.throws(() => setup({ location: "USA" }), RangeError);
  assert.throws(() => setup({ capabilityMinima: { caseSessionsPerFabric: 2, subscriptionsPerFabric: 3 } }), RangeError);
});

test("NodeLabel (Manage) and Location (Administer, exactly 2 chars) are writable; fixed attributes are not", async () => {
  const { inst, read, saved } = setup();
  const w = (id: number, v: string, access = allow) =>
    writeAttribute(inst, id, tlvString().encodeNode(v, ANONYMOUS), { session, timed: false, now: 0 }, access);
  const manage: AccessChecker = (_s, _t, p) => p <= Privilege.Manage;
  assert.equal((await w(BasicInformationCluster.attributes.NodeLabel, "kitchen", manage)).status, ImStatus.SUCCESS);
  assert.equal(tlvString().decodeNode(read(BasicInformationCluster.attributes.NodeLabel), "n"), "kitchen");
  assert.equal(
    (await w(BasicInformationCluster.attributes.NodeLabel, "x".repeat(33))).status,
    ImStatus.CONSTRAINT_ERROR,
  );
  assert.equal(
    (await w(BasicInformationCluster.attributes.Location, "CH", manage)).status,
    ImStatus.UNSUPPORTED_ACCESS,
  );
  assert.equal((await w(BasicInformationCluster.attributes.Location, "CHE")).status, ImStatus.CONSTRAINT_ERROR);
  assert.equal((await w(BasicInformationCluster.attributes.Location, "CH")).status, ImStatus.SUCCESS);
  assert.equal((await w(BasicInformationCluster.attributes.VendorName, "evil")).status, ImStatus.UNSUPPORTED_WRITE);
  assert.deepEqual(saved, [
    { nodeLabel: "kitchen", location: "XX" },
    { nodeLabel: "kitchen", location: "CH" },
  ]);
});

test("Leave event {FabricIndex} is recorded with info priority and asks for an urgent flush", () => {
  const { server, events } = setup();
  const effects = server.leave(3, 1500);
  assert.deepEqual(effects, [{ type: "flush-urgent-events" }]);
  const [r] = events.events();
  assert.ok(r !== undefined);
  assert.equal(r.event, 0x02);
  assert.equal(r.cluster, 0x0028);
  assert.equal(r.priority, 1);
  assert.deepEqual(r.timestamp, { kind: "system-ms", value: 1500n });
  assert.deepEqual(leaveEvent.schema.decodeNode(r.data, "d"), { fabricIndex: 3 });
  assert.throws(() => server.leave(0, 0), RangeError);
});

test("StartUp carries the software version; ShutDown has no fields; both critical", () => {
  const { server, events } = setup();
  server.startUp(0);
  server.shutDown(1);
  const [up, down] = events.events();
  assert.ok(up !== undefined && down !== undefined);
  assert.deepEqual([up.event, up.priority, down.event, down.priority], [0, 2, 1, 2]);
  assert.deepEqual(
    (up.data as { elements: { value: bigint }[] }).elements.map((e) => e.value),
    [3n],
  );
  assert.deepEqual((down.data as { elements: unknown[] }).elements, []);
});
