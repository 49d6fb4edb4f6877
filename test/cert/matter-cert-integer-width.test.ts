// One certificate, one TLV encoding: decodeMatterCert refuses an integer written wider than its minimal TLV width in a
// DN attribute (fuzzing found two encodings of one certificate, both verifying: the signature covers the DER, where
// the width does not show). [DIFF] The SDK's reader accepts any width; we reject, so certificates stored or compared
// as bytes (TrustedRootCertificates, the pending root, FabricConflict) stay comparable by value.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MalformedError } from "../../src/bytes/errors.ts";
import { CERT_TAG } from "../../src/cert/matter-cert.ts";
import { decodeMatterCert } from "../../src/cert/matter-cert-decode.ts";
import { matterCertToDer } from "../../src/cert/matter-cert-to-x509.ts";
import { decodeTlv } from "../../src/tlv/tlv-decoder.ts";
import { encodeTlv } from "../../src/tlv/tlv-encoder.ts";
import type { TlvIntWidth, TlvNode } from "../../src/tlv/tlv-node.ts";
import { TestCa } from "../support/test-commissioner.ts";
import { tlvOf } from "./vectors.ts";

/** `tlv` with every integer of the DN at context tag `dnTag` written `width` bytes wide. */
function widenDn(tlv: Uint8Array, dnTag: number, width: TlvIntWidth): Uint8Array {
  const root = decodeTlv(tlv);
  assert.ok(root.type === "struct");
  const elements = root.elements.map((el): TlvNode => {
    if (el.tag.form !== "context" || el.tag.id !== dnTag || el.type !== "list") return el;
    return { ...el, elements: el.elements.map((a) => (a.type === "uint" ? { ...a, width } : a)) };
  });
  return encodeTlv({ ...root, elements });
}

const rejectsNonMinimal = (e: unknown): boolean => {
  assert.ok(e instanceof MalformedError, `expected MalformedError, got ${String(e)}`);
  assert.match(e.message, /minimal/);
  return true;
};

test("a NOC whose subject node id and fabric id are written 8 bytes wide is refused; the minimal one decodes", () => {
  const ca = new TestCa();
  const chain = ca.issueChain(ca.crypto.generateKeyPair().publicKey, { nodeId: 1n, fabricId: 2n });
  const cert = decodeMatterCert(chain.noc);
  const wide = widenDn(chain.noc, CERT_TAG.subject, 8);
  assert.notDeepEqual(wide, chain.noc);
  // Both encodings would convert to the same DER, so the same signature verifies both.
  assert.throws(() => decodeMatterCert(wide), rejectsNonMinimal);
  for (const width of [2, 4] as const)
    assert.throws(() => decodeMatterCert(widenDn(chain.noc, CERT_TAG.subject, width)));
  assert.deepEqual(matterCertToDer(chain.noc), matterCertToDer(cert));
});

test("the SDK's vectors (8-byte DN ids) still decode", () => {
  for (const name of ["Root01", "ICA01", "Node01_01"]) assert.doesNotThrow(() => decodeMatterCert(tlvOf(name)), name);
});
