// opcreds cert print-cert: every field of a certificate in readable form, from any encoding.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { OPCERTS, runInProcess } from "./cli-harness.ts";

test("Node02_03 prints type, DNs, times, CAT, extensions, key and signature", async () => {
  const r = await runInProcess(["cert", "print-cert", join(OPCERTS, "Node02_03.x509.pem")]);
  assert.equal(r.code, 0, r.stderr);
  const text = r.stdout.toString("utf8");
  for (const re of [
    /Type\s+: node operational \(NOC\)/,
    /Size\s+: 301 bytes TLV, 569 bytes X\.509 DER/,
    /Issuer\s+: \[\[ MatterICACId = CACACACA00000004,/,
    /Subject\s+: \[\[ MatterNodeId = DEDEDEDE00020003,/,
    /commonName = TestCert02_03/,
    /MatterCASEAuthTag = ABCD0001 \]\]/,
    /Not Before\s+: 0x271B17EF {2}\( 2020\/10\/15 14:23:43 UTC \)/,
    /Not After\s+: 0x4CB9B56E {2}\( 2040\/10\/15 14:23:42 UTC \)/,
    /CASE Auth Tags\s+: 0xABCD0001/,
    /Is CA\s+: false/,
    /Key Usage\s+: DigitalSignature/,
    /Key Purpose\s+: ClientAuth ServerAuth/,
    /Subject Key Id\s+: E5 7F 7A B3/,
    /Public Key\s+: 04 AB 9B 9C/,
    /Signature\s+: 8F 32 E6 83/,
  ]) {
    assert.match(text, re);
  }
});

test("the same certificate prints identically from TLV hex and from X.509 PEM", async () => {
  const a = await runInProcess(["cert", "print-cert", join(OPCERTS, "Root02.x509.pem")]);
  const b = await runInProcess(["cert", "print-cert", join(OPCERTS, "Root02.matter-tlv.hex")]);
  assert.equal(a.code, 0);
  assert.match(a.stdout.toString(), /Path Length Const\s*: 1/);
  assert.deepEqual(a.stdout, b.stdout);
});
