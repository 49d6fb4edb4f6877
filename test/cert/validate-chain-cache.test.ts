// validateChain remembers chains that passed (by their exact bytes, root included) and checks only validity times
// again; failures, other roots, non-default options and other Crypto implementations are never served from it. A
// root's verified self-signature is remembered on its own (per Crypto), a failed one never.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ValidationError } from "../../src/bytes/errors.ts";
import {
  type ChainInput,
  clearValidatedChains,
  VALIDATED_CHAIN_CACHE_SIZE,
  validateChain,
} from "../../src/cert/validate.ts";
import type { Crypto } from "../../src/crypto/crypto.ts";
import { NodeCrypto } from "../../src/crypto/node-crypto.ts";
import { chain } from "./cert-builder.ts";

const AT = new Date("2021-01-01T00:00:00Z");

/** A Crypto of its own (so its cache is its own) that counts signature verifications. */
function countingCrypto(): { crypto: Crypto; verifies: () => number } {
  let n = 0;
  const crypto = new NodeCrypto();
  const verify = crypto.ecdsaVerify.bind(crypto);
  crypto.ecdsaVerify = (key, data, signature) => {
    n++;
    return verify(key, data, signature);
  };
  return { crypto, verifies: () => n };
}

function isRule(rule: string): (e: unknown) => boolean {
  return (e) => e instanceof ValidationError && e.rule === rule;
}

test("a chain that passed is validated again without verifying a signature, with the same result", () => {
  const { crypto, verifies } = countingCrypto();
  const input: ChainInput = { ...chain(1), at: AT, crypto };
  const first = validateChain(input);
  const spent = verifies();
  assert.equal(spent, 3);
  const again = validateChain({ ...input, noc: Uint8Array.from(input.noc as Uint8Array) });
  assert.equal(verifies(), spent);
  assert.equal(again.nodeId, first.nodeId);
  assert.equal(again.fabricId, first.fabricId);
  assert.deepEqual(again.cats, first.cats);
  assert.deepEqual(again.rootPublicKey, first.rootPublicKey);
  assert.deepEqual(again.warnings, first.warnings);
  assert.equal(again.icac !== undefined, first.icac !== undefined);
});

test("validity times are checked at every use of a remembered chain", () => {
  const { crypto } = countingCrypto();
  const input: ChainInput = { ...chain(1), crypto };
  validateChain({ ...input, at: AT });
  assert.throws(() => validateChain({ ...input, at: new Date("2200-01-01T00:00:00Z") }), isRule("time.expired"));
  assert.throws(() => validateChain({ ...input, at: new Date("2001-01-01T00:00:00Z") }), isRule("time.not-yet-valid"));
  assert.equal(validateChain({ ...input, at: AT }).fabricId, validateChain({ ...input, at: undefined }).fabricId);
});

test("a chain checked first at a time it is not valid is still remembered for its other rules", () => {
  const { crypto, verifies } = countingCrypto();
  const input: ChainInput = { ...chain(1), crypto };
  assert.throws(() => validateChain({ ...input, at: new Date("2200-01-01T00:00:00Z") }), isRule("time.expired"));
  const spent = verifies();
  validateChain({ ...input, at: AT });
  assert.equal(verifies(), spent);
});

test("a chain that fails is verified again at every attempt (its root's self-signature only once)", () => {
  const { crypto, verifies } = countingCrypto();
  const input: ChainInput = { ...chain(1, { corrupt: "noc" }), at: AT, crypto };
  assert.throws(() => validateChain(input), isRule("chain.signature"));
  assert.equal(verifies(), 3);
  assert.throws(() => validateChain(input), isRule("chain.signature"));
  assert.equal(verifies(), 5);
});

test("a root whose self-signature fails is checked again at every use", () => {
  const { crypto, verifies } = countingCrypto();
  const input: ChainInput = { ...chain(1, { corrupt: "rcac" }), at: AT, crypto };
  assert.throws(() => validateChain(input), isRule("rcac.self-signature"));
  const spent = verifies();
  assert.throws(() => validateChain(input), isRule("rcac.self-signature"));
  assert.equal(verifies(), 2 * spent);
});

test("the root is part of the key: the same NOC and ICAC under another root are validated afresh (and fail)", () => {
  const { crypto } = countingCrypto();
  const one = chain(1);
  validateChain({ ...one, at: AT, crypto });
  assert.throws(() => validateChain({ ...one, rcac: chain(2).rcac, at: AT, crypto }), ValidationError);
});

test("non-default options, decoded certificates and another Crypto are not served from the cache", () => {
  const { crypto, verifies } = countingCrypto();
  const input: ChainInput = { ...chain(1), at: AT, crypto };
  validateChain(input);
  const spent = verifies();
  // The chain is verified again; only the root's self-signature, a function of its bytes, is remembered.
  validateChain({ ...input, options: { allowExtraKeyUsage: true } });
  assert.equal(verifies(), spent + 2);
  const other = countingCrypto();
  validateChain({ ...input, crypto: other.crypto });
  assert.equal(other.verifies(), spent);
});

test("the cache is bounded (least recently used dropped first) and clearValidatedChains forgets it", () => {
  const { crypto, verifies } = countingCrypto();
  // One root and ICAC (signatures are randomized, so each chain() call signs them anew), NOCs with distinct serials.
  const base = chain(1);
  const chains = Array.from({ length: VALIDATED_CHAIN_CACHE_SIZE + 1 }, (_, i) => ({
    ...base,
    noc: chain(1, {
      noc: (f) => {
        f.serialNumber = Uint8Array.of(0x10, i);
      },
    }).noc,
  }));
  for (const c of chains.slice(0, VALIDATED_CHAIN_CACHE_SIZE)) validateChain({ ...c, at: AT, crypto });
  let spent = verifies();
  // Touch the first so that the second is the least recently used, then one more chain evicts the second.
  validateChain({ ...chains[0]!, at: AT, crypto });
  assert.equal(verifies(), spent);
  validateChain({ ...chains[VALIDATED_CHAIN_CACHE_SIZE]!, at: AT, crypto });
  spent = verifies();
  validateChain({ ...chains[0]!, at: AT, crypto });
  assert.equal(verifies(), spent);
  validateChain({ ...chains[1]!, at: AT, crypto });
  assert.equal(verifies(), spent + 2);
  clearValidatedChains(crypto);
  validateChain({ ...chains[0]!, at: AT, crypto });
  assert.equal(verifies(), spent + 4);
});
