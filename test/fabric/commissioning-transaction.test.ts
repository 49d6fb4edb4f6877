// The commissioning transaction: nothing pending reaches storage before CommissioningComplete, whose one storage
// transaction writes the fabric, its ACL entry and IPK; a fail-safe that ends at any point of AddNOC (storage answering
// on later macrotasks) leaves nothing behind for the next fail-safe; a crash before the commit leaves nothing on reopen.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ProtocolError } from "../../src/bytes/errors.ts";
import { CommissioningError } from "../../src/clusters/general-commissioning/general-commissioning.ts";
import { NodeOperationalCertStatus as S } from "../../src/clusters/operational-credentials/node-operational-cert-status.ts";
import { AccessControlStore, AUTH_MODE, Privilege } from "../../src/fabric/access-control.ts";
import { CommissioningTransaction } from "../../src/fabric/commissioning-transaction.ts";
import { fabricIndex } from "../../src/fabric/fabric-index.ts";
import { FabricTable } from "../../src/fabric/fabric-table.ts";
import { GroupKeyStore } from "../../src/fabric/group-keys.ts";
import { ImStatus } from "../../src/fabric/status-codes.ts";
import { MemoryStorage } from "../../src/storage/memory-storage.ts";
import { SqliteStorage } from "../../src/storage/sqlite-storage.ts";
import { nocResponseOf, statusOf, TestCommissioner, TestNode } from "../support/test-commissioner.ts";
import { crypto, makeInstall, makeRoot } from "./fixtures.ts";
import { SlowStorage } from "./slow-storage.ts";

/** Drives a new fabric over PASE up to AddNOC's request (armed, CSR, root) and returns the session and chain. */
async function upToAddNoc(node: TestNode, th: TestCommissioner) {
  const pase = node.openPase();
  assert.equal(await node.armFailSafe(pase, 60), CommissioningError.OK);
  const { csr } = await th.csrRequest(pase);
  assert.ok(csr !== undefined);
  assert.equal(statusOf(await th.addTrustedRoot(pase)), ImStatus.SUCCESS);
  return { pase, chain: th.issue(csr) };
}

/** Fires the fail-safe timer past any deadline, as the node's timer would. */
const expireNow = (node: TestNode) => node.advance(10_000_000);

test("a fail-safe that ends at any point of AddNOC (storage answering on later macrotasks) leaks nothing: no fabric, no stale Administer entry, no IPK, storage untouched, and the next fail-safe commissions cleanly", async () => {
  // Every interleaving: the expiry fires after 0, 1, 2, ... microtasks of AddNOC, then after macrotasks.
  const points = [
    ...Array.from({ length: 24 }, (_, i) => ({ microtasks: i, macrotasks: 0 })),
    { microtasks: 0, macrotasks: 1 },
    { microtasks: 0, macrotasks: 3 },
  ];
  const outcomes = new Set<string>();
  for (const point of points) {
    const storage = new SlowStorage();
    const node = await TestNode.create({ storage });
    const th1 = new TestCommissioner(node, { fabricId: 0xa1n, nodeId: 0x1111n });
    const before = await storage.snapshot();
    const writesBefore = storage.writes;
    const { pase, chain } = await upToAddNoc(node, th1);

    const addNoc = th1.addNoc(pase, chain);
    for (let i = 0; i < point.microtasks; i++) await Promise.resolve();
    for (let i = 0; i < point.macrotasks; i++) await new Promise((r) => setImmediate(r));
    await expireNow(node);
    const out = await addNoc;
    outcomes.add(
      out.kind === "status" ? `status 0x${out.status.toString(16)}` : `noc ${nocResponseOf(out).statusCode}`,
    );
    const where = JSON.stringify(point);

    assert.equal(node.failSafe.armed, false, where);
    assert.deepEqual(node.fabrics.fabrics(), [], where);
    assert.equal(node.transaction.pendingState().fabricIndex, undefined, where);
    assert.deepEqual(node.acl.entries(), [], `${where}: a stale Administer entry survived`);
    assert.equal(node.acl.pendingFabric, undefined, where);
    assert.equal(node.groupKeys.ipkEpochKey(fabricIndex(1)), undefined, `${where}: the IPK survived`);
    assert.equal(node.groupKeys.pendingFabric, undefined, where);
    assert.equal(storage.writes, writesBefore, `${where}: storage was written`);
    assert.equal(await storage.snapshot(), before, where);

    // The next fail-safe: another commissioner gets index 1 with only its own Administer entry and IPK.
    const th2 = new TestCommissioner(node, { fabricId: 0xa2n, nodeId: 0x2222n });
    await th2.commission();
    assert.equal(th2.fabricIndex, 1, where);
    assert.deepEqual(
      node.acl.entries().map((e) => [e.fabricIndex, e.privilege, e.authMode, e.subjects]),
      [[1, Privilege.Administer, AUTH_MODE.case, [0x2222n]]],
      where,
    );
    assert.deepEqual(node.groupKeys.ipkEpochKey(fabricIndex(1)), th2.ipk, where);
    const reopened = await TestNode.create({ storage });
    assert.deepEqual(
      reopened.acl.entries().map((e) => e.subjects),
      [[0x2222n]],
      where,
    );
  }
  // The sweep met AddNOC both before its end (refused: the fail-safe ended) and after it (OK, then reverted).
  assert.ok(outcomes.has(`noc ${S.OK}`), [...outcomes].join(", "));
  assert.ok(outcomes.size >= 2, [...outcomes].join(", "));
});

test("expiry after AddNOC leaves storage byte-identical to before ArmFailSafe, although reads showed the pending fabric, its Administer entry and IPK", async () => {
  const storage = new SlowStorage();
  const node = await TestNode.create({ storage });
  const th = new TestCommissioner(node, { fabricId: 0xb1n, nodeId: 0x3333n });
  const before = await storage.snapshot();
  const writesBefore = storage.writes;
  const { pase, chain } = await upToAddNoc(node, th);
  const added = nocResponseOf(await th.addNoc(pase, chain));
  assert.equal(added.statusCode, S.OK);
  const index = fabricIndex(added.fabricIndex!);
  th.fabricIndex = index;

  // Reads during the fail-safe see the pending state (the SDK's too), including the access check over CASE.
  assert.equal(node.fabrics.fabricCount(), 1);
  assert.deepEqual(
    node.acl.entries(index).map((e) => e.subjects),
    [[0x3333n]],
  );
  assert.deepEqual(node.groupKeys.ipkEpochKey(index), th.ipk);
  assert.deepEqual(
    node.groupKeys.keySets(index).map((k) => k.groupKeySetId),
    [0],
  );
  assert.deepEqual(
    node.composition.caseFabrics.fabrics().map((f) => f.fabricIndex),
    [index],
    "CASE finds the pending fabric and its IPK",
  );
  assert.ok(node.access(node.session(th.openCase()), { endpoint: 0, cluster: 0x30 }, Privilege.Administer));
  assert.equal(storage.writes, writesBefore, "AddNOC wrote to storage");

  await expireNow(node);
  assert.equal(node.fabrics.fabricCount(), 0);
  assert.deepEqual(node.composition.caseFabrics.fabrics(), []);
  // A write that still arrives for the reverted fabric (its session not yet closed) is refused, not stored.
  await assert.rejects(node.acl.setEntries(index, []), ProtocolError);
  await assert.rejects(node.groupKeys.setIpk(index, th.ipk), ProtocolError);
  assert.deepEqual(node.acl.entries(), []);
  assert.equal(node.groupKeys.ipkEpochKey(index), undefined);
  assert.equal(storage.writes, writesBefore);
  assert.equal(await storage.snapshot(), before);
});

test("CommissioningComplete writes the fabric record, index cursor, ACL entry and IPK in one storage transaction; a failed transaction writes none of them and the fail-safe stays armed", async () => {
  const storage = new SlowStorage();
  const node = await TestNode.create({ storage });
  const th = new TestCommissioner(node, { fabricId: 0xc1n, nodeId: 0x4444n });
  const before = await storage.snapshot();
  const { pase, chain } = await upToAddNoc(node, th);
  const added = nocResponseOf(await th.addNoc(pase, chain));
  th.fabricIndex = fabricIndex(added.fabricIndex!);

  storage.failTransactions = true;
  const failed = await node.commissioningComplete(th.openCase());
  assert.equal(typeof failed === "object" && failed.kind === "status" ? failed.status : failed, ImStatus.FAILURE);
  assert.equal(await storage.snapshot(), before, "a failed commit wrote something");
  assert.equal(node.failSafe.armed, true);
  assert.equal(node.fabrics.committedIndices().length, 0);
  assert.equal(node.fabrics.fabricCount(), 1, "the pending fabric is still pending");

  storage.failTransactions = false;
  const writes = storage.writes;
  assert.equal(await node.commissioningComplete(th.openCase()), CommissioningError.OK);
  const after = await storage.snapshot();
  const keys = after.split("\n").map((l) => l.slice(0, l.indexOf("=")));
  for (const key of ["fabric/index-info", "acl/001", "groupkeys/001"]) assert.ok(keys.includes(key), key);
  assert.ok(
    keys.some((k) => k.startsWith("fabric/") && k !== "fabric/index-info"),
    "no fabric record",
  );
  assert.equal(storage.writes - writes, 4, "the commit is one transaction of four writes");
  assert.equal(node.acl.pendingFabric, undefined);
  assert.equal(node.groupKeys.pendingFabric, undefined);
});

test("a fail-safe deadline that passes while CommissioningComplete's commit is being written waits for it: the fabric is committed, not reverted", async () => {
  const storage = new SlowStorage();
  const node = await TestNode.create({ storage });
  const th = new TestCommissioner(node, { fabricId: 0xd1n, nodeId: 0x5555n });
  const { pase, chain } = await upToAddNoc(node, th);
  th.fabricIndex = fabricIndex(nocResponseOf(await th.addNoc(pase, chain)).fabricIndex!);
  const caseSession = th.openCase();

  const complete = node.commissioningComplete(caseSession);
  await new Promise((r) => setImmediate(r));
  assert.equal(node.failSafe.committing, true, "the commit is under way");
  await expireNow(node);
  assert.equal(await complete, CommissioningError.OK);
  assert.deepEqual(node.fabrics.committedIndices(), [1]);
  const reopened = await TestNode.create({ storage });
  assert.deepEqual(reopened.fabrics.committedIndices(), [1]);
  assert.deepEqual(
    reopened.acl.entries().map((e) => e.subjects),
    [[0x5555n]],
  );
});

test("a crash before CommissioningComplete (the storage dropped without a commit) leaves nothing on reopen", async () => {
  const dir = mkdtempSync(join(tmpdir(), "opcreds-txn-"));
  try {
    const path = join(dir, "node.sqlite");
    const storage = await SqliteStorage.open(path);
    const node = await TestNode.create({ storage });
    const th = new TestCommissioner(node, { fabricId: 0xe1n, nodeId: 0x6666n });
    const { pase, chain } = await upToAddNoc(node, th);
    th.fabricIndex = fabricIndex(nocResponseOf(await th.addNoc(pase, chain)).fabricIndex!);
    // A CASE session over the pending fabric and a label: all of it pending.
    const caseSession = th.openCase();
    assert.ok(node.access(node.session(caseSession), { endpoint: 0, cluster: 0x3e }, Privilege.Administer));
    const keysBefore = await storage.keys("");
    // The crash: this process's objects are gone, the file stays; a new process opens it.
    const again = await SqliteStorage.open(path);
    try {
      const reopened = await TestNode.create({ storage: again });
      assert.deepEqual(reopened.fabrics.fabrics(), []);
      assert.deepEqual(reopened.acl.entries(), []);
      assert.equal(reopened.groupKeys.ipkEpochKey(fabricIndex(1)), undefined);
      assert.equal(reopened.fabrics.nextFabricIndex, 1);
      assert.deepEqual(await again.keys(""), keysBefore);
      assert.ok(!keysBefore.some((k) => k.startsWith("acl/") || k.startsWith("groupkeys/") || k.startsWith("fabric/")));
    } finally {
      await again.close();
    }
    await storage.close().catch(() => {});
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("recording AddNOC or UpdateNOC on a disarmed transaction is refused (FAILSAFE_REQUIRED), and so are the pending operations", async () => {
  const node = await TestNode.create();
  const refused = (e: unknown) => e instanceof ProtocolError && e.status === ImStatus.FAILSAFE_REQUIRED;
  assert.throws(() => node.failSafe.recordAddNoc(fabricIndex(1)), refused);
  assert.throws(() => node.failSafe.recordUpdateNoc(), refused);
  assert.throws(() => node.transaction.allocatePendingOperationalKey(), refused);
  assert.throws(() => node.transaction.addPendingRoot(new Uint8Array(10), new Uint8Array(65)), refused);
  const token = node.transaction.token();
  assert.equal(node.transaction.isCurrent(token), false);
  const pase = node.openPase();
  await node.armFailSafe(pase, 60);
  const armed = node.transaction.token();
  assert.equal(node.transaction.isCurrent(armed), true);
  await expireNow(node);
  await node.armFailSafe(pase, 60);
  assert.equal(node.transaction.isCurrent(armed), false, "a new armed period is not the old one");
  assert.equal(node.transaction.isCurrent(node.transaction.token()), true);
});

test("UpdateNOC's pending NOC and key are not written before CommissioningComplete: expiry reverts in memory (storage unchanged), the commit writes them and reports committed (update)", async () => {
  const storage = new SlowStorage();
  const node = await TestNode.create({ storage });
  const th = new TestCommissioner(node, { fabricId: 0xf1n, nodeId: 0x7777n });
  const caseSession = await th.commission();
  const before = await storage.snapshot();
  const writes = storage.writes;
  const committedNoc = node.fabrics.committedFabric(1)!.noc;

  const first = await th.updateNocFlow(caseSession, { nodeId: 0x0000_0000_0000_4321n });
  assert.equal(first.response.statusCode, S.OK);
  assert.equal(node.fabrics.fabric(1)!.nodeId, 0x4321n, "reads show the pending NOC");
  assert.equal(storage.writes, writes);
  await expireNow(node);
  assert.deepEqual(node.lifecycle.at(-1), { kind: "reverted", fabricIndex: 1, pending: "update" });
  assert.deepEqual(node.fabrics.fabric(1)!.noc, committedNoc);
  assert.equal(await storage.snapshot(), before);

  // The expiry ended the fabric's sessions (conformance §2): the commissioner comes back over a new one.
  const again = th.openCase();
  const second = await th.updateNocFlow(again, { nodeId: 0x0000_0000_0000_4321n });
  assert.equal(second.response.statusCode, S.OK);
  assert.equal(await node.commissioningComplete(again), CommissioningError.OK);
  assert.deepEqual(node.lifecycle.at(-1), { kind: "committed", fabricIndex: 1, noc: "update" });
  const reopened = await TestNode.create({ storage });
  assert.equal(reopened.fabrics.fabric(1)!.nodeId, 0x4321n);
  assert.deepEqual(
    reopened.acl.entries().map((e) => e.subjects),
    [[0x7777n]],
  );
});

test("the pending fabric's ACL entries and IPK live in the transaction: the stores overlay them without holding a copy, a failed AddNOC drops them with the NOC, the commit hands them to the stores; one transaction per table and store", async () => {
  const storage = new MemoryStorage();
  const fabrics = await FabricTable.open(storage, crypto);
  const acl = await AccessControlStore.open(storage);
  const groupKeys = await GroupKeyStore.open(storage);
  fabrics.participate(acl);
  fabrics.participate(groupKeys);
  const tx = new CommissioningTransaction({ fabrics, acl, groupKeys });
  assert.throws(() => new CommissioningTransaction({ fabrics }), TypeError);
  assert.throws(() => acl.attachPending({ pendingAcl: () => undefined }), TypeError);
  assert.throws(() => groupKeys.attachPending({ pendingGroupData: () => undefined }), TypeError);
  tx.failSafe.arm(0, 60, 0);
  const root = makeRoot();
  const index = tx.addPendingRoot(root.rcac, root.rootPublicKey);
  const key = tx.allocatePendingOperationalKey();
  const install = { ...makeInstall(key), vendorId: 0xfff1 };
  const ipk = new Uint8Array(16).fill(7);
  const admin = {
    fabricIndex: index,
    privilege: Privilege.Administer,
    authMode: AUTH_MODE.case,
    subjects: [0x55n],
    targets: null,
  };
  const addNoc = async () => {
    assert.equal(tx.addPendingFabric(install), index);
    await groupKeys.setIpk(index, ipk);
    await acl.addEntry(admin);
  };

  await addNoc();
  assert.equal(acl.pendingFabric, index);
  assert.equal(groupKeys.pendingFabric, index);
  assert.deepEqual(acl.entries(index), [admin]);
  assert.deepEqual(groupKeys.ipkEpochKey(index), ipk);
  assert.deepEqual(await storage.keys(""), [], "nothing pending is written");
  // The committed data the stores load from storage: none of it.
  assert.deepEqual((await AccessControlStore.open(storage)).entries(), []);
  assert.deepEqual(acl.fabricIndices(), []);
  assert.deepEqual(groupKeys.fabricIndices(), []);

  tx.revertPendingNoc();
  assert.deepEqual(acl.entries(index), []);
  assert.equal(groupKeys.ipkEpochKey(index), undefined);
  assert.deepEqual(tx.pendingState(), {
    fabricIndex: index,
    hasPendingRoot: true,
    pendingKeyFor: "add",
    pendingFabric: undefined,
  });

  await addNoc();
  assert.equal(await tx.commit(), true);
  assert.equal(acl.pendingFabric, undefined);
  assert.equal(groupKeys.pendingFabric, undefined);
  assert.deepEqual(acl.entries(index), [admin]);
  assert.deepEqual(groupKeys.ipkEpochKey(index), ipk);
  assert.deepEqual((await AccessControlStore.open(storage)).entries(index), [admin]);
  assert.deepEqual((await GroupKeyStore.open(storage)).ipkEpochKey(index), ipk);
});
