// A NodeCrypto whose randomness is a SHA-256 counter stream over a seed: deterministic two-party tests.
import { createHash } from "node:crypto";
import { NodeCrypto } from "../../../src/crypto/node-crypto.ts";

/** NodeCrypto drawing its random bytes from SHA-256(seed || counter). */
export function seededCrypto(seed: string): NodeCrypto {
  let counter = 0;
  return new NodeCrypto((n) => {
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const block = createHash("sha256").update(`${seed}/${counter++}`).digest();
      const take = Math.min(block.length, n - at);
      out.set(block.subarray(0, take), at);
      at += take;
    }
    return out;
  });
}
