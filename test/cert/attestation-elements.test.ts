// Attestation Elements: SDK layout, DeconstructAttestationElements rules, vendor-reserved tags, signature, robustness.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { fromHex, toHex } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import {
  type AttestationElements,
  attestationSignature,
  decodeAttestationElements,
  encodeAttestationElements,
  MAX_ATTESTATION_ELEMENTS_BYTES,
  verifyAttestationSignature,
} from "../../src/cert/attestation-elements.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { P256PrivateKey } from "../../src/crypto/p256.ts";

const VECTORS = join(import.meta.dirname, "..", "vectors", "attestation");
const cdVectors = JSON.parse(readFileSync(join(VECTORS, "certification-declaration.json"), "utf8")) as {
  cases: { cms: string }[];
};
const cd = fromHex(cdVectors.cases[0]!.cms);
const nonce = fromHex("a5".repeat(32));
const dacKey = P256PrivateKey.fromScalar(fromHex("51".repeat(32)));
const schema = (e: unknown) =>
  e instanceof MalformedError && (e.code.startsWith("attestation-elements.") || e.code.startsWith("tlv."));

test("the SDK layout: CD [1], nonce [2], timestamp [3] = 0, no firmware information", () => {
  const bytes = encodeAttestationElements({
    certificationDeclaration: cd,
    attestationNonce: nonce,
    timestamp: 0,
    vendorReserved: [],
  });
  assert.equal(toHex(bytes.subarray(0, 4)), `153001${cd.length.toString(16)}`);
  assert.equal(toHex(bytes.subarray(bytes.length - 39)), `300220${toHex(nonce)}24030018`);
  assert.deepEqual(decodeAttestationElements(bytes), {
    certificationDeclaration: cd,
    attestationNonce: nonce,
    timestamp: 0,
    vendorReserved: [],
  });
});

test("firmware information and vendor-reserved fully-qualified elements round-trip", () => {
  const e: AttestationElements = {
    certificationDeclaration: cd,
    attestationNonce: nonce,
    timestamp: 0x12345678,
    firmwareInformation: fromHex("0102"),
    vendorReserved: [
      { vendorId: 0xfff1, profileNum: 0x0001, tagNumber: 1, value: fromHex("aa") },
      { vendorId: 0xfff1, profileNum: 0x0001, tagNumber: 0x10000, value: fromHex("bb") },
    ],
  };
  assert.deepEqual(decodeAttestationElements(encodeAttestationElements(e)), e);
});

test("decode rules: 1, 2, 3 first in order; unknown context tags tolerated before vendor elements only", () => {
  const c = `3001${cd.length.toString(16)}${toHex(cd)}`;
  const n = `300220${toHex(nonce)}`;
  const t = "240300";
  const vendor = "d0f1ff0100010001aa"; // qualified 6-byte tag fff1/0001/1, 1-byte octet string
  // Tolerated: unknown context tag 7 between 3 and the vendor elements.
  const tolerated = decodeAttestationElements(fromHex(`15${c}${n}${t}3007010f${vendor}18`));
  assert.equal(tolerated.vendorReserved.length, 1);
  assert.equal(tolerated.firmwareInformation, undefined);
  const cases: [string, string][] = [
    ["nonce before CD", `15${n}${c}${t}18`],
    ["missing timestamp", `15${c}${n}18`],
    ["timestamp signed", `15${c}${n}20030018`],
    ["timestamp 64-bit", `15${c}${n}27030000000001000000 18`],
    ["nonce 31 bytes", `15${c}30021f${toHex(nonce).slice(2)}${t}18`],
    ["context tag after vendor element", `15${c}${n}${t}${vendor}3004010018`],
    ["firmware info not bytes", `15${c}${n}${t}24040018`],
    ["vendor element with a common-profile tag", `15${c}${n}${t}5001000101aa18`],
    ["vendor element not bytes", `15${c}${n}${t}c4f1ff0100010001 18`],
    ["context tags out of order", `15${c}${n}${t}3007010f3004010f18`],
  ];
  for (const [name, h] of cases) assert.throws(() => decodeAttestationElements(fromHex(h)), schema, name);
});

test("the 900-byte limit, nonce length and timestamp range are enforced when encoding", () => {
  const base = { attestationNonce: nonce, timestamp: 0, vendorReserved: [] };
  assert.throws(
    () => encodeAttestationElements({ ...base, certificationDeclaration: new Uint8Array(860) }),
    RangeError,
  );
  assert.ok(
    encodeAttestationElements({ ...base, certificationDeclaration: new Uint8Array(850) }).length <=
      MAX_ATTESTATION_ELEMENTS_BYTES,
  );
  assert.throws(
    () => encodeAttestationElements({ ...base, certificationDeclaration: cd, attestationNonce: new Uint8Array(16) }),
    RangeError,
  );
  assert.throws(
    () => encodeAttestationElements({ ...base, certificationDeclaration: cd, timestamp: 2 ** 32 }),
    RangeError,
  );
  assert.throws(() => decodeAttestationElements(new Uint8Array(901)), schema);
});

test("AttestationSignature = ECDSA(DAC key, elements || challenge), raw 64 bytes", () => {
  const elements = encodeAttestationElements({
    certificationDeclaration: cd,
    attestationNonce: nonce,
    timestamp: 0,
    vendorReserved: [],
  });
  const challenge = fromHex("0f".repeat(16));
  const sig = attestationSignature(nodeCrypto, dacKey, elements, challenge);
  assert.equal(sig.length, 64);
  assert.ok(nodeCrypto.ecdsaVerify(dacKey.publicKey, Uint8Array.from([...elements, ...challenge]), sig));
  assert.ok(verifyAttestationSignature(nodeCrypto, dacKey.publicKey, elements, challenge, sig));
  const flipped = elements.slice();
  flipped[flipped.length - 2] = 1;
  assert.ok(!verifyAttestationSignature(nodeCrypto, dacKey.publicKey, flipped, challenge, sig));
  assert.throws(() => attestationSignature(nodeCrypto, dacKey, elements, new Uint8Array(15)), RangeError);
});

test("property: mutated attestation elements either decode or throw MalformedError", () => {
  const base = encodeAttestationElements({
    certificationDeclaration: cd.subarray(0, 40),
    attestationNonce: nonce,
    timestamp: 7,
    firmwareInformation: fromHex("01"),
    vendorReserved: [{ vendorId: 0xfff1, profileNum: 1, tagNumber: 2, value: fromHex("02") }],
  });
  fc.assert(
    fc.property(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 }), (at, b) => {
      const m = base.slice();
      m[at] = b;
      try {
        decodeAttestationElements(m);
      } catch (e) {
        if (!(e instanceof MalformedError)) throw e;
      }
    }),
    { numRuns: 1500 },
  );
});
