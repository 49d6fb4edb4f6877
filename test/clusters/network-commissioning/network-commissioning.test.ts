import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createEthernetNetworkCommissioning,
  NetworkCommissioningCluster,
  NetworkInfoStruct,
} from "../../../src/clusters/network-commissioning/network-commissioning.ts";
import { Privilege } from "../../../src/fabric/access-control.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { readAttribute } from "../../../src/im/attribute-read.ts";
import { writeAttribute } from "../../../src/im/attribute-write.ts";
import { type AccessChecker, ClusterInstance, type SessionInfo } from "../../../src/im/data-model.ts";
import { invokeCommand } from "../../../src/im/invoke.ts";
import { ANONYMOUS, type TlvNode } from "../../../src/tlv/tlv-node.ts";
import { tlvArray, tlvBool, tlvUInt32 } from "../../../src/tlv/tlv-schema.ts";

const Attr = NetworkCommissioningCluster.attributes;

const session: SessionInfo = {
  kind: "case",
  fabricIndex: 1,
  subjectNodeId: 1n,
  cats: [],
  attestationChallenge: new Uint8Array(16),
  id: 1,
};
const allow: AccessChecker = () => true;
const upTo =
  (max: Privilege): AccessChecker =>
  (_s, _t, p) =>
    p <= max;
const ETH0 = new TextEncoder().encode("eth0");

function setup(over: Partial<Parameters<typeof createEthernetNetworkCommissioning>[0]> = {}) {
  let link = true;
  const persisted: boolean[] = [];
  const server = createEthernetNetworkCommissioning({
    networkId: ETH0,
    connected: () => link,
    onInterfaceEnabledChanged: async (v) => {
      persisted.push(v);
    },
    ...over,
  });
  const inst = new ClusterInstance(0, server.cluster, 0);
  const readOut = (id: number, access = allow) =>
    readAttribute(inst, id, { session, now: 0 }, { fabricFiltered: true }, access);
  const read = (id: number): TlvNode => {
    const out = readOut(id);
    assert.ok(out.kind === "data", `attribute ${id}`);
    return out.value;
  };
  const write = (value: boolean, access = allow) =>
    writeAttribute(
      inst,
      Attr.InterfaceEnabled,
      tlvBool.encodeNode(value, ANONYMOUS),
      { session, timed: false, now: 0 },
      access,
    );
  return {
    server,
    inst,
    read,
    readOut,
    write,
    persisted,
    setLink: (v: boolean) => {
      link = v;
    },
  };
}

test("globals: revision 2, FeatureMap = Ethernet (bit 2), no commands", () => {
  const { read } = setup();
  assert.equal((read(0xfffd) as { value: bigint }).value, 2n);
  assert.equal((read(0xfffc) as { value: bigint }).value, 4n);
  assert.deepEqual(tlvArray(tlvUInt32).decodeNode(read(0xfff9), "a"), []);
  assert.deepEqual(
    tlvArray(tlvUInt32).decodeNode(read(0xfffb), "l"),
    [0, 1, 4, 5, 6, 7, 0xfff8, 0xfff9, 0xfffb, 0xfffc, 0xfffd],
  );
});

test("MaxNetworks 1, Networks [{eth0, connected}], InterfaceEnabled true, Last* attributes null", () => {
  const { read } = setup();
  assert.equal((read(Attr.MaxNetworks) as { value: bigint }).value, 1n);
  assert.deepEqual(tlvArray(NetworkInfoStruct).decodeNode(read(Attr.Networks), "n"), [
    { networkId: ETH0, connected: true },
  ]);
  assert.equal((read(Attr.InterfaceEnabled) as { value: boolean }).value, true);
  for (const id of [Attr.LastNetworkingStatus, Attr.LastNetworkID, Attr.LastConnectErrorValue])
    assert.equal(read(id).type, "null");
});

test("a link change shows in Networks and connectionChanged bumps the data version", () => {
  const { read, setLink, server, inst } = setup();
  setLink(false);
  assert.equal(tlvArray(NetworkInfoStruct).decodeNode(read(Attr.Networks), "n")[0]?.connected, false);
  server.connectionChanged();
  assert.equal(inst.dataVersion, 1);
});

test("Networks, MaxNetworks and the Last* attributes need Administer; InterfaceEnabled is readable with View", () => {
  const { readOut } = setup();
  for (const id of [
    Attr.MaxNetworks,
    Attr.Networks,
    Attr.LastNetworkingStatus,
    Attr.LastNetworkID,
    Attr.LastConnectErrorValue,
  ]) {
    const out = readOut(id, upTo(Privilege.Manage));
    assert.equal(out.kind === "status" && out.status, ImStatus.UNSUPPORTED_ACCESS, `attribute ${id}`);
  }
  assert.equal(readOut(Attr.InterfaceEnabled, upTo(Privilege.View)).kind, "data");
});

test("InterfaceEnabled: Administer write, persisted through the hook, version bump only on a change", async () => {
  const { write, read, persisted, inst } = setup();
  assert.equal((await write(false, upTo(Privilege.Manage))).status, ImStatus.UNSUPPORTED_ACCESS);
  assert.equal((await write(true)).status, ImStatus.SUCCESS);
  assert.equal(inst.dataVersion, 0);
  assert.equal((await write(false)).status, ImStatus.SUCCESS);
  assert.equal((read(Attr.InterfaceEnabled) as { value: boolean }).value, false);
  assert.deepEqual(persisted, [false]);
  assert.equal(inst.dataVersion, 1);
});

test("a failing persistence hook leaves InterfaceEnabled unchanged and answers FAILURE", async () => {
  const { write, read } = setup({
    onInterfaceEnabledChanged: async () => {
      throw new TypeError("disk gone");
    },
  });
  assert.equal((await write(false)).status, ImStatus.FAILURE);
  assert.equal((read(Attr.InterfaceEnabled) as { value: boolean }).value, true);
});

test("Wi-Fi/Thread commands are not accepted; a NetworkID outside 1..32 bytes is refused", async () => {
  const { inst } = setup();
  for (const id of [0x00, 0x02, 0x03, 0x04, 0x06, 0x08]) {
    const out = await invokeCommand(inst, id, undefined, { session, timed: false, now: 0 }, allow);
    assert.equal(out.kind === "status" && out.status, ImStatus.UNSUPPORTED_COMMAND);
  }
  assert.throws(() => createEthernetNetworkCommissioning({ networkId: new Uint8Array(0) }), RangeError);
  assert.throws(() => createEthernetNetworkCommissioning({ networkId: new Uint8Array(33) }), RangeError);
});
