// CMS SignedData (Matter CD profile): the SDK's published vectors, sign/verify round trip, profile violations.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { fromHex, toHex } from "../../src/bytes/bytes.ts";
import { MalformedError, ValidationError } from "../../src/bytes/errors.ts";
import { cmsSign, cmsVerify, parseCmsSignedData } from "../../src/cert/cms.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { P256PrivateKey, P256PublicKey } from "../../src/crypto/p256.ts";
import { derContext, derInteger, derOctetString, derOid, derSequence, derSet } from "../../src/der/der-writer.ts";
import { OID } from "../../src/der/oids.ts";

const VECTORS = join(import.meta.dirname, "..", "vectors", "attestation");
const cd = JSON.parse(readFileSync(join(VECTORS, "certification-declaration.json"), "utf8")) as {
  signerSubjectKeyId: string;
  signerPublicKey: string;
  cases: { name: string; cdContent: string; cms: string }[];
};
const signerKey = P256PrivateKey.fromPem(readFileSync(join(VECTORS, "Chip-Test-CD-Signing-Key.pem"), "utf8"));
const signerPublic = P256PublicKey.fromRaw(fromHex(cd.signerPublicKey));
const skid = fromHex(cd.signerSubjectKeyId);

function rule(id: string) {
  return (e: unknown) => e instanceof ValidationError && e.rule === id;
}
function malformed(code: string) {
  return (e: unknown) => e instanceof MalformedError && e.code === code;
}

test("the SDK's signed CD vectors parse and verify with the test CD signer key", () => {
  assert.deepEqual(signerKey.publicKey.raw, signerPublic.raw);
  for (const c of cd.cases) {
    const der = fromHex(c.cms);
    const parsed = parseCmsSignedData(der);
    assert.equal(toHex(parsed.signerKeyId), cd.signerSubjectKeyId, c.name);
    assert.equal(toHex(cmsVerify(nodeCrypto, der, signerPublic, skid)), c.cdContent, c.name);
  }
});

test("cmsSign reproduces the SDK's encoding byte for byte except the (randomized) signature", () => {
  for (const c of cd.cases) {
    const ours = cmsSign(nodeCrypto, fromHex(c.cdContent), skid, signerKey);
    assert.equal(toHex(cmsVerify(nodeCrypto, ours, signerPublic, skid)), c.cdContent);
    const theirs = fromHex(c.cms);
    // Same bytes from SignedData.version to the end of the eContent (lengths differ only after it, with the signature).
    const end = (x: Uint8Array) => toHex(x).indexOf(c.cdContent) / 2 + c.cdContent.length / 2;
    assert.equal(toHex(ours.subarray(20, end(ours))), toHex(theirs.subarray(20, end(theirs))), c.name);
    // Same SignerInfo from its version to the end of the signature algorithm.
    const si = (x: Uint8Array) => {
      const h = toHex(x);
      const from = h.indexOf("0201038014");
      return h.slice(from, h.indexOf("06082a8648ce3d040302", from) + 20);
    };
    assert.equal(si(ours), si(theirs), c.name);
    assert.ok(si(ours).length > 40);
  }
});

test("a wrong signer key, a wrong SKID or a changed content fail with their rule ids", () => {
  const c = cd.cases[0]!;
  const der = fromHex(c.cms);
  const other = P256PrivateKey.fromScalar(fromHex("42".repeat(32)));
  assert.throws(() => cmsVerify(nodeCrypto, der, other.publicKey), rule("cms.signature"));
  assert.throws(() => cmsVerify(nodeCrypto, der, signerPublic, new Uint8Array(20)), rule("cms.signer-key-id"));
  const tampered = der.slice();
  const at = toHex(der).indexOf(c.cdContent) / 2 + 6; // vendor id low byte
  tampered[at] = tampered[at]! ^ 1;
  assert.throws(() => cmsVerify(nodeCrypto, tampered, signerPublic, skid), rule("cms.signature"));
});

/** Builds a SignedData with parts swapped out, to check each profile rule. */
function build(parts: {
  version?: bigint;
  digests?: Uint8Array;
  eci?: Uint8Array;
  certs?: Uint8Array;
  signerInfos?: Uint8Array[];
  siVersion?: bigint;
  sid?: Uint8Array;
  signedAttrs?: Uint8Array;
  sigAlg?: string;
}): Uint8Array {
  const sha = derSequence(derOid(OID.sha256));
  const content = fromHex("1518");
  const sig = nodeCrypto.ecdsaSignDer(signerKey, content);
  const si = derSequence(
    derInteger(parts.siVersion ?? 3n),
    parts.sid ?? derContext(0, skid, false),
    sha,
    ...(parts.signedAttrs ? [parts.signedAttrs] : []),
    derSequence(derOid(parts.sigAlg ?? OID.ecdsaWithSHA256)),
    derOctetString(sig),
  );
  const sd = derSequence(
    derInteger(parts.version ?? 3n),
    parts.digests ?? derSet(sha),
    parts.eci ?? derSequence(derOid(OID.data), derContext(0, derOctetString(content))),
    ...(parts.certs ? [parts.certs] : []),
    derSet(...(parts.signerInfos ?? [si])),
  );
  return derSequence(derOid(OID.signedData), derContext(0, sd));
}

test("profile violations are malformed with a cms.* code", () => {
  assert.equal(toHex(cmsVerify(nodeCrypto, build({}), signerPublic, skid)), "1518");
  const sha = derSequence(derOid(OID.sha256));
  const cases: [string, Uint8Array, string][] = [
    ["SignedData v1", build({ version: 1n }), "cms.version"],
    ["SignerInfo v1", build({ siVersion: 1n }), "cms.version"],
    ["sha1 digest", build({ digests: derSet(derSequence(derOid("1.3.14.3.2.26"))) }), "cms.digest-algorithm"],
    [
      "two digests",
      build({ digests: derSet(sha, derSequence(derOid("2.16.840.1.101.3.4.2.3"))) }),
      "cms.digest-algorithm",
    ],
    [
      "eContentType not id-data",
      build({ eci: derSequence(derOid(OID.signedData), derContext(0, derOctetString(fromHex("1518")))) }),
      "cms.content-type",
    ],
    ["detached content", build({ eci: derSequence(derOid(OID.data)) }), "cms.content"],
    ["certificates", build({ certs: derContext(0, derSequence()) }), "cms.certificates"],
    ["no SignerInfo", build({ signerInfos: [] }), "cms.signer-infos"],
    ["sid issuerAndSerialNumber", build({ sid: derSequence(derSequence(), derInteger(1n)) }), "cms.sid"],
    ["sid 19 bytes", build({ sid: derContext(0, new Uint8Array(19), false) }), "cms.sid"],
    ["signed attributes", build({ signedAttrs: derContext(0, derSequence()) }), "cms.signed-attributes"],
    ["ecdsa-with-SHA384", build({ sigAlg: "1.2.840.10045.4.3.3" }), "cms.signature-algorithm"],
  ];
  for (const [name, der, code] of cases) assert.throws(() => parseCmsSignedData(der), malformed(code), name);
  const two = build({});
  const si = parseCmsSignedData(two);
  assert.equal(si.signerKeyId.length, 20);
  // NULL parameters on sha256 are accepted (RFC 5754 §2).
  const withNull = build({ digests: derSet(derSequence(derOid(OID.sha256), fromHex("0500"))) });
  assert.equal(toHex(parseCmsSignedData(withNull).eContent), "1518");
});

test("cmsSign rejects a signer key id that is not 20 bytes", () => {
  assert.throws(() => cmsSign(nodeCrypto, fromHex("1518"), new Uint8Array(8), signerKey), RangeError);
});

test("property: mutated CMS messages either parse or throw MalformedError", () => {
  const base = fromHex(cd.cases[1]!.cms);
  fc.assert(
    fc.property(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 }), (at, b) => {
      const m = base.slice();
      m[at] = b;
      try {
        parseCmsSignedData(m);
      } catch (e) {
        if (!(e instanceof MalformedError)) throw e;
      }
    }),
    { numRuns: 1500 },
  );
});
