import assert from "node:assert/strict";
import { test } from "node:test";
import { createOnOff, OnOffAttribute, OnOffCommand } from "../../../src/clusters/on-off/on-off.ts";
import { readAttribute } from "../../../src/im/attribute-read.ts";
import { type AccessChecker, ClusterInstance, Privilege, type SessionInfo } from "../../../src/im/data-model.ts";
import { invokeCommand } from "../../../src/im/invoke.ts";
import { ImStatus } from "../../../src/im/status-code.ts";
import type { TlvNode } from "../../../src/tlv/tlv-node.ts";
import { tlvArray, tlvUInt32 } from "../../../src/tlv/tlv-schema.ts";

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

function setup(initial?: boolean) {
  const seen: boolean[] = [];
  const server = createOnOff(initial === undefined ? { onChange: (v) => seen.push(v) } : { onOff: initial });
  const inst = new ClusterInstance(1, server.cluster, 100);
  const read = (id: number, access = allow): TlvNode => {
    const out = readAttribute(inst, id, { session, now: 0 }, { fabricFiltered: true }, access);
    assert.ok(out.kind === "data", `attribute ${id}`);
    return out.value;
  };
  const invoke = (id: number, access = allow) =>
    invokeCommand(inst, id, undefined, { session, timed: false, now: 0 }, access);
  return { server, inst, read, invoke, seen };
}

test("globals: revision 6, feature map 0, Off/On/Toggle accepted, nothing generated", () => {
  const { read } = setup();
  assert.equal((read(0xfffd) as { value: bigint }).value, 6n);
  assert.equal((read(0xfffc) as { value: bigint }).value, 0n);
  assert.deepEqual(tlvArray(tlvUInt32).decodeNode(read(0xfff9), "a"), [0, 1, 2]);
  assert.deepEqual(tlvArray(tlvUInt32).decodeNode(read(0xfff8), "g"), []);
  assert.deepEqual(tlvArray(tlvUInt32).decodeNode(read(0xfffb), "l"), [0, 0xfff8, 0xfff9, 0xfffb, 0xfffc, 0xfffd]);
});

test("OnOff starts false (or the persisted value) and follows On, Off and Toggle", async () => {
  const { read, invoke, server, seen } = setup();
  const value = () => (read(OnOffAttribute.OnOff) as { value: boolean }).value;
  assert.equal(value(), false);
  assert.deepEqual(await invoke(OnOffCommand.On), { kind: "status", status: ImStatus.SUCCESS, afterResponse: [] });
  assert.equal(value(), true);
  await invoke(OnOffCommand.Toggle);
  assert.equal(value(), false);
  await invoke(OnOffCommand.Toggle);
  assert.equal(server.onOff, true);
  await invoke(OnOffCommand.Off);
  assert.equal(value(), false);
  assert.deepEqual(seen, [true, false, true, false]);
  assert.equal(setup(true).server.onOff, true);
});

test("a change bumps the data version once; a command that changes nothing does not", async () => {
  const { inst, invoke, server } = setup();
  const changes: number[] = [];
  inst.onAttributeChange((c) => changes.push(c.dataVersion));
  await invoke(OnOffCommand.Off);
  assert.equal(inst.dataVersion, 100);
  await invoke(OnOffCommand.On);
  await invoke(OnOffCommand.On);
  assert.equal(inst.dataVersion, 101);
  server.setOnOff(false);
  assert.deepEqual(changes, [101, 102]);
});

test("commands need Operate: a View-only subject gets UNSUPPORTED_ACCESS and nothing changes", async () => {
  const { invoke, server, read } = setup();
  const out = await invoke(OnOffCommand.On, upTo(Privilege.View));
  assert.equal(out.kind === "status" && out.status, ImStatus.UNSUPPORTED_ACCESS);
  assert.equal(server.onOff, false);
  assert.equal((await invoke(OnOffCommand.On, upTo(Privilege.Operate))).kind, "status");
  assert.equal(server.onOff, true);
  // Reads need only View.
  assert.equal((read(OnOffAttribute.OnOff, upTo(Privilege.View)) as { value: boolean }).value, true);
});

test("OffWithEffect and the other Lighting commands are not accepted", async () => {
  const { invoke } = setup();
  for (const id of [0x40, 0x41, 0x42]) {
    const out = await invoke(id);
    assert.equal(out.kind === "status" && out.status, ImStatus.UNSUPPORTED_COMMAND);
  }
});
