// Interop: the matter.js 0.17.9 PaseClient (@matter/protocol dev dependency, its own exchange and session managers)
// completes PASE against our responder over UDP inside a private network namespace; both sides hold a session with
// crossed ids and the same attestation challenge. A wrong passcode fails on both sides.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { runInPrivateNetns } from "../support/netns-child.ts";

function runInNamespace(passcode: number) {
  // matter.js and our sockets run only inside a private namespace; creating one needs root (CI runs as root).
  const script = resolve(import.meta.dirname, "matterjs-pase-netns.ts");
  return runInPrivateNetns(script, { args: [String(passcode)], env: { MATTER_LOG_LEVEL: "fatal" } });
}

test("matter.js PaseClient establishes a PASE session with our responder over UDP", () => {
  const r = runInNamespace(20202021);
  assert.equal(r.ok, true, `matter.js PASE failed: ${r.error}`);
  assert.ok(r.ours, "our responder established a session");
  assert.equal(r.ours.id, r.theirs.peerSessionId);
  assert.equal(r.ours.peerSessionId, r.theirs.id);
  // Same Ke on both sides shows as the same attestation challenge (HKDF(Ke, "SessionKeys")[32..48]).
  assert.match(r.ours.attestationChallenge, /^[0-9a-f]{32}$/);
  assert.equal(r.ours.attestationChallenge, r.theirs.attestationChallenge);
  assert.deepEqual(r.events, ["commissioning-window-closed", "session-established"]);
  assert.equal(r.deviceStats.unauthenticated, 0);
  assert.equal(r.deviceStats.transport.malformed, 0);
});

test("matter.js PaseClient with a wrong passcode: both sides fail, no session", () => {
  const r = runInNamespace(11223344);
  assert.equal(r.ok, false);
  assert.equal(r.ours, undefined);
  assert.deepEqual(r.events, ["handshake-failed:pase.peer-status"]);
});
