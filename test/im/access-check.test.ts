import assert from "node:assert/strict";
import { test } from "node:test";
import { AccessControlStore, Privilege } from "../../src/fabric/access-control.ts";
import type { FabricIndex } from "../../src/fabric/fabric-index.ts";
import { aclAccessChecker } from "../../src/im/access-check.ts";
import { MemoryStorage } from "../../src/storage/memory-storage.ts";
import { pase, session } from "./fixtures.ts";

test("ACL-backed checker: PASE is Administer; CASE needs a matching entry of its fabric", async () => {
  const acl = await AccessControlStore.open(new MemoryStorage());
  await acl.addEntry({
    fabricIndex: 1 as FabricIndex,
    privilege: Privilege.Operate,
    authMode: 2,
    subjects: [0x1122n],
    targets: null,
  });
  const check = aclAccessChecker(acl);
  const target = { endpoint: 0, cluster: 0x3e };
  assert.equal(check(pase(), target, Privilege.Administer), true);
  assert.equal(check(session(), target, Privilege.Operate), true);
  assert.equal(check(session(), target, Privilege.View), true);
  assert.equal(check(session(), target, Privilege.Administer), false);
  assert.equal(check(session({ subjectNodeId: 0x9n }), target, Privilege.View), false);
  assert.equal(check(session({ fabricIndex: 2 }), target, Privilege.View), false);
});
