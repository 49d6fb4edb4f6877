import assert from "node:assert/strict";
import { test } from "node:test";
import { MalformedError, ProtocolError } from "../../src/bytes/errors.ts";
import {
  type AccessControlEntry,
  AccessControlStore,
  AUTH_MODE,
  checkAccessAgainst,
  PRIVILEGE,
  type Privilege,
  privilegeGrants,
  type SubjectDescriptor,
  validateAccessControlEntry,
} from "../../src/fabric/access-control.ts";
import { fabricIndex } from "../../src/fabric/fabric-index.ts";
import { IM_STATUS } from "../../src/fabric/status-codes.ts";
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
  privilege: PRIVILEGE.operate,
  authMode: AUTH_MODE.case,
  subjects: [NODE],
  targets: null,
  ...over,
});

test("privilege hierarchy: Administer > Manage > Operate > View; ProxyView > View", () => {
  const P = PRIVILEGE;
  const all: Privilege[] = [P.view, P.proxyView, P.operate, P.manage, P.administer];
  const expected: Record<number, Privilege[]> = {
    [P.view]: [P.view],
    [P.proxyView]: [P.view, P.proxyView],
    [P.operate]: [P.view, P.operate],
    [P.manage]: [P.view, P.operate, P.manage],
    [P.administer]: all,
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
  assert.equal(checkAccessAgainst(e, caseSubject(), path, PRIVILEGE.operate), true);
  assert.equal(checkAccessAgainst(e, caseSubject(), path, PRIVILEGE.view), true);
  assert.equal(checkAccessAgainst(e, caseSubject(), path, PRIVILEGE.manage), false);
  assert.equal(checkAccessAgainst(e, caseSubject({ fabricIndex: 2 }), path, PRIVILEGE.view), false);
  assert.equal(checkAccessAgainst(e, caseSubject({ subjectNodeId: NODE + 1n }), path, PRIVILEGE.view), false);
  assert.equal(checkAccessAgainst(e, caseSubject(), { ...path, cluster: 0x0008 }, PRIVILEGE.view), false);
  assert.equal(
    checkAccessAgainst(e, { ...caseSubject(), authMode: AUTH_MODE.group, subjectNodeId: 1n }, path, PRIVILEGE.view),
    false,
  );
  // Empty subjects = any subject of that auth mode; endpoint and device-type targets.
  const wide = [
    entry({ subjects: [], targets: [{ cluster: null, endpoint: 2, deviceType: null }] }),
    entry({ subjects: null, targets: [{ cluster: 0x0300, endpoint: null, deviceType: 0x010d }] }),
  ];
  assert.equal(
    checkAccessAgainst(wide, caseSubject({ subjectNodeId: 5n }), { ...path, endpoint: 2 }, PRIVILEGE.operate),
    true,
  );
  assert.equal(checkAccessAgainst(wide, caseSubject(), path, PRIVILEGE.operate), false);
  assert.equal(
    checkAccessAgainst(wide, caseSubject(), { endpoint: 9, cluster: 0x0300, deviceTypes: [0x010d] }, PRIVILEGE.operate),
    true,
  );
  assert.equal(
    checkAccessAgainst(wide, caseSubject(), { endpoint: 9, cluster: 0x0300, deviceTypes: [0x0100] }, PRIVILEGE.operate),
    false,
  );
  // No entries: denied over CASE, but PASE is implicitly Administer.
  assert.equal(checkAccessAgainst([], caseSubject(), path, PRIVILEGE.view), false);
  assert.equal(
    checkAccessAgainst(
      [],
      { authMode: AUTH_MODE.pase, fabricIndex: 0, subjectNodeId: 0n, cats: [], isPase: true },
      path,
      PRIVILEGE.administer,
    ),
    true,
  );
});

test("CAT subjects match a session CAT with the same identifier and a version >= the subject's", () => {
  const e = [entry({ subjects: [0xffff_fffd_abcd_0002n], privilege: PRIVILEGE.administer })];
  assert.equal(checkAccessAgainst(e, caseSubject({ cats: [0xabcd_0002] }), path, PRIVILEGE.administer), true);
  assert.equal(checkAccessAgainst(e, caseSubject({ cats: [0xabcd_0003] }), path, PRIVILEGE.administer), true);
  assert.equal(checkAccessAgainst(e, caseSubject({ cats: [0xabcd_0001] }), path, PRIVILEGE.administer), false);
  assert.equal(checkAccessAgainst(e, caseSubject({ cats: [0xabce_0002] }), path, PRIVILEGE.administer), false);
  assert.equal(checkAccessAgainst(e, caseSubject({ cats: [0x1111_0001, 0xabcd_0009] }), path, PRIVILEGE.view), true);
  // The node id alone does not satisfy a CAT subject.
  assert.equal(
    checkAccessAgainst(e, caseSubject({ subjectNodeId: 0xffff_fffd_abcd_0002n }), path, PRIVILEGE.view),
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
  assert.equal(checkAccessAgainst(e, group(0x0101n), path, PRIVILEGE.operate), true);
  assert.equal(checkAccessAgainst(e, group(0xffff_ffff_ffff_0101n), path, PRIVILEGE.operate), true);
  assert.equal(checkAccessAgainst(e, group(0x0102n), path, PRIVILEGE.operate), false);
  assert.equal(checkAccessAgainst(e, caseSubject({ subjectNodeId: 0x0101n }), path, PRIVILEGE.operate), false);
});

test("entry validation: the CONSTRAINT_ERROR and RESOURCE_EXHAUSTED cases", () => {
  const bad = (e: AccessControlEntry, status: number = IM_STATUS.constraintError) =>
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
  bad(entry({ authMode: AUTH_MODE.group, privilege: PRIVILEGE.administer, subjects: [1n] }));
  bad(entry({ subjects: [0n] }));
  bad(entry({ subjects: [0xffff_fff0_0000_0000n] }));
  bad(entry({ subjects: [0xffff_fffd_abcd_0000n] }), IM_STATUS.constraintError);
  bad(entry({ authMode: AUTH_MODE.group, subjects: [0n] }));
  bad(entry({ authMode: AUTH_MODE.group, subjects: [NODE] }));
  bad(entry({ targets: [{ cluster: null, endpoint: null, deviceType: null }] }));
  bad(entry({ targets: [{ cluster: null, endpoint: 1, deviceType: 0x0100 }] }));
  bad(entry({ targets: [{ cluster: 0x8000, endpoint: null, deviceType: null }] }));
  validateAccessControlEntry(entry({ targets: [{ cluster: 0xfff1_fc00, endpoint: null, deviceType: null }] }));
  bad(entry({ targets: [{ cluster: null, endpoint: 0xffff, deviceType: null }] }));
  bad(entry({ targets: [{ cluster: null, endpoint: null, deviceType: 0xc000 }] }));
  bad(entry({ subjects: [1n, 2n, 3n, 4n, 5n] }), IM_STATUS.resourceExhausted);
  const t = { cluster: 6, endpoint: null, deviceType: null };
  bad(entry({ targets: [t, t, t, t] }), IM_STATUS.resourceExhausted);
});

test("store: per-fabric entries persist, fabric-scoped writes, limits, removal and pruning", async () => {
  const storage = new MemoryStorage();
  const store = await AccessControlStore.open(storage);
  const admin = entry({ privilege: PRIVILEGE.administer });
  await store.addEntry(admin);
  await store.addEntry(entry({ fabricIndex: F2, subjects: [0xffff_fffd_0001_0001n] }));
  await assert.rejects(store.setEntries(F1, [entry({ fabricIndex: F2 })]), ProtocolError);
  await assert.rejects(
    store.setEntries(F1, [admin, admin, admin, admin, admin]),
    (e: unknown) => e instanceof ProtocolError && e.status === IM_STATUS.resourceExhausted,
  );
  const again = await AccessControlStore.open(storage);
  assert.deepEqual(again.entries(F1), [admin]);
  assert.equal(again.entries().length, 2);
  assert.equal(again.checkAccess(caseSubject(), path, PRIVILEGE.administer), true);
  assert.equal(again.checkAccess(caseSubject({ fabricIndex: 2 }), path, PRIVILEGE.view), false);
  assert.equal(again.checkAccess(caseSubject({ fabricIndex: 2, cats: [0x0001_0001] }), path, PRIVILEGE.operate), true);
  await again.removeFabric(F1);
  assert.equal(again.checkAccess(caseSubject(), path, PRIVILEGE.view), false);
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
