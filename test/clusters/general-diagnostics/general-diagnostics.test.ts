import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BootReason,
  bootReasonEvent,
  createGeneralDiagnostics,
  GeneralDiagnosticsCluster,
  type GeneralDiagnosticsOptions,
  InterfaceType,
  NetworkInterfaceStruct as NetworkInterfaceSchema,
  type NetworkInterfaceStruct,
  TestEventTriggerRequest,
  TimeSnapshotResponse,
} from "../../../src/clusters/general-diagnostics/general-diagnostics.ts";
import { Privilege } from "../../../src/fabric/access-control.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { readAttribute } from "../../../src/im/attribute-read.ts";
import { type AccessChecker, ClusterInstance, type SessionInfo } from "../../../src/im/data-model.ts";
import { EventLog } from "../../../src/im/events.ts";
import { type InvokeOutcome, invokeCommand } from "../../../src/im/invoke.ts";
import { ANONYMOUS, type TlvNode } from "../../../src/tlv/tlv-node.ts";
import { tlvArray, tlvUInt32 } from "../../../src/tlv/tlv-schema.ts";

const Attr = GeneralDiagnosticsCluster.attributes;
const Cmd = GeneralDiagnosticsCluster.commands;

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
const KEY = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const eth0: NetworkInterfaceStruct = {
  name: "eth0",
  isOperational: true,
  offPremiseServicesReachableIPv4: null,
  offPremiseServicesReachableIPv6: null,
  hardwareAddress: Uint8Array.of(0x02, 0, 0, 0, 0, 1),
  iPv4Addresses: [Uint8Array.of(192, 168, 1, 2)],
  iPv6Addresses: [new Uint8Array(16).fill(0xfe)],
  type: InterfaceType.Ethernet,
};

function setup(over: Partial<GeneralDiagnosticsOptions> = {}) {
  const events = new EventLog();
  const triggers: bigint[] = [];
  const server = createGeneralDiagnostics({
    events,
    networkInterfaces: () => [eth0],
    rebootCount: 3,
    bootTimeMs: 10_000,
    testEventTriggerKey: KEY,
    onTestEventTrigger: (t) => {
      triggers.push(t);
      return t === 0x0033_0000_0000_0001n;
    },
    ...over,
  });
  const inst = new ClusterInstance(0, server.cluster, 0);
  const read = (id: number, now = 10_000): TlvNode => {
    const out = readAttribute(inst, id, { session, now }, { fabricFiltered: true }, allow);
    assert.ok(out.kind === "data", `attribute ${id}`);
    return out.value;
  };
  const trigger = (enableKey: Uint8Array, eventTrigger: bigint, access = allow) =>
    invokeCommand(
      inst,
      Cmd.TestEventTrigger,
      TestEventTriggerRequest.encodeNode({ enableKey, eventTrigger }, ANONYMOUS),
      { session, timed: false, now: 0 },
      access,
    );
  const snapshot = (now: number, access = allow) =>
    invokeCommand(inst, Cmd.TimeSnapshot, undefined, { session, timed: false, now }, access);
  return { events, server, inst, read, trigger, snapshot, triggers };
}

const statusOf = (out: InvokeOutcome) => (out.kind === "status" ? out.status : undefined);

test("globals: revision 2, feature map 0, TestEventTrigger and TimeSnapshot accepted, TimeSnapshotResponse generated", () => {
  const { read } = setup();
  assert.equal((read(0xfffd) as { value: bigint }).value, 2n);
  assert.equal((read(0xfffc) as { value: bigint }).value, 0n);
  assert.deepEqual(tlvArray(tlvUInt32).decodeNode(read(0xfff9), "a"), [0, 1]);
  assert.deepEqual(tlvArray(tlvUInt32).decodeNode(read(0xfff8), "g"), [2]);
  assert.deepEqual(
    tlvArray(tlvUInt32).decodeNode(read(0xfffb), "l"),
    [0, 1, 2, 8, 0xfff8, 0xfff9, 0xfffb, 0xfffc, 0xfffd],
  );
});

test("mandatory attributes: NetworkInterfaces, RebootCount, UpTime from the boot time, TestEventTriggersEnabled", () => {
  const { read } = setup();
  assert.deepEqual(tlvArray(NetworkInterfaceSchema).decodeNode(read(Attr.NetworkInterfaces), "n"), [eth0]);
  assert.equal((read(Attr.RebootCount) as { value: bigint }).value, 3n);
  assert.equal((read(Attr.UpTime, 10_000) as { value: bigint }).value, 0n);
  assert.equal((read(Attr.UpTime, 72_999) as { value: bigint }).value, 62n);
  assert.equal((read(Attr.TestEventTriggersEnabled) as { value: boolean }).value, true);
  assert.equal(
    (setup({ testEventTriggerKey: new Uint8Array(16) }).read(Attr.TestEventTriggersEnabled) as { value: boolean })
      .value,
    false,
  );
});

test("UpTime changes are not reported (quality C); NetworkInterfaces changes are", () => {
  const { server, inst } = setup();
  assert.equal(server.cluster.attributes.find((a) => a.id === Attr.UpTime)?.changesOmitted, true);
  const seen: number[] = [];
  inst.onAttributeChange((c) => seen.push(c.attribute));
  server.networkInterfacesChanged();
  assert.deepEqual(seen, [Attr.NetworkInterfaces]);
});

test("TestEventTrigger: right key and supported trigger → SUCCESS; unsupported trigger → INVALID_COMMAND", async () => {
  const { trigger, triggers } = setup();
  assert.equal(statusOf(await trigger(KEY, 0x0033_0000_0000_0001n)), ImStatus.SUCCESS);
  assert.equal(statusOf(await trigger(KEY, 0xffff_ffff_ffff_ffffn)), ImStatus.INVALID_COMMAND);
  assert.deepEqual(triggers, [0x0033_0000_0000_0001n, 0xffff_ffff_ffff_ffffn]);
});

test("TestEventTrigger: wrong, short or empty key, or triggers disabled → CONSTRAINT_ERROR and the node is not called", async () => {
  const { trigger, triggers } = setup();
  const wrong = KEY.slice();
  wrong[15] = 0xff;
  for (const k of [wrong, KEY.subarray(0, 15), new Uint8Array(0), new Uint8Array(16)])
    assert.equal(statusOf(await trigger(k, 0x0033_0000_0000_0001n)), ImStatus.CONSTRAINT_ERROR);
  const zeroKey = setup({ testEventTriggerKey: new Uint8Array(16) });
  assert.equal(statusOf(await zeroKey.trigger(new Uint8Array(16), 1n)), ImStatus.CONSTRAINT_ERROR);
  const noKey = setup({ testEventTriggerKey: undefined as never });
  assert.equal(statusOf(await noKey.trigger(KEY, 1n)), ImStatus.CONSTRAINT_ERROR);
  assert.deepEqual([...triggers, ...zeroKey.triggers, ...noKey.triggers], []);
});

test("TestEventTrigger needs Manage; a 17-byte key is a malformed field → INVALID_COMMAND", async () => {
  const { trigger, inst } = setup();
  assert.equal(statusOf(await trigger(KEY, 1n, upTo(Privilege.Operate))), ImStatus.UNSUPPORTED_ACCESS);
  const fields: TlvNode = {
    tag: ANONYMOUS,
    type: "struct",
    elements: [
      { tag: { form: "context", id: 0 }, type: "bytes", value: new Uint8Array(17) },
      { tag: { form: "context", id: 1 }, type: "uint", value: 1n },
    ],
  };
  const out = await invokeCommand(inst, Cmd.TestEventTrigger, fields, { session, timed: false, now: 0 }, allow);
  assert.equal(statusOf(out), ImStatus.INVALID_COMMAND);
});

test("TimeSnapshot → TimeSnapshotResponse with SystemTimeMs since boot and PosixTimeMs (null when unknown)", async () => {
  const { snapshot } = setup();
  const out = await snapshot(12_345);
  assert.ok(out.kind === "response");
  assert.equal(out.commandId, Cmd.TimeSnapshotResponse);
  assert.deepEqual(TimeSnapshotResponse.decodeNode(out.fields, "r"), { systemTimeMs: 2_345n, posixTimeMs: null });
  const timed = setup({ posixTimeMs: () => 1_700_000_000_000n });
  const out2 = await timed.snapshot(10_000);
  assert.ok(out2.kind === "response");
  assert.deepEqual(TimeSnapshotResponse.decodeNode(out2.fields, "r"), {
    systemTimeMs: 0n,
    posixTimeMs: 1_700_000_000_000n,
  });
  assert.equal(statusOf(await snapshot(0, upTo(Privilege.View))), ImStatus.UNSUPPORTED_ACCESS);
});

test("BootReason event is recorded critical with its reason", () => {
  const { server, events } = setup();
  server.recordBootReason(BootReason.SoftwareReset, 10_500);
  const [record] = events.events({ cluster: 0x33 });
  assert.ok(record !== undefined);
  assert.equal(record.event, 3);
  assert.equal(record.priority, 2);
  assert.deepEqual(record.timestamp, { kind: "system-ms", value: 500n });
  assert.deepEqual(bootReasonEvent.schema.decodeNode(record.data, "e"), { bootReason: 6 });
  assert.throws(() => server.recordBootReason(7 as never, 0), RangeError);
});

test("construction refuses an out-of-range RebootCount or a key that is not 16 bytes", () => {
  assert.throws(() => setup({ rebootCount: 0x10000 }), RangeError);
  assert.throws(() => setup({ testEventTriggerKey: new Uint8Array(15) }), RangeError);
});
