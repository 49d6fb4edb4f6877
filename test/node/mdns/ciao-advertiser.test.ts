// The ciao advertiser on real sockets, inside a private network namespace (`unshare -n`, multicast on `lo`): a
// DNS-SD client in the namespace sees the commissionable service with its TXT and subtypes and the operational
// services, sees identity changes applied (withdrawn with goodbyes, announced), and goodbyes for all on close.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { runInPrivateNetns } from "../../support/netns-child.ts";

test("CiaoAdvertiser advertises, updates and withdraws Matter services in a private network namespace", () => {
  // ciao may only run in a private namespace (never multicast onto the real network); creating one needs root.
  assert.equal(
    process.getuid?.(),
    0,
    "this test needs root to create a private network namespace with `unshare -n`; run it as root (CI does)",
  );
  const script = resolve(import.meta.dirname, "mdns-netns.ts");
  const r = runInPrivateNetns(script);

  // Commissionable: the seeded random source gives the instance name; every subtype points at it.
  const name = "A0A1A2A3A4A5A6A7";
  const fqdn = `${name}._matterc._udp.local`;
  assert.equal(r.commissionable.name, name);
  assert.deepEqual(r.commissionable.type, [fqdn]);
  assert.deepEqual(r.commissionable.subtypes, {
    _L3840: [fqdn],
    _S15: [fqdn],
    _V65521: [fqdn],
    _T257: [fqdn],
    _CM: [fqdn],
  });
  assert.deepEqual(r.commissionable.srv, [`5540 ${name}.local`]);
  assert.deepEqual(r.commissionable.txt, [
    "D=3840",
    "VP=65521+32769",
    "CM=1",
    "DT=257",
    "DN=Opcreds Light",
    "PH=33",
    "SII=5000",
    "SAI=300",
    "SAT=4000",
    "T=0",
  ]);
  assert.deepEqual(r.hostA, ["127.0.0.1"]);
  // A legacy unicast query is answered with its id and question repeated (RFC 6762 6.7).
  assert.deepEqual(r.legacy.questions, [{ name: "_matterc._udp.local", type: 12 }]);
  assert.ok(r.legacy.id > 0x1200);

  // Operational: one service per identity, `_I<CFID>` subtype, common TXT.
  const opA1 = "87E1B004E235A130-0000000000000001._matter._tcp.local";
  const opA2 = "87E1B004E235A130-0000000000000002._matter._tcp.local";
  const opB = "1122334455667788-00000000000000AB._matter._tcp.local";
  assert.deepEqual(r.op1.published, [name, "87E1B004E235A130-0000000000000001", "1122334455667788-00000000000000AB"]);
  assert.deepEqual(r.op1.type, [opB, opA1]);
  assert.deepEqual(r.op1.subtypeA, [opA1]);
  assert.deepEqual(r.op1.a.srv, ["5540 87E1B004E235A130-0000000000000001.local"]);
  assert.deepEqual(r.op1.a.txt, ["SII=5000", "SAI=300", "SAT=4000", "T=0"]);

  // Identity change: the old identity is withdrawn with goodbyes (type and subtype PTR), the new one answers.
  assert.deepEqual(r.op2.type, [opB, opA2]);
  assert.deepEqual(r.op2.goodbyes, [
    `_i87e1b004e235a130._sub._matter._tcp.local -> ${opA1}`,
    `_matter._tcp.local -> ${opA1}`,
  ]);

  // A new window: new name from the random source, the old name withdrawn.
  const name2 = "A8A9AAABACADAEAF";
  assert.equal(r.reopened.name, name2);
  assert.deepEqual(r.reopened.type, [`${name2}._matterc._udp.local`]);
  assert.deepEqual(r.reopened.txt, ["D=100", "CM=2", "SII=5000", "SAI=300", "SAT=4000", "T=0"]);
  assert.deepEqual(r.reopened.goodbyes, [fqdn]);

  // close(): goodbyes for every remaining service, and the child process exits on its own (no handles left).
  assert.deepEqual(r.closeGoodbyes, [
    `_matter._tcp.local -> ${opB}`,
    `_matter._tcp.local -> ${opA2}`,
    `_matterc._udp.local -> ${name2}._matterc._udp.local`,
  ]);
  assert.equal(r.childExit, 0);
  // Misuse: an empty interface list is refused; a closed advertiser refuses changes and publishes nothing.
  assert.equal(r.started, "started; empty interfaces: RangeError");
  assert.equal(r.afterClose, "TypeError; published 0");
});
