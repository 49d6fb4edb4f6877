import assert from "node:assert/strict";
import { test } from "node:test";
import { InternalError } from "../../../src/bytes/errors.ts";
import {
  createDescriptor,
  DescriptorCluster,
  DeviceType,
  DeviceTypeStruct,
  type EndpointDescription,
  partsList,
} from "../../../src/clusters/descriptor/descriptor.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { readAttribute } from "../../../src/im/attribute-read.ts";
import { writeAttribute } from "../../../src/im/attribute-write.ts";
import { type AccessChecker, ClusterInstance, type SessionInfo } from "../../../src/im/data-model.ts";
import { ANONYMOUS, type TlvNode } from "../../../src/tlv/tlv-node.ts";
import { tlvArray, tlvUInt16, tlvUInt32 } from "../../../src/tlv/tlv-schema.ts";

const session: SessionInfo = {
  kind: "case",
  fabricIndex: 1,
  subjectNodeId: 1n,
  cats: [],
  attestationChallenge: new Uint8Array(16),
  id: 1,
};
const allow: AccessChecker = () => true;

/** The node of this project: root node on 0 and an On/Off Light on 1. */
const lightNode: EndpointDescription[] = [
  {
    endpoint: 0,
    deviceTypes: [DeviceType.RootNode],
    serverClusters: [0x3f, 0x1d, 0x1f, 0x28, 0x30, 0x31, 0x33, 0x3c, 0x3e],
    clientClusters: [],
  },
  { endpoint: 1, deviceTypes: [DeviceType.OnOffLight], serverClusters: [0x06, 0x03, 0x1d, 0x04], clientClusters: [] },
];

function reader(endpoints: () => readonly EndpointDescription[], endpoint: number) {
  const server = createDescriptor({ endpoint, node: { endpoints } });
  const inst = new ClusterInstance(endpoint, server.cluster, 7);
  const read = (id: number): TlvNode => {
    const out = readAttribute(inst, id, { session, now: 0 }, { fabricFiltered: true }, allow);
    assert.ok(out.kind === "data", `attribute ${id}`);
    return out.value;
  };
  return { server, inst, read };
}

test("globals: revision 2, feature map 0 (no TagList), four attributes, no commands", () => {
  const { read } = reader(() => lightNode, 0);
  assert.equal((read(0xfffd) as { value: bigint }).value, 2n);
  assert.equal((read(0xfffc) as { value: bigint }).value, 0n);
  assert.deepEqual(
    tlvArray(tlvUInt32).decodeNode(read(0xfffb), "l"),
    [0, 1, 2, 3, 0xfff8, 0xfff9, 0xfffb, 0xfffc, 0xfffd],
  );
  assert.deepEqual(tlvArray(tlvUInt32).decodeNode(read(0xfff9), "a"), []);
});

test("root node: DeviceTypeList RootNode rev 3, sorted ServerList, empty ClientList, PartsList [1]", () => {
  const { read } = reader(() => lightNode, 0);
  assert.deepEqual(tlvArray(DeviceTypeStruct).decodeNode(read(DescriptorCluster.attributes.DeviceTypeList), "d"), [
    { deviceType: 0x16, revision: 3 },
  ]);
  assert.deepEqual(
    tlvArray(tlvUInt32).decodeNode(read(DescriptorCluster.attributes.ServerList), "s"),
    [0x1d, 0x1f, 0x28, 0x30, 0x31, 0x33, 0x3c, 0x3e, 0x3f],
  );
  assert.deepEqual(tlvArray(tlvUInt32).decodeNode(read(DescriptorCluster.attributes.ClientList), "c"), []);
  assert.deepEqual(tlvArray(tlvUInt16).decodeNode(read(DescriptorCluster.attributes.PartsList), "p"), [1]);
});

test("light endpoint: DeviceTypeList On/Off Light 0x0100 rev 3, its clusters, no parts", () => {
  const { read } = reader(() => lightNode, 1);
  assert.deepEqual(tlvArray(DeviceTypeStruct).decodeNode(read(DescriptorCluster.attributes.DeviceTypeList), "d"), [
    { deviceType: 0x100, revision: 3 },
  ]);
  assert.deepEqual(tlvArray(tlvUInt32).decodeNode(read(DescriptorCluster.attributes.ServerList), "s"), [3, 4, 6, 0x1d]);
  assert.deepEqual(tlvArray(tlvUInt16).decodeNode(read(DescriptorCluster.attributes.PartsList), "p"), []);
});

test("PartsList: root lists every endpoint, full-family lists descendants, tree lists children", () => {
  const dt = [DeviceType.OnOffLight];
  const base = { deviceTypes: dt, serverClusters: [0x1d], clientClusters: [] };
  const model: EndpointDescription[] = [
    { endpoint: 0, deviceTypes: [DeviceType.RootNode], serverClusters: [0x1d], clientClusters: [] },
    { ...base, endpoint: 5 },
    { ...base, endpoint: 2, parent: 5 },
    { ...base, endpoint: 3, parent: 2 },
    { ...base, endpoint: 4, composition: "tree" },
    { ...base, endpoint: 6, parent: 4 },
    { ...base, endpoint: 7, parent: 6 },
  ];
  assert.deepEqual(partsList(model, 0), [2, 3, 4, 5, 6, 7]);
  assert.deepEqual(partsList(model, 5), [2, 3]);
  assert.deepEqual(partsList(model, 2), [3]);
  assert.deepEqual(partsList(model, 4), [6]);
  assert.deepEqual(partsList(model, 7), []);
  assert.throws(() => partsList(model, 9), InternalError);
  const cyclic: EndpointDescription[] = [
    { ...base, endpoint: 1, parent: 2 },
    { ...base, endpoint: 2, parent: 3 },
    { ...base, endpoint: 3, parent: 2 },
  ];
  assert.throws(() => partsList(cyclic, 2), InternalError);
});

test("a changed node model shows on the next read; structureChanged bumps the data version", () => {
  let model = lightNode;
  const { read, server, inst } = reader(() => model, 0);
  model = [...lightNode, { ...lightNode[1]!, endpoint: 2 }];
  assert.deepEqual(tlvArray(tlvUInt16).decodeNode(read(DescriptorCluster.attributes.PartsList), "p"), [1, 2]);
  const seen: number[] = [];
  inst.onAttributeChange((c) => seen.push(c.attribute));
  server.structureChanged();
  assert.deepEqual(seen, [1, 2, 3]);
  assert.equal(inst.dataVersion, 10);
});

test("an endpoint missing from the model or with no device type is refused at construction", () => {
  assert.throws(() => createDescriptor({ endpoint: 9, node: { endpoints: () => lightNode } }), InternalError);
  const empty = [{ ...lightNode[0]!, deviceTypes: [] }];
  assert.throws(() => createDescriptor({ endpoint: 0, node: { endpoints: () => empty } }), RangeError);
});

test("every attribute is read-only", async () => {
  const { inst } = reader(() => lightNode, 0);
  for (const id of [0, 1, 2, 3]) {
    const out = await writeAttribute(
      inst,
      id,
      tlvArray(tlvUInt16).encodeNode([], ANONYMOUS),
      { session, timed: false, now: 0 },
      allow,
    );
    assert.equal(out.status, ImStatus.UNSUPPORTED_WRITE);
  }
});
