// The test-support DNS codec (dns-message.ts) that the namespace test relies on: a query round-trips, a compressed
// response decodes, and random or mutated bytes either decode or throw MalformedError.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { MalformedError } from "../../../src/bytes/errors.ts";
import { decodeMessage, encodeQuery, RR_TYPE } from "./dns-message.ts";

// A response: PTR _matter._tcp.local -> X._matter._tcp.local (compressed), with a TXT "T=0", cache-flush set.
const RESPONSE = Uint8Array.from([
  0x00, 0x00, 0x84, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
  // answer 1 at 12: name _matter._tcp.local
  7, 0x5f, 0x6d, 0x61, 0x74, 0x74, 0x65, 0x72, 4, 0x5f, 0x74, 0x63, 0x70, 5, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0, 0x00,
  0x0c, 0x00, 0x01, 0x00, 0x00, 0x11, 0x94, 0x00, 0x04,
  // rdata: "X" + pointer to 12
  1, 0x58, 0xc0, 0x0c,
  // answer 2: name = pointer to the PTR's rdata at 42 (X._matter._tcp.local)
  0xc0, 42, 0x00, 0x10, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 3, 0x54, 0x3d, 0x30,
]);

test("a query encodes names, type and class; it decodes back", () => {
  const q = encodeQuery(["_matterc._udp.local"], RR_TYPE.PTR);
  const m = decodeMessage(q);
  assert.deepEqual(m, { id: 0, response: false, questions: [{ name: "_matterc._udp.local", type: 12 }], records: [] });
});

test("a compressed response decodes: PTR target, TXT strings, TTL and cache-flush", () => {
  const m = decodeMessage(RESPONSE);
  assert.equal(m.response, true);
  assert.deepEqual(m.records, [
    { name: "_matter._tcp.local", type: 12, cacheFlush: false, ttl: 4500, data: "X._matter._tcp.local" },
    { name: "X._matter._tcp.local", type: 16, cacheFlush: true, ttl: 0, data: ["T=0"] },
  ]);
});

test("a compression pointer loop is rejected", () => {
  const loop = Uint8Array.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 12, 0, 1]);
  assert.throws(
    () => decodeMessage(loop),
    (e: unknown) => e instanceof MalformedError && e.code === "dns.name-loop",
  );
});

test("property: random and mutated bytes decode or throw MalformedError", () => {
  const check = (bytes: Uint8Array): void => {
    try {
      decodeMessage(bytes);
    } catch (e) {
      if (!(e instanceof MalformedError)) throw e;
    }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), check), { numRuns: 2000 });
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(RESPONSE.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      (muts) => {
        const b = Uint8Array.from(RESPONSE);
        for (const [i, v] of muts) b[i] = v;
        check(b);
      },
    ),
    { numRuns: 2000 },
  );
});
