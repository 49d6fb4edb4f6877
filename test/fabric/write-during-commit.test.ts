// A write to the added fabric's ACL that lands while CommissioningComplete's storage transaction is in flight is either
// kept (before the commit took the pending record) or refused with BUSY: never acknowledged and then lost.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ProtocolError } from "../../src/bytes/errors.ts";
import { CommissioningError } from "../../src/clusters/general-commissioning/general-commissioning.ts";
import { fabricIndex } from "../../src/fabric/fabric-index.ts";
import { ImStatus } from "../../src/fabric/status-codes.ts";
import { nocResponseOf, statusOf, TestCommissioner, TestNode } from "../support/test-commissioner.ts";
import { SlowStorage } from "./slow-storage.ts";

for (let macrotasks = 0; macrotasks < 8; macrotasks++) {
  test(`an ACL write ${macrotasks} macrotask(s) into CommissioningComplete is kept or refused with BUSY`, async () => {
    const storage = new SlowStorage();
    const node = await TestNode.create({ storage });
    const th = new TestCommissioner(node, { fabricId: 0xc1n, nodeId: 0x4444n });
    const pase = node.openPase();
    assert.equal(await node.armFailSafe(pase, 60), CommissioningError.OK);
    const { csr } = await th.csrRequest(pase);
    assert.equal(statusOf(await th.addTrustedRoot(pase)), ImStatus.SUCCESS);
    const fi = fabricIndex(nocResponseOf(await th.addNoc(pase, th.issue(csr!))).fabricIndex!);
    th.fabricIndex = fi;
    const before = node.acl.entries(fi);
    const extra = { ...before[0]!, subjects: [0x5555n] };
    const complete = node.commissioningComplete(th.openCase());
    for (let i = 0; i < macrotasks; i++) await new Promise((r) => setImmediate(r));
    const write = node.acl.setEntries(fi, [...before, extra]).then(
      () => "kept",
      (e: unknown) => e,
    );
    await complete;
    const outcome = await write;
    const expected = outcome === "kept" ? before.length + 1 : before.length;
    if (outcome !== "kept") {
      assert.ok(outcome instanceof ProtocolError, String(outcome));
      assert.equal(outcome.status, ImStatus.BUSY);
    }
    assert.equal(node.acl.entries(fi).length, expected);
    // What storage holds is what memory holds: a node restarted on it has the same entries.
    const restarted = await TestNode.create({ storage });
    assert.equal(restarted.acl.entries(fi).length, expected);
  });
}
