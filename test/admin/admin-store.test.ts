// AdminStore: the administrator's data directory. Create/open round trip, init on an existing fabric, file modes
// 0700/0600, the directory lock (same process and another process), allocateNodeId rules, the node registry (CRUD,
// reload, validation, damaged records) and CASE resumption records surviving a reopen.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { ADMIN_FABRIC_INDEX, DEFAULT_ADMIN_NODE_ID } from "../../src/admin/admin-fabric.ts";
import {
  ADMIN_DATABASE_FILE,
  ADMIN_NODE_RECORD_PREFIX,
  AdminFabricExistsError,
  AdminNodeExistsError,
  AdminStore,
  type NodeRecord,
} from "../../src/admin/admin-store.ts";
import { bytesEqual } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import { buildCsr } from "../../src/cert/csr.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { DataDirLockedError, LOCK_FILE } from "../../src/node/data-dir-lock.ts";
import { SqliteStorage } from "../../src/storage/sqlite-storage.ts";
import type { JsonValue } from "../../src/storage/storage.ts";

const NOW = new Date("2024-06-01T12:00:00Z");
const clock = () => NOW;

function freshDir(): string {
  return join(mkdtempSync(join(tmpdir(), "opcreds-admin-")), "data");
}

function mode(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

/** Runs `fn` with the process umask set to `mask`, restoring it afterwards. */
async function withUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(previous);
  }
}

/** A record for `nodeId` with a NOC freshly issued by `store`'s fabric. */
async function record(store: AdminStore, nodeId: bigint, extra: Partial<NodeRecord> = {}): Promise<NodeRecord> {
  const issued = await store.fabric.issueNoc(buildCsr(nodeCrypto, nodeCrypto.generateKeyPair()), nodeId);
  return {
    nodeId,
    fabricIndex: 3,
    vendorId: 0xfff1,
    productId: 0x8001,
    label: "kitchen",
    address: { ip: "fe80::1%lo", port: 5540 },
    noc: issued.noc,
    icac: issued.icac,
    nocNotAfter: issued.nocNotAfter,
    commissionedAt: NOW,
    ...extra,
  };
}

test("open creates the directory 0700 and admin.sqlite 0600 whatever the umask; reopen gives the same fabric", async () => {
  const dir = freshDir();
  const first = await withUmask(0o000, () => AdminStore.open(dir, nodeCrypto, { clock, create: { icac: true } }));
  assert.equal(first.dir, dir);
  assert.equal(mode(dir), "700");
  for (const f of readdirSync(dir).filter((f) => f.startsWith(ADMIN_DATABASE_FILE))) {
    assert.equal(mode(join(dir, f)), "600", f);
  }
  assert.ok(readdirSync(dir).includes(ADMIN_DATABASE_FILE));
  const issued = await first.fabric.issueNoc(buildCsr(nodeCrypto, nodeCrypto.generateKeyPair()), 7n);
  const snapshot = {
    fabricId: first.fabric.fabricId,
    rcac: first.fabric.rcac.raw,
    icac: first.fabric.icac?.raw,
    ipk: first.fabric.ipkEpochKey,
    noc: first.fabric.caseFabric.noc,
    nextSerial: first.fabric.nextSerial,
  };
  await first.close();
  for (const f of readdirSync(dir)) assert.equal(mode(join(dir, f)), "600", `${f} after close`);
  assert.ok(!readdirSync(dir).includes(LOCK_FILE), "the lock is released on close");

  const second = await AdminStore.open(dir, nodeCrypto, { clock, create: { fabricId: 1n } });
  assert.equal(second.fabric.fabricId, snapshot.fabricId, "create options are ignored when a fabric exists");
  assert.ok(bytesEqual(second.fabric.rcac.raw, snapshot.rcac));
  assert.ok(bytesEqual(second.fabric.icac!.raw, snapshot.icac!));
  assert.ok(bytesEqual(second.fabric.ipkEpochKey, snapshot.ipk));
  assert.ok(bytesEqual(second.fabric.caseFabric.noc, snapshot.noc));
  assert.equal(second.fabric.nextSerial, snapshot.nextSerial);
  const again = await second.fabric.issueNoc(buildCsr(nodeCrypto, nodeCrypto.generateKeyPair()), 8n);
  assert.notDeepEqual(again.noc, issued.noc);
  assert.ok(second.fabric.nextSerial > snapshot.nextSerial);
  await second.close();
});

test("open with create options makes the fabric with them; without an ICAC the chain is RCAC -> NOC", async () => {
  const dir = freshDir();
  const store = await AdminStore.open(dir, nodeCrypto, {
    clock,
    create: { fabricId: 0x1234n, vendorId: 0xfff2, label: "home", icac: false },
  });
  assert.equal(store.fabric.fabricId, 0x1234n);
  assert.equal(store.fabric.vendorId, 0xfff2);
  assert.equal(store.fabric.label, "home");
  assert.equal(store.fabric.icac, null);
  await store.close();
  const reopened = await AdminStore.open(dir, nodeCrypto);
  assert.equal(reopened.fabric.icac, null);
  assert.equal(reopened.fabric.fabricId, 0x1234n);
  await reopened.close();
});

test("init creates a fabric once; init on a directory that holds one is AdminFabricExistsError and leaves it usable", async () => {
  const dir = freshDir();
  const store = await AdminStore.init(dir, nodeCrypto, { fabricId: 0x77n, clock });
  const rcac = store.fabric.rcac.raw;
  await store.close();
  await assert.rejects(AdminStore.init(dir, nodeCrypto, { fabricId: 0x78n }), (e) => {
    assert.ok(e instanceof AdminFabricExistsError);
    assert.equal(e.code, "admin.fabric-exists");
    assert.ok(e.message.includes(dir), e.message);
    return true;
  });
  const reopened = await AdminStore.open(dir, nodeCrypto);
  assert.equal(reopened.fabric.fabricId, 0x77n);
  assert.ok(bytesEqual(reopened.fabric.rcac.raw, rcac));
  await reopened.close();
});

test("bad fabric options are RangeError before the directory is created", async () => {
  const dir = freshDir();
  await assert.rejects(AdminStore.init(dir, nodeCrypto, { fabricId: 0n }), RangeError);
  await assert.rejects(AdminStore.open(dir, nodeCrypto, { create: { vendorId: 0 } }), RangeError);
  assert.throws(() => statSync(dir), { code: "ENOENT" });
});

test("an existing directory open to others is narrowed to 0700 when it holds nothing else, refused otherwise", async () => {
  const empty = freshDir();
  mkdirSync(empty, { mode: 0o755 });
  chmodSync(empty, 0o755);
  const store = await AdminStore.open(empty, nodeCrypto);
  assert.equal(mode(empty), "700");
  await store.close();

  const shared = freshDir();
  mkdirSync(shared);
  chmodSync(shared, 0o755);
  writeFileSync(join(shared, "notes.txt"), "mine");
  await assert.rejects(
    AdminStore.open(shared, nodeCrypto),
    (e) => e instanceof RangeError && e.message.includes(shared),
  );
  assert.equal(mode(shared), "755", "a foreign directory is not chmod'ed");
  assert.deepEqual(readdirSync(shared), ["notes.txt"]);
});

test("a second open of a directory held in this process is DataDirLockedError naming it; close releases it", async () => {
  const dir = freshDir();
  const store = await AdminStore.open(dir, nodeCrypto);
  await assert.rejects(AdminStore.open(dir, nodeCrypto), (e) => {
    assert.ok(e instanceof DataDirLockedError);
    assert.ok(e.message.includes(dir), e.message);
    return true;
  });
  await assert.rejects(AdminStore.init(dir, nodeCrypto), DataDirLockedError);
  await store.close();
  await store.close();
  const again = await AdminStore.open(dir, nodeCrypto);
  await again.close();
});

test("a directory another live process holds is DataDirLockedError with that pid; free again once it exits", async () => {
  const dir = freshDir();
  const storeModule = resolve(import.meta.dirname, "../../src/admin/admin-store.ts");
  const cryptoModule = resolve(import.meta.dirname, "../../src/crypto/node-crypto.ts");
  const script = [
    `import { AdminStore } from ${JSON.stringify(storeModule)};`,
    `import { nodeCrypto } from ${JSON.stringify(cryptoModule)};`,
    `const store = await AdminStore.open(${JSON.stringify(dir)}, nodeCrypto);`,
    `process.stdout.write("ready\\n");`,
    `process.stdin.resume();`,
    `process.stdin.on("end", async () => { await store.close(); process.exit(0); });`,
  ].join("\n");
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  try {
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error("child did not open the store within 30 s")), 30_000);
      child.stdout.on("data", (d: Buffer) => {
        if (d.toString().includes("ready")) {
          clearTimeout(timer);
          ready();
        }
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        fail(new Error(`child exited early with ${code}`));
      });
    });
    await assert.rejects(AdminStore.open(dir, nodeCrypto), (e) => {
      assert.ok(e instanceof DataDirLockedError);
      assert.equal(e.pid, child.pid);
      assert.ok(e.message.includes(dir), e.message);
      return true;
    });
  } finally {
    child.stdin.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    assert.equal(await exited, 0);
    clearTimeout(timer);
  }
  const store = await AdminStore.open(dir, nodeCrypto);
  await store.close();
});

test("allocateNodeId: lowest free id from 1 skipping registered, handed-out and the admin's own; requested ids checked", async () => {
  const dir = freshDir();
  const store = await AdminStore.open(dir, nodeCrypto, { clock });
  assert.equal(await store.allocateNodeId(), 1n);
  // Handed out but not yet saved: the next call skips it.
  assert.equal(await store.allocateNodeId(), 2n);
  await store.saveNode(await record(store, 1n));
  await store.saveNode(await record(store, 3n));
  assert.equal(await store.allocateNodeId(), 4n);

  await assert.rejects(store.allocateNodeId(3n), (e) => e instanceof AdminNodeExistsError && e.nodeId === 3n);
  await assert.rejects(store.allocateNodeId(DEFAULT_ADMIN_NODE_ID), RangeError);
  await assert.rejects(store.allocateNodeId(0n), RangeError);
  await assert.rejects(store.allocateNodeId(0xffff_fff0_0000_0000n), RangeError);
  await assert.rejects(store.allocateNodeId(0xffff_fffd_0001_0001n), RangeError);
  assert.equal(await store.allocateNodeId(0x10n), 0x10n);
  await store.close();

  // After a reopen only registered ids count (1 and 3): the id handed out but never saved is free again.
  const reopened = await AdminStore.open(dir, nodeCrypto, { clock });
  assert.equal(await reopened.allocateNodeId(), 2n);
  await reopened.close();
});

test("allocateNodeId skips the administrator's node id when every id below it is registered", async () => {
  const dir = freshDir();
  await (await AdminStore.open(dir, nodeCrypto)).close();
  // Allocation reads only the registry's keys, so placeholder records for 1..112232 are enough.
  const raw = await SqliteStorage.open(join(dir, ADMIN_DATABASE_FILE));
  await raw.transaction(async (tx) => {
    for (let id = 1n; id < DEFAULT_ADMIN_NODE_ID; id++) {
      await tx.set(`${ADMIN_NODE_RECORD_PREFIX}${id.toString(16).padStart(16, "0")}`, 0);
    }
  });
  await raw.close();
  const store = await AdminStore.open(dir, nodeCrypto);
  assert.equal(await store.allocateNodeId(), DEFAULT_ADMIN_NODE_ID + 1n);
  await store.close();
});

test("the registry: save, read, replace, list in node id order, remove, and reload from disk", async () => {
  const dir = freshDir();
  const store = await AdminStore.open(dir, nodeCrypto, { clock });
  assert.deepEqual(await store.nodes(), []);
  const five = await record(store, 5n);
  const two = await record(store, 2n, { address: null, label: "" });
  await store.saveNode(five);
  await store.saveNode(two);
  assert.deepEqual(
    (await store.nodes()).map((n) => n.nodeId),
    [2n, 5n],
  );
  const got = await store.node(5n);
  assert.deepEqual(got, five);
  // Records are copies both ways: neither the saved object nor a returned one aliases the stored record.
  const stored = five.noc.slice();
  five.noc[0]! ^= 0xff;
  got!.noc[1]! ^= 0xff;
  assert.deepEqual((await store.node(5n))!.noc, stored);
  assert.equal(await store.node(6n), undefined);

  const moved = { ...(await store.node(5n))!, address: { ip: "192.168.1.20", port: 5541 }, label: "hall" };
  await store.saveNode(moved);
  assert.deepEqual((await store.node(5n))!.address, { ip: "192.168.1.20", port: 5541 });
  await store.close();

  const reopened = await AdminStore.open(dir, nodeCrypto);
  const nodes = await reopened.nodes();
  assert.deepEqual(
    nodes.map((n) => [n.nodeId, n.label, n.address]),
    [
      [2n, "", null],
      [5n, "hall", { ip: "192.168.1.20", port: 5541 }],
    ],
  );
  assert.deepEqual(nodes[1]!.commissionedAt, NOW);
  await reopened.removeNode(2n);
  await reopened.removeNode(99n);
  assert.deepEqual(
    (await reopened.nodes()).map((n) => n.nodeId),
    [5n],
  );
  await reopened.close();
  await assert.rejects(reopened.nodes(), TypeError);
});

test("saveNode refuses records that are out of range or whose NOC does not belong to this fabric and node", async () => {
  const store = await AdminStore.open(freshDir(), nodeCrypto, { clock, create: { icac: true } });
  const other = await AdminStore.open(freshDir(), nodeCrypto, { clock, create: { icac: true } });
  const good = await record(store, 4n);
  const foreign = await record(other, 4n);
  const bad: Partial<NodeRecord>[] = [
    { nodeId: 5n },
    { nodeId: DEFAULT_ADMIN_NODE_ID },
    { nodeId: 0n },
    { fabricIndex: 0 },
    { fabricIndex: 255 },
    { vendorId: 0x10000 },
    { productId: -1 },
    { label: "x".repeat(33) },
    { address: { ip: "not-an-ip", port: 5540 } },
    { address: { ip: "10.0.0.1", port: 0 } },
    { nocNotAfter: new Date(Number.NaN) },
    { noc: new Uint8Array(0) },
    { noc: foreign.noc, icac: foreign.icac },
    { icac: null },
    { icac: foreign.icac },
  ];
  for (const change of bad) {
    await assert.rejects(store.saveNode({ ...good, ...change }), RangeError, Object.keys(change).join());
  }
  assert.deepEqual(await store.nodes(), []);
  await store.saveNode(good);
  await store.close();
  await other.close();
});

test("a damaged node record is MalformedError naming its key; other records and removeNode still work", async () => {
  const dir = freshDir();
  const store = await AdminStore.open(dir, nodeCrypto, { clock });
  await store.saveNode(await record(store, 1n));
  await store.saveNode(await record(store, 2n));
  await store.close();

  const damages: ((r: Record<string, JsonValue>) => JsonValue)[] = [
    () => "garbage",
    (r) => ({ ...r, extra: 1 }),
    (r) => ({ ...r, nodeId: "0000000000000003" }),
    (r) => ({ ...r, fabricIndex: 0 }),
    (r) => ({ ...r, noc: "zz" }),
    (r) => ({ ...r, noc: `${r.noc as string}00` }),
    (r) => ({ ...r, commissionedAt: "yesterday" }),
    (r) => ({ ...r, address: { ip: "10.0.0.1" } }),
    (r) => ({ ...r, v: 2 }),
  ];
  const key = `${ADMIN_NODE_RECORD_PREFIX}0000000000000002`;
  for (const damage of damages) {
    const raw = await SqliteStorage.open(join(dir, ADMIN_DATABASE_FILE));
    const original = (await raw.get(key)) as Record<string, JsonValue>;
    await raw.set(key, damage(original));
    await raw.close();
    const reopened = await AdminStore.open(dir, nodeCrypto);
    for (const read of [() => reopened.nodes(), () => reopened.node(2n)]) {
      await assert.rejects(read(), (e) => {
        assert.ok(e instanceof MalformedError, String(e));
        assert.equal(e.code, "admin.node-record");
        assert.equal(e.path, key);
        return true;
      });
    }
    assert.equal((await reopened.node(1n))?.nodeId, 1n);
    await reopened.close();
    const restore = await SqliteStorage.open(join(dir, ADMIN_DATABASE_FILE));
    await restore.set(key, original);
    await restore.close();
  }
  const last = await AdminStore.open(dir, nodeCrypto);
  await last.removeNode(2n);
  assert.deepEqual(
    (await last.nodes()).map((n) => n.nodeId),
    [1n],
  );
  await last.close();
});

test("CASE resumption records survive a reopen; removeNode drops the node's record", async () => {
  const dir = freshDir();
  const store = await AdminStore.open(dir, nodeCrypto, { clock });
  await store.saveNode(await record(store, 1n));
  const forNode = (peerNodeId: bigint, fill: number) => ({
    resumptionId: new Uint8Array(16).fill(fill),
    sharedSecret: new Uint8Array(32).fill(fill + 1),
    peerNodeId,
    fabricIndex: ADMIN_FABRIC_INDEX,
    cats: [],
  });
  await store.resumption.save(forNode(1n, 0x11));
  await store.resumption.save(forNode(2n, 0x22));
  await store.close();

  const reopened = await AdminStore.open(dir, nodeCrypto);
  assert.equal(reopened.resumption.size, 2);
  assert.deepEqual(reopened.resumption.findByPeer(ADMIN_FABRIC_INDEX, 1n), forNode(1n, 0x11));
  await reopened.removeNode(1n);
  assert.equal(reopened.resumption.findByPeer(ADMIN_FABRIC_INDEX, 1n), undefined);
  assert.ok(reopened.resumption.findByPeer(ADMIN_FABRIC_INDEX, 2n) !== undefined);
  await reopened.close();

  const last = await AdminStore.open(dir, nodeCrypto);
  assert.equal(last.resumption.size, 1);
  await last.close();
});
