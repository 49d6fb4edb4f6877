import assert from "node:assert/strict";
import { test } from "node:test";
import { InternalError } from "../../src/bytes/errors.ts";
import { Privilege } from "../../src/fabric/access-control.ts";
import { ImStatus } from "../../src/fabric/status-codes.ts";
import {
  AttributeChangeEmitter,
  ClusterInstance,
  clusterSpec,
  EventPriority,
  MAX_DATA_VERSION,
} from "../../src/im/data-model.ts";
import { tlvUInt8 } from "../../src/tlv/tlv-schema.ts";
import { session, toyCluster } from "./fixtures.ts";

test("data version: starts at the given value, bumps on each change and wraps at 2^32", () => {
  const { cluster, changes } = toyCluster();
  const inst = new ClusterInstance(0, cluster, MAX_DATA_VERSION - 1);
  const seen: number[] = [];
  inst.onAttributeChange((c) => seen.push(c.dataVersion));
  changes.emit(0);
  changes.emit(1);
  changes.emit(2);
  assert.deepEqual(seen, [MAX_DATA_VERSION, 0, 1]);
  assert.equal(inst.dataVersion, 1);
});

test("data version: listeners get endpoint, cluster, attribute and the changes-omitted quality; unsubscribe works", () => {
  const { cluster, changes } = toyCluster();
  const inst = new ClusterInstance(5, cluster, 1);
  const seen: unknown[] = [];
  const off = inst.onAttributeChange((c) => seen.push(c));
  changes.emit(2);
  off();
  changes.emit(0);
  assert.deepEqual(seen, [{ endpoint: 5, cluster: cluster.id, attribute: 2, dataVersion: 2, changesOmitted: true }]);
  assert.equal(inst.dataVersion, 3);
});

test("data version: two instances of one definition version independently", () => {
  const a = toyCluster();
  const ia = new ClusterInstance(0, a.cluster, 10);
  const ib = new ClusterInstance(1, toyCluster().cluster, 10);
  a.changes.emit(0);
  assert.equal(ia.dataVersion, 11);
  assert.equal(ib.dataVersion, 10);
});

test("cluster instance: rejects bad endpoints, data versions and duplicate or global attribute ids", () => {
  const { cluster } = toyCluster();
  assert.throws(() => new ClusterInstance(-1, cluster, 0), RangeError);
  assert.throws(() => new ClusterInstance(0, cluster, 2 ** 32), RangeError);
  const dup = { ...cluster, attributes: [...cluster.attributes, cluster.attributes[0]!] };
  assert.throws(() => new ClusterInstance(0, dup, 0), InternalError);
  const glob = { ...cluster, attributes: [{ ...cluster.attributes[0]!, id: 0xfffd }] };
  assert.throws(() => new ClusterInstance(0, glob, 0), InternalError);
});

test("change emitter: every subscriber is called; unsubscribe stops delivery", () => {
  const e = new AttributeChangeEmitter();
  const got: number[] = [];
  const off = e.subscribe((id) => got.push(id));
  e.subscribe((id) => got.push(id * 10));
  e.emit(1);
  off();
  e.emit(2);
  assert.deepEqual(got, [1, 10, 20]);
});

test("cluster spec: a definition takes its id and name from the table row and its access from the Access column", async () => {
  const Spec = clusterSpec({
    id: 0x1234,
    name: "Toy",
    revision: 1,
    attributes: { Level: 0x0002 },
    commands: { Set: 0x00, Get: 0x01, GetResponse: 0x02 },
    events: { Changed: 0x05 },
  });
  const level = Spec.attribute("Level", { schema: tlvUInt8, readPrivilege: Privilege.View, read: () => 7 });
  assert.deepEqual([level.id, level.name, level.read({ session: session(), now: 0 })], [0x0002, "Level", 7]);
  const set = Spec.command("Set", "F A T", { handler: async () => ({ status: ImStatus.SUCCESS }) });
  assert.deepEqual(
    [set.id, set.name, set.invokePrivilege, set.fabricScoped, set.timed],
    [0x00, "Set", Privilege.Administer, true, true],
  );
  const get = Spec.command("Get", "O", {
    response: Spec.response("GetResponse", tlvUInt8),
    handler: async () => ({ response: 7 }),
  });
  assert.deepEqual(
    [get.invokePrivilege, get.fabricScoped, get.timed, get.response?.id, get.response?.name],
    [Privilege.Operate, false, false, 0x02, "GetResponse"],
  );
  const changed = Spec.event("Changed", {
    priority: EventPriority.Info,
    readPrivilege: Privilege.View,
    fabricSensitive: false,
    schema: tlvUInt8,
  });
  assert.deepEqual([changed.id, changed.name], [0x05, "Changed"]);
});
