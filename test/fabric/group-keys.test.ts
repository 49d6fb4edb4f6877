import assert from "node:assert/strict";
import { test } from "node:test";
import { fromHex } from "../../src/bytes/bytes.ts";
import { MalformedError, ProtocolError } from "../../src/bytes/errors.ts";
import { nodeCrypto as crypto } from "../../src/crypto/node-crypto.ts";
import { fabricIndex } from "../../src/fabric/fabric-index.ts";
import {
  type GroupKeySet,
  GroupKeyStore,
  groupSessionId,
  operationalGroupKey,
  validateGroupKeySet,
} from "../../src/fabric/group-keys.ts";
import { ImStatus } from "../../src/fabric/status-codes.ts";
import { MemoryStorage } from "../../src/storage/memory-storage.ts";

// Vectors: connectedhomeip src/crypto/tests/TestChipCryptoPAL.cpp (TestGroup_OperationalKeyDerivation,
// TestGroup_SessionIdDerivation) and the Core spec 4.17.2 worked example.
const VECTORS = [
  {
    epochKey: "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
    cfid: 0x2906_c908_d115_d362n,
    key: "1f19ed3cef8a211baf306faeeee7aac6",
    sessionId: 0x6c80,
  },
  {
    epochKey: "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf",
    cfid: 0x2906_c908_d115_d362n,
    key: "aa979a48bd8cdf293a0709b9c1eb1930",
    sessionId: 0x0c48,
  },
  {
    epochKey: "235bf7e62823d358dca4ba50b1535f4b",
    cfid: 0x87e1_b004_e235_a130n,
    key: "a6f5306baf6d050af23ba4bd6b9dd960",
  },
];

test("operational group key and group session id match the SDK / spec vectors", () => {
  for (const v of VECTORS) {
    const key = operationalGroupKey(crypto, fromHex(v.epochKey), v.cfid);
    assert.deepEqual(key, fromHex(v.key));
    if (v.sessionId !== undefined) assert.equal(groupSessionId(crypto, key), v.sessionId);
  }
  assert.throws(() => operationalGroupKey(crypto, new Uint8Array(15), 1n), RangeError);
});

const k = (b: number) => new Uint8Array(16).fill(b);
const set = (over: Partial<GroupKeySet> = {}): GroupKeySet => ({
  groupKeySetId: 0x01a1,
  groupKeySecurityPolicy: 0,
  epochKey0: k(1),
  epochStartTime0: 1_110_000n,
  epochKey1: k(2),
  epochStartTime1: 1_110_001n,
  epochKey2: null,
  epochStartTime2: null,
  ...over,
});

function status(code: number) {
  return (e: unknown) => e instanceof ProtocolError && e.status === code;
}

test("key set validation (KeySetWrite rules)", () => {
  validateGroupKeySet(set());
  assert.throws(() => validateGroupKeySet(set({ epochKey0: null })), status(ImStatus.INVALID_COMMAND));
  assert.throws(() => validateGroupKeySet(set({ epochStartTime0: 0n })), status(ImStatus.INVALID_COMMAND));
  assert.throws(() => validateGroupKeySet(set({ epochKey0: new Uint8Array(15) })), status(ImStatus.CONSTRAINT_ERROR));
  assert.throws(() => validateGroupKeySet(set({ epochStartTime1: null })), status(ImStatus.INVALID_COMMAND));
  assert.throws(() => validateGroupKeySet(set({ epochStartTime1: 1_110_000n })), status(ImStatus.INVALID_COMMAND));
  assert.throws(
    () =>
      validateGroupKeySet(
        set({ epochKey1: null, epochStartTime1: null, epochKey2: k(3), epochStartTime2: 5_000_000n }),
      ),
    status(ImStatus.INVALID_COMMAND),
  );
  assert.throws(
    () => validateGroupKeySet(set({ groupKeySecurityPolicy: 2 as never })),
    status(ImStatus.CONSTRAINT_ERROR),
  );
});

test("IPK, key sets, key map and groups persist per fabric and are removed with the fabric", async () => {
  const storage = new MemoryStorage();
  const store = await GroupKeyStore.open(storage);
  const f1 = fabricIndex(1);
  const f2 = fabricIndex(2);
  await store.setIpk(f1, k(0xaa));
  await store.setIpk(f2, k(0xbb));
  await assert.rejects(store.setIpk(f1, new Uint8Array(15)), status(ImStatus.INVALID_COMMAND));
  await assert.rejects(store.writeKeySet(f1, set({ groupKeySetId: 0 })), status(ImStatus.INVALID_COMMAND));
  await store.writeKeySet(f1, set());
  await store.writeKeySet(f1, set({ groupKeySetId: 2 }));
  await assert.rejects(store.writeKeySet(f1, set({ groupKeySetId: 3 })), status(ImStatus.RESOURCE_EXHAUSTED));
  await store.setGroupKeyMap(f1, [{ groupId: 0x0101, groupKeySetId: 0x01a1 }]);
  await assert.rejects(
    store.setGroupKeyMap(f1, [
      { groupId: 1, groupKeySetId: 2 },
      { groupId: 1, groupKeySetId: 0x01a1 },
    ]),
    status(ImStatus.CONSTRAINT_ERROR),
  );
  await assert.rejects(store.setGroupKeyMap(f1, [{ groupId: 1, groupKeySetId: 0 }]), status(ImStatus.CONSTRAINT_ERROR));
  await store.addGroupEndpoint(f1, 0x0101, 1, "Kitchen");
  await store.addGroupEndpoint(f1, 0x0101, 2);
  await assert.rejects(store.removeKeySet(f1, 0), status(ImStatus.INVALID_COMMAND));

  const again = await GroupKeyStore.open(storage);
  assert.deepEqual(again.ipkEpochKey(f1), k(0xaa));
  assert.deepEqual(
    again.keySets(f1).map((s) => s.groupKeySetId),
    [0, 2, 0x01a1],
  );
  assert.deepEqual(again.keySet(f1, 0x01a1), set());
  assert.deepEqual(again.groupTable(f1), [{ groupId: 0x0101, groupName: "Kitchen", endpoints: [1, 2] }]);
  const ipk = again.keySet(f1, 0)!;
  assert.equal(ipk.groupKeySecurityPolicy, 0);
  assert.equal(ipk.epochStartTime0, 0n);
  assert.equal(ipk.epochKey1, null);
  assert.deepEqual(
    again.operationalIpk(crypto, f1, 0x87e1_b004_e235_a130n),
    operationalGroupKey(crypto, k(0xaa), 0x87e1_b004_e235_a130n),
  );

  await again.removeKeySet(f1, 0x01a1);
  assert.deepEqual(again.groupKeyMap(f1), [], "map entries of a removed key set go too");
  await again.removeFabric(f1);
  assert.equal(again.ipkEpochKey(f1), undefined);
  assert.deepEqual(await again.pruneFabrics(new Set([1])), [f2]);
  assert.equal((await GroupKeyStore.open(storage)).keySets(f2).length, 0);
  assert.equal(storage.size, 0);
});

test("a damaged group-key record is MalformedError", async () => {
  const storage = new MemoryStorage();
  await storage.set("groupkeys/001", { v: 1, keySets: [{ id: 1, policy: 9 }], keyMap: [], groups: [] });
  await assert.rejects(GroupKeyStore.open(storage), MalformedError);
  await storage.set("groupkeys/001", { v: 2 });
  await assert.rejects(GroupKeyStore.open(storage), MalformedError);
  await storage.set("groupkeys/001", "x");
  await assert.rejects(GroupKeyStore.open(storage), MalformedError);
});

test("Groups cluster operations: addGroup names and adds, removeGroupEndpoint/removeEndpoint drop empty groups, all persisted", async () => {
  const storage = new MemoryStorage();
  const store = await GroupKeyStore.open(storage, { maxGroupsPerFabric: 2 });
  const f1 = fabricIndex(1);
  const f2 = fabricIndex(2);
  await store.addGroup(f1, 0x0101, 1, "Kitchen");
  await store.addGroup(f1, 0x0102, 1, "Hall");
  await store.addGroup(f1, 0x0101, 2, "Kitchen");
  // AddGroup replaces the name, even with an empty one (SDK SetGroupInfo); the group keeps its place in the table.
  await store.addGroup(f1, 0x0101, 1, "");
  assert.deepEqual(store.groupTable(f1), [
    { groupId: 0x0101, groupName: "", endpoints: [1, 2] },
    { groupId: 0x0102, groupName: "Hall", endpoints: [1] },
  ]);
  await assert.rejects(store.addGroup(f1, 0x0103, 1, "x"), status(ImStatus.RESOURCE_EXHAUSTED));
  await assert.rejects(store.addGroup(f1, 0, 1, "x"), status(ImStatus.CONSTRAINT_ERROR));
  await assert.rejects(store.addGroup(f1, 0x0101, 1, "x".repeat(17)), status(ImStatus.CONSTRAINT_ERROR));
  await store.addGroup(f2, 0x0101, 1, "Other");
  assert.equal(store.hasGroupEndpoint(f1, 0x0102, 1), true);
  assert.equal(store.hasGroupEndpoint(f1, 0x0102, 2), false);

  assert.equal(await store.removeGroupEndpoint(f1, 0x0102, 2), false, "not a member: nothing to remove");
  assert.equal(await store.removeGroupEndpoint(f1, 0x0102, 1), true);
  assert.deepEqual(
    store.groupTable(f1).map((g) => g.groupId),
    [0x0101],
    "a group without endpoints leaves the table",
  );
  assert.deepEqual(await store.removeEndpoint(f1, 1), [0x0101]);
  assert.deepEqual(store.groupTable(f1), [{ groupId: 0x0101, groupName: "", endpoints: [2] }]);
  assert.deepEqual(await store.removeEndpoint(f1, 1), []);

  const again = await GroupKeyStore.open(storage);
  assert.deepEqual(again.groupTable(f1), [{ groupId: 0x0101, groupName: "", endpoints: [2] }]);
  assert.deepEqual(
    again.groupTable(f2),
    [{ groupId: 0x0101, groupName: "Other", endpoints: [1] }],
    "fabric 2 untouched",
  );
});

test("addGroupEndpoint: an empty name keeps the group's name, another replaces it; addGroup's checks apply", async () => {
  const store = await GroupKeyStore.open(new MemoryStorage(), { maxGroupsPerFabric: 1 });
  const f1 = fabricIndex(1);
  await store.addGroupEndpoint(f1, 0x0101, 1);
  await store.addGroupEndpoint(f1, 0x0101, 2, "Kitchen");
  await store.addGroupEndpoint(f1, 0x0101, 3);
  assert.deepEqual(store.groupTable(f1), [{ groupId: 0x0101, groupName: "Kitchen", endpoints: [1, 2, 3] }]);
  await assert.rejects(store.addGroupEndpoint(f1, 0x0102, 1), status(ImStatus.RESOURCE_EXHAUSTED));
  await assert.rejects(store.addGroupEndpoint(f1, 0, 1), status(ImStatus.CONSTRAINT_ERROR));
  await assert.rejects(store.addGroupEndpoint(f1, 0x0101, 1, "x".repeat(17)), status(ImStatus.CONSTRAINT_ERROR));
  await assert.rejects(store.addGroupEndpoint(f1, 0x0101, 0xffff), RangeError);
});

test("GroupName's 16 are UTF-8 bytes: addGroup and a stored record refuse 9 two-byte characters, take 8", async () => {
  const storage = new MemoryStorage();
  const store = await GroupKeyStore.open(storage);
  const f1 = fabricIndex(1);
  await assert.rejects(store.addGroup(f1, 0x0101, 1, "é".repeat(9)), status(ImStatus.CONSTRAINT_ERROR));
  await store.addGroup(f1, 0x0101, 1, "é".repeat(8));
  assert.equal((await GroupKeyStore.open(storage)).groupTable(f1)[0]?.groupName, "é".repeat(8));
  const record = (name: string) => ({ v: 1, keySets: [], keyMap: [], groups: [{ groupId: 1, endpoints: [1], name }] });
  await storage.set("groupkeys/001", record("é".repeat(9)));
  await assert.rejects(GroupKeyStore.open(storage), MalformedError);
});
