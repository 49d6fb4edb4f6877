import assert from "node:assert/strict";
import { test } from "node:test";
import { EventLog, type EventTimestamp } from "../../src/im/events.ts";
import { Ping, toyCluster } from "./fixtures.ts";

const { cluster } = toyCluster();
const [happened, secret] = [cluster.events[0]!, cluster.events[1]!];
const ts: EventTimestamp = { kind: "system-ms", value: 1234n };

test("events: numbers increase from the persisted start; data, priority and timestamp are kept", () => {
  const log = new EventLog({ firstEventNumber: 5000n });
  const r1 = log.record({ endpoint: 0, cluster: cluster.id, event: happened, value: { n: 1 }, timestamp: ts });
  const r2 = log.record({ endpoint: 0, cluster: cluster.id, event: happened, value: { n: 2 }, timestamp: ts });
  assert.equal(r1.eventNumber, 5000n);
  assert.equal(r2.eventNumber, 5001n);
  assert.equal(log.nextEventNumber, 5002n);
  assert.equal(r1.priority, 1);
  assert.equal(r1.fabricIndex, undefined);
  assert.deepEqual(Ping.decodeNode(r2.data, "d"), { n: 2 });
  assert.deepEqual(r1.timestamp, ts);
});

test("events: a block of numbers is reserved (persisted) before it is used, so a restart never repeats numbers", () => {
  const reserved: bigint[] = [];
  const log = new EventLog({ reserveBlock: 3n, onReserve: (u) => reserved.push(u) });
  for (let i = 0; i < 7; i++)
    log.record({ endpoint: 0, cluster: cluster.id, event: happened, value: { n: i }, timestamp: ts });
  assert.deepEqual(reserved, [3n, 6n, 9n]);
  // "Crash" and restart at the last persisted value: new numbers are above every number handed out.
  const restarted = new EventLog({ firstEventNumber: reserved.at(-1)! });
  const r = restarted.record({ endpoint: 0, cluster: cluster.id, event: happened, value: { n: 0 }, timestamp: ts });
  assert.ok(r.eventNumber > 6n);
});

test("events: fabric-sensitive events need a fabric index and are purged per fabric", () => {
  const log = new EventLog();
  assert.throws(
    () => log.record({ endpoint: 0, cluster: cluster.id, event: secret, value: { n: 1 }, timestamp: ts }),
    RangeError,
  );
  log.record({ endpoint: 0, cluster: cluster.id, event: secret, value: { n: 1 }, timestamp: ts, fabricIndex: 1 });
  log.record({ endpoint: 0, cluster: cluster.id, event: secret, value: { n: 2 }, timestamp: ts, fabricIndex: 2 });
  log.record({ endpoint: 0, cluster: cluster.id, event: happened, value: { n: 3 }, timestamp: ts, fabricIndex: 1 });
  assert.equal(log.purgeFabric(1), 1);
  assert.deepEqual(
    log.events().map((r) => [r.event, r.fabricIndex]),
    [
      [1, 2],
      [0, undefined],
    ],
  );
});

test("events: listeners and filters (cluster, event, min event number)", () => {
  const log = new EventLog();
  const heard: bigint[] = [];
  const off = log.onEvent((r) => heard.push(r.eventNumber));
  log.record({ endpoint: 0, cluster: cluster.id, event: happened, value: { n: 1 }, timestamp: ts });
  log.record({ endpoint: 1, cluster: cluster.id, event: secret, value: { n: 1 }, timestamp: ts, fabricIndex: 3 });
  off();
  log.record({ endpoint: 0, cluster: 9, event: happened, value: { n: 1 }, timestamp: ts });
  assert.deepEqual(heard, [0n, 1n]);
  assert.deepEqual(
    log.events({ cluster: cluster.id }).map((r) => r.eventNumber),
    [0n, 1n],
  );
  assert.deepEqual(
    log.events({ event: 0 }).map((r) => r.eventNumber),
    [0n, 2n],
  );
  assert.deepEqual(
    log.events({ minEventNumber: 1n, endpoint: 0 }).map((r) => r.eventNumber),
    [2n],
  );
});

test("events: at capacity the oldest lowest-priority record is evicted first", () => {
  const log = new EventLog({ capacity: 2 });
  log.record({ endpoint: 0, cluster: cluster.id, event: secret, value: { n: 1 }, timestamp: ts, fabricIndex: 1 });
  log.record({ endpoint: 0, cluster: cluster.id, event: happened, value: { n: 2 }, timestamp: ts });
  log.record({ endpoint: 0, cluster: cluster.id, event: happened, value: { n: 3 }, timestamp: ts });
  assert.deepEqual(
    log.events().map((r) => r.eventNumber),
    [0n, 2n],
  );
});
