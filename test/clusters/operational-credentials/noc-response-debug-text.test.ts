// NOCResponse DebugText (Core spec 11.18.6.10: string, max 128): at most 128 UTF-8 bytes, cut on a code point, and never
// a quote of the refused certificate (a DN, a label): the text is the error's stable code.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CommissioningError } from "../../../src/clusters/general-commissioning/general-commissioning.ts";
import { nocResponse } from "../../../src/clusters/operational-credentials/noc-response.ts";
import { NodeOperationalCertStatus as S } from "../../../src/clusters/operational-credentials/node-operational-cert-status.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { nocResponseOf, statusOf, TestCommissioner, TestNode } from "../../support/test-commissioner.ts";

const utf8Bytes = (s: string): number => new TextEncoder().encode(s).length;

test("nocResponse cuts DebugText to 128 UTF-8 bytes on a code point boundary", () => {
  const r = nocResponse(S.InvalidNOC, undefined, "é".repeat(100));
  assert.ok("response" in r && r.response !== undefined);
  const text = r.response.debugText!;
  assert.equal(utf8Bytes(text), 128);
  assert.equal(text, "é".repeat(64));
  const odd = nocResponse(S.InvalidNOC, undefined, `a${"é".repeat(100)}`);
  assert.ok("response" in odd && odd.response !== undefined);
  assert.equal(odd.response.debugText, `a${"é".repeat(63)}`, "a 2-byte character that would cross 128 is dropped");
  const empty = nocResponse(S.OK, 3, "");
  assert.ok("response" in empty && empty.response !== undefined);
  assert.equal(empty.response.debugText, undefined);
});

test("AddNOC refusing a chain answers a DebugText of at most 128 bytes that quotes nothing of the certificates", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node, { fabricId: 0x60n, nodeId: 0x160n });
  const pase = node.openPase();
  assert.equal(await node.armFailSafe(pase, 60), CommissioningError.OK);
  const { csr } = await th.csrRequest(pase);
  assert.ok(csr !== undefined);
  assert.equal(statusOf(await th.addTrustedRoot(pase)), ImStatus.SUCCESS);
  // A CAT with version 0 in the NOC subject: the refusal must not quote the CAT (or anything else of the NOC).
  const chain = th.issue(csr, { cats: [0xabcd_0000] });
  const r = nocResponseOf(await th.addNoc(pase, chain));
  assert.equal(r.statusCode, S.InvalidNOC);
  assert.ok(r.debugText !== undefined && r.debugText.length > 0, "a reason is given");
  assert.ok(utf8Bytes(r.debugText) <= 128);
  assert.ok(!/abcd|0x|CAT /i.test(r.debugText), `quotes the certificate: ${r.debugText}`);
});
