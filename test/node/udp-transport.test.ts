// The UDP transport on real sockets, inside a private network namespace (`unshare -n`): dual-stack reception on the
// Matter port over ::1 and 127.0.0.1, replies to the sender, malformed datagrams counted and dropped, bind conflicts.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { runInPrivateNetns } from "../support/netns-child.ts";

test("UDP transport exchanges datagrams over ::1 and 127.0.0.1 in a private network namespace", () => {
  // Sockets may only be opened in a private namespace; creating one needs root (CI runs as root). No silent skip.
  assert.equal(
    process.getuid?.(),
    0,
    "this test needs root to create a private network namespace with `unshare -n`; run it as root (CI does)",
  );
  const script = resolve(import.meta.dirname, "udp-transport-netns.ts");
  const r = runInPrivateNetns(script, { timeoutMs: 60_000 });
  assert.equal(r.port, 5540);
  assert.equal(r.bindInUse, "EADDRINUSE");
  assert.deepEqual(r.aFrom, [
    ["127.0.0.1", 1, "42"],
    ["::1", 2, "42"],
  ]);
  // Message counters follow the order the script sealed messages in: 3 from C, then the reply sealed sixth.
  assert.deepEqual(r.bFrom, [
    ["::1", 3],
    ["127.0.0.1", 6],
  ]);
  assert.deepEqual(r.aStats, { received: 5, malformed: 3, handlerErrors: 0, sent: 1 });
  assert.deepEqual(r.dStats, { received: 2, malformed: 1, handlerErrors: 1, sent: 0 });
  assert.equal(r.handlerErrors, 1);
  assert.equal(r.sendAfterClose, "TypeError");
  assert.deepEqual(r.nonLiteral, ["localhost: EINVAL", "example.com: EINVAL", "1.2.3: EINVAL"]);
});
