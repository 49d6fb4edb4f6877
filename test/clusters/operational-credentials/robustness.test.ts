// Robustness: random and mutated CommandFields for every accepted command either answer with a status or a response;
// the dispatcher never throws and a FAILURE never hides an unexpected exception.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { encodeTlv } from "../../../src/tlv/tlv-encoder.ts";
import { ANONYMOUS, ctx } from "../../../src/tlv/tlv-node.ts";
import { decodeFieldsOrMalformed, randomOrMutated } from "../../support/command-fuzz.ts";
import { TestCommissioner, TestNode } from "../../support/test-commissioner.ts";

const COMMANDS = [0x00, 0x02, 0x04, 0x06, 0x07, 0x09, 0x0a, 0x0b, 0x0c, 0x0d];

test("random bytes as CommandFields: MalformedError at decode, or a status/response from the cluster", async () => {
  const node = await TestNode.create();
  const th = new TestCommissioner(node);
  const cs = await th.commission();
  const base = encodeTlv({
    tag: ANONYMOUS,
    type: "struct",
    elements: [
      { tag: ctx(0), type: "bytes", value: th.chain!.noc },
      { tag: ctx(1), type: "bytes", value: th.chain!.rcac },
      { tag: ctx(2), type: "bytes", value: new Uint8Array(16) },
      { tag: ctx(3), type: "uint", value: th.nodeId },
      { tag: ctx(4), type: "uint", value: 0xfff1n },
    ],
  });
  await fc.assert(
    fc.asyncProperty(randomOrMutated(base, 64), fc.constantFrom(...COMMANDS), async (bytes, commandId) => {
      const fields = decodeFieldsOrMalformed(bytes);
      if (fields === undefined) return;
      const out = await node.invoke(cs, commandId, fields);
      assert.ok(out.kind === "response" || out.kind === "status");
      if (out.kind === "status") assert.equal(out.error, undefined, `unexpected error: ${String(out.error)}`);
    }),
    { numRuns: 300 },
  );
  await node.armFailSafe(cs, 0);
});
