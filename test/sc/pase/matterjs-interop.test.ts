// Interop with matter.js 0.17 (dev dependency): its SPAKE2+ prover against our verifier and vice versa, and the PASE
// message TLV in both directions. This checks our reading of the spec against an independent implementation.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Spake2p, StandardCrypto } from "@matter/general";
import { TlvPasePake2, TlvPbkdfParamRequest, TlvPbkdfParamResponse } from "@matter/protocol";
import { bigintToBytes, toHex } from "../../../src/bytes/bytes.ts";
import { NodeCrypto } from "../../../src/crypto/node-crypto.ts";
import { Spake2pProver, Spake2pVerifier } from "../../../src/crypto/spake2p.ts";
import { decodePake2, encodePake2 } from "../../../src/sc/pase/pake2.ts";
import { computePaseVerifier, computePaseW0W1 } from "../../../src/sc/pase/pase-verifier.ts";
import { decodePBKDFParamRequest } from "../../../src/sc/pase/pbkdf-param-request.ts";
import { decodePBKDFParamResponse, encodePBKDFParamResponse } from "../../../src/sc/pase/pbkdf-param-response.ts";

const ours = new NodeCrypto();
const theirs = new StandardCrypto();
const PBKDF = { iterations: 1000, salt: new TextEncoder().encode("SPAKE2P Key Salt") };
const PASSCODE = 20202021;
const CONTEXT = ours.sha256(new TextEncoder().encode("interop context"));

test("w0, w1 and L agree with matter.js", async () => {
  const mine = computePaseW0W1(ours, PASSCODE, PBKDF);
  const { w0, w1 } = await Spake2p.computeW0W1(theirs, PBKDF, PASSCODE);
  assert.equal(toHex(mine.w0), toHex(bigintToBytes(w0, 32)));
  assert.equal(toHex(mine.w1), toHex(bigintToBytes(w1, 32)));
  const { L } = await Spake2p.computeW0L(theirs, PBKDF, PASSCODE);
  assert.equal(toHex(computePaseVerifier(ours, PASSCODE, PBKDF).L), toHex(new Uint8Array(L as ArrayBuffer)));
});

test("matter.js prover against our verifier: same Ke, cA, cB", async () => {
  const { w0, w1 } = await Spake2p.computeW0W1(theirs, PBKDF, PASSCODE);
  const verifier = computePaseVerifier(ours, PASSCODE, PBKDF);
  const prover = Spake2p.create(theirs, CONTEXT, w0);
  const X = prover.computeX();
  const v = new Spake2pVerifier(ours, CONTEXT, verifier.w0, verifier.L);
  const keys = v.finish(new Uint8Array(X));
  const r = await prover.computeSecretAndVerifiersFromY(w1, X, v.Y);
  assert.equal(toHex(keys.Ke), toHex(new Uint8Array(r.Ke)));
  assert.equal(toHex(keys.cA), toHex(new Uint8Array(r.hAY as ArrayBuffer)));
  assert.equal(toHex(keys.cB), toHex(new Uint8Array(r.hBX as ArrayBuffer)));
});

test("our prover against the matter.js verifier: same Ke, cA, cB", async () => {
  const secrets = computePaseW0W1(ours, PASSCODE, PBKDF);
  const { w0, L } = await Spake2p.computeW0L(theirs, PBKDF, PASSCODE);
  const prover = new Spake2pProver(ours, CONTEXT, secrets);
  const server = Spake2p.create(theirs, CONTEXT, w0);
  const Y = server.computeY();
  const keys = prover.finish(new Uint8Array(Y));
  const r = await server.computeSecretAndVerifiersFromX(new Uint8Array(L as ArrayBuffer), prover.X, Y);
  assert.equal(toHex(keys.Ke), toHex(new Uint8Array(r.Ke)));
  assert.equal(toHex(keys.cA), toHex(new Uint8Array(r.hAY as ArrayBuffer)));
  assert.equal(toHex(keys.cB), toHex(new Uint8Array(r.hBX as ArrayBuffer)));
});

test("PBKDFParamRequest as matter.js encodes it (session params tags 1-8) decodes here", () => {
  const bytes = TlvPbkdfParamRequest.encode({
    initiatorRandom: new Uint8Array(32).fill(7),
    initiatorSessionId: 0x1234,
    passcodeId: 0,
    hasPbkdfParameters: false,
    initiatorSessionParams: {
      idleInterval: 500,
      activeInterval: 300,
      activeThreshold: 4000,
      dataModelRevision: 19,
      interactionModelRevision: 12,
      specificationVersion: 0x01040200,
      maxPathsPerInvoke: 10,
      supportedTransports: {},
    },
  });
  const m = decodePBKDFParamRequest(new Uint8Array(bytes));
  assert.equal(m.initiatorSessionId, 0x1234);
  assert.equal(m.hasPBKDFParameters, false);
  assert.deepEqual(m.initiatorSessionParams, {
    sessionIdleInterval: 500,
    sessionActiveInterval: 300,
    sessionActiveThreshold: 4000,
    dataModelRevision: 19,
    interactionModelRevision: 12,
    specificationVersion: 0x01040200,
    maxPathsPerInvoke: 10,
    supportedTransports: 0,
  });
});

test("our PBKDFParamResponse and Pake2 decode in matter.js, and theirs decode here", () => {
  const resp = {
    initiatorRandom: new Uint8Array(32).fill(1),
    responderRandom: new Uint8Array(32).fill(2),
    responderSessionId: 0xbeef,
    pbkdfParameters: PBKDF,
    responderSessionParams: { sessionIdleInterval: 5000, sessionActiveInterval: 300 },
  };
  const mine = encodePBKDFParamResponse(resp);
  const decoded = TlvPbkdfParamResponse.decode(mine);
  assert.equal(decoded.responderSessionId, 0xbeef);
  assert.equal(decoded.pbkdfParameters?.iterations, 1000);
  assert.equal(decoded.responderSessionParams?.idleInterval, 5000);
  assert.deepEqual(decodePBKDFParamResponse(new Uint8Array(TlvPbkdfParamResponse.encode(decoded))), resp);

  const pake2 = { pB: new Uint8Array(65).fill(4), cB: new Uint8Array(32).fill(9) };
  assert.equal(
    toHex(new Uint8Array(TlvPasePake2.encode({ y: pake2.pB, verifier: pake2.cB }))),
    toHex(encodePake2(pake2)),
  );
  assert.deepEqual(decodePake2(encodePake2(pake2)), pake2);
});
