// PASE message and session-parameter codecs, and the PASE verifier: vectors, strictness, round trips, robustness.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fromHex, toBase64, toHex } from "../../../src/bytes/bytes.ts";
import { MalformedError } from "../../../src/bytes/errors.ts";
import { NodeCrypto } from "../../../src/crypto/node-crypto.ts";
import { decodePake1, encodePake1 } from "../../../src/sc/pase/pake1.ts";
import { decodePake2 } from "../../../src/sc/pase/pake2.ts";
import { decodePake3, encodePake3 } from "../../../src/sc/pase/pake3.ts";
import {
  computePaseVerifier,
  decodePaseVerifier,
  encodePaseVerifier,
  INVALID_PASSCODES,
  isValidPasscode,
  PASE_VERIFIER_BYTES,
} from "../../../src/sc/pase/pase-verifier.ts";
import { decodePBKDFParamRequest, encodePBKDFParamRequest } from "../../../src/sc/pase/pbkdf-param-request.ts";
import { decodePBKDFParamResponse, encodePBKDFParamResponse } from "../../../src/sc/pase/pbkdf-param-response.ts";
import { decodeSessionParametersNode, encodeSessionParametersNode } from "../../../src/sc/session-parameters.ts";
import { decodeTlv } from "../../../src/tlv/tlv-decoder.ts";
import { ANONYMOUS } from "../../../src/tlv/tlv-node.ts";

const crypto = new NodeCrypto();
const isSchemaError = (e: unknown): boolean => e instanceof MalformedError && e.code.startsWith("tlv.");

test("Matter test verifier: passcode 20202021, salt 'SPAKE2P Key Salt', 1000 iterations", () => {
  const v = computePaseVerifier(crypto, 20202021, {
    iterations: 1000,
    salt: new TextEncoder().encode("SPAKE2P Key Salt"),
  });
  const bytes = encodePaseVerifier(v);
  assert.equal(bytes.length, PASE_VERIFIER_BYTES);
  assert.equal(
    toBase64(bytes),
    "uWFwqugDNGiEck/po7KHwwMwwqZgN10XuyBajPGuyzUEV/iree4lOrao5GuwnlQ65CJzbeUB49s31EH+NEkg0JVI5MGCQGMMT/SRPFNRODm3wH/MBiehuFc6FJ/NH6Rmzw==",
  );
  assert.deepEqual(decodePaseVerifier(bytes), v);
});

test("invalid passcodes of the spec are rejected; limits on iterations and salt are enforced", () => {
  for (const p of [...INVALID_PASSCODES, 100000000, -1, 1.5]) {
    assert.equal(isValidPasscode(p), false, String(p));
  }
  for (const p of [1, 20202021, 99999998, 12345679]) assert.equal(isValidPasscode(p), true, String(p));
  const salt = new Uint8Array(16);
  assert.throws(() => computePaseVerifier(crypto, 12345678, { iterations: 1000, salt }), RangeError);
  assert.throws(() => computePaseVerifier(crypto, 20202021, { iterations: 999, salt }), RangeError);
  assert.throws(() => computePaseVerifier(crypto, 20202021, { iterations: 100001, salt }), RangeError);
  assert.throws(
    () => computePaseVerifier(crypto, 20202021, { iterations: 1000, salt: new Uint8Array(15) }),
    RangeError,
  );
  assert.throws(
    () => computePaseVerifier(crypto, 20202021, { iterations: 1000, salt: new Uint8Array(33) }),
    RangeError,
  );
});

test("a malformed stored verifier is MalformedError", () => {
  const good = encodePaseVerifier(
    computePaseVerifier(crypto, 20202021, { iterations: 1000, salt: new Uint8Array(16) }),
  );
  assert.throws(() => decodePaseVerifier(good.subarray(0, 96)), MalformedError);
  assert.throws(() => decodePaseVerifier(new Uint8Array([...good, 0])), MalformedError);
  const badL = good.slice();
  badL[96] = badL[96]! ^ 1;
  assert.throws(
    () => decodePaseVerifier(badL),
    (e: unknown) => e instanceof MalformedError && e.code === "pase.verifier",
  );
  const badW0 = good.slice();
  badW0.fill(0xff, 0, 32);
  assert.throws(
    () => decodePaseVerifier(badW0),
    (e: unknown) => e instanceof MalformedError && e.code === "pase.verifier",
  );
});

test("PBKDFParamRequest wire bytes (hand-assembled TLV)", () => {
  const random = new Uint8Array(32).fill(0xaa);
  const bytes = encodePBKDFParamRequest({
    initiatorRandom: random,
    initiatorSessionId: 0x0102,
    passcodeId: 0,
    hasPBKDFParameters: true,
  });
  // 15 struct; 30 01 20 <32 B>; 25 02 0201 (uint16); 24 03 00; 29 04 (true); 18 end.
  assert.equal(toHex(bytes), `15 3001 20${"aa".repeat(32)} 2502 0201 2403 00 2904 18`.replace(/ /g, ""));
  assert.deepEqual(decodePBKDFParamRequest(bytes), {
    initiatorRandom: random,
    initiatorSessionId: 0x0102,
    passcodeId: 0,
    hasPBKDFParameters: true,
  });
});

test("strict decoding: wrong lengths, missing members, out-of-order members, overflowing widths; unknown members skipped", () => {
  const ok = `3001 20${"aa".repeat(32)} 2502 0201 2403 00 2804`;
  const cases: [string, string][] = [
    ["short random", `15 3001 1f${"aa".repeat(31)} 2502 0201 2403 00 2804 18`],
    ["missing hasPBKDFParameters", `15 3001 20${"aa".repeat(32)} 2502 0201 2403 00 18`],
    ["out of order", `15 2502 0201 3001 20${"aa".repeat(32)} 2403 00 2804 18`],
    ["session id beyond 16 bits", `15 3001 20${"aa".repeat(32)} 2602 00000100 2403 00 2804 18`],
    ["hasPBKDFParameters not bool", `15 3001 20${"aa".repeat(32)} 2502 0201 2403 00 2404 00 18`],
    ["trailing byte", `15 ${ok} 18 00`],
    ["not a struct", "1618"],
  ];
  for (const [name, hex] of cases) {
    assert.throws(() => decodePBKDFParamRequest(fromHex(hex)), isSchemaError, name);
  }
  // Unknown members (a newer peer's additions) are skipped, as connectedhomeip and matter.js do.
  assert.equal(decodePBKDFParamRequest(fromHex(`15 ${ok} 2406 00 18`)).passcodeId, 0);
  // Integers may arrive wider than minimal: a uint16 member sent as uint32 with a small value is accepted.
  const wide = decodePBKDFParamRequest(fromHex(`15 3001 20${"aa".repeat(32)} 2602 02010000 2403 00 2804 18`));
  assert.equal(wide.initiatorSessionId, 0x0102);
});

test("session parameters: unknown members are skipped, known ones type-checked", () => {
  // {1: 500, 2: 300, 10: 1 (future tag)}
  const node = decodeTlv(fromHex("15 2501 f401 2502 2c01 240a 01 18"));
  assert.deepEqual(decodeSessionParametersNode(node, "sp"), { sessionIdleInterval: 500, sessionActiveInterval: 300 });
  assert.throws(
    () => decodeSessionParametersNode(decodeTlv(fromHex("15 2c01 03616263 18")), "sp"),
    (e: unknown) => e instanceof MalformedError && /sp\/sessionIdleInterval/.test(e.message),
  );
  assert.throws(() => decodeSessionParametersNode(decodeTlv(fromHex("15 2603 00000100 18")), "sp"), isSchemaError);
  assert.throws(() => encodeSessionParametersNode({ sessionActiveThreshold: 0x10000 }, ANONYMOUS), RangeError);
});

test("round trips: PBKDFParamResponse with and without optional members; Pake1/3", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.integer({ min: 0, max: 0xffff }),
      fc.option(
        fc.record({
          iterations: fc.integer({ min: 0, max: 0xffffffff }),
          salt: fc.uint8Array({ minLength: 16, maxLength: 32 }),
        }),
        { nil: undefined },
      ),
      fc.option(
        fc.record(
          {
            sessionIdleInterval: fc.integer({ min: 0, max: 0xffffffff }),
            sessionActiveThreshold: fc.integer({ min: 0, max: 0xffff }),
            maxTcpMessageSize: fc.integer({ min: 0, max: 0xffffffff }),
          },
          { requiredKeys: [] },
        ),
        { nil: undefined },
      ),
      (initiatorRandom, responderRandom, responderSessionId, pbkdfParameters, responderSessionParams) => {
        const m = {
          initiatorRandom,
          responderRandom,
          responderSessionId,
          ...(pbkdfParameters === undefined ? {} : { pbkdfParameters: { ...pbkdfParameters } }),
          ...(responderSessionParams === undefined ? {} : { responderSessionParams: { ...responderSessionParams } }),
        };
        assert.deepEqual(decodePBKDFParamResponse(encodePBKDFParamResponse(m)), m);
      },
    ),
  );
  const pA = new Uint8Array(65).fill(3);
  assert.deepEqual(decodePake1(encodePake1({ pA })), { pA });
  const cA = new Uint8Array(32).fill(5);
  assert.deepEqual(decodePake3(encodePake3({ cA })), { cA });
});

test("robustness: random bytes into every PASE decoder decode or raise MalformedError", () => {
  const decoders = [
    decodePBKDFParamRequest,
    decodePBKDFParamResponse,
    decodePake1,
    decodePake2,
    decodePake3,
    decodePaseVerifier,
  ];
  fc.assert(
    fc.property(fc.integer({ min: 0, max: decoders.length - 1 }), fc.uint8Array({ maxLength: 120 }), (i, bytes) => {
      try {
        decoders[i]!(bytes);
      } catch (e) {
        assert.ok(e instanceof MalformedError, String(e));
      }
    }),
    { numRuns: 500 },
  );
});

test("errors name the spec's member path (tlv.schema), including nested structs and tag order", () => {
  const schemaAt = (path: string) => (e: unknown) =>
    e instanceof MalformedError && e.code === "tlv.schema" && e.path === path;
  const rnd = `20${"aa".repeat(32)}`;
  // PBKDFParamResponse with a 15-byte salt in pbkdf_parameters.
  assert.throws(
    () =>
      decodePBKDFParamResponse(
        fromHex(`15 3001${rnd} 3002${rnd} 2503 0100 3504 2501 e803 3002 0f${"00".repeat(15)} 18 18`),
      ),
    schemaAt("PBKDFParamResponse/pbkdf_parameters/salt"),
  );
  // Members of pbkdf_parameters out of order.
  assert.throws(
    () =>
      decodePBKDFParamResponse(
        fromHex(`15 3001${rnd} 3002${rnd} 2503 0100 3504 3002 10${"00".repeat(16)} 2501 e803 18 18`),
      ),
    schemaAt("PBKDFParamResponse/pbkdf_parameters/iterations"),
  );
  // PBKDFParamRequest: a missing member, and session parameters out of order.
  assert.throws(
    () => decodePBKDFParamRequest(fromHex(`15 3001${rnd} 2403 00 2804 18`)),
    schemaAt("PBKDFParamRequest/initiatorSessionId"),
  );
  assert.throws(
    () => decodePBKDFParamRequest(fromHex(`15 3001${rnd} 2402 01 2403 00 2804 3505 2402 01 2401 01 18 18`)),
    schemaAt("PBKDFParamRequest/initiatorSessionParams/sessionIdleInterval"),
  );
  // Unknown members of the nested structs are skipped too.
  const withExtras = decodePBKDFParamResponse(
    fromHex(`15 3001${rnd} 3002${rnd} 2503 0100 3504 2501 e803 3002 10${"00".repeat(16)} 2409 00 18 18`),
  );
  assert.equal(withExtras.pbkdfParameters?.iterations, 1000);
});
