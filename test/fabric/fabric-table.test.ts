import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { fromHex } from "../../src/bytes/bytes.ts";
import { MalformedError, ProtocolError } from "../../src/bytes/errors.ts";
import { compressedFabricId } from "../../src/cert/compressed-fabric-id.ts";
import { type FabricIndex, fabricIndex } from "../../src/fabric/fabric-index.ts";
import { fabricRecordKey } from "../../src/fabric/fabric-record.ts";
import {
  FABRIC_INDEX_INFO_KEY,
  type FabricChange,
  FabricTable,
  type OperationalIdentityChange,
} from "../../src/fabric/fabric-table.ts";
import { operationalInstanceName } from "../../src/fabric/operational-identity.ts";
import { ImStatus, NodeOperationalCertStatus } from "../../src/fabric/status-codes.ts";
import { MemoryStorage } from "../../src/storage/memory-storage.ts";
import type { Storage, StorageTransaction } from "../../src/storage/storage.ts";
import { addFabric, crypto, makeInstall, makeRoot, transactionFor } from "./fixtures.ts";

const open = (storage: Storage = new MemoryStorage(), supportedFabrics?: number) =>
  FabricTable.open(storage, crypto, supportedFabrics === undefined ? {} : { supportedFabrics });

function rejectsWith(code: string, nocStatus?: number, status?: number) {
  return (e: unknown) => {
    assert.ok(e instanceof ProtocolError, `expected ProtocolError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (nocStatus !== undefined) assert.equal(e.clusterStatus, nocStatus);
    if (status !== undefined) assert.equal(e.status, status);
    return true;
  };
}

/** The comparable content of a fabric (keys compared by scalar). */
const snapshot = (t: FabricTable) =>
  t.fabrics().map((f) => ({ ...f, operationalKey: Buffer.from(f.operationalKey.toScalar()).toString("hex") }));

describe("compressed fabric id and instance name", () => {
  test("spec example and SDK vectors (Core spec 4.3.2.2; connectedhomeip TestCompressedFabricIdentifier, Root01/Root02)", () => {
    const spec = fromHex(
      "044a9f42b1ca4840d37292bbc7f6a7e11e22200c976fc900dbc98a7a383a641cb8254a2e56d4e295a847943b4e3897c4a773e930277b4d9fbede8a052686bfacfa",
    );
    assert.equal(compressedFabricId(crypto, spec, 0x2906_c908_d115_d362n), 0x87e1_b004_e235_a130n);
    const root01 = fromHex(
      "043b88460ec9687a5d0f3b4b3b13fcd299c2f6d5051d003ee49c9924cf98f4f780eb20fd37c8d358347f5f87d08c3213e540af11bab9137e49354f0c5b6343de63",
    );
    assert.equal(compressedFabricId(crypto, root01, 0xfab0_0000_0000_001dn), 0x3893_c432_4526_c775n);
    assert.equal(operationalInstanceName(0x3893_c432_4526_c775n, 0xden), "3893C4324526C775-00000000000000DE");
    assert.throws(() => compressedFabricId(crypto, root01.subarray(1), 1n), RangeError);
  });
});

describe("fabric table", () => {
  test("supported fabrics: default 16, bounds 5..254", async () => {
    assert.equal((await open()).supportedFabrics, 16);
    assert.equal((await open(new MemoryStorage(), 5)).supportedFabrics, 5);
    await assert.rejects(open(new MemoryStorage(), 4), RangeError);
    await assert.rejects(open(new MemoryStorage(), 255), RangeError);
  });

  test("AddNOC flow: pending root and fabric are visible, commit persists everything, reload is exact", async () => {
    const storage = new MemoryStorage();
    const t = await open(storage);
    const root = makeRoot();
    assert.equal(transactionFor(t).addPendingRoot(root.rcac, root.rootPublicKey), 1);
    // The pending root is in TrustedRootCertificates before AddNOC (§0.2).
    assert.deepEqual(t.trustedRoots(), [root.rcac]);
    assert.equal(t.fabrics().length, 0);
    const key = transactionFor(t).allocatePendingOperationalKey();
    const install = makeInstall(key, { cats: [0xabcd0001] });
    assert.equal(transactionFor(t).addPendingFabric({ ...install, vendorId: 0xfff1 }), 1);
    // Pending fabric visible; the root appears once (now bound to the fabric).
    assert.equal(t.fabricCount(), 1);
    assert.deepEqual(t.trustedRoots(), [root.rcac]);
    const f = t.fabric(1)!;
    assert.deepEqual(f.noc, install.noc);
    assert.equal(f.label, "");
    assert.equal(f.vendorId, 0xfff1);
    assert.equal(f.compressedFabricId, compressedFabricId(crypto, root.rootPublicKey, install.fabricId));
    assert.equal(t.committedFabric(1), undefined);
    assert.equal(storage.size, 0);
    assert.equal(await transactionFor(t).commit(), true);
    assert.equal(t.nextFabricIndex, 2);
    assert.deepEqual(transactionFor(t).pendingState(), {
      fabricIndex: undefined,
      hasPendingRoot: false,
      pendingKeyFor: undefined,
      pendingFabric: undefined,
    });
    const again = await open(storage);
    assert.deepEqual(snapshot(again), snapshot(t));
    assert.equal(again.nextFabricIndex, 2);
    assert.deepEqual(again.fabric(1)!.cats, [0xabcd0001]);
  });

  test("revert of a pending add drops the fabric, root and key; the next index does not move", async () => {
    const t = await open();
    const changes: FabricChange[] = [];
    t.onChange((c) => changes.push(c));
    const root = makeRoot();
    transactionFor(t).addPendingRoot(root.rcac, root.rootPublicKey);
    const key = transactionFor(t).allocatePendingOperationalKey();
    transactionFor(t).addPendingFabric({ ...makeInstall(key), vendorId: 0xfff1 });
    transactionFor(t).revert();
    assert.equal(t.fabricCount(), 0);
    assert.deepEqual(t.trustedRoots(), []);
    assert.equal(transactionFor(t).pendingOperationalKey, undefined);
    assert.equal(t.nextFabricIndex, 1);
    assert.deepEqual(
      changes.map((c) => [c.kind, c.fabricIndex, c.pending]),
      [
        ["added", 1, true],
        ["removed", 1, true],
      ],
    );
  });

  test("UpdateNOC pending values are visible; revert restores the previous NOC/ICAC/key/label/VID/VVS exactly", async () => {
    const storage = new MemoryStorage();
    const t = await open(storage);
    const index = await addFabric(t, { icac: null });
    await t.setVidVerificationStatement(index, {
      vendorId: 0x6a01,
      vidVerificationStatement: new Uint8Array(85).fill(1),
    });
    await t.setLabel(index, "home");
    const before = snapshot(t);
    const key = transactionFor(t).allocatePendingOperationalKey(index);
    const install = makeInstall(key, { nodeId: 0x2222_2222n });
    transactionFor(t).updatePendingFabric(index, install);
    assert.deepEqual(t.fabric(index)!.noc, install.noc);
    assert.equal(t.fabric(index)!.nodeId, 0x2222_2222n);
    // Label and VID/VVS changes while pending go into the pending copy.
    await t.setLabel(index, "pending");
    await t.setVidVerificationStatement(index, { vendorId: 0xfff2, vidVerificationStatement: new Uint8Array(0) });
    assert.equal(t.fabric(index)!.label, "pending");
    assert.equal(t.fabric(index)!.vidVerificationStatement, undefined);
    assert.equal(t.committedFabric(index)!.label, "home");
    transactionFor(t).revert();
    assert.deepEqual(snapshot(t), before);
    assert.deepEqual(snapshot(await open(storage)), before);
  });

  test("UpdateNOC commit persists the new NOC, key and node id; label and VID carry over", async () => {
    const storage = new MemoryStorage();
    const t = await open(storage);
    const identities: OperationalIdentityChange[] = [];
    t.onOperationalIdentityChange((c) => identities.push(c));
    const index = await addFabric(t, { vendorId: 0xfff3 });
    await t.setLabel(index, "kept");
    const key = transactionFor(t).allocatePendingOperationalKey(index);
    transactionFor(t).updatePendingFabric(index, makeInstall(key, { nodeId: 0x7777_7777n }));
    assert.equal(await transactionFor(t).commit(), true);
    const again = await open(storage);
    const f = again.fabric(index)!;
    assert.equal(f.nodeId, 0x7777_7777n);
    assert.equal(f.label, "kept");
    assert.equal(f.vendorId, 0xfff3);
    assert.deepEqual(f.operationalKey.toScalar(), key.toScalar());
    assert.equal(again.nextFabricIndex, 2, "an update does not allocate an index");
    assert.deepEqual(
      identities.map((i) => [i.change, i.nodeId]),
      [
        ["advertise", 0xdede_dede_0001_0001n],
        ["withdraw", 0xdede_dede_0001_0001n],
        ["advertise", 0x7777_7777n],
      ],
    );
    assert.match(identities[2]!.instanceName, /^[0-9A-F]{16}-0000000077777777$/);
  });

  test("a new CSR replaces the pending key: the NOC for the older key is InvalidPublicKey", async () => {
    const t = await open();
    const root = makeRoot();
    transactionFor(t).addPendingRoot(root.rcac, root.rootPublicKey);
    const first = transactionFor(t).allocatePendingOperationalKey();
    const second = transactionFor(t).allocatePendingOperationalKey();
    assert.notDeepEqual(first.toScalar(), second.toScalar());
    assert.throws(
      () => transactionFor(t).addPendingFabric({ ...makeInstall(first), vendorId: 0xfff1 }),
      rejectsWith("fabric.public-key", NodeOperationalCertStatus.InvalidPublicKey),
    );
    // The failed AddNOC kept the root and the key: a retry with the right NOC succeeds.
    assert.equal(transactionFor(t).addPendingFabric({ ...makeInstall(second), vendorId: 0xfff1 }), 1);
  });

  test("AddNOC MissingCsr cases: no root, no key, or an update key", async () => {
    const t = await open();
    const existing = await addFabric(t);
    const k0 = transactionFor(t).allocatePendingOperationalKey();
    assert.throws(
      () => transactionFor(t).addPendingFabric({ ...makeInstall(k0), vendorId: 0xfff1 }),
      rejectsWith("fabric.missing-csr", NodeOperationalCertStatus.MissingCsr),
    );
    transactionFor(t).revert();
    const root = makeRoot();
    transactionFor(t).addPendingRoot(root.rcac, root.rootPublicKey);
    assert.throws(
      () => transactionFor(t).addPendingFabric({ ...makeInstall(k0), vendorId: 0xfff1 }),
      rejectsWith("fabric.missing-csr", NodeOperationalCertStatus.MissingCsr),
    );
    // An update CSR while a root is pending is an incorrect state (CSRRequest answers FAILURE, §1.3 step 5).
    assert.throws(
      () => transactionFor(t).allocatePendingOperationalKey(existing),
      rejectsWith("fabric.incorrect-state"),
    );
    transactionFor(t).revert();
    const upd = transactionFor(t).allocatePendingOperationalKey(existing);
    // AddTrustedRootCertificate while an update CSR is pending -> incorrect state (§1.8 step 7).
    assert.throws(
      () => transactionFor(t).addPendingRoot(root.rcac, root.rootPublicKey),
      rejectsWith("fabric.incorrect-state"),
    );
    assert.throws(
      () => transactionFor(t).addPendingFabric({ ...makeInstall(upd), vendorId: 0xfff1 }),
      rejectsWith("fabric.missing-csr", NodeOperationalCertStatus.MissingCsr),
    );
  });

  test("UpdateNOC error cases: pending root -> MissingCsr, add key -> MissingCsr, fabric id change -> InvalidFabricIndex", async () => {
    const t = await open();
    const index = await addFabric(t);
    const addKey = transactionFor(t).allocatePendingOperationalKey();
    assert.throws(
      () => transactionFor(t).updatePendingFabric(index, makeInstall(addKey)),
      rejectsWith("fabric.missing-csr", NodeOperationalCertStatus.MissingCsr),
    );
    // An update CSR after an add CSR in one fail-safe is refused (SDK: one pending fabric index per fail-safe).
    assert.throws(() => transactionFor(t).allocatePendingOperationalKey(index), rejectsWith("fabric.incorrect-state"));
    transactionFor(t).revert();
    const key = transactionFor(t).allocatePendingOperationalKey(index);
    assert.throws(
      () => transactionFor(t).updatePendingFabric(index, makeInstall(key, { fabricId: 5n })),
      rejectsWith("fabric.fabric-id-mismatch", NodeOperationalCertStatus.InvalidFabricIndex),
    );
    assert.throws(
      () => transactionFor(t).updatePendingFabric(index, makeInstall(key, { nodeId: 0xffff_fffd_0001_0001n })),
      rejectsWith("fabric.node-id", NodeOperationalCertStatus.InvalidNodeOpId),
    );
    const original = t.fabric(index)!;
    assert.throws(
      () =>
        transactionFor(t).updatePendingFabric(index, {
          ...makeInstall(key),
          nocPublicKey: original.operationalKey.publicKey.raw,
        }),
      rejectsWith("fabric.public-key", NodeOperationalCertStatus.InvalidPublicKey),
    );
    assert.throws(
      () =>
        transactionFor(t).updatePendingFabric(fabricIndex(9), makeInstall(key), () =>
          assert.fail("validation must not run first"),
        ),
      rejectsWith("fabric.not-found", NodeOperationalCertStatus.InvalidNOC),
    );
    transactionFor(t).updatePendingFabric(index, makeInstall(key));
    // A failed command after installing reverts only the NOC data; the key stays for a retry.
    transactionFor(t).revertPendingNoc();
    assert.deepEqual(transactionFor(t).pendingState().pendingKeyFor, "update");
    transactionFor(t).updatePendingFabric(index, makeInstall(key));
  });

  test("fabric conflict (same root public key and fabric id) is checked before chain validation", async () => {
    const t = await open();
    const root = makeRoot();
    await addFabric(t, { root });
    transactionFor(t).addPendingRoot(root.rcac, root.rootPublicKey);
    const key = transactionFor(t).allocatePendingOperationalKey();
    assert.throws(
      () =>
        transactionFor(t).addPendingFabric({ ...makeInstall(key), vendorId: 0xfff1 }, () =>
          assert.fail("validation must run after"),
        ),
      rejectsWith("fabric.conflict", NodeOperationalCertStatus.FabricConflict),
    );
    // Same root with another fabric id is fine; duplicates in TrustedRootCertificates are kept.
    assert.equal(transactionFor(t).addPendingFabric({ ...makeInstall(key, { fabricId: 2n }), vendorId: 0xfff1 }), 2);
    assert.deepEqual(t.trustedRoots(), [root.rcac, root.rcac]);
  });

  test("chain validation failure (thrown by the caller) leaves the table unchanged", async () => {
    const t = await open();
    const root = makeRoot();
    transactionFor(t).addPendingRoot(root.rcac, root.rootPublicKey);
    const key = transactionFor(t).allocatePendingOperationalKey();
    const invalid = new ProtocolError(
      "opcreds.invalid-noc",
      "bad chain",
      ImStatus.FAILURE,
      NodeOperationalCertStatus.InvalidNOC,
    );
    assert.throws(
      () =>
        transactionFor(t).addPendingFabric({ ...makeInstall(key), vendorId: 0xfff1 }, () => {
          throw invalid;
        }),
      (e: unknown) => e === invalid,
    );
    assert.equal(t.fabricCount(), 0);
    assert.deepEqual(transactionFor(t).pendingState(), {
      fabricIndex: 1,
      hasPendingRoot: true,
      pendingKeyFor: "add",
      pendingFabric: undefined,
    });
  });

  test('label conflicts: exact byte compare, "" vs "" conflicts, own label may be re-set, > 32 bytes rejected', async () => {
    const storage = new MemoryStorage();
    const t = await open(storage);
    const a = await addFabric(t);
    const b = await addFabric(t);
    await assert.rejects(
      t.setLabel(a, ""),
      rejectsWith("fabric.label-conflict", NodeOperationalCertStatus.LabelConflict),
    );
    await t.setLabel(a, "Home");
    await t.setLabel(a, "Home");
    await assert.rejects(
      t.setLabel(b, "Home"),
      rejectsWith("fabric.label-conflict", NodeOperationalCertStatus.LabelConflict),
    );
    await t.setLabel(b, "home");
    await t.setLabel(b, "é".repeat(16));
    await assert.rejects(
      t.setLabel(b, `${"é".repeat(16)}x`),
      rejectsWith("fabric.label-too-long", undefined, ImStatus.INVALID_COMMAND),
    );
    await assert.rejects(t.setLabel(fabricIndex(77), "x"), rejectsWith("fabric.not-found"));
    // Immediate persistence outside a pending state.
    assert.equal((await open(storage)).fabric(a)!.label, "Home");
  });

  test("table full: at SupportedFabrics the root and the add key are accepted (SDK) and AddNOC is TableFull", async () => {
    const t = await open(new MemoryStorage(), 5);
    for (let i = 0; i < 5; i++) await addFabric(t, { fabricId: BigInt(i + 1) });
    assert.equal(t.fabricCount(), 5);
    const root = makeRoot();
    // The SDK allocates from the fabric index space (1..254), not SupportedFabrics: TC-CADMIN-1.19 needs TableFull
    // from AddNOC, so AddTrustedRootCertificate and CSRRequest must get through.
    assert.equal(transactionFor(t).addPendingRoot(root.rcac, root.rootPublicKey), 6);
    const addKey = transactionFor(t).allocatePendingOperationalKey();
    assert.throws(
      () => transactionFor(t).addPendingFabric({ ...makeInstall(addKey, { fabricId: 42n }), vendorId: 0xfff1 }),
      rejectsWith("fabric.table-full", NodeOperationalCertStatus.TableFull, ImStatus.FAILURE),
    );
    assert.equal(t.fabricCount(), 5);
    transactionFor(t).revert();
    // Updates still work on a full table.
    const key = transactionFor(t).allocatePendingOperationalKey(fabricIndex(3));
    transactionFor(t).updatePendingFabric(fabricIndex(3), makeInstall(key, { fabricId: 3n }));
    await transactionFor(t).commit();
    await t.remove(fabricIndex(2));
    assert.equal(await addFabric(t, { fabricId: 99n }), 6);
  });

  test("RESOURCE_EXHAUSTED only when no fabric index is left: 254 fabrics refuse a root (and FAILURE for a CSR)", async () => {
    const t = await open(new MemoryStorage(), 254);
    for (let i = 0; i < 254; i++) await addFabric(t, { fabricId: BigInt(i + 1) });
    const root = makeRoot();
    assert.throws(
      () => transactionFor(t).addPendingRoot(root.rcac, root.rootPublicKey),
      rejectsWith("fabric.table-full", NodeOperationalCertStatus.TableFull, ImStatus.RESOURCE_EXHAUSTED),
    );
    assert.throws(
      () => transactionFor(t).allocatePendingOperationalKey(),
      rejectsWith("fabric.table-full", NodeOperationalCertStatus.TableFull, ImStatus.FAILURE),
    );
  });

  test("indices are monotonic, skip used ones, wrap 254 -> 1, and never go back across a restart", async () => {
    const storage = new MemoryStorage();
    const t = await open(storage);
    assert.equal(await addFabric(t), 1);
    assert.equal(await addFabric(t, { fabricId: 2n }), 2);
    await t.remove(fabricIndex(2));
    assert.equal(t.nextFabricIndex, 3);
    const t2 = await open(storage);
    assert.equal(t2.nextFabricIndex, 3);
    assert.equal(await addFabric(t2, { fabricId: 3n }), 3);

    const wrapStorage = new MemoryStorage();
    const w = await open(wrapStorage);
    assert.equal(await addFabric(w), 1);
    await wrapStorage.set(FABRIC_INDEX_INFO_KEY, { nextFabricIndex: 254 });
    const w2 = await open(wrapStorage);
    assert.equal(await addFabric(w2, { fabricId: 2n }), 254);
    assert.equal(w2.nextFabricIndex, 1);
    assert.equal(await addFabric(w2, { fabricId: 3n }), 2, "1 is in use, so the allocator skips it");
    assert.equal((await open(wrapStorage)).nextFabricIndex, 3);
  });

  test("remove: committed, pending-added, unknown (InvalidFabricIndex); removing deletes the record", async () => {
    const storage = new MemoryStorage();
    const t = await open(storage);
    const a = await addFabric(t);
    const root = makeRoot();
    transactionFor(t).addPendingRoot(root.rcac, root.rootPublicKey);
    const key = transactionFor(t).allocatePendingOperationalKey();
    const pendingIndex = transactionFor(t).addPendingFabric({
      ...makeInstall(key, { fabricId: 7n }),
      vendorId: 0xfff1,
    });
    await t.remove(pendingIndex);
    assert.equal(t.fabric(pendingIndex), undefined);
    assert.equal(transactionFor(t).pendingState().hasPendingRoot, false);
    await assert.rejects(
      t.remove(fabricIndex(200)),
      rejectsWith("fabric.not-found", NodeOperationalCertStatus.InvalidFabricIndex),
    );
    let extraRan = false;
    await t.remove(a, async (tx: StorageTransaction) => {
      extraRan = true;
      await tx.set("acl/001", []);
    });
    assert.ok(extraRan);
    assert.equal(await storage.get(fabricRecordKey(a)), undefined);
    assert.deepEqual(await storage.get("acl/001"), []);
    assert.equal((await open(storage)).fabricCount(), 0);
  });

  test("VID verification statement: checks, clearing, pending add reverted, ICAC + VVSC refused", async () => {
    const storage = new MemoryStorage();
    const t = await open(storage);
    const noIcac = await addFabric(t, { icac: null });
    const withIcac = await addFabric(t, { fabricId: 2n });
    await assert.rejects(
      t.setVidVerificationStatement(noIcac, { vidVerificationStatement: new Uint8Array(86) }),
      rejectsWith("fabric.vvs-length", undefined, ImStatus.CONSTRAINT_ERROR),
    );
    await assert.rejects(
      t.setVidVerificationStatement(noIcac, { vvsc: new Uint8Array(401) }),
      rejectsWith("fabric.vvsc-length", undefined, ImStatus.CONSTRAINT_ERROR),
    );
    await assert.rejects(
      t.setVidVerificationStatement(noIcac, { vendorId: 0xfff5 }),
      rejectsWith("fabric.vendor-id", undefined, ImStatus.CONSTRAINT_ERROR),
    );
    await assert.rejects(
      t.setVidVerificationStatement(withIcac, { vvsc: new Uint8Array(10) }),
      rejectsWith("fabric.vvsc-with-icac", undefined, ImStatus.INVALID_COMMAND),
    );
    await t.setVidVerificationStatement(noIcac, {
      vendorId: 0x6a01,
      vidVerificationStatement: new Uint8Array(85).fill(1),
      vvsc: new Uint8Array(400).fill(0xaa),
    });
    let f = (await open(storage)).fabric(noIcac)!;
    assert.equal(f.vendorId, 0x6a01);
    assert.equal(f.vvsc?.length, 400);
    await t.setVidVerificationStatement(noIcac, {
      vidVerificationStatement: new Uint8Array(0),
      vvsc: new Uint8Array(0),
    });
    f = (await open(storage)).fabric(noIcac)!;
    assert.equal(f.vidVerificationStatement, undefined);
    assert.equal(f.vvsc, undefined);
    assert.equal(f.vendorId, 0x6a01);
    // Pending add: values visible, then gone with the fabric on revert.
    const root = makeRoot();
    transactionFor(t).addPendingRoot(root.rcac, root.rootPublicKey);
    const key = transactionFor(t).allocatePendingOperationalKey();
    const p = transactionFor(t).addPendingFabric({
      ...makeInstall(key, { fabricId: 3n, icac: null }),
      vendorId: 0xfff2,
    });
    await t.setVidVerificationStatement(p, { vendorId: 0xfff1, vvsc: new Uint8Array(5) });
    assert.equal(t.fabric(p)!.vendorId, 0xfff1);
    transactionFor(t).revert();
    assert.equal(t.fabric(p), undefined);
    assert.equal((await open(storage)).fabric(p), undefined);
  });

  test("a failing commit keeps the pending state and writes nothing", async () => {
    const inner = new MemoryStorage();
    let failing = false;
    const storage: Storage = {
      get: (k) => inner.get(k),
      keys: (p) => inner.keys(p),
      set: (k, v) => inner.set(k, v),
      delete: (k) => inner.delete(k),
      close: () => inner.close(),
      transaction: (fn) =>
        inner.transaction(async (tx) => {
          const r = await fn(tx);
          if (failing) throw new RangeError("disk full");
          return r;
        }),
    };
    const t = await open(storage);
    const root = makeRoot();
    transactionFor(t).addPendingRoot(root.rcac, root.rootPublicKey);
    const key = transactionFor(t).allocatePendingOperationalKey();
    transactionFor(t).addPendingFabric({ ...makeInstall(key), vendorId: 0xfff1 });
    failing = true;
    await assert.rejects(transactionFor(t).commit(), RangeError);
    assert.equal(inner.size, 0);
    assert.equal(transactionFor(t).pendingState().pendingFabric, "add");
    failing = false;
    assert.equal(await transactionFor(t).commit(), true);
    assert.equal(t.nextFabricIndex, 2);
  });

  test("commit with only a pending root/key drops them and returns false", async () => {
    const t = await open();
    const root = makeRoot();
    transactionFor(t).addPendingRoot(root.rcac, root.rootPublicKey);
    transactionFor(t).allocatePendingOperationalKey();
    assert.equal(await transactionFor(t).commit(), false);
    assert.deepEqual(t.trustedRoots(), []);
    assert.equal(transactionFor(t).pendingOperationalKey, undefined);
  });

  test("damaged stored records are MalformedError; mutated records decode or throw MalformedError only", async () => {
    const storage = new MemoryStorage();
    const t = await open(storage);
    const index = await addFabric(t);
    const key = fabricRecordKey(index as FabricIndex);
    const good = (await storage.get(key)) as Record<string, unknown>;
    await storage.set(FABRIC_INDEX_INFO_KEY, { nextFabricIndex: 0 });
    await assert.rejects(open(storage), MalformedError);
    await storage.set(FABRIC_INDEX_INFO_KEY, { nextFabricIndex: 2 });
    const fields = Object.keys(good);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fields),
        fc.oneof(fc.jsonValue(), fc.constant(undefined)),
        async (field, value) => {
          const mutated: Record<string, unknown> = { ...good, [field]: value };
          if (value === undefined) delete mutated[field];
          await storage.set(key, JSON.parse(JSON.stringify(mutated)));
          try {
            await open(storage);
          } catch (e) {
            assert.ok(e instanceof MalformedError, `unexpected ${String(e)}`);
          }
        },
      ),
      { numRuns: 150 },
    );
    await storage.set(key, { ...good, nodeId: "0000000000000000" } as never);
    await assert.rejects(open(storage), (e: unknown) => e instanceof MalformedError && e.code === "fabric.record");
  });
});
