import assert from "node:assert/strict";
import { test } from "node:test";
import { MalformedError, ProtocolError } from "../../src/bytes/errors.ts";
import {
  type AccessControlEntry,
  AccessControlStore,
  AUTH_MODE,
  checkAccessAgainst,
  Privilege,
  privilegeGrants,
  type SubjectDescriptor,
  validateAccessControlEntry,
} from "../../src/fabric/access-control.ts";
import { fabricIndex } from "../../src/fabric/fabric-index.ts";
import { ImStatus } from "../../src/fabric/status-codes.ts";
import { MemoryStorage } from "../../src/storage/memory-storage.ts";

const F1 = fabricIndex(1);
const F2 = fabricIndex(2);
const NODE = 0x1122_3344_5566_7788n;
const path = { endpoint: 1, cluster: 0x0006, deviceTypes: [0x0100] };
const caseSubject = (over: Partial<SubjectDescriptor> = {}): SubjectDescriptor => ({
  authMode: AUTH_MODE.case,
  fabricIndex: 1,
  subjectNodeId: NODE,
  cats: [],
  ...over,
});
const entry = (over: Partial<AccessControlEntry> = {}): AccessControlEntry => ({
  fabricIndex: F1,
  privilege: Privilege.Operate,
  authMode: AUTH_MODE.case,
  subjects: [NODE],
  targets: null,
  ...over,
});

test("privilege hierarchy: Administer > Manage > Operate > View; ProxyView > View", () => {
  const P = Privilege;
  const all: Privilege[] = [P.View, P.ProxyView, P.Operate, P.Manage, P.Administer];
  const expected: Record<number, Privilege[]> = {
    [P.View]: [P.View],
    [P.ProxyView]: [P.View, P.ProxyView],
    [P.Operate]: [P.View, P.Operate],
    [P.Manage]: [P.View, P.Operate, P.Manage],
    [P.Administer]: all,
  };
  for (const granted of all) {
    for (const required of all) {
      assert.equal(
        privilegeGrants(granted, required),
        expected[granted]!.includes(required),
        `${granted} vs ${required}`,
      );
    }
  }
});

test("access check matrix: fabric, auth mode, subject, privilege, targets", () => {
  const e = [entry({ targets: [{ cluster: 0x0006, endpoint: null, deviceType: null }] })];
  assert.equal(checkAccessAgainst(e, caseSubject(), path, Privilege.Operate), true);
  assert.equal(checkAccessAgainst(e, caseSubject(), path, Privilege.View), true);
  assert.equal(checkAccessAgainst(e, caseSubject(), path, Privilege.Manage), false);
  assert.equal(checkAccessAgainst(e, caseSubject({ fabricIndex: 2 }), path, Privilege.View), false);
  assert.equal(checkAccessAgainst(e, caseSubject({ subjectNodeId: NODE + 1n }), path, Privilege.View), false);
  assert.equal(checkAccessAgainst(e, caseSubject(), { ...path, cluster: 0x0008 }, Privilege.View), false);
  assert.equal(
    checkAccessAgainst(e, { ...caseSubject(), authMode: AUTH_MODE.group, subjectNodeId: 1n }, path, Privilege.View),
    false,
  );
  // Empty subjects = any subject of that auth mode; endpoint and device-type targets.
  const wide = [
    entry({ subjects: [], targets: [{ cluster: null, endpoint: 2, deviceType: null }] }),
    entry({ subjects: null, targets: [{ cluster: 0x0300, endpoint: null, deviceType: 0x010d }] }),
  ];
  assert.equal(
    checkAccessAgainst(wide, caseSubject({ subjectNodeId: 5n }), { ...path, endpoint: 2 }, Privilege.Operate),
    true,
  );
  assert.equal(checkAccessAgainst(wide, caseSubject(), path, Privilege.Operate), false);
  assert.equal(
    checkAccessAgainst(wide, caseSubject(), { endpoint: 9, cluster: 0x0300, deviceTypes: [0x010d] }, Privilege.Operate),
    true,
  );
  assert.equal(
    checkAccessAgainst(wide, caseSubject(), { endpoint: 9, cluster: 0x0300, deviceTypes: [0x0100] }, Privilege.Operate),
    false,
  );
  // No entries: denied over CASE, but PASE is implicitly Administer.
  assert.equal(checkAccessAgainst([], caseSubject(), path, Privilege.View), false);
  assert.equal(
    checkAccessAgainst(
      [],
      { authMode: AUTH_MODE.pase, fabricIndex: 0, subjectNodeId: 0n, cats: [], isPase: true },
      path,
      Privilege.Administer,
    ),
    true,
  );
});

test("CAT subjects match a session CAT with the same identifier and a version >= the subject's", () => {
  const e = [entry({ subjects: [0xffff_fffd_abcd_0002n], privilege: Privilege.Administer })];
  assert.equal(checkAccessAgainst(e, caseSubject({ cats: [0xabcd_0002] }), path, Privilege.Administer), true);
  assert.equal(checkAccessAgainst(e, caseSubject({ cats: [0xabcd_0003] }), path, Privilege.Administer), true);
  assert.equal(checkAccessAgainst(e, caseSubject({ cats: [0xabcd_0001] }), path, Privilege.Administer), false);
  assert.equal(checkAccessAgainst(e, caseSubject({ cats: [0xabce_0002] }), path, Privilege.Administer), false);
  assert.equal(checkAccessAgainst(e, caseSubject({ cats: [0x1111_0001, 0xabcd_0009] }), path, Privilege.View), true);
  // The node id alone does not satisfy a CAT subject.
  assert.equal(
    checkAccessAgainst(e, caseSubject({ subjectNodeId: 0xffff_fffd_abcd_0002n }), path, Privilege.View),
    false,
  );
});

test("Group entries match the group id (or group node id) of a group session", () => {
  const e = [entry({ authMode: AUTH_MODE.group, subjects: [0x0101n] })];
  const group = (s: bigint): SubjectDescriptor => ({
    authMode: AUTH_MODE.group,
    fabricIndex: 1,
    subjectNodeId: s,
    cats: [],
  });
  assert.equal(checkAccessAgainst(e, group(0x0101n), path, Privilege.Operate), true);
  assert.equal(checkAccessAgainst(e, group(0xffff_ffff_ffff_0101n), path, Privilege.Operate), true);
  assert.equal(checkAccessAgainst(e, group(0x0102n), path, Privilege.Operate), false);
  assert.equal(checkAccessAgainst(e, caseSubject({ subjectNodeId: 0x0101n }), path, Privilege.Operate), false);
});

test("entry validation: the CONSTRAINT_ERROR and RESOURCE_EXHAUSTED cases", () => {
  const bad = (e: AccessControlEntry, status: number = ImStatus.CONSTRAINT_ERROR) =>
    assert.throws(
      () => validateAccessControlEntry(e),
      (x: unknown) => x instanceof ProtocolError && x.status === status,
    );
  validateAccessControlEntry(entry());
  validateAccessControlEntry(entry({ subjects: [0xffff_fffd_0001_0001n] }));
  validateAccessControlEntry(entry({ authMode: AUTH_MODE.group, subjects: [1n, 0xffffn] }));
  bad(entry({ fabricIndex: 0 as never }));
  bad(entry({ privilege: 6 as never }));
  bad(entry({ authMode: AUTH_MODE.pase }));
  bad(entry({ authMode: AUTH_MODE.group, privilege: Privilege.Administer, subjects: [1n] }));
  bad(entry({ subjects: [0n] }));
  bad(entry({ subjects: [0xffff_fff0_0000_0000n] }));
  bad(entry({ subjects: [0xffff_fffd_abcd_0000n] }), ImStatus.CONSTRAINT_ERROR);
  bad(entry({ authMode: AUTH_MODE.group, subjects: [0n] }));
  bad(entry({ authMode: AUTH_MODE.group, subjects: [NODE] }));
  bad(entry({ targets: [{ cluster: null, endpoint: null, deviceType: null }] }));
  bad(entry({ targets: [{ cluster: null, endpoint: 1, deviceType: 0x0100 }] }));
  bad(entry({ targets: [{ cluster: 0x8000, endpoint: null, deviceType: null }] }));
  validateAccessControlEntry(entry({ targets: [{ cluster: 0xfff1_fc00, endpoint: null, deviceType: null }] }));
  bad(entry({ targets: [{ cluster: null, endpoint: 0xffff, deviceType: null }] }));
  bad(entry({ targets: [{ cluster: null, endpoint: null, deviceType: 0xc000 }] }));
  bad(entry({ subjects: [1n, 2n, 3n, 4n, 5n] }), ImStatus.RESOURCE_EXHAUSTED);
  const t = { cluster: 6, endpoint: null, deviceType: null };
  bad(entry({ targets: [t, t, t, t] }), ImStatus.RESOURCE_EXHAUSTED);
});

test("store: per-fabric entries persist, fabric-scoped writes, limits, removal and pruning", async () => {
  const storage = new MemoryStorage();
  const store = await AccessControlStore.open(storage);
  const admin = entry({ privilege: Privilege.Administer });
  await store.addEntry(admin);
  await store.addEntry(entry({ fabricIndex: F2, subjects: [0xffff_fffd_0001_0001n] }));
  await assert.rejects(store.setEntries(F1, [entry({ fabricIndex: F2 })]), ProtocolError);
  await assert.rejects(
    store.setEntries(F1, [admin, admin, admin, admin, admin]),
    (e: unknown) => e instanceof ProtocolError && e.status === ImStatus.RESOURCE_EXHAUSTED,
  );
  const again = await AccessControlStore.open(storage);
  assert.deepEqual(again.entries(F1), [admin]);
  assert.equal(again.entries().length, 2);
  assert.equal(again.checkAccess(caseSubject(), path, Privilege.Administer), true);
  assert.equal(again.checkAccess(caseSubject({ fabricIndex: 2 }), path, Privilege.View), false);
  assert.equal(again.checkAccess(caseSubject({ fabricIndex: 2, cats: [0x0001_0001] }), path, Privilege.Operate), true);
  await again.removeFabric(F1);
  assert.equal(again.checkAccess(caseSubject(), path, Privilege.View), false);
  assert.deepEqual(await again.pruneFabrics(new Set([1])), [F2]);
  assert.equal(storage.size, 0);
});

test("a damaged ACL record is MalformedError", async () => {
  const storage = new MemoryStorage();
  for (const bad of [
    { x: 1 },
    [{ privilege: 5, authMode: 1, subjects: null, targets: null }],
    [{ privilege: 3, authMode: 2, subjects: ["zz"], targets: null }],
    [{ privilege: 3, authMode: 2, subjects: null, targets: [{ cluster: "6" }] }],
  ]) {
    await storage.set("acl/001", bad);
    await assert.rejects(AccessControlStore.open(storage), MalformedError);
  }
});
