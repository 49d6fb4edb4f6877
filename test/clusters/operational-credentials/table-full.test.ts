// A full fabric table (SupportedFabrics committed fabrics) as the SDK and TC-CADMIN-1.19 see it: the commissioner gets
// through CSRRequest and AddTrustedRootCertificate and AddNOC answers NOCResponse(TableFull); RESOURCE_EXHAUSTED is
// kept for an exhausted fabric index space (conformance §1.3 step 5, §1.4 step 13, §1.8 step 6).
import assert from "node:assert/strict";
import { test } from "node:test";
import { CommissioningError } from "../../../src/clusters/general-commissioning/general-commissioning.ts";
import { NodeOperationalCertStatus as S } from "../../../src/clusters/operational-credentials/node-operational-cert-status.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { ANONYMOUS, ctx } from "../../../src/tlv/tlv-node.ts";
import { nocResponseOf, statusOf, TestCommissioner, TestNode } from "../../support/test-commissioner.ts";
import { readCommissionedFabrics, readRoots } from "./helpers.ts";

const SUPPORTED = 5;

test("with SupportedFabrics committed fabrics, CSRRequest and AddTrustedRootCertificate succeed and AddNOC answers TableFull", async () => {
  const node = await TestNode.create({ supportedFabrics: SUPPORTED });
  for (let i = 1; i <= SUPPORTED; i++) {
    await new TestCommissioner(node, { fabricId: BigInt(i), nodeId: BigInt(0x100 + i) }).commission();
  }
  const extra = new TestCommissioner(node, { fabricId: 0x99n, nodeId: 0x199n });
  const pase = node.openPase();
  assert.equal(readCommissionedFabrics(node, pase), SUPPORTED);
  assert.equal(await node.armFailSafe(pase, 60), CommissioningError.OK);
  const { csr, out } = await extra.csrRequest(pase);
  assert.equal(out.kind, "response", "CSRRequest succeeds on a full table");
  assert.ok(csr !== undefined);
  assert.equal(statusOf(await extra.addTrustedRoot(pase)), ImStatus.SUCCESS);
  assert.equal(readRoots(node, pase).length, SUPPORTED + 1, "the pending root is listed");
  const added = nocResponseOf(await extra.addNoc(pase, extra.issue(csr)));
  assert.equal(added.statusCode, S.TableFull);
  assert.equal(added.fabricIndex, undefined);
  assert.equal(readCommissionedFabrics(node, pase), SUPPORTED);
  // The fail-safe's expiry drops the pending root; the table is as before.
  await node.advance(61_000);
  assert.equal(readRoots(node, pase).length, SUPPORTED);
});

test("a fabric removed from a full table frees a slot: the next AddNOC in a new fail-safe succeeds", async () => {
  const node = await TestNode.create({ supportedFabrics: SUPPORTED });
  const crs: TestCommissioner[] = [];
  for (let i = 1; i <= SUPPORTED; i++) {
    const cr = new TestCommissioner(node, { fabricId: BigInt(i), nodeId: BigInt(0x100 + i) });
    await cr.commission();
    crs.push(cr);
  }
  const first = crs[0]!;
  const removed = nocResponseOf(
    await node.invoke(first.openCase(), 0x0a, {
      tag: ANONYMOUS,
      type: "struct",
      elements: [{ tag: ctx(0), type: "uint", value: BigInt(first.fabricIndex!) }],
    }),
  );
  assert.equal(removed.statusCode, S.OK);
  const next = new TestCommissioner(node, { fabricId: 0x77n, nodeId: 0x177n });
  await next.commission();
  assert.equal(readCommissionedFabrics(node, next.openCase()), SUPPORTED);
});
