// NOCSR Elements: round trip with a real CSR, the SDK's deconstruct rules, size limit, robustness.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fromHex, toHex } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import { attestationSignature, verifyAttestationSignature } from "../../src/cert/attestation-elements.ts";
import { buildCsr, verifyCsr } from "../../src/cert/csr.ts";
import { decodeNocsrElements, encodeNocsrElements, MAX_NOCSR_ELEMENTS_BYTES } from "../../src/cert/nocsr-elements.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { P256PrivateKey } from "../../src/crypto/p256.ts";

const nonce = fromHex("00010203".repeat(8));
const opKey = P256PrivateKey.fromScalar(fromHex("21".repeat(32)));
const dacKey = P256PrivateKey.fromScalar(fromHex("31".repeat(32)));
const schema = (e: unknown) =>
  e instanceof MalformedError && (e.code.startsWith("nocsr.") || e.code === "tlv.duplicate-tag");

test("encodes csr [1] and CSRNonce [2] as an anonymous struct and decodes them back", () => {
  const csr = buildCsr(nodeCrypto, opKey);
  const bytes = encodeNocsrElements({ csr, csrNonce: nonce });
  // 0x15 struct, 0x30 0x01 <len:1> bytes (tag 1), ..., 0x30 0x02 0x20 nonce, 0x18 end.
  assert.equal(toHex(bytes.subarray(0, 4)), `153001${csr.length.toString(16)}`);
  assert.equal(toHex(bytes.subarray(bytes.length - 36)), `300220${toHex(nonce)}18`);
  const back = decodeNocsrElements(bytes);
  assert.deepEqual(back, { csr, csrNonce: nonce });
  assert.deepEqual(verifyCsr(nodeCrypto, back.csr).publicKey.raw, opKey.publicKey.raw);
});

test("vendor-reserved fields 3..5 round-trip", () => {
  const e = { csr: fromHex("3000"), csrNonce: nonce, vendorReserved1: fromHex("aa"), vendorReserved3: fromHex("cc") };
  assert.deepEqual(decodeNocsrElements(encodeNocsrElements(e)), e);
});

test("DAC signature over NOCSRElements || challenge verifies, and not with another challenge", () => {
  const bytes = encodeNocsrElements({ csr: buildCsr(nodeCrypto, opKey), csrNonce: nonce });
  const challenge = fromHex("aa".repeat(16));
  const sig = attestationSignature(nodeCrypto, dacKey, bytes, challenge);
  assert.equal(sig.length, 64);
  assert.ok(verifyAttestationSignature(nodeCrypto, dacKey.publicKey, bytes, challenge, sig));
  assert.ok(!verifyAttestationSignature(nodeCrypto, dacKey.publicKey, bytes, fromHex("ab".repeat(16)), sig));
  assert.ok(nodeCrypto.ecdsaVerify(dacKey.publicKey, Uint8Array.from([...bytes, ...challenge]), sig));
});

test("decode follows DeconstructNOCSRElements: first tag 1, increasing tags, no unknown tags, 32-byte nonce", () => {
  const n = toHex(nonce);
  const csr = "30010230 00".replace(" ", ""); // csr [1] = 30 00
  const nonceEl = `300220${n}`;
  const cases: [string, string][] = [
    ["nonce first", `15${nonceEl}${csr}18`],
    ["unknown tag 6", `15${csr}${nonceEl}3006010018`],
    ["tag 3 before 2", `15${csr}300301aa${nonceEl}18`],
    ["repeated tag 3", `15${csr}${nonceEl}300301aa300301bb18`],
    ["nonce 31 bytes", `15${csr}30021f${n.slice(2)}18`],
    ["missing nonce", `15${csr}18`],
    ["csr as utf8", `152c01023000${nonceEl}18`],
    ["profile tag", `15${csr}${nonceEl}f0f1ff01000100000100 18`],
    ["a list, not a struct", `17${csr}18`],
  ];
  for (const [name, h] of cases) assert.throws(() => decodeNocsrElements(fromHex(h)), schema, name);
});

test("the 900-byte limit holds both ways", () => {
  assert.throws(() => encodeNocsrElements({ csr: new Uint8Array(900), csrNonce: nonce }), RangeError);
  const big = encodeNocsrElements({ csr: new Uint8Array(MAX_NOCSR_ELEMENTS_BYTES - 45), csrNonce: nonce });
  assert.ok(big.length <= MAX_NOCSR_ELEMENTS_BYTES);
  assert.throws(() => decodeNocsrElements(new Uint8Array(901)), schema);
  assert.throws(() => encodeNocsrElements({ csr: fromHex("30"), csrNonce: new Uint8Array(31) }), RangeError);
});

test("property: mutated NOCSR elements either decode or throw MalformedError", () => {
  const base = encodeNocsrElements({
    csr: buildCsr(nodeCrypto, opKey),
    csrNonce: nonce,
    vendorReserved2: fromHex("01"),
  });
  fc.assert(
    fc.property(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 }), (at, b) => {
      const m = base.slice();
      m[at] = b;
      try {
        decodeNocsrElements(m);
      } catch (e) {
        if (!(e instanceof MalformedError)) throw e;
      }
    }),
    { numRuns: 1500 },
  );
});
