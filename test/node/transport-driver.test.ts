// The transport driver over real UDP: two processes inside a private network namespace (`unshare -n`) complete PASE
// (over ::1), exchange an encrypted echo, complete CASE (over 127.0.0.1 to the same dual-stack socket), exchange
// another echo, sends bad datagrams that the device counts and drops, and the controller closes the CASE session with CloseSession, which the device reports.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { runInPrivateNetns } from "../support/netns-child.ts";

test("two processes complete PASE then CASE over UDP and exchange encrypted messages", () => {
  // Sockets may only be opened in a private namespace; creating one needs root (CI runs as root). No silent skip.
  const script = resolve(import.meta.dirname, "secure-channel-netns.ts");
  const r = runInPrivateNetns(script);
  assert.equal(r.controllerExit, 0, `controller failed:\n${r.controllerErr}`);
  assert.equal(r.deviceErr, "");
  const { pase, case: cs } = r.result;
  assert.equal(r.result.paseEcho, "esap revo");
  assert.equal(r.result.caseEcho, "esac revo");

  const deviceSessions = r.deviceEvents.filter((e: { kind: string }) => e.kind === "session-established");
  assert.equal(deviceSessions.length, 2);
  const [dPase, dCase] = deviceSessions.map((e: { session: unknown }) => e.session);
  // Same keys on both sides of each session; ids crossed over.
  for (const [mine, theirs] of [
    [pase, dPase],
    [cs, dCase],
  ]) {
    assert.equal(mine.i2r, theirs.i2r);
    assert.equal(mine.r2i, theirs.r2i);
    assert.equal(mine.challenge, theirs.challenge);
    assert.equal(mine.local, theirs.peer);
    assert.equal(mine.peer, theirs.local);
  }
  assert.equal(pase.type, "pase");
  assert.equal(cs.type, "case");
  assert.equal(cs.peerNodeId, "cd5544aa7b13ef14");
  assert.equal(dCase.peerNodeId, "1b669");
  assert.notEqual(pase.i2r, cs.i2r);
  assert.deepEqual(
    r.deviceEvents
      .filter((e: { kind: string }) => e.kind === "commissioning-window-closed")
      .map((e: { reason: string }) => e.reason),
    ["established"],
  );
  const ended = r.deviceEvents.filter((e: { kind: string }) => e.kind === "session-ended");
  assert.deepEqual(
    ended.map((e: { reason: string; session: { local: number } }) => [e.session.local, e.reason]),
    [[dCase.local, "peer-closed"]],
  );
  // The device counted and dropped the controller's bad datagrams: one malformed header, one unknown session id, one
  // replay and one tampered copy; the genuine standalone ack in between was accepted.
  assert.equal(r.deviceStats.transport.malformed, 1);
  assert.equal(r.deviceStats.unknownSession, 1);
  // At least the replay (an MRP retransmission on a slow start would add one more, also dropped).
  assert.ok(r.deviceStats.duplicates >= 1);
  assert.equal(r.deviceStats.unauthenticated, 1);
  // Nothing was dropped as malformed or unauthenticated on the controller.
  assert.equal(r.result.stats.transport.malformed, 0);
  assert.equal(r.result.stats.unauthenticated, 0);
  assert.equal(r.result.stats.sendErrors, 0);
});
