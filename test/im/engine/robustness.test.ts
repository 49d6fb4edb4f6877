// Random bytes under any IM opcode never throw out of an exchange: a malformed message is answered, not raised.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { makeNode, session } from "./harness.ts";

test("random payloads and opcodes: the exchange answers and never throws (property)", async () => {
  const { server } = makeNode(undefined, { maxPathsPerInvoke: 4 });
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 0x0c }), fc.uint8Array({ maxLength: 48 }), async (type, payload) => {
      const st = await server.openExchange(session()).onMessage(type, payload, 0);
      assert.ok(st.send.length <= 1);
    }),
    { numRuns: 1500 },
  );
});
