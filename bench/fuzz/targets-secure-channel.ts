/**
 * Fuzz targets of the message layer and the secure channel: message and protocol headers (Core 4.4), StatusReport
 * (Core Appendix D), every PASE message (Core 4.14.1) and every CASE message and encrypted payload (Core 4.14.2).
 * Seeds are freshly encoded messages with every optional member present and absent.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeMessageHeader, encodeMessageHeader, SessionType } from "../../src/message/message-header.ts";
import { decodeProtocolHeader, encodeProtocolHeader } from "../../src/message/protocol-header.ts";
import { decodeSigma1, encodeSigma1 } from "../../src/sc/case/sigma1.ts";
import { decodeSigma2, encodeSigma2 } from "../../src/sc/case/sigma2.ts";
import { decodeSigma2Resume, encodeSigma2Resume } from "../../src/sc/case/sigma2-resume.ts";
import { decodeSigma3, encodeSigma3 } from "../../src/sc/case/sigma3.ts";
import { decodeTbeData2, decodeTbeData3, encodeTbeData2, encodeTbeData3 } from "../../src/sc/case/tbe-data.ts";
import { decodePake1, encodePake1 } from "../../src/sc/pase/pake1.ts";
import { decodePake2, encodePake2 } from "../../src/sc/pase/pake2.ts";
import { decodePake3, encodePake3 } from "../../src/sc/pase/pake3.ts";
import { decodePBKDFParamRequest, encodePBKDFParamRequest } from "../../src/sc/pase/pbkdf-param-request.ts";
import { decodePBKDFParamResponse, encodePBKDFParamResponse } from "../../src/sc/pase/pbkdf-param-response.ts";
import type { SessionParameters } from "../../src/sc/session-parameters.ts";
import {
  busyStatus,
  CLOSE_SESSION,
  decodeStatusReport,
  encodeStatusReport,
  INVALID_PARAMETER,
} from "../../src/sc/status-report.ts";
import { FuzzRandom } from "./fuzz-random.ts";
import type { FuzzTarget } from "./fuzz-target.ts";
import { hexBytes, REPO, vectorTexts } from "./fuzz-target.ts";

/** Session parameters with every member the codec knows. */
const FULL_PARAMS: SessionParameters = {
  sessionIdleInterval: 500,
  sessionActiveInterval: 300,
  sessionActiveThreshold: 4000,
  dataModelRevision: 18,
  interactionModelRevision: 12,
  specificationVersion: 0x01040200,
  maxPathsPerInvoke: 1,
};

/** The message-layer and secure-channel targets. */
export function secureChannelTargets(seed: number): FuzzTarget[] {
  const rng = FuzzRandom.derive(seed, "secure-channel-seeds");
  const rnd = (n: number) => rng.bytes(n);
  const noc = hexBytes(readFileSync(join(REPO, "test", "vectors", "opcerts", "Node01_01.matter-tlv.hex"), "utf8"));
  const icac = vectorTexts("opcerts", ".matter-tlv.hex").map(hexBytes)[0] as Uint8Array;
  const pub = () => Uint8Array.of(4, ...rnd(64));
  const headers = [
    encodeMessageHeader({
      sessionId: 0,
      sessionType: SessionType.unicast,
      privacy: false,
      control: false,
      messageCounter: 1,
      sourceNodeId: 0x1122334455667788n,
    }),
    encodeMessageHeader({
      sessionId: 0x1234,
      sessionType: SessionType.unicast,
      privacy: false,
      control: false,
      messageCounter: 0xfffffffe,
      destinationNodeId: 1n,
    }),
    encodeMessageHeader({
      sessionId: 7,
      sessionType: SessionType.group,
      privacy: false,
      control: true,
      messageCounter: 9,
      sourceNodeId: 5n,
      destinationGroupId: 0x0101,
      messageExtensions: Uint8Array.of(1, 2, 3),
    }),
  ].map((h, i) => Uint8Array.of(...h, ...rnd(i * 8)));
  const protocol = [
    encodeProtocolHeader({ initiator: true, reliability: true, opcode: 0x20, exchangeId: 1, protocolId: 0 }, rnd(8)),
    encodeProtocolHeader({
      initiator: false,
      reliability: false,
      acknowledgedMessageCounter: 0xffffffff,
      opcode: 0x08,
      exchangeId: 0xffff,
      protocolId: 1,
    }),
    encodeProtocolHeader({
      initiator: true,
      reliability: true,
      opcode: 1,
      exchangeId: 3,
      protocolVendorId: 0xfff1,
      protocolId: 0x8000,
      securedExtensions: Uint8Array.of(5, 6),
    }),
  ];
  const statusReports = [
    encodeStatusReport(busyStatus(500)),
    encodeStatusReport(CLOSE_SESSION),
    encodeStatusReport(INVALID_PARAMETER),
    encodeStatusReport({ generalCode: 1, protocolId: 0xfff10001, protocolCode: 0xffff, protocolData: rnd(6) }),
  ];
  const pbkdfReq = [
    encodePBKDFParamRequest({
      initiatorRandom: rnd(32),
      initiatorSessionId: 1,
      passcodeId: 0,
      hasPBKDFParameters: false,
    }),
    encodePBKDFParamRequest({
      initiatorRandom: rnd(32),
      initiatorSessionId: 0xffff,
      passcodeId: 0,
      hasPBKDFParameters: true,
      initiatorSessionParams: FULL_PARAMS,
    }),
  ];
  const pbkdfResp = [
    encodePBKDFParamResponse({
      initiatorRandom: rnd(32),
      responderRandom: rnd(32),
      responderSessionId: 2,
      pbkdfParameters: { iterations: 1000, salt: rnd(32) },
      responderSessionParams: FULL_PARAMS,
    }),
    encodePBKDFParamResponse({ initiatorRandom: rnd(32), responderRandom: rnd(32), responderSessionId: 2 }),
  ];
  const sigma1 = [
    encodeSigma1({
      initiatorRandom: rnd(32),
      initiatorSessionId: 3,
      destinationId: rnd(32),
      initiatorEphPubKey: pub(),
    }),
    encodeSigma1({
      initiatorRandom: rnd(32),
      initiatorSessionId: 3,
      destinationId: rnd(32),
      initiatorEphPubKey: pub(),
      initiatorSessionParams: FULL_PARAMS,
      resumptionId: rnd(16),
      initiatorResumeMic: rnd(16),
    }),
  ];
  const sigma2 = [
    encodeSigma2({ responderRandom: rnd(32), responderSessionId: 4, responderEphPubKey: pub(), encrypted2: rnd(300) }),
    encodeSigma2({
      responderRandom: rnd(32),
      responderSessionId: 4,
      responderEphPubKey: pub(),
      encrypted2: rnd(600),
      responderSessionParams: FULL_PARAMS,
    }),
  ];
  const sigma2Resume = [
    encodeSigma2Resume({ resumptionId: rnd(16), sigma2ResumeMic: rnd(16), responderSessionId: 5 }),
    encodeSigma2Resume({
      resumptionId: rnd(16),
      sigma2ResumeMic: rnd(16),
      responderSessionId: 5,
      responderSessionParams: FULL_PARAMS,
    }),
  ];
  const tbe3 = [encodeTbeData3({ noc, signature: rnd(64) }), encodeTbeData3({ noc, icac, signature: rnd(64) })];
  const tbe2 = [encodeTbeData2({ noc, icac, signature: rnd(64), resumptionId: rnd(16) })];
  return [
    { name: "message/message-header", decode: decodeMessageHeader, seeds: headers },
    { name: "message/protocol-header", decode: decodeProtocolHeader, seeds: protocol },
    { name: "sc/status-report", decode: (b) => decodeStatusReport(b), seeds: statusReports },
    { name: "sc/pase/pbkdf-param-request", decode: decodePBKDFParamRequest, seeds: pbkdfReq },
    { name: "sc/pase/pbkdf-param-response", decode: decodePBKDFParamResponse, seeds: pbkdfResp },
    { name: "sc/pase/pake1", decode: decodePake1, seeds: [encodePake1({ pA: pub() })] },
    { name: "sc/pase/pake2", decode: decodePake2, seeds: [encodePake2({ pB: pub(), cB: rnd(32) })] },
    { name: "sc/pase/pake3", decode: decodePake3, seeds: [encodePake3({ cA: rnd(32) })] },
    { name: "sc/case/sigma1", decode: decodeSigma1, seeds: sigma1 },
    { name: "sc/case/sigma2", decode: decodeSigma2, seeds: sigma2 },
    { name: "sc/case/sigma2-resume", decode: decodeSigma2Resume, seeds: sigma2Resume },
    { name: "sc/case/sigma3", decode: decodeSigma3, seeds: [encodeSigma3({ encrypted3: rnd(400) })] },
    { name: "sc/case/tbe-data2", decode: decodeTbeData2, seeds: tbe2 },
    { name: "sc/case/tbe-data3", decode: decodeTbeData3, seeds: tbe3 },
  ];
}
