import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { OffWithEffectRequest } from "../../../src/clusters/on-off/off-with-effect.ts";
import { createOnOff } from "../../../src/clusters/on-off/on-off.ts";
import { EffectIdentifier, StartUpOnOff, startUpOnOffValue } from "../../../src/clusters/on-off/on-off-data-types.ts";
import { OnOffCluster, type OnOffOptions } from "../../../src/clusters/on-off/on-off-options.ts";
import { OnWithTimedOffRequest } from "../../../src/clusters/on-off/on-with-timed-off.ts";
import { Privilege } from "../../../src/fabric/access-control.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { readAttribute } from "../../../src/im/attribute-read.ts";
import { writeAttribute } from "../../../src/im/attribute-write.ts";
import { type AccessChecker, type Cluster, ClusterInstance, type SessionInfo } from "../../../src/im/data-model.ts";
import { type InvokeOutcome, invokeCommand } from "../../../src/im/invoke.ts";
import { encodeTlv } from "../../../src/tlv/tlv-encoder.ts";
import { ANONYMOUS, type TlvNode } from "../../../src/tlv/tlv-node.ts";
import { tlvArray, tlvBool, tlvNullable, tlvUInt8, tlvUInt16, tlvUInt32 } from "../../../src/tlv/tlv-schema.ts";
import { decodeFieldsOrMalformed, randomOrMutated } from "../../support/command-fuzz.ts";

const session: SessionInfo = {
  kind: "case",
  fabricIndex: 1,
  subjectNodeId: 1n,
  cats: [],
  attestationChallenge: new Uint8Array(16),
  id: 1,
};
const allow: AccessChecker = () => true;

/** An attribute's value as the cluster's read handler gives it (what a read encodes). */
function attributeValue(cluster: Cluster, name: keyof typeof OnOffCluster.attributes): unknown {
  const def = cluster.attributes.find((a) => a.id === OnOffCluster.attributes[name]);
  assert.ok(def !== undefined, name);
  return def.read({ session, now: 0 });
}
const upTo =
  (max: Privilege): AccessChecker =>
  (_s, _t, p) =>
    p <= max;

function setup(initial?: boolean, extra: OnOffOptions = {}) {
  const seen: boolean[] = [];
  const timers: (number | null)[] = [];
  const scenes: string[] = [];
  const effects: [number, number][] = [];
  const startUps: (number | null)[] = [];
  const server = createOnOff({
    ...(initial === undefined ? {} : { onOff: initial }),
    onChange: (v) => seen.push(v),
    onTimer: (at) => timers.push(at),
    onStartUpOnOffChange: (v) => startUps.push(v),
    onOffWithEffect: (e, v) => effects.push([e, v]),
    scenes: {
      storeGlobalScene: (fi) => scenes.push(`store ${fi}`),
      recallGlobalScene: (fi) => scenes.push(`recall ${fi}`),
    },
    ...extra,
  });
  const inst = new ClusterInstance(1, server.cluster, 100);
  const read = (id: number, access = allow): TlvNode => {
    const out = readAttribute(inst, id, { session, now: 0 }, { fabricFiltered: true }, access);
    assert.ok(out.kind === "data", `attribute ${id}`);
    return out.value;
  };
  const invoke = (id: number, access = allow, fields?: TlvNode, now = 0) =>
    invokeCommand(inst, id, fields, { session, timed: false, now }, access);
  const timedOff = (onOffControl: number, onTime: number, offWaitTime: number, now = 0) =>
    invoke(
      OnOffCluster.commands.OnWithTimedOff,
      allow,
      OnWithTimedOffRequest.encodeNode({ onOffControl, onTime, offWaitTime }, ANONYMOUS),
      now,
    );
  const offWithEffect = (effectIdentifier: number, effectVariant: number) =>
    invoke(
      OnOffCluster.commands.OffWithEffect,
      allow,
      OffWithEffectRequest.encodeNode({ effectIdentifier, effectVariant }, ANONYMOUS),
    );
  const write = async (id: number, value: TlvNode, access = allow) =>
    (await writeAttribute(inst, id, value, { session, timed: false, now: 0 }, access)).status;
  /** [OnOff, OnTime, OffWaitTime] */
  const state = () =>
    [server.onOff, attributeValue(server.cluster, "OnTime"), attributeValue(server.cluster, "OffWaitTime")] as const;
  return { server, inst, read, invoke, timedOff, offWithEffect, write, state, seen, timers, scenes, effects, startUps };
}
const statusOf = (out: InvokeOutcome) => (out.kind === "status" ? out.status : "response");
const OK = ImStatus.SUCCESS;

test("globals: revision 6, Lighting feature, six commands accepted, nothing generated, the LT attributes listed", () => {
  const { read } = setup();
  const u32s = (n: TlvNode) => tlvArray(tlvUInt32).decodeNode(n, "l");
  assert.equal((read(0xfffd) as { value: bigint }).value, 6n);
  assert.equal((read(0xfffc) as { value: bigint }).value, 1n);
  assert.deepEqual(u32s(read(0xfff9)), [0, 1, 2, 0x40, 0x41, 0x42]);
  assert.deepEqual(u32s(read(0xfff8)), []);
  assert.deepEqual(u32s(read(0xfffb)), [0, 0x4000, 0x4001, 0x4002, 0x4003, 0xfff8, 0xfff9, 0xfffb, 0xfffc, 0xfffd]);
});

test("LT attributes start at their defaults: GlobalSceneControl TRUE, OnTime 0, OffWaitTime 0, StartUpOnOff as persisted", () => {
  const { read } = setup();
  assert.equal(tlvBool.decodeNode(read(OnOffCluster.attributes.GlobalSceneControl), "g"), true);
  assert.equal(tlvUInt16.decodeNode(read(OnOffCluster.attributes.OnTime), "t"), 0);
  assert.equal(tlvUInt16.decodeNode(read(OnOffCluster.attributes.OffWaitTime), "w"), 0);
  assert.equal(tlvNullable(tlvUInt8).decodeNode(read(OnOffCluster.attributes.StartUpOnOff), "s"), null);
  const persisted = setup(false, { startUpOnOff: StartUpOnOff.Toggle });
  assert.equal(tlvNullable(tlvUInt8).decodeNode(persisted.read(OnOffCluster.attributes.StartUpOnOff), "s"), 2);
});

test("OnOff starts false (or the persisted value) and follows On, Off and Toggle", async () => {
  const { read, invoke, server, seen } = setup();
  const value = () => (read(OnOffCluster.attributes.OnOff) as { value: boolean }).value;
  assert.equal(value(), false);
  assert.deepEqual(await invoke(OnOffCluster.commands.On), { kind: "status", status: OK, afterResponse: [] });
  assert.equal(value(), true);
  await invoke(OnOffCluster.commands.Toggle);
  assert.equal(value(), false);
  await invoke(OnOffCluster.commands.Toggle);
  assert.equal(server.onOff, true);
  await invoke(OnOffCluster.commands.Off);
  assert.equal(value(), false);
  assert.deepEqual(seen, [true, false, true, false]);
  assert.equal(setup(true).server.onOff, true);
});

test("a change bumps the data version once; a command that changes nothing does not", async () => {
  const { inst, invoke, server } = setup();
  const changes: number[] = [];
  inst.onAttributeChange((c) => changes.push(c.dataVersion));
  await invoke(OnOffCluster.commands.Off);
  assert.equal(inst.dataVersion, 100);
  await invoke(OnOffCluster.commands.On);
  await invoke(OnOffCluster.commands.On);
  assert.equal(inst.dataVersion, 101);
  server.setOnOff(false);
  assert.deepEqual(changes, [101, 102]);
});

test("commands need Operate: a View-only subject gets UNSUPPORTED_ACCESS and nothing changes", async () => {
  const { invoke, server, read } = setup();
  for (const id of Object.values(OnOffCluster.commands)) {
    assert.equal(statusOf(await invoke(id, upTo(Privilege.View))), ImStatus.UNSUPPORTED_ACCESS);
  }
  assert.equal(server.onOff, false);
  assert.equal(statusOf(await invoke(OnOffCluster.commands.On, upTo(Privilege.Operate))), OK);
  assert.equal(server.onOff, true);
  // Reads need only View.
  assert.equal((read(OnOffCluster.attributes.OnOff, upTo(Privilege.View)) as { value: boolean }).value, true);
});

test("writes: OnTime/OffWaitTime need Operate, StartUpOnOff Manage and a StartUpOnOffEnum value or null; GlobalSceneControl is read-only", async () => {
  const { write, server, startUps, read } = setup();
  const u16 = (v: number) => tlvUInt16.encodeNode(v, ANONYMOUS);
  const su = (v: number | null) => tlvNullable(tlvUInt8).encodeNode(v, ANONYMOUS);
  assert.equal(await write(OnOffCluster.attributes.OnTime, u16(50), upTo(Privilege.View)), ImStatus.UNSUPPORTED_ACCESS);
  assert.equal(await write(OnOffCluster.attributes.OnTime, u16(50), upTo(Privilege.Operate)), OK);
  assert.equal(await write(OnOffCluster.attributes.OffWaitTime, u16(70), upTo(Privilege.Operate)), OK);
  assert.deepEqual([attributeValue(server.cluster, "OnTime"), attributeValue(server.cluster, "OffWaitTime")], [50, 70]);
  assert.equal(
    await write(OnOffCluster.attributes.StartUpOnOff, su(1), upTo(Privilege.Operate)),
    ImStatus.UNSUPPORTED_ACCESS,
  );
  assert.equal(await write(OnOffCluster.attributes.StartUpOnOff, su(1), upTo(Privilege.Manage)), OK);
  assert.equal(await write(OnOffCluster.attributes.StartUpOnOff, su(3)), ImStatus.CONSTRAINT_ERROR);
  assert.equal(await write(OnOffCluster.attributes.StartUpOnOff, su(0xff)), ImStatus.CONSTRAINT_ERROR);
  assert.equal(attributeValue(server.cluster, "StartUpOnOff"), StartUpOnOff.On);
  assert.equal(await write(OnOffCluster.attributes.StartUpOnOff, su(null)), OK);
  assert.equal(await write(OnOffCluster.attributes.StartUpOnOff, su(null)), OK);
  assert.deepEqual(startUps, [1, null], "persisted once per change");
  assert.equal(tlvNullable(tlvUInt8).decodeNode(read(OnOffCluster.attributes.StartUpOnOff), "s"), null);
  assert.equal(
    await write(OnOffCluster.attributes.GlobalSceneControl, tlvBool.encodeNode(false, ANONYMOUS)),
    ImStatus.UNSUPPORTED_WRITE,
  );
});

test("StartUpOnOff at power-up: Off, On, Toggle the previous value, null keeps it", () => {
  for (const previous of [false, true]) {
    assert.equal(startUpOnOffValue(StartUpOnOff.Off, previous), false);
    assert.equal(startUpOnOffValue(StartUpOnOff.On, previous), true);
    assert.equal(startUpOnOffValue(StartUpOnOff.Toggle, previous), !previous);
    assert.equal(startUpOnOffValue(null, previous), previous);
  }
});

test("Off sets OnTime to 0; On with OnTime 0 sets OffWaitTime to 0 (1.5.7.1, 1.5.7.2)", async () => {
  const { invoke, write, state } = setup(true);
  const u16 = (v: number) => tlvUInt16.encodeNode(v, ANONYMOUS);
  await write(OnOffCluster.attributes.OnTime, u16(40));
  await write(OnOffCluster.attributes.OffWaitTime, u16(30));
  await invoke(OnOffCluster.commands.Off);
  assert.deepEqual(state(), [false, 0, 30]);
  await invoke(OnOffCluster.commands.On);
  assert.deepEqual(state(), [true, 0, 0]);
  // With OnTime non-zero, On leaves OffWaitTime alone.
  await write(OnOffCluster.attributes.OnTime, u16(40));
  await write(OnOffCluster.attributes.OffWaitTime, u16(30));
  await invoke(OnOffCluster.commands.On);
  assert.deepEqual(state(), [true, 40, 30]);
});

test("OffWithEffect: stores the global scene while GlobalSceneControl is TRUE, clears it, renders the effect only when on, turns off", async () => {
  const { offWithEffect, read, server, scenes, effects, invoke } = setup(true);
  const gsc = () => tlvBool.decodeNode(read(OnOffCluster.attributes.GlobalSceneControl), "g");
  assert.equal(statusOf(await offWithEffect(EffectIdentifier.DelayedAllOff, 2)), OK);
  assert.equal(server.onOff, false);
  assert.equal(gsc(), false);
  assert.deepEqual(scenes, ["store 1"]);
  assert.deepEqual(effects, [[0, 2]]);
  // A second OffWithEffect must not overwrite the global scene with the all-off state, nor render an effect.
  assert.equal(statusOf(await offWithEffect(EffectIdentifier.DyingLight, 0)), OK);
  assert.deepEqual(scenes, ["store 1"]);
  assert.equal(effects.length, 1);
  // An unsupported variant becomes the default one (0).
  await invoke(OnOffCluster.commands.On);
  assert.equal(gsc(), true, "an On command sets GlobalSceneControl again");
  await offWithEffect(EffectIdentifier.DyingLight, 7);
  await invoke(OnOffCluster.commands.On);
  await offWithEffect(EffectIdentifier.DelayedAllOff, 3);
  assert.deepEqual(effects.slice(1), [
    [1, 0],
    [0, 0],
  ]);
});

test("OffWithEffect with an unknown EffectIdentifier is CONSTRAINT_ERROR and changes nothing", async () => {
  const { offWithEffect, server, scenes } = setup(true);
  for (const e of [2, 0x7f, 0xff]) assert.equal(statusOf(await offWithEffect(e, 0)), ImStatus.CONSTRAINT_ERROR);
  assert.equal(server.onOff, true);
  assert.equal(attributeValue(server.cluster, "GlobalSceneControl"), true);
  assert.deepEqual(scenes, []);
});

test("OnWithRecallGlobalScene: discarded while GlobalSceneControl is TRUE; otherwise recalls, sets it TRUE and turns on", async () => {
  const { invoke, offWithEffect, server, scenes } = setup(false);
  assert.equal(statusOf(await invoke(OnOffCluster.commands.OnWithRecallGlobalScene)), OK);
  assert.equal(server.onOff, false, "discarded: GlobalSceneControl was TRUE");
  assert.deepEqual(scenes, []);
  await offWithEffect(EffectIdentifier.DelayedAllOff, 0);
  assert.equal(attributeValue(server.cluster, "GlobalSceneControl"), false);
  assert.equal(statusOf(await invoke(OnOffCluster.commands.OnWithRecallGlobalScene)), OK);
  assert.deepEqual(scenes, ["store 1", "recall 1"]);
  assert.equal(server.onOff, true);
  assert.equal(attributeValue(server.cluster, "GlobalSceneControl"), true);
});

test("without a Scenes Management hook the LT commands behave as the SDK without scenes", async () => {
  const server = createOnOff({ onOff: true });
  const inst = new ClusterInstance(1, server.cluster, 0);
  const invoke = (id: number, fields?: TlvNode) =>
    invokeCommand(inst, id, fields, { session, timed: false, now: 0 }, allow);
  const fx = OffWithEffectRequest.encodeNode({ effectIdentifier: 0, effectVariant: 0 }, ANONYMOUS);
  assert.equal(statusOf(await invoke(OnOffCluster.commands.OffWithEffect, fx)), OK);
  assert.deepEqual([server.onOff, attributeValue(server.cluster, "GlobalSceneControl")], [false, false]);
  assert.equal(statusOf(await invoke(OnOffCluster.commands.OnWithRecallGlobalScene)), OK);
  assert.deepEqual([server.onOff, attributeValue(server.cluster, "GlobalSceneControl")], [true, true]);
});

test("OnWithTimedOff: timed on counts OnTime down every 1/10 s, then turns off with OffWaitTime 0 and stops the tick", async () => {
  const { timedOff, server, timers, state, seen } = setup(false);
  assert.equal(statusOf(await timedOff(0, 20, 30, 1000)), OK);
  assert.deepEqual(state(), [true, 20, 30]);
  assert.equal(attributeValue(server.cluster, "GlobalSceneControl"), true);
  assert.deepEqual(timers, [1100]);
  for (let t = 1100; t < 2900; t += 100) server.timerFired(t);
  assert.deepEqual(state(), [true, 2, 30]);
  assert.equal(server.nextTimerAt, 2900);
  server.timerFired(2900);
  server.timerFired(3000);
  assert.deepEqual(state(), [false, 0, 0], "spec: OnTime reaching 0 sets OffWaitTime 0 and OnOff FALSE");
  assert.equal(server.nextTimerAt, null);
  assert.deepEqual(seen, [true, false]);
  assert.equal(timers.at(-1), 3000, "the tick at 3000 turned the light off and did not re-arm");
});

test("OnWithTimedOff then Off: delayed off guards against OnWithTimedOff with AcceptOnlyWhenOn, lowers OffWaitTime otherwise", async () => {
  const { timedOff, invoke, server, state } = setup(false);
  await timedOff(0, 100, 30, 0);
  server.timerFired(100);
  await invoke(OnOffCluster.commands.Off, allow, undefined, 150);
  assert.deepEqual(state(), [false, 0, 30], "Off sets OnTime 0: delayed off");
  server.timerFired(200);
  assert.deepEqual(state(), [false, 0, 29]);
  // AcceptOnlyWhenOn while off: discarded.
  assert.equal(statusOf(await timedOff(1, 50, 5, 250)), OK);
  assert.deepEqual(state(), [false, 0, 29]);
  // Without it, during the delayed off: OffWaitTime = min(OffWaitTime, field), still off; the tick restarts from now.
  assert.equal(statusOf(await timedOff(0, 50, 5, 260)), OK);
  assert.deepEqual(state(), [false, 0, 5]);
  assert.equal(server.nextTimerAt, 360);
  for (let t = 360; t <= 760; t += 100) server.timerFired(t);
  assert.deepEqual(state(), [false, 0, 0]);
  assert.equal(server.nextTimerAt, null, "the update terminates when OffWaitTime reaches 0");
  // The guard is over: OnWithTimedOff turns the light on again.
  await timedOff(0, 50, 5, 800);
  assert.deepEqual(state(), [true, 50, 5]);
});

test("OnWithTimedOff while on extends OnTime to the larger value; AcceptOnlyWhenOn is honoured while on", async () => {
  const { timedOff, state } = setup(true);
  await timedOff(1, 40, 10);
  assert.deepEqual(state(), [true, 40, 10]);
  await timedOff(1, 20, 15);
  assert.deepEqual(state(), [true, 40, 15]);
  await timedOff(0, 60, 0);
  assert.deepEqual(state(), [true, 60, 0]);
});

test("an On command during the delayed off ends it: OffWaitTime 0, the tick is cancelled", async () => {
  const { timedOff, invoke, server, timers, state } = setup(false);
  await timedOff(0, 10, 50, 0);
  await invoke(OnOffCluster.commands.Off, allow, undefined, 50);
  assert.deepEqual(state(), [false, 0, 50]);
  await invoke(OnOffCluster.commands.On, allow, undefined, 60);
  assert.deepEqual(state(), [true, 0, 0]);
  assert.equal(server.nextTimerAt, null);
  assert.equal(timers.at(-1), null);
  // A stale timer firing later changes nothing.
  server.timerFired(100);
  assert.deepEqual(state(), [true, 0, 0]);
});

test("a late timer runs every tick that fell due; an early one re-arms for the same time", async () => {
  const { timedOff, server, state, timers } = setup(false);
  await timedOff(0, 30, 0, 0);
  server.timerFired(50);
  assert.deepEqual(state(), [true, 30, 0]);
  assert.equal(server.nextTimerAt, 100);
  assert.equal(timers.at(-1), 100);
  server.timerFired(1050);
  assert.deepEqual(state(), [true, 20, 0]);
  assert.equal(server.nextTimerAt, 1100);
});

test("OnWithTimedOff with OnTime 0 turns on until the next tick; OnTime/OffWaitTime 0xFFFF fields are CONSTRAINT_ERROR", async () => {
  const { timedOff, server, state } = setup(false);
  assert.equal(statusOf(await timedOff(0, 0xffff, 0)), ImStatus.CONSTRAINT_ERROR);
  assert.equal(statusOf(await timedOff(0, 0, 0xffff)), ImStatus.CONSTRAINT_ERROR);
  assert.deepEqual(state(), [false, 0, 0]);
  await timedOff(0, 0, 20, 0);
  assert.deepEqual(state(), [true, 0, 20]);
  server.timerFired(100);
  assert.deepEqual(state(), [false, 0, 0]);
  assert.equal(server.nextTimerAt, null);
});

test("an OnTime attribute written to 0xFFFF keeps OnWithTimedOff from starting the tick (on until turned off)", async () => {
  const { timedOff, write, server, state } = setup(false);
  await write(OnOffCluster.attributes.OnTime, tlvUInt16.encodeNode(0xffff, ANONYMOUS));
  await timedOff(0, 10, 10, 0);
  assert.deepEqual(state(), [true, 0xffff, 10]);
  assert.equal(server.nextTimerAt, null);
});

test("setOnOff (local control) has the side effects of On and Off", () => {
  const { server, state } = setup(true);
  server.setOnOff(false);
  assert.deepEqual(state(), [false, 0, 0]);
  server.setOnOff(true);
  assert.equal(server.onOff, true);
  assert.equal(attributeValue(server.cluster, "GlobalSceneControl"), true);
});

test("robustness: random CommandFields for the LT commands answer with a status, never an unexpected error", async () => {
  const { invoke } = setup(false);
  const base = encodeTlv(
    OnWithTimedOffRequest.encodeNode({ onOffControl: 1, onTime: 300, offWaitTime: 20 }, ANONYMOUS),
  );
  await fc.assert(
    fc.asyncProperty(
      randomOrMutated(base, 32),
      fc.constantFrom(0, 1, 2, 0x40, 0x41, 0x42),
      async (bytes, commandId) => {
        const fields = decodeFieldsOrMalformed(bytes);
        if (fields === undefined) return;
        const out = await invoke(commandId, allow, fields);
        assert.equal(out.kind, "status");
        if (out.kind === "status") assert.equal(out.error, undefined, `unexpected error: ${String(out.error)}`);
      },
    ),
    { numRuns: 400 },
  );
});

test("an OnTime write takes effect only in the Timed On state: it resets the running countdown, starts nothing when idle (1.5.6.3)", async () => {
  const { timedOff, write, server, state } = setup(true);
  const u16 = (v: number) => tlvUInt16.encodeNode(v, ANONYMOUS);
  assert.equal(await write(OnOffCluster.attributes.OnTime, u16(5)), OK);
  assert.equal(server.nextTimerAt, null, "idle: the write starts no tick");
  server.timerFired(100);
  assert.deepEqual(state(), [true, 5, 0]);
  await timedOff(0, 30, 0, 0);
  server.timerFired(100);
  assert.deepEqual(state(), [true, 29, 0]);
  assert.equal(await write(OnOffCluster.attributes.OnTime, u16(2)), OK);
  server.timerFired(200);
  server.timerFired(300);
  assert.deepEqual(state(), [false, 0, 0], "the written OnTime ran out");
  assert.equal(server.nextTimerAt, null);
});
