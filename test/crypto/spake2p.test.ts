// SPAKE2+ (Core spec 3.10) against published vectors.
// Vectors: connectedhomeip src/crypto/tests/SPAKE2P_RFC_test_vectors.h (Apache-2.0), taken from
// draft-bar-cfrg-spake2plus-01 (context "SPAKE2+-P256-SHA256-HKDF draft-01"); and the Matter test verifier for
// passcode 20202021, salt "SPAKE2P Key Salt", 1000 iterations (connectedhomeip's spake2p tool, docs/tools).
import assert from "node:assert/strict";
import { test } from "node:test";
import { p256 } from "@noble/curves/nist.js";
import fc from "fast-check";
import { bigintToBytes, fromHex, toBase64, toHex } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import { NodeCrypto } from "../../src/crypto/node-crypto.ts";
import {
  computeL,
  computeW0W1,
  constantTimeEqual,
  SPAKE2P_M,
  SPAKE2P_N,
  Spake2pProver,
  Spake2pVerifier,
} from "../../src/crypto/spake2p.ts";

const crypto = new NodeCrypto();
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

const W0 = "e6887cf9bdfb7579c69bf47928a84514b5e355ac034863f7ffaf4390e67d798c";
const W1 = "24b5ae4abda868ec9336ffc3b78ee31c5755bef1759227ef5372ca139b94e512";
const L =
  "0495645cfb74df6e58f9748bb83a86620bab7c82e107f57d6870da8cbcb2ff9f70" +
  "63a14b6402c62f99afcb9706a4d1a143273259fe76f1c605a3639745a92154b9";

type Vector = {
  name: string;
  idProver: string;
  idVerifier: string;
  x: string;
  X: string;
  y: string;
  Y: string;
  Z: string;
  V: string;
  Ka: string;
  Ke: string;
  KcA: string;
  KcB: string;
  cA: string;
  cB: string;
};

const VECTORS: Vector[] = [
  {
    name: "client/server",
    idProver: "client",
    idVerifier: "server",
    x: "8b0f3f383905cf3a3bb955ef8fb62e24849dd349a05ca79aafb18041d30cbdb6",
    X:
      "04af09987a593d3bac8694b123839422c3cc87e37d6b41c1d630f000dd64980e53" +
      "7ae704bcede04ea3bec9b7475b32fa2ca3b684be14d11645e38ea6609eb39e7e",
    y: "2e0895b0e763d6d5a9564433e64ac3cac74ff897f6c3445247ba1bab40082a91",
    Y:
      "04417592620aebf9fd203616bbb9f121b730c258b286f890c5f19fea833a9c900c" +
      "be9057bc549a3e19975be9927f0e7614f08d1f0a108eede5fd7eb5624584a4f4",
    Z:
      "0471a35282d2026f36bf3ceb38fcf87e3112a4452f46e9f7b47fd769cfb570145b" +
      "62589c76b7aa1eb6080a832e5332c36898426912e29c40ef9e9c742eee82bf30",
    V:
      "046718981bf15bc4db538fc1f1c1d058cb0eececf1dbe1b1ea08a4e25275d382e8" +
      "2b348c8131d8ed669d169c2e03a858db7cf6ca2853a4071251a39fbe8cfc39bc",
    Ka: "f9cab9adcc0ed8e5a4db11a8505914b2",
    Ke: "801db297654816eb4f02868129b9dc89",
    KcA: "0d248d7d19234f1486b2efba5179c52d",
    KcB: "556291df26d705a2caedd6474dd0079b",
    cA: "d4376f2da9c72226dd151b77c2919071155fc22a2068d90b5faa6c78c11e77dd",
    cB: "0660a680663e8c5695956fb22dff298b1d07a526cf3cc591adfecd1f6ef6e02e",
  },
  {
    name: "empty identities (as Matter uses it)",
    idProver: "",
    idVerifier: "",
    x: "5b478619804f4938d361fbba3a20648725222f0a54cc4c876139efe7d9a21786",
    X:
      "04a6db23d001723fb01fcfc9d08746c3c2a0a3feff8635d29cad2853e735862342" +
      "5cf39712e928054561ba71e2dc11f300f1760e71eb177021a8f85e78689071cd",
    y: "766770dad8c8eecba936823c0aed044b8c3c4f7655e8beec44a15dcbcaf78e5e",
    Y:
      "04390d29bf185c3abf99f150ae7c13388c82b6be0c07b1b8d90d26853e84374bbd" +
      "c82becdb978ca3792f472424106a2578012752c11938fcf60a41df75ff7cf947",
    Z:
      "040a150d9a62f514c9a1fedd782a0240a342721046cefb1111c3adb3be893ce9fc" +
      "d2ffa137922fcf8a588d0f76ba9c55c85da2af3f1c789ca17976810387fb1d7e",
    V:
      "04f8e247cc263a1846272f5a3b61b68aa60a5a2665d10cd22c89cd6bad05dc0e5e" +
      "650f21ff017186cc92651a4cd7e66ce88f529299f340ea80fb90a9bad094e1a6",
    Ka: "5929a3ce9822c81401bf0f764f69af08",
    Ke: "ea3276d68334576097e04b19ee5a3a8b",
    KcA: "7f84b939d600117256b0c8a6d40cf181",
    KcB: "f7d7547ced93f681e8df4c258c4516fd",
    cA: "71d9412779b6c45a2c615c9df3f1fd93dc0aaf63104da8ece4aa1b5a3a415fea",
    cB: "095dc0400355cc233fde7437811815b3c1524aae80fd4e6810cf531cf11d20e3",
  },
];

const CONTEXT = utf8("SPAKE2+-P256-SHA256-HKDF draft-01");

test("L = w1*G matches the draft vector", () => {
  assert.equal(toHex(computeL(fromHex(W1))), L);
});

for (const v of VECTORS) {
  test(`draft-01 vector (${v.name}): X, Y, Z, V, Ka, Ke, KcA, KcB, cA, cB on both sides`, () => {
    const ids = { idProver: utf8(v.idProver), idVerifier: utf8(v.idVerifier) };
    const prover = new Spake2pProver(
      crypto,
      CONTEXT,
      { w0: fromHex(W0), w1: fromHex(W1) },
      { ...ids, scalar: fromHex(v.x) },
    );
    const verifier = new Spake2pVerifier(crypto, CONTEXT, fromHex(W0), fromHex(L), { ...ids, scalar: fromHex(v.y) });
    assert.equal(toHex(prover.X), v.X);
    assert.equal(toHex(verifier.Y), v.Y);
    const p = prover.finish(verifier.Y);
    const q = verifier.finish(prover.X);
    for (const keys of [p, q]) {
      assert.equal(toHex(keys.Z), v.Z);
      assert.equal(toHex(keys.V), v.V);
      assert.equal(toHex(keys.Ka), v.Ka);
      assert.equal(toHex(keys.Ke), v.Ke);
      assert.equal(toHex(keys.KcA), v.KcA);
      assert.equal(toHex(keys.KcB), v.KcB);
      assert.equal(toHex(keys.cA), v.cA);
      assert.equal(toHex(keys.cB), v.cB);
    }
  });
}

test("w0, w1, L from passcode 20202021 / 'SPAKE2P Key Salt' / 1000 match the Matter test verifier", () => {
  const { w0, w1 } = computeW0W1(crypto, 20202021, utf8("SPAKE2P Key Salt"), 1000);
  assert.equal(toHex(w0), "b96170aae803346884724fe9a3b287c30330c2a660375d17bb205a8cf1aecb35");
  assert.equal(toHex(w1), "823d264225e36f4923b43ad64f8c862a30f4a129bbf9ee8074a32d6d67586a90");
  const l = computeL(w1);
  assert.equal(
    toBase64(new Uint8Array([...w0, ...l])),
    "uWFwqugDNGiEck/po7KHwwMwwqZgN10XuyBajPGuyzUEV/iree4lOrao5GuwnlQ65CJzbeUB49s31EH+NEkg0JVI5MGCQGMMT/SRPFNRODm3wH/MBiehuFc6FJ/NH6Rmzw==",
  );
});

test("M and N are valid compressed P-256 points", () => {
  assert.equal(SPAKE2P_M.length, 33);
  assert.equal(SPAKE2P_N.length, 33);
  assert.notEqual(toHex(SPAKE2P_M), toHex(SPAKE2P_N));
});

test("native scalar products: X, Y, Z, V equal an independent noble computation, edge scalars included", () => {
  // noble's multiplyUnsafe (its variable-time path) is an independent reference for the module's products, which go
  // through node:crypto's ECDH and a y-coordinate recovery (src/crypto/p256-multiply.ts).
  const RefPoint = p256.Point;
  const n = RefPoint.Fn.ORDER;
  const refM = RefPoint.fromBytes(SPAKE2P_M);
  const refN = RefPoint.fromBytes(SPAKE2P_N);
  const mul = (p: InstanceType<typeof RefPoint>, s: bigint) => (s === 0n ? RefPoint.ZERO : p.multiplyUnsafe(s));
  const raw = (p: InstanceType<typeof RefPoint>) => toHex(p.toBytes(false));
  const nonZero = fc.oneof(fc.constantFrom(1n, 2n, n - 1n, n - 2n), fc.bigInt({ min: 1n, max: n - 1n }));
  const anyScalar = fc.oneof(fc.constant(0n), nonZero);
  const b = (v: bigint) => bigintToBytes(v, 32);
  fc.assert(
    fc.property(nonZero, nonZero, anyScalar, nonZero, (x, y, w0, w1) => {
      const ctx = crypto.sha256(utf8("native products"));
      const prover = new Spake2pProver(crypto, ctx, { w0: b(w0), w1: b(w1) }, { scalar: b(x) });
      const verifier = new Spake2pVerifier(crypto, ctx, b(w0), computeL(b(w1)), { scalar: b(y) });
      const X = RefPoint.BASE.multiplyUnsafe(x).add(mul(refM, w0));
      const Y = RefPoint.BASE.multiplyUnsafe(y).add(mul(refN, w0));
      assert.equal(toHex(prover.X), raw(X));
      assert.equal(toHex(verifier.Y), raw(Y));
      const base = Y.subtract(mul(refN, w0));
      const p = prover.finish(verifier.Y);
      const q = verifier.finish(prover.X);
      assert.equal(toHex(p.Z), raw(mul(base, x)));
      assert.equal(toHex(p.V), raw(mul(base, w1)));
      assert.equal(toHex(q.Z), toHex(p.Z));
      assert.equal(toHex(q.V), toHex(p.V));
      assert.deepEqual(q.cA, p.cA);
    }),
    { numRuns: 40 },
  );
});

test("random ephemeral scalars: both sides agree on Ke and confirmations; a wrong w0 disagrees", () => {
  const secrets = computeW0W1(crypto, 12348765, utf8("0123456789abcdef"), 1000);
  const l = computeL(secrets.w1);
  const ctx = crypto.sha256(utf8("ctx"));
  const prover = new Spake2pProver(crypto, ctx, secrets);
  const verifier = new Spake2pVerifier(crypto, ctx, secrets.w0, l);
  const p = prover.finish(verifier.Y);
  const q = verifier.finish(prover.X);
  assert.deepEqual(p.Ke, q.Ke);
  assert.deepEqual(p.cA, q.cA);
  assert.deepEqual(p.cB, q.cB);

  const wrong = computeW0W1(crypto, 12348766, utf8("0123456789abcdef"), 1000);
  const bad = new Spake2pProver(crypto, ctx, wrong);
  const v2 = new Spake2pVerifier(crypto, ctx, secrets.w0, l);
  const p2 = bad.finish(v2.Y);
  const q2 = v2.finish(bad.X);
  assert.notDeepEqual(p2.Ke, q2.Ke);
  assert.equal(constantTimeEqual(p2.cA, q2.cA), false);
});

test("a peer share that is not a valid uncompressed point is MalformedError crypto.spake2p-point", () => {
  const secrets = { w0: fromHex(W0), w1: fromHex(W1) };
  const prover = new Spake2pProver(crypto, CONTEXT, secrets);
  const verifier = new Spake2pVerifier(crypto, CONTEXT, fromHex(W0), fromHex(L));
  const offCurve = prover.X.slice();
  offCurve[64] = offCurve[64]! ^ 1;
  const compressed = SPAKE2P_M;
  for (const bad of [offCurve, compressed, new Uint8Array(65), new Uint8Array(0)]) {
    assert.throws(
      () => verifier.finish(bad),
      (e: unknown) => e instanceof MalformedError && e.code === "crypto.spake2p-point",
    );
    assert.throws(
      () => prover.finish(bad),
      (e: unknown) => e instanceof MalformedError && e.code === "crypto.spake2p-point",
    );
  }
});

test("robustness: random 65-byte peer shares either work or raise MalformedError", () => {
  const verifier = new Spake2pVerifier(crypto, CONTEXT, fromHex(W0), fromHex(L));
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 70 }), (bytes) => {
      try {
        verifier.finish(bytes);
      } catch (e) {
        assert.ok(e instanceof MalformedError, String(e));
      }
    }),
    { numRuns: 300 },
  );
});

test("w0 not reduced mod n or of the wrong size is a RangeError (API misuse)", () => {
  assert.throws(() => computeL(new Uint8Array(31)), RangeError);
  assert.throws(() => computeL(new Uint8Array(32).fill(0xff)), RangeError);
  assert.throws(() => computeW0W1(crypto, -1, new Uint8Array(16), 1000), RangeError);
});

test("constantTimeEqual compares content and length", () => {
  assert.equal(constantTimeEqual(fromHex("0102"), fromHex("0102")), true);
  assert.equal(constantTimeEqual(fromHex("0102"), fromHex("0103")), false);
  assert.equal(constantTimeEqual(fromHex("0102"), fromHex("01")), false);
});
