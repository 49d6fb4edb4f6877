import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createIdentify,
  IdentifyCluster,
  IdentifyRequest,
  IdentifyType,
  TriggerEffectRequest,
} from "../../../src/clusters/identify/identify.ts";
import { Privilege } from "../../../src/fabric/access-control.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { readAttribute } from "../../../src/im/attribute-read.ts";
import { writeAttribute } from "../../../src/im/attribute-write.ts";
import { type AccessChecker, ClusterInstance, type SessionInfo } from "../../../src/im/data-model.ts";
import { invokeCommand } from "../../../src/im/invoke.ts";
import { ANONYMOUS } from "../../../src/tlv/tlv-node.ts";
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
const upTo =
  (max: Privilege): AccessChecker =>
  (_s, _t, p) =>
    p <= max;

/** A fake clock driving the node's timer: `advance` fires every due timer in order. */
function setup(identifyType?: (typeof IdentifyType)[keyof typeof IdentifyType]) {
  let now = 0;
  let timerAt: number | null = null;
  const active: boolean[] = [];
  const server = createIdentify({
    ...(identifyType === undefined ? {} : { identifyType }),
    onIdentify: (a) => active.push(a),
    onTimer: (at) => {
      timerAt = at;
    },
  });
  const inst = new ClusterInstance(1, server.cluster, 0);
  const read = (id: number) => {
    const out = readAttribute(inst, id, { session, now }, { fabricFiltered: true }, allow);
    assert.ok(out.kind === "data");
    return Number((out.value as { value: bigint }).value);
  };
  const identify = (seconds: number, access = allow) =>
    invokeCommand(
      inst,
      IdentifyCluster.commands.Identify,
      IdentifyRequest.encodeNode({ identifyTime: seconds }, ANONYMOUS),
      { session, timed: false, now },
      access,
    );
  const write = (seconds: number, access = allow) =>
    writeAttribute(
      inst,
      IdentifyCluster.attributes.IdentifyTime,
      tlvUInt16.encodeNode(seconds, ANONYMOUS),
      { session, timed: false, now },
      access,
    );
  const advance = (ms: number) => {
    const end = now + ms;
    while (timerAt !== null && timerAt <= end) {
      now = timerAt;
      timerAt = null;
      server.timerFired(now);
    }
    now = end;
  };
  return { server, inst, read, identify, write, advance, active, timer: () => timerAt };
}

test("globals: revision 5, feature map 0, Identify and TriggerEffect accepted", () => {
  const { inst } = setup();
  const out = (id: number) => {
    const r = readAttribute(inst, id, { session, now: 0 }, { fabricFiltered: true }, allow);
    assert.ok(r.kind === "data");
    return r.value;
  };
  assert.equal((out(0xfffd) as { value: bigint }).value, 5n);
  assert.equal((out(0xfffc) as { value: bigint }).value, 0n);
  assert.deepEqual(tlvArray(tlvUInt32).decodeNode(out(0xfff9), "a"), [0, 0x40]);
  assert.deepEqual(tlvArray(tlvUInt32).decodeNode(out(0xfffb), "l"), [0, 1, 0xfff8, 0xfff9, 0xfffb, 0xfffc, 0xfffd]);
});

test("IdentifyType is the configured value (default VisibleIndicator)", () => {
  assert.equal(setup().read(IdentifyCluster.attributes.IdentifyType), IdentifyType.VisibleIndicator);
  assert.equal(setup(IdentifyType.LightOutput).read(IdentifyCluster.attributes.IdentifyType), IdentifyType.LightOutput);
  assert.throws(() => createIdentify({ identifyType: 9 as never }), RangeError);
});

test("Identify(3) counts down once per second on the fake clock and stops at 0", async () => {
  const { read, identify, advance, active, inst, timer } = setup();
  assert.equal(read(IdentifyCluster.attributes.IdentifyTime), 0);
  const versions: number[] = [];
  inst.onAttributeChange((c) => versions.push(c.dataVersion));
  const out = await identify(3);
  assert.deepEqual(out, { kind: "status", status: ImStatus.SUCCESS, afterResponse: [] });
  assert.equal(read(IdentifyCluster.attributes.IdentifyTime), 3);
  assert.deepEqual(active, [true]);
  assert.equal(timer(), 1000);
  advance(999);
  assert.equal(read(IdentifyCluster.attributes.IdentifyTime), 3);
  advance(1);
  assert.equal(read(IdentifyCluster.attributes.IdentifyTime), 2);
  advance(1000);
  assert.equal(read(IdentifyCluster.attributes.IdentifyTime), 1);
  advance(1000);
  assert.equal(read(IdentifyCluster.attributes.IdentifyTime), 0);
  assert.equal(timer(), null);
  assert.deepEqual(active, [true, false]);
  // 3 → 2 → 1 → 0: one data version per step.
  assert.deepEqual(versions, [1, 2, 3, 4]);
});

test("a late timer reports the value as of its firing time", async () => {
  const { identify, server, inst, timer } = setup();
  await identify(10);
  const versions: number[] = [];
  inst.onAttributeChange((c) => versions.push(c.dataVersion));
  // The node was busy: the timer due at 1 s fires at 5.5 s. One change 10 → 5, then the next step at 6 s.
  server.timerFired(5500);
  assert.equal(server.identifyTime(5500), 5);
  assert.equal(server.nextTimerAt, 6000);
  assert.equal(timer(), 6000);
  assert.deepEqual(versions, [2]);
});

test("writing IdentifyTime starts and writing 0 stops identification; Identify(0) stops too", async () => {
  const { read, write, identify, advance, active, timer } = setup();
  assert.equal((await write(60)).status, ImStatus.SUCCESS);
  assert.equal(read(IdentifyCluster.attributes.IdentifyTime), 60);
  advance(2000);
  assert.equal(read(IdentifyCluster.attributes.IdentifyTime), 58);
  assert.equal((await write(0)).status, ImStatus.SUCCESS);
  assert.equal(read(IdentifyCluster.attributes.IdentifyTime), 0);
  assert.equal(timer(), null);
  await identify(5);
  await identify(0);
  assert.equal(read(IdentifyCluster.attributes.IdentifyTime), 0);
  assert.deepEqual(active, [true, false, true, false]);
});

test("Identify needs Manage; the IdentifyTime write needs Operate", async () => {
  const { identify, write, read } = setup();
  const denied = await identify(5, upTo(Privilege.Operate));
  assert.equal(denied.kind === "status" && denied.status, ImStatus.UNSUPPORTED_ACCESS);
  assert.equal((await write(5, upTo(Privilege.View))).status, ImStatus.UNSUPPORTED_ACCESS);
  assert.equal(read(IdentifyCluster.attributes.IdentifyTime), 0);
  assert.equal((await write(5, upTo(Privilege.Operate))).status, ImStatus.SUCCESS);
  assert.equal(read(IdentifyCluster.attributes.IdentifyTime), 5);
});

test("Identify without its field → INVALID_COMMAND; IdentifyType is read-only", async () => {
  const { inst } = setup();
  const out = await invokeCommand(
    inst,
    IdentifyCluster.commands.Identify,
    undefined,
    { session, timed: false, now: 0 },
    allow,
  );
  assert.equal(out.kind === "status" && out.status, ImStatus.INVALID_COMMAND);
  const w = await writeAttribute(
    inst,
    IdentifyCluster.attributes.IdentifyType,
    tlvUInt16.encodeNode(1, ANONYMOUS),
    { session, timed: false, now: 0 },
    allow,
  );
  assert.equal(w.status, ImStatus.UNSUPPORTED_WRITE);
});

test("TriggerEffect: known effects reach the node, an unknown variant becomes Default, an unknown effect → CONSTRAINT_ERROR", async () => {
  const effects: [number, number][] = [];
  const server = createIdentify({ onTriggerEffect: (e, v) => effects.push([e, v]) });
  const inst = new ClusterInstance(1, server.cluster, 0);
  const trigger = (effectIdentifier: number, effectVariant: number, access = allow) =>
    invokeCommand(
      inst,
      0x40,
      TriggerEffectRequest.encodeNode({ effectIdentifier, effectVariant }, ANONYMOUS),
      { session, timed: false, now: 0 },
      access,
    );
  assert.deepEqual(await trigger(0x01, 0), { kind: "status", status: ImStatus.SUCCESS, afterResponse: [] });
  assert.equal((await trigger(0xff, 7)).kind, "status");
  const bad = await trigger(0x05, 0);
  assert.equal(bad.kind === "status" && bad.status, ImStatus.CONSTRAINT_ERROR);
  const denied = await trigger(0x00, 0, upTo(Privilege.Operate));
  assert.equal(denied.kind === "status" && denied.status, ImStatus.UNSUPPORTED_ACCESS);
  assert.deepEqual(effects, [
    [0x01, 0],
    [0xff, 0],
  ]);
});
