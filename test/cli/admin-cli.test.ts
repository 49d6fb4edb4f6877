// The administrator's CLI as a user runs it: `opcreds start` and `opcreds commission|nodes|node ...` through the real
// bin inside a private namespace with multicast on loopback; the device is found by DNS-SD from its QR payload.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runInPrivateNetns } from "../support/netns-child.ts";

type Run = { code: number; out: string; err: string };

test("opcreds commission finds our device by DNS-SD from its QR payload and opcreds node administers it", () => {
  const o = runInPrivateNetns<Record<string, Run> & { error?: string }>("test/cli/admin-cli-netns.ts", {
    timeoutMs: 240_000,
  });
  assert.equal(o.error, undefined, o.error);
  const json = (r: Run) => {
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out);
  };
  assert.equal(o.init!.code, 0, o.init!.err);
  assert.match(o.init!.out, /vendor 0xFFF2 \(test vendor\) label "home" administrator node 112233 \(with ICAC\)/);
  // A second init refuses to replace the fabric.
  assert.equal(o.reinit!.code, 1);
  assert.match(o.reinit!.err, /already holds an administrator fabric/);

  const c = json(o.commission!);
  assert.equal(c.nodeId, "1");
  assert.equal(c.fabricIndex, 1);
  assert.equal(c.vendorId, 0xfff1);
  assert.equal(c.productId, 0x8000);
  assert.equal(typeof c.ms, "number");
  assert.match(o.commission!.err, /using the development attestation trust store/);
  assert.match(o.commission!.err, /^discovery +[0-9.]+ ms/m);
  assert.match(o.commission!.err, /^UpdateFabricLabel +[0-9.]+ ms/m);
  assert.match(o.commission!.err, /commissioned node 1 \(fabric index 1 on the device\)/);

  const nodes = json(o.nodes!);
  assert.equal(nodes.length, 1);
  assert.equal(nodes[0].nodeId, "1");

  const f = json(o.fabrics!);
  assert.equal(f.commissionedFabrics, 1);
  assert.equal(f.fabrics.length, 1);
  assert.deepEqual(
    { ...f.fabrics[0], fabricId: undefined, rootPublicKeyFingerprint: undefined },
    {
      fabricIndex: 1,
      vendorId: 0xfff2,
      fabricId: undefined,
      nodeId: "1",
      label: "home",
      ours: true,
      rootPublicKeyFingerprint: undefined,
    },
  );
  assert.equal(o.label!.code, 0, o.label!.err);
  assert.equal(json(o.fabricsAfterLabel!).fabrics[0].label, "kitchen");
  assert.equal(json(o.read!).tlv, "05f1ff");
  // A status the node answers with is named, not only numbered.
  assert.equal(o.readMissing!.code, 1);
  assert.match(o.readMissing!.err, /UNSUPPORTED_ATTRIBUTE \(0x86\)/);
  assert.equal(o.on!.code, 0, o.on!.err);
  assert.equal(json(o.readOnOff!).tlv, "09");
  assert.deepEqual(
    { ...json(o.verifyVid!), fabricId: undefined },
    { fabricIndex: 1, vendorId: 0xfff2, fabricId: undefined, verified: true, vidVerificationStatement: null },
  );
  assert.equal(json(o.rotate!).nodeId, "1");
  const w = json(o.window!);
  assert.match(w.manualPairingCode, /^[0-9]{11}$/);
  assert.match(w.qrPairingCode, /^MT:/);

  assert.equal(o.removeOwn!.code, 1);
  assert.match(o.removeOwn!.err, /^error: RemoveFabric: fabric 1 is this administrator's own; use decommission/);
  assert.equal(o.unknownNode!.code, 1);
  assert.match(o.unknownNode!.err, /node 7 is not in the registry/);
  assert.equal(o.badAction!.code, 2);
  assert.equal(json(o.decommission!).removed, true);
  assert.deepEqual(json(o.nodesAfter!), []);
  // A wrong passcode fails at PASE with one line and registers nothing.
  assert.equal(o.wrongPasscode!.code, 1);
  const wrongLines = o
    .wrongPasscode!.err.trim()
    .split("\n")
    .filter((l) => !l.startsWith("using the development"));
  assert.equal(wrongLines.length, 1, o.wrongPasscode!.err);
  assert.match(wrongLines[0]!, /^error: PASE: wrong passcode /);
  assert.deepEqual(json(o.nodesAfterWrong!), []);
});
