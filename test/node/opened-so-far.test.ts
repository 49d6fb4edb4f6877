// The list a device start closes when it fails and `stop` closes: reverse order, each close once, a failing close
// reported while the others still run.
import assert from "node:assert/strict";
import { test } from "node:test";
import { OpenedSoFar } from "../../src/node/opened-so-far.ts";

test("closeAll closes the last opened first, reports a failing close and still runs the others, each only once", async () => {
  const opened = new OpenedSoFar();
  const closed: string[] = [];
  opened.add("lock", () => void closed.push("lock"));
  opened.add("storage", async () => {
    closed.push("storage");
    throw new RangeError("disk gone");
  });
  opened.add("socket", async () => void closed.push("socket"));
  const reported: string[] = [];
  await opened.closeAll((what) => (e) => reported.push(`${what}: ${String(e)}`));
  assert.deepEqual(closed, ["socket", "storage", "lock"]);
  assert.deepEqual(reported, ["storage: RangeError: disk gone"]);
  await opened.closeAll(() => assert.fail("nothing left to close"));
  assert.deepEqual(closed, ["socket", "storage", "lock"]);
});
