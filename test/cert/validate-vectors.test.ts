// Vector expectations of test/vectors (README) and the TestChipCert tables of the conformance notes 4.4.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fromHex } from "../../src/bytes/bytes.ts";
import { ValidationError } from "../../src/bytes/errors.ts";
import { compressedFabricId } from "../../src/cert/compressed-fabric-id.ts";
import { lintChain, validateChain, validateRcac } from "../../src/cert/validate.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { CERT_NAMES, OPCERTS_DIR, tlvOf } from "./vectors.ts";

const AT = new Date("2021-01-01T00:00:00Z");

function rule(id: string) {
  return (e: unknown) => e instanceof ValidationError && e.rule === id;
}

test("only Root01 and Root02 pass RCAC validation; the others are the wrong type", () => {
  for (const name of CERT_NAMES) {
    if (name.startsWith("Root")) assert.equal(validateRcac(tlvOf(name)).kind, "rcac");
    else assert.throws(() => validateRcac(tlvOf(name)), rule("rcac.kind"), name);
  }
});

test("the three vector chains validate at 2021-01-01 with their ids", () => {
  const c1 = validateChain({ noc: tlvOf("Node01_01"), icac: tlvOf("ICA01"), rcac: tlvOf("Root01"), at: AT });
  assert.equal(c1.nodeId, 0xdededede00010001n);
  assert.equal(c1.fabricId, 0xfab000000000001dn);
  assert.equal(c1.icacUnused, false);
  assert.ok(c1.icac);
  const c2 = validateChain({ noc: tlvOf("Node01_02"), rcac: tlvOf("Root01"), at: AT });
  assert.equal(c2.icac, undefined);
  for (const n of ["Node02_01", "Node02_02", "Node02_03"]) {
    const c = validateChain({ noc: tlvOf(n), icac: tlvOf("ICA02"), rcac: tlvOf("Root02"), at: AT });
    assert.deepEqual(c.cats, n === "Node02_03" ? [0xabcd0001] : []);
    assert.deepEqual(c.warnings, []);
  }
});

test("a root-signed NOC validates with an ICAC supplied, which is reported unused", () => {
  const c = validateChain({ noc: tlvOf("Node01_02"), icac: tlvOf("ICA01"), rcac: tlvOf("Root01"), at: AT });
  assert.equal(c.icacUnused, true);
  assert.equal(c.icac, undefined);
  assert.ok(c.warnings.some((w) => w.rule === "chain.icac-unused" && w.severity === "warning"));
});

test("time bounds of Root01 -> ICA01 -> Node01_01 are inclusive", () => {
  const chain = { noc: tlvOf("Node01_01"), icac: tlvOf("ICA01"), rcac: tlvOf("Root01") };
  assert.throws(() => validateChain({ ...chain, at: new Date("2020-10-15T14:23:42Z") }), rule("time.not-yet-valid"));
  validateChain({ ...chain, at: new Date("2020-10-15T14:23:43Z") });
  validateChain({ ...chain, at: new Date("2040-10-15T14:23:42Z") });
  assert.throws(() => validateChain({ ...chain, at: new Date("2040-10-15T14:23:43Z") }), rule("time.expired"));
  // No time: ignored, as fabric install does.
  validateChain(chain);
});

test("a time error names the bound as a date, not as Matter-epoch seconds", () => {
  const chain = { noc: tlvOf("Node01_01"), icac: tlvOf("ICA01"), rcac: tlvOf("Root01") };
  assert.throws(() => validateChain({ ...chain, at: new Date("2020-01-01T00:00:00Z") }), {
    message: /not valid before 2020-10-15T14:23:43\.000Z/,
  });
  assert.throws(() => validateChain({ ...chain, at: new Date("2041-01-01T00:00:00Z") }), {
    message: /expired at 2040-10-15T14:23:42\.000Z/,
  });
});

test("TestChipCert table: wrong or missing intermediates and roots fail", () => {
  // Root01 + Node01_01 without ICA01.
  assert.throws(
    () => validateChain({ noc: tlvOf("Node01_01"), rcac: tlvOf("Root01"), at: AT }),
    rule("chain.issuer-mismatch"),
  );
  // Root01 + ICA02 + Node01_01.
  assert.throws(
    () => validateChain({ noc: tlvOf("Node01_01"), icac: tlvOf("ICA02"), rcac: tlvOf("Root01"), at: AT }),
    rule("chain.issuer-mismatch"),
  );
  // Root02 + ICA01 + Node01_01.
  assert.throws(
    () => validateChain({ noc: tlvOf("Node01_01"), icac: tlvOf("ICA01"), rcac: tlvOf("Root02"), at: AT }),
    rule("chain.issuer-mismatch"),
  );
  // An RCAC presented as the ICAC.
  assert.throws(
    () => validateChain({ noc: tlvOf("Node01_01"), icac: tlvOf("Root01"), rcac: tlvOf("Root01"), at: AT }),
    rule("chain.rcac-as-icac"),
  );
  // A NOC as the root.
  assert.throws(() => validateChain({ noc: tlvOf("Node01_02"), rcac: tlvOf("Node01_01") }), rule("rcac.kind"));
  // ICA01 as the leaf: wrong type.
  assert.throws(() => validateChain({ noc: tlvOf("ICA01"), rcac: tlvOf("Root01") }), rule("noc.kind"));
});

test("lintChain reports every finding of a bad chain, not only the first", () => {
  const findings = lintChain({
    noc: tlvOf("Node01_01"),
    icac: tlvOf("ICA02"),
    rcac: tlvOf("Root01"),
    at: new Date("2050-01-01"),
  });
  const rules = new Set(findings.map((f) => f.rule));
  assert.ok(rules.has("chain.issuer-mismatch"));
  assert.ok(rules.has("chain.akid-mismatch"));
  assert.ok(rules.has("chain.signature"));
  assert.ok(rules.has("time.expired"));
  assert.ok(findings.length >= 6);
});

test("compressed fabric id vectors", () => {
  const json = JSON.parse(readFileSync(join(OPCERTS_DIR, "..", "derived", "compressed-fabric-id.json"), "utf8")) as {
    vectors: { rootPublicKey: string; fabricId: string; compressedFabricId: string }[];
  };
  assert.equal(json.vectors.length, 2);
  for (const v of json.vectors) {
    assert.equal(
      compressedFabricId(nodeCrypto, fromHex(v.rootPublicKey), BigInt(v.fabricId)),
      BigInt(v.compressedFabricId),
    );
  }
});
