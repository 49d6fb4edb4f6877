// CASE message codecs: round trips (fast-check), strict lengths and tag order, unknown members skipped, robustness.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { MalformedError } from "../../../src/bytes/errors.ts";
import { decodeSigma1, encodeSigma1, type Sigma1 } from "../../../src/sc/case/sigma1.ts";
import { decodeSigma2, encodeSigma2, type Sigma2 } from "../../../src/sc/case/sigma2.ts";
import { decodeSigma2Resume, encodeSigma2Resume, type Sigma2Resume } from "../../../src/sc/case/sigma2-resume.ts";
import { decodeSigma3, encodeSigma3 } from "../../../src/sc/case/sigma3.ts";
import { decodeTbeData2, decodeTbeData3, encodeTbeData2, encodeTbeData3 } from "../../../src/sc/case/tbe-data.ts";
import { encodeTbsData } from "../../../src/sc/case/tbs-data.ts";
import { encodeTlv } from "../../../src/tlv/tlv-encoder.ts";
import { ANONYMOUS, ctx, type TlvNode } from "../../../src/tlv/tlv-node.ts";

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const params = fc
  .record(
    {
      sessionIdleInterval: fc.nat(0xffff_ffff),
      sessionActiveInterval: fc.nat(0xffff_ffff),
      dataModelRevision: fc.nat(0xffff),
    },
    { requiredKeys: [] },
  )
  .map((p) => ({ ...p }));

const sigma1: fc.Arbitrary<Sigma1> = fc
  .record({
    initiatorRandom: bytes(32),
    initiatorSessionId: fc.nat(0xffff),
    destinationId: bytes(32),
    initiatorEphPubKey: bytes(65),
    initiatorSessionParams: fc.option(params, { nil: undefined }),
    resumption: fc.option(fc.tuple(bytes(16), bytes(16)), { nil: undefined }),
  })
  .map(({ resumption, initiatorSessionParams, ...m }) => ({
    ...m,
    ...(initiatorSessionParams === undefined ? {} : { initiatorSessionParams }),
    ...(resumption === undefined ? {} : { resumptionId: resumption[0], initiatorResumeMic: resumption[1] }),
  }));

const sigma2: fc.Arbitrary<Sigma2> = fc
  .record({
    responderRandom: bytes(32),
    responderSessionId: fc.nat(0xffff),
    responderEphPubKey: bytes(65),
    encrypted2: fc.uint8Array({ minLength: 17, maxLength: 900 }),
    responderSessionParams: fc.option(params, { nil: undefined }),
  })
  .map(({ responderSessionParams, ...m }) => ({
    ...m,
    ...(responderSessionParams === undefined ? {} : { responderSessionParams }),
  }));

const sigma2Resume: fc.Arbitrary<Sigma2Resume> = fc
  .record({
    resumptionId: bytes(16),
    sigma2ResumeMic: bytes(16),
    responderSessionId: fc.nat(0xffff),
  })
  .map((m) => ({ ...m }));

test("round trips: Sigma1, Sigma2, Sigma2Resume, Sigma3, TBEData2, TBEData3", () => {
  fc.assert(fc.property(sigma1, (m) => assert.deepEqual(decodeSigma1(encodeSigma1(m)), m)));
  fc.assert(fc.property(sigma2, (m) => assert.deepEqual(decodeSigma2(encodeSigma2(m)), m)));
  fc.assert(fc.property(sigma2Resume, (m) => assert.deepEqual(decodeSigma2Resume(encodeSigma2Resume(m)), m)));
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 17, maxLength: 600 }), (e) =>
      assert.deepEqual(decodeSigma3(encodeSigma3({ encrypted3: e })), { encrypted3: e }),
    ),
  );
  const cert = fc.uint8Array({ minLength: 1, maxLength: 400 });
  fc.assert(
    fc.property(cert, fc.option(cert, { nil: undefined }), bytes(64), bytes(16), (noc, icac, signature, rid) => {
      const m3 = { noc, ...(icac === undefined ? {} : { icac }), signature };
      assert.deepEqual(decodeTbeData3(encodeTbeData3(m3)), m3);
      assert.deepEqual(decodeTbeData2(encodeTbeData2({ ...m3, resumptionId: rid })), { ...m3, resumptionId: rid });
    }),
  );
});

function struct(...elements: TlvNode[]): Uint8Array {
  return encodeTlv({ tag: ANONYMOUS, type: "struct", elements });
}
const b = (tag: number, n: number): TlvNode => ({ tag: ctx(tag), type: "bytes", value: new Uint8Array(n) });
const u = (tag: number, v: bigint): TlvNode => ({ tag: ctx(tag), type: "uint", value: v });

test("Sigma1 parsing follows connectedhomeip's Sigma1ParsingTest cases", () => {
  const ok = [b(1, 32), u(2, 0xffffn), b(3, 32), b(4, 65)];
  assert.equal(decodeSigma1(struct(...ok)).initiatorSessionId, 0xffff);
  const bad: TlvNode[][] = [
    [b(1, 33), ...ok.slice(1)],
    [b(1, 31), ...ok.slice(1)],
    [ok[0]!, u(2, 0x10000n), ...ok.slice(2)],
    [...ok.slice(0, 2), b(3, 33), ok[3]!],
    [...ok.slice(0, 2), b(3, 31), ok[3]!],
    [...ok.slice(0, 3), b(4, 66)],
    [...ok.slice(0, 3), b(4, 64)],
    [...ok, b(6, 17), b(7, 16)],
    [...ok, b(6, 15)],
    [...ok, b(6, 16), b(7, 15)],
    ok.slice(0, 3),
    [ok[1]!, ok[0]!, ...ok.slice(2)],
  ];
  for (const [k, elements] of bad.entries()) {
    assert.throws(() => decodeSigma1(struct(...elements)), MalformedError, `case ${k}`);
  }
  // Unknown members (newer peers) are skipped.
  assert.equal(decodeSigma1(struct(...ok, b(9, 3))).destinationId.length, 32);
  // Wrong tag form (profile tags instead of context tags) fails: the context members are then missing.
  const profile = ok.map((e) => ({ ...e, tag: { form: "common", id: (e.tag as { id: number }).id } }) as TlvNode);
  assert.throws(() => decodeSigma1(struct(...profile)), MalformedError);
  // Truncated (no end of container).
  const full = struct(...ok);
  assert.throws(() => decodeSigma1(full.subarray(0, full.length - 1)), MalformedError);
});

test("TBEData strictness: signature 64 bytes, NOC 1..400 bytes, resumptionID 16 bytes", () => {
  assert.throws(() => decodeTbeData3(struct(b(1, 100), b(3, 63))), MalformedError);
  assert.throws(() => decodeTbeData3(struct(b(1, 401), b(3, 64))), MalformedError);
  assert.throws(() => decodeTbeData3(struct(b(1, 0), b(3, 64))), MalformedError);
  assert.throws(() => decodeTbeData2(struct(b(1, 100), b(3, 64))), MalformedError);
  assert.throws(() => decodeTbeData2(struct(b(1, 100), b(3, 64), b(4, 15))), MalformedError);
  assert.equal(decodeTbeData2(struct(b(1, 100), b(3, 64), b(4, 16))).icac, undefined);
});

test("TBSData layout: signer NOC [1], ICAC [2] only when present, signer key [3], peer key [4]", () => {
  const noc = new Uint8Array([1, 2]);
  const withIcac = encodeTbsData({
    signerNoc: noc,
    signerIcac: new Uint8Array([3]),
    signerEphPubKey: new Uint8Array([4]),
    peerEphPubKey: new Uint8Array([5]),
  });
  assert.deepEqual([...withIcac], [0x15, 0x30, 1, 2, 1, 2, 0x30, 2, 1, 3, 0x30, 3, 1, 4, 0x30, 4, 1, 5, 0x18]);
  const without = encodeTbsData({
    signerNoc: noc,
    signerEphPubKey: new Uint8Array([4]),
    peerEphPubKey: new Uint8Array([5]),
  });
  assert.deepEqual([...without], [0x15, 0x30, 1, 2, 1, 2, 0x30, 3, 1, 4, 0x30, 4, 1, 5, 0x18]);
});

test("robustness: random and mutated bytes either decode or raise MalformedError", () => {
  const decoders = [decodeSigma1, decodeSigma2, decodeSigma2Resume, decodeSigma3, decodeTbeData2, decodeTbeData3];
  const sample = encodeSigma1({
    initiatorRandom: new Uint8Array(32),
    initiatorSessionId: 1,
    destinationId: new Uint8Array(32),
    initiatorEphPubKey: new Uint8Array(65),
    initiatorSessionParams: { sessionIdleInterval: 500 },
    resumptionId: new Uint8Array(16),
    initiatorResumeMic: new Uint8Array(16),
  });
  const input = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc
      .tuple(fc.nat(sample.length - 1), fc.integer({ min: 1, max: 255 }))
      .map(([at, x]) => sample.map((v, k) => (k === at ? v ^ x : v))),
    fc.nat(sample.length).map((n) => sample.slice(0, n)),
  );
  fc.assert(
    fc.property(input, (data) => {
      for (const decode of decoders) {
        try {
          decode(data);
        } catch (e) {
          assert.ok(e instanceof MalformedError, String(e));
        }
      }
    }),
    { numRuns: 300 },
  );
});

test("errors name the spec's member path (tlv.schema); tag order is enforced, unknown members skipped", () => {
  const schemaAt = (path: string) => (e: unknown) =>
    e instanceof MalformedError && e.code === "tlv.schema" && e.path === path;
  const ok = [b(1, 32), u(2, 1n), b(3, 32), b(4, 65)];
  assert.throws(() => decodeSigma1(struct(...ok, b(6, 15))), schemaAt("Sigma1/resumptionID"));
  assert.throws(() => decodeSigma1(struct(...ok, b(6, 16), b(7, 15))), schemaAt("Sigma1/initiatorResumeMIC"));
  assert.throws(() => decodeSigma1(struct(ok[0]!, ok[2]!, ok[1]!, ok[3]!)), schemaAt("Sigma1/initiatorSessionId"));
  // An unknown member out of order breaks [ tag-order ] too; an unknown profile-tagged member is skipped.
  assert.throws(() => decodeSigma1(struct(...ok, b(9, 1), b(6, 16))), schemaAt("Sigma1/resumptionID"));
  const common = { tag: { form: "common", id: 1 }, type: "uint", value: 1n } as TlvNode;
  assert.equal(decodeSigma1(struct(ok[0]!, common, ...ok.slice(1))).initiatorSessionId, 1);
  assert.throws(
    () => decodeSigma2Resume(struct(b(1, 16), b(2, 15), u(3, 1n))),
    schemaAt("Sigma2Resume/sigma2ResumeMIC"),
  );
  assert.throws(() => decodeSigma2Resume(struct(b(1, 16), b(2, 16))), schemaAt("Sigma2Resume/responderSessionID"));
  assert.throws(() => decodeSigma3(struct(b(1, 16))), schemaAt("Sigma3/encrypted3"));
  assert.throws(() => decodeTbeData2(struct(b(1, 401), b(3, 64), b(4, 16))), schemaAt("TBEData2/responderNOC"));
  assert.throws(() => decodeTbeData3(struct(b(1, 10), b(2, 0), b(3, 64))), schemaAt("TBEData3/initiatorICAC"));
  assert.throws(() => decodeTbeData2(struct(b(1, 10), b(3, 64))), schemaAt("TBEData2/resumptionID"));
});

test("encoders refuse members outside their lengths or ranges (RangeError), never sending a malformed message", () => {
  const s1 = {
    initiatorRandom: new Uint8Array(32),
    initiatorSessionId: 1,
    destinationId: new Uint8Array(32),
    initiatorEphPubKey: new Uint8Array(65),
  };
  assert.throws(() => encodeSigma1({ ...s1, initiatorSessionId: 0x10000 }), RangeError);
  assert.throws(() => encodeSigma1({ ...s1, resumptionId: new Uint8Array(15) }), RangeError);
  assert.throws(() => encodeSigma3({ encrypted3: new Uint8Array(16) }), RangeError);
  assert.throws(() => encodeTbeData3({ noc: new Uint8Array(0), signature: new Uint8Array(64) }), RangeError);
});
