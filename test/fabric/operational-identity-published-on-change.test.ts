// Audit of issue 3 deliverable 6: "the operational identity of each fabric (compressed fabric id, instance name
// <CFID>-<NodeId> in hex) is published to listeners the moment it changes". Every operation that changes an identity
// publishes inside the call, with the table already showing the new state; operations that do not change one publish
// nothing. The compressed fabric id is the SDK vector for Root01.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromHex } from "../../src/bytes/bytes.ts";
import type { FabricIndex } from "../../src/fabric/fabric-index.ts";
import { FabricTable, type OperationalIdentityChange } from "../../src/fabric/fabric-table.ts";
import type { OperationalIdentity } from "../../src/fabric/operational-identity.ts";
import { MemoryStorage } from "../../src/storage/memory-storage.ts";
import { crypto, makeInstall, transactionFor } from "./fixtures.ts";

const ROOT01_PUBLIC_KEY = fromHex(
  "043b88460ec9687a5d0f3b4b3b13fcd299c2f6d5051d003ee49c9924cf98f4f780eb20fd37c8d358347f5f87d08c3213e540af11bab9137e49354f0c5b6343de63",
);
const ROOT01_FABRIC_ID = 0xfab0_0000_0000_001dn;
const ROOT01_CFID = 0x3893_c432_4526_c775n;
const NODE_A = 0x0000_0000_0000_00den;
const NODE_B = 0x1234_5678_9abc_def0n;

type Seen = { readonly change: OperationalIdentityChange; readonly shownAtCallback: OperationalIdentity | undefined };

async function tableWithListener() {
  const table = await FabricTable.open(new MemoryStorage(), crypto);
  const seen: Seen[] = [];
  const unsubscribe = table.onOperationalIdentityChange((change) => {
    seen.push({ change, shownAtCallback: table.operationalIdentity(change.fabricIndex) });
  });
  /** The events published since the last call, as [change, instance name]. */
  const drain = (): [string, string][] => seen.splice(0).map((s) => [s.change.change, s.change.instanceName]);
  return { table, seen, drain, unsubscribe };
}

function pendingAdd(table: FabricTable, nodeId: bigint): FabricIndex {
  transactionFor(table).addPendingRoot(new Uint8Array(200).fill(1), ROOT01_PUBLIC_KEY);
  const key = transactionFor(table).allocatePendingOperationalKey();
  return transactionFor(table).addPendingFabric({
    ...makeInstall(key, { fabricId: ROOT01_FABRIC_ID, nodeId }),
    vendorId: 0xfff1,
  });
}

test("AddNOC publishes the new identity inside the call (SDK vector CFID, <CFID>-<NodeId> uppercase hex); commit publishes nothing more", async () => {
  const { table, seen, drain } = await tableWithListener();
  const index = pendingAdd(table, NODE_A);
  assert.equal(seen.length, 1, "published before addPendingFabric returned");
  const { change, shownAtCallback } = seen[0]!;
  assert.equal(change.change, "advertise");
  assert.equal(change.fabricIndex, index);
  assert.equal(change.compressedFabricId, ROOT01_CFID);
  assert.equal(change.nodeId, NODE_A);
  assert.equal(change.instanceName, "3893C4324526C775-00000000000000DE");
  // The listener already sees the table in the published state.
  const { change: _kind, ...identity } = change;
  assert.deepEqual(shownAtCallback, identity);
  drain();
  await transactionFor(table).commit();
  await table.setLabel(index, "kitchen"); // a label is not part of the identity
  assert.deepEqual(drain(), []);
});

test("a pending AddNOC reverted by the fail-safe withdraws its identity at once; nothing remains advertised", async () => {
  const { table, seen, drain } = await tableWithListener();
  const index = pendingAdd(table, NODE_A);
  drain();
  transactionFor(table).revert();
  assert.deepEqual(
    seen.map((s) => [s.change.change, s.change.fabricIndex, s.shownAtCallback]),
    [["withdraw", index, undefined]],
  );
  assert.equal(table.operationalIdentity(index), undefined);
});

test("UpdateNOC with a new node id: withdraw old + advertise new inside the call; revert swaps back; commit is silent", async () => {
  for (const end of ["revert", "commit"] as const) {
    const { table, seen, drain } = await tableWithListener();
    const index = pendingAdd(table, NODE_A);
    await transactionFor(table).commit();
    drain();
    const key = transactionFor(table).allocatePendingOperationalKey(index);
    transactionFor(table).updatePendingFabric(index, makeInstall(key, { fabricId: ROOT01_FABRIC_ID, nodeId: NODE_B }));
    const newName = "3893C4324526C775-123456789ABCDEF0";
    const oldName = "3893C4324526C775-00000000000000DE";
    assert.deepEqual(
      seen.map((s) => [s.change.change, s.change.instanceName]),
      [
        ["withdraw", oldName],
        ["advertise", newName],
      ],
    );
    assert.equal(seen[1]!.shownAtCallback?.instanceName, newName);
    drain();
    if (end === "revert") {
      transactionFor(table).revert();
      assert.deepEqual(drain(), [
        ["withdraw", newName],
        ["advertise", oldName],
      ]);
      assert.equal(table.operationalIdentity(index)?.nodeId, NODE_A);
    } else {
      await transactionFor(table).commit();
      assert.deepEqual(drain(), []);
      assert.equal(table.operationalIdentity(index)?.nodeId, NODE_B);
    }
  }
});

test("RemoveFabric withdraws the identity once the removal is committed; other fabrics are not touched", async () => {
  const { table, seen, drain } = await tableWithListener();
  const first = pendingAdd(table, NODE_A);
  await transactionFor(table).commit();
  transactionFor(table).addPendingRoot(new Uint8Array(200).fill(2), crypto.generateKeyPair().publicKey.raw);
  const key = transactionFor(table).allocatePendingOperationalKey();
  const second = transactionFor(table).addPendingFabric({ ...makeInstall(key, { nodeId: NODE_B }), vendorId: 0xfff1 });
  await transactionFor(table).commit();
  drain();
  await table.remove(first);
  assert.deepEqual(
    seen.map((s) => [s.change.change, s.change.fabricIndex, s.change.nodeId, s.shownAtCallback]),
    [["withdraw", first, NODE_A, undefined]],
  );
  assert.equal(table.operationalIdentity(second)?.nodeId, NODE_B);
});

test("an unsubscribed listener hears nothing more", async () => {
  const { table, drain, unsubscribe } = await tableWithListener();
  unsubscribe();
  pendingAdd(table, NODE_A);
  transactionFor(table).revert();
  assert.deepEqual(drain(), []);
});
