// Interop with matter.js 0.17 (dev dependency): KDF labels and nonces, and the CASE TLV messages in both directions,
// checked on a real transcript of our initiator and responder. An independent reading of the same spec sections.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  KDFSR1_KEY_INFO,
  KDFSR2_INFO,
  KDFSR2_KEY_INFO,
  KDFSR3_INFO,
  RESUME1_MIC_NONCE,
  RESUME2_MIC_NONCE,
  TBE_DATA2_NONCE,
  TBE_DATA3_NONCE,
  TlvCaseSigma1,
  TlvCaseSigma2,
  TlvCaseSigma2Resume,
  TlvCaseSigma3,
  TlvEncryptedDataSigma2,
  TlvSignedData,
} from "@matter/protocol";
import { toHex } from "../../../src/bytes/bytes.ts";
import * as K from "../../../src/sc/case/case-constants.ts";
import { CaseInitiator } from "../../../src/sc/case/case-initiator.ts";
import { CaseResponder } from "../../../src/sc/case/case-responder.ts";
import { decodeSigma1 } from "../../../src/sc/case/sigma1.ts";
import { decodeSigma2 } from "../../../src/sc/case/sigma2.ts";
import { decodeSigma2Resume, encodeSigma2Resume } from "../../../src/sc/case/sigma2-resume.ts";
import { decodeSigma3 } from "../../../src/sc/case/sigma3.ts";
import { encodeTbeData2 } from "../../../src/sc/case/tbe-data.ts";
import { encodeTbsData } from "../../../src/sc/case/tbs-data.ts";
import { seededCrypto } from "../pase/seeded-crypto.ts";
import { DEVICE_NODE_ID, makeWorld, viewOf } from "./fixtures.ts";

const hex = (b: Uint8Array | ArrayBufferView) =>
  toHex(b instanceof Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength));

test("KDF infos and AES-CCM nonces equal matter.js's", () => {
  assert.equal(hex(K.SIGMA2_INFO), hex(KDFSR2_INFO));
  assert.equal(hex(K.SIGMA3_INFO), hex(KDFSR3_INFO));
  assert.equal(hex(K.SIGMA1_RESUME_INFO), hex(KDFSR1_KEY_INFO));
  assert.equal(hex(K.SIGMA2_RESUME_INFO), hex(KDFSR2_KEY_INFO));
  assert.equal(hex(K.TBE_DATA2_NONCE), hex(TBE_DATA2_NONCE));
  assert.equal(hex(K.TBE_DATA3_NONCE), hex(TBE_DATA3_NONCE));
  assert.equal(hex(K.RESUME1_MIC_NONCE), hex(RESUME1_MIC_NONCE));
  assert.equal(hex(K.RESUME2_MIC_NONCE), hex(RESUME2_MIC_NONCE));
  for (const n of [K.TBE_DATA2_NONCE, K.TBE_DATA3_NONCE, K.RESUME1_MIC_NONCE, K.RESUME2_MIC_NONCE]) {
    assert.equal(n.length, 13);
  }
});

test("our Sigma1/Sigma2/Sigma3 decode with matter.js, and its re-encoding decodes with ours to the same values", async () => {
  const world = await makeWorld("interop");
  let next = 0x10;
  const ini = new CaseInitiator(seededCrypto("i"), {
    fabric: world.controller,
    peerNodeId: DEVICE_NODE_ID,
    localSessionId: 0x2222,
    sessionParameters: { sessionIdleInterval: 500, sessionActiveInterval: 300, sessionActiveThreshold: 4000 },
  });
  const res = new CaseResponder(seededCrypto("r"), {
    fabrics: viewOf(world.device),
    allocateSessionId: () => next++,
    sessionParameters: { sessionIdleInterval: 5000 },
  });
  const sigma1 = ini.start().payload;
  const s2 = res.handle(0x30, sigma1);
  assert.ok(s2.status === "continue");
  const s3 = ini.handle(s2.send.messageType, s2.send.payload);
  assert.ok(s3.status === "continue");

  const t1 = TlvCaseSigma1.decode(sigma1);
  const o1 = decodeSigma1(sigma1);
  assert.equal(t1.initiatorSessionId, o1.initiatorSessionId);
  assert.equal(hex(t1.destinationId), hex(o1.destinationId));
  assert.equal(hex(t1.initiatorEcdhPublicKey), hex(o1.initiatorEphPubKey));
  assert.equal(t1.initiatorSessionParams?.idleInterval, 500);
  assert.equal(hex(TlvCaseSigma1.encode(t1)), hex(sigma1));

  const t2 = TlvCaseSigma2.decode(s2.send.payload);
  const o2 = decodeSigma2(s2.send.payload);
  assert.equal(t2.responderSessionId, 0x10);
  assert.equal(hex(t2.encrypted), hex(o2.encrypted2));
  assert.equal(hex(TlvCaseSigma2.encode(t2)), hex(s2.send.payload));

  const t3 = TlvCaseSigma3.decode(s3.send.payload);
  assert.equal(hex(t3.encrypted), hex(decodeSigma3(s3.send.payload).encrypted3));
});

test("TBSData and TBEData2 bytes equal matter.js's encodings of the same values", () => {
  const noc = new Uint8Array(250).fill(0x11);
  const icac = new Uint8Array(230).fill(0x22);
  const a = new Uint8Array(65).fill(0x04);
  const b = new Uint8Array(65).fill(0x05);
  for (const withIcac of [true, false]) {
    const ours = encodeTbsData({
      signerNoc: noc,
      signerIcac: withIcac ? icac : undefined,
      signerEphPubKey: a,
      peerEphPubKey: b,
    });
    const theirs = TlvSignedData.encode({
      responderNoc: noc,
      responderIcac: withIcac ? icac : undefined,
      responderPublicKey: a,
      initiatorPublicKey: b,
    });
    assert.equal(hex(ours), hex(theirs));
  }
  const sig = new Uint8Array(64).fill(0x33);
  const rid = new Uint8Array(16).fill(0x44);
  assert.equal(
    hex(encodeTbeData2({ noc, icac, signature: sig, resumptionId: rid })),
    hex(TlvEncryptedDataSigma2.encode({ responderNoc: noc, responderIcac: icac, signature: sig, resumptionId: rid })),
  );
});

test("Sigma2Resume agrees with matter.js in both directions", () => {
  const m = {
    resumptionId: new Uint8Array(16).fill(1),
    sigma2ResumeMic: new Uint8Array(16).fill(2),
    responderSessionId: 0xbeef,
  };
  const theirs = TlvCaseSigma2Resume.encode({
    resumptionId: m.resumptionId,
    resumeMic: m.sigma2ResumeMic,
    responderSessionId: 0xbeef,
  });
  assert.equal(hex(encodeSigma2Resume(m)), hex(theirs));
  assert.deepEqual(decodeSigma2Resume(theirs), m);
});
