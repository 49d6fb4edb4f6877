// The PASE power-on self-test: passes with the real crypto, and names the failure when a primitive misbehaves.
import assert from "node:assert/strict";
import { test } from "node:test";
import { InternalError } from "../../../src/bytes/errors.ts";
import type { Crypto } from "../../../src/crypto/crypto.ts";
import { nodeCrypto } from "../../../src/crypto/node-crypto.ts";
import { paseSelfTest } from "../../../src/sc/pase/pase-self-test.ts";

test("the PASE self-test establishes matching keys with node:crypto", () => {
  assert.doesNotThrow(() => paseSelfTest(nodeCrypto));
});

test("a PBKDF2 that answers differently on the two sides fails the self-test with an InternalError", () => {
  let calls = 0;
  const pbkdf2Sha256: Crypto["pbkdf2Sha256"] = (password, salt, iterations, length) => {
    const out = nodeCrypto.pbkdf2Sha256(password, salt, iterations, length);
    // The verifier (first call) is right; the initiator's w0/w1 (second call) are not.
    if (calls++ > 0) out[0] = (out[0] ?? 0) ^ 0xff;
    return out;
  };
  const broken = new Proxy(nodeCrypto, {
    get(target, key) {
      if (key === "pbkdf2Sha256") return pbkdf2Sha256;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  assert.throws(() => paseSelfTest(broken), InternalError);
});
