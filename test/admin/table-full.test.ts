// A device whose fabric table is full: the commissioning fails at the step the device refuses, in one line that
// lists the device's fabrics (vendor and label) so the user knows which ecosystem to remove it from; the device keeps
// its fabrics and the administrator registers nothing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runInPrivateNetns } from "../support/netns-child.ts";

test("a full fabric table fails the commissioning with the device's fabrics listed", () => {
  const o = runInPrivateNetns("test/admin/table-full-netns.ts", { timeoutMs: 180_000 });
  assert.equal(o.error, undefined, o.error);
  assert.equal(o.sixth.index, 5);
  assert.equal(o.sixth.code, "admin.command-failed");
  // TC-CADMIN-1.19: CSRRequest and AddTrustedRootCertificate still succeed; AddNOC answers TableFull.
  assert.equal(o.sixth.step, "AddNOC");
  assert.match(o.sixth.message, /^AddNOC: NOCResponse TableFull( \("[^"]*"\))?; /);
  assert.match(
    o.sixth.message,
    /the device holds 5 of 5 fabrics: 1 0xFFF1 \(test vendor\) "admin 0"; 2 0xFFF1 \(test vendor\) "admin 1"; .*5 0xFFF1 \(test vendor\) "admin 4"\. Remove the device from one of these ecosystems first$/,
  );
  assert.doesNotMatch(o.sixth.message, /\n/);
  assert.equal(o.sixthNodes, 0);
  assert.deepEqual(o.after, ["admin 0", "admin 1", "admin 2", "admin 3", "admin 4"]);
});
