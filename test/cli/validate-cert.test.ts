// opcreds cert validate-cert: the expected results of the vector README (chains, RCAC checks, time bounds) hold.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { isOneLine, OPCERTS, pool, runBin, runInProcess } from "./cli-harness.ts";

const v = (name: string, ext = "x509.pem") => join(OPCERTS, `${name}.${ext}`);
const ALL = ["Root01", "Root02", "ICA01", "ICA02", "Node01_01", "Node01_02", "Node02_01", "Node02_02", "Node02_03"];

test("only Root01 and Root02 pass as trusted roots; every other certificate is the wrong type (rcac.kind)", async () => {
  for (const name of ALL) {
    const r = await runInProcess([
      "cert",
      "validate-cert",
      v(name),
      "-t",
      v(name, "matter-tlv.b64"),
      "--at",
      "2021-01-01",
    ]);
    if (name.startsWith("Root")) {
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.match(r.stdout.toString(), /^valid at 2021-01-01T00:00:00.000Z: rcac/);
    } else {
      assert.equal(r.code, 1, name);
      assert.ok(isOneLine(r.stderr), r.stderr);
      assert.match(r.stderr, /rcac\.kind/, name);
    }
  }
});

test("the vector chains validate at 2021-01-01, with node id, fabric id and CATs reported", async () => {
  const chains: [string, string | undefined, string, RegExp][] = [
    ["Node01_01", "ICA01", "Root01", /node 0xDEDEDEDE00010001, fabric 0xFAB000000000001D$/m],
    ["Node01_02", undefined, "Root01", /node 0xDEDEDEDE00010002/],
    ["Node02_01", "ICA02", "Root02", /node 0xDEDEDEDE00020001/],
    ["Node02_02", "ICA02", "Root02", /node 0xDEDEDEDE00020002/],
    ["Node02_03", "ICA02", "Root02", /CATs 0xABCD0001/],
    ["ICA01", undefined, "Root01", /^valid at .*: icac/],
    ["ICA02", undefined, "Root02", /fabric 0xFAB000000000001D/],
  ];
  for (const [noc, icac, root, expect] of chains) {
    const args = ["cert", "validate-cert", v(noc, "matter-tlv.hex"), "-t", v(root)];
    if (icac !== undefined) args.push("-c", v(icac, "x509.der.hex"));
    const r = await runInProcess([...args, "--at", "2021-01-01T00:00:00Z"]);
    assert.equal(r.code, 0, `${noc}: ${r.stderr}`);
    assert.equal(r.stderr, "");
    assert.match(r.stdout.toString(), expect, noc);
  }
});

test("a NOC signed by the root validates even when an ICAC is supplied, and says the ICAC is unused", async () => {
  const r = await runInProcess([
    "cert",
    "validate-cert",
    v("Node01_02"),
    "-c",
    v("ICA01"),
    "-t",
    v("Root01"),
    "--at",
    "2021-01-01",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), /chain\.icac-unused/);
});

test("wrong chains fail with the rule that breaks", async () => {
  const cases: [string[], RegExp][] = [
    [["Node01_01", "-c", "ICA01", "-t", "Root02"], /invalid: (chain\.|rcac\.)/],
    [["Node02_01", "-t", "Root02"], /chain\.(issuer-mismatch|akid-mismatch|signature)/],
    [["Node01_01", "-c", "Root01", "-t", "Root01"], /chain\.rcac-as-icac|icac\.kind/],
  ];
  for (const [args, expect] of cases) {
    const [target, ...rest] = args;
    const r = await runInProcess([
      "cert",
      "validate-cert",
      v(target!),
      ...rest.map((a) => (a.startsWith("-") ? a : v(a))),
      "--at",
      "2021-01-01",
    ]);
    assert.equal(r.code, 1, args.join(" "));
    assert.ok(isOneLine(r.stderr), r.stderr);
    assert.match(r.stderr, expect, args.join(" "));
  }
});

test("real bin: time bounds of Root01 -> ICA01 -> Node01_01 are inclusive", async () => {
  const cases: [string, number, RegExp | undefined][] = [
    ["2020-10-15T14:23:42Z", 1, /time\.not-yet-valid/],
    ["2020-10-15T14:23:43Z", 0, undefined],
    ["2040-10-15 14:23:42", 0, undefined],
    ["2040-10-15T14:23:43Z", 1, /time\.expired/],
  ];
  await pool(
    cases.map(([at, code, rule]) => async () => {
      const r = await runBin([
        "cert",
        "validate-cert",
        "test/vectors/opcerts/Node01_01.matter-tlv.b64",
        "-c",
        "test/vectors/opcerts/ICA01.x509.pem",
        "-t",
        "test/vectors/opcerts/Root01.matter-tlv.hex",
        "--at",
        at,
      ]);
      assert.equal(r.code, code, `${at}: ${r.stderr}`);
      if (rule === undefined) {
        assert.equal(r.stderr, "");
        assert.match(r.stdout.toString(), /^valid at /);
      } else {
        assert.ok(isOneLine(r.stderr), r.stderr);
        assert.match(r.stderr, rule);
      }
    }),
  );
});

test("without --at the current time is used (the vectors are valid until 2040)", async () => {
  const r = await runInProcess(["cert", "validate-cert", v("Node01_02"), "-t", v("Root01")], {
    now: new Date("2041-01-01T00:00:00Z"),
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /time\.expired/);
});
