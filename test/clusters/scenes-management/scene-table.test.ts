import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { MalformedError } from "../../../src/bytes/errors.ts";
import { SceneTable, type SceneTableEntry } from "../../../src/clusters/scenes-management/scene-table.ts";
import { createScenesManagement } from "../../../src/clusters/scenes-management/scenes-management.ts";
import {
  SceneResponse,
  ScenesManagementCluster,
} from "../../../src/clusters/scenes-management/scenes-management-commands.ts";
import { ViewSceneResponse } from "../../../src/clusters/scenes-management/view-scene.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { MemoryStorage } from "../../../src/storage/memory-storage.ts";
import { enc, FakeStorage, onOffSet, responseOf, setup } from "./helpers.ts";

const Cmd = ScenesManagementCluster.commands;

const entry = (groupId: number, sceneId: number, over: Partial<SceneTableEntry> = {}): SceneTableEntry => ({
  groupId,
  sceneId,
  sceneName: "",
  transitionTimeMs: 0,
  extensionFieldSets: [],
  ...over,
});

test("persistence: scenes survive a restart; FabricSceneInfo's current scene does not (SDK: RAM only)", async () => {
  const storage = new FakeStorage();
  const f = await setup({ storage });
  const add = enc.add({ groupId: 1, sceneId: 4, sceneName: "Kept", transitionTime: 42 });
  assert.equal(responseOf(await f.invoke(Cmd.AddScene, add), Cmd.AddScene, SceneResponse).status, ImStatus.SUCCESS);
  f.light.onOff = true;
  assert.equal(await f.server.storeGlobalScene(2), ImStatus.SUCCESS);
  assert.equal(storage.writes, 2);

  const g = await setup({ storage });
  const v = responseOf(await g.invoke(Cmd.ViewScene, enc.scene(1, 4)), Cmd.ViewScene, ViewSceneResponse);
  assert.deepEqual(v, {
    status: ImStatus.SUCCESS,
    groupId: 1,
    sceneId: 4,
    transitionTime: 42,
    sceneName: "Kept",
    extensionFieldSetStructs: [onOffSet(1)],
  });
  assert.equal(await g.server.recallGlobalScene(2), ImStatus.SUCCESS);
  assert.equal(g.light.onOff, true);
  assert.equal(g.server.table.remainingCapacity(1), 6);
});

test("persistence through the node's MemoryStorage (a Storage is a ScenesStorage)", async () => {
  const storage = new MemoryStorage();
  const make = () =>
    createScenesManagement({
      endpoint: 1,
      storage,
      groupExists: () => false,
      fabricIndices: () => [1],
      sceneableClusters: [],
    });
  const a = await make();
  assert.equal(await a.storeGlobalScene(1), ImStatus.SUCCESS);
  assert.ok((await storage.get("scenes-management/1")) !== undefined);
  const b = await make();
  assert.deepEqual(b.table.sceneIds(1, 0), [0]);
  await storage.close();
});

test("a failed storage write leaves the table as it was and answers FAILURE", async () => {
  const storage = new FakeStorage();
  const f = await setup({ storage });
  await f.invoke(Cmd.AddScene, enc.add({ groupId: 0, sceneId: 1 }));
  storage.failWrites = true;
  const out = await f.invoke(Cmd.AddScene, enc.add({ groupId: 0, sceneId: 2 }));
  assert.ok(out.kind === "status" && out.status === ImStatus.FAILURE);
  assert.deepEqual(f.server.table.sceneIds(1, 0), [1]);
  const rm = await f.invoke(Cmd.RemoveScene, enc.scene(0, 1));
  assert.ok(rm.kind === "status" && rm.status === ImStatus.FAILURE);
  assert.deepEqual(f.server.table.sceneIds(1, 0), [1]);
  // The hook entry points never reject: the failure goes to onError and the table is restored.
  await f.server.removeFabric(1);
  assert.deepEqual(f.server.table.sceneIds(1, 0), [1]);
  assert.equal(await f.server.storeGlobalScene(1), ImStatus.FAILURE);
  assert.deepEqual(f.server.table.sceneIds(1, 0), [1]);
  await f.server.removeGroupScenes(1, 0);
  assert.deepEqual(f.server.table.sceneIds(1, 0), [1]);
  assert.equal(f.errors.length, 3);
  assert.ok(f.errors.every((e) => e instanceof TypeError));
});

test("SceneTable: (size - 1) / 2 per fabric, min(fabric share, table rest) remaining, sizes checked", () => {
  const t = new SceneTable(16);
  assert.equal(t.maxScenesPerFabric, 7);
  for (let s = 0; s < 7; s++) assert.ok(t.set(1, entry(0, s)));
  assert.equal(t.set(1, entry(0, 7)), false);
  assert.ok(t.set(1, entry(0, 6, { sceneName: "replaced" })));
  assert.equal(t.get(1, 0, 6)?.sceneName, "replaced");
  for (let s = 0; s < 7; s++) assert.ok(t.set(2, entry(0, s)));
  assert.equal(t.remainingCapacity(3), 2);
  assert.equal(t.removeGroup(1, 0), 7);
  assert.deepEqual(t.fabricIndices(), [2]);
  assert.equal(t.remove(2, 0, 9), false);
  assert.ok(t.removeFabric(2));
  assert.equal(t.remainingCapacity(1), 7);
  for (const bad of [15, 508, 16.5]) assert.throws(() => new SceneTable(bad), RangeError);
  assert.equal(new SceneTable(507).maxScenesPerFabric, 253);
});

const arbEntry = fc.record(
  {
    groupId: fc.integer({ min: 0, max: 0xffff }),
    sceneId: fc.integer({ min: 0, max: 254 }),
    sceneName: fc.string({ maxLength: 16 }).filter((s) => new TextEncoder().encode(s).length <= 16),
    transitionTimeMs: fc.integer({ min: 0, max: 60_000_000 }),
    extensionFieldSets: fc.array(
      fc.record(
        {
          clusterId: fc.integer({ min: 0, max: 0xffffffff }),
          values: fc.array(
            fc.record(
              {
                attributeId: fc.integer({ min: 0, max: 0xffffffff }),
                value: fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }),
              },
              { noNullPrototype: true },
            ),
            { maxLength: 3 },
          ),
        },
        { noNullPrototype: true },
      ),
      { maxLength: 2 },
    ),
  },
  { noNullPrototype: true },
);

test("property: SceneTable.fromRecord(toRecord(t)) holds the same scenes, through JSON", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 254 }), arbEntry), { maxLength: 20 }), (rows) => {
      const t = new SceneTable(64);
      for (const [fi, e] of rows) t.set(fi, e);
      const back = SceneTable.fromRecord(JSON.parse(JSON.stringify(t.toRecord())), 64);
      assert.deepEqual(back.fabricIndices(), t.fabricIndices());
      for (const fi of t.fabricIndices()) assert.deepEqual(back.scenes(fi), t.scenes(fi));
    }),
  );
});

test("property: a damaged record is rejected with MalformedError scenes.record, never anything else", () => {
  const t = new SceneTable();
  t.set(
    1,
    entry(1, 2, { sceneName: "a", extensionFieldSets: [{ clusterId: 6, values: [{ attributeId: 0, value: 1n }] }] }),
  );
  const good = JSON.stringify(t.toRecord());
  const junk = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.string(),
    fc.constant([]),
    fc.constant({}),
  );
  fc.assert(
    fc.property(fc.nat(good.length - 1), junk, (at, value) => {
      // Replace the JSON value that starts at or after `at` (a number, string, bool, object or array) with junk.
      const record = JSON.parse(good);
      const paths: (string | number)[][] = [];
      const walk = (v: unknown, p: (string | number)[]) => {
        paths.push(p);
        if (v !== null && typeof v === "object")
          for (const [k, x] of Object.entries(v)) walk(x, [...p, Array.isArray(v) ? Number(k) : k]);
      };
      walk(record, []);
      const path = paths[at % paths.length]!;
      let damaged: unknown = record;
      if (path.length === 0) damaged = value;
      else {
        let parent = record;
        for (const k of path.slice(0, -1)) parent = parent[k];
        parent[path[path.length - 1]!] = value;
      }
      try {
        SceneTable.fromRecord(damaged);
      } catch (e) {
        assert.ok(e instanceof MalformedError, String(e));
        assert.equal(e.code, "scenes.record");
      }
    }),
  );
});

test("fromRecord refusals: version, duplicate fabric, duplicate scene, long name, bad value", () => {
  const rec = (fabrics: unknown) => ({ version: 1, fabrics });
  const scene = (over: object = {}) => ({
    groupId: 0,
    sceneId: 1,
    sceneName: "",
    transitionTimeMs: 0,
    extensionFieldSets: [],
    ...over,
  });
  const cases: unknown[] = [
    { version: 2, fabrics: [] },
    rec([
      { fabricIndex: 1, scenes: [] },
      { fabricIndex: 1, scenes: [] },
    ]),
    rec([{ fabricIndex: 1, scenes: [scene(), scene()] }]),
    rec([{ fabricIndex: 0, scenes: [] }]),
    rec([{ fabricIndex: 1, scenes: [scene({ sceneName: "x".repeat(17) })] }]),
    rec([{ fabricIndex: 1, scenes: [scene({ sceneId: 255 })] }]),
    rec([{ fabricIndex: 1, scenes: [scene({ transitionTimeMs: 60_000_001 })] }]),
    rec([
      {
        fabricIndex: 1,
        scenes: [scene({ extensionFieldSets: [{ clusterId: 6, values: [{ attributeId: 0, value: "01" }] }] })],
      },
    ]),
    rec([
      {
        fabricIndex: 1,
        scenes: [
          scene({
            extensionFieldSets: [{ clusterId: 6, values: [{ attributeId: 0, value: "18446744073709551616" }] }],
          }),
        ],
      },
    ]),
  ];
  for (const c of cases)
    assert.throws(
      () => SceneTable.fromRecord(c),
      (e: unknown) => e instanceof MalformedError && e.code === "scenes.record",
      JSON.stringify(c),
    );
});

test("a corrupt stored record makes createScenesManagement reject with MalformedError", async () => {
  const storage = new FakeStorage();
  await storage.set("scenes-management/1", { version: 1, fabrics: "nope" });
  await assert.rejects(setup({ storage }), MalformedError);
});
