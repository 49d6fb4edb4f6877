/**
 * The CASE initiator (Core spec 4.14.2), sans-IO: `start()` gives Sigma1 (with resumption members when a record is
 * given), then each received payload gives Sigma3, the success StatusReport after Sigma2Resume, or the result.
 */
import type { Crypto } from "../../crypto/crypto.ts";
import { type P256PrivateKey, P256PublicKey } from "../../crypto/p256.ts";
import { SecureChannelOpcode } from "../../message/protocol-ids.ts";
import { endingFailureStep, invalidParameter, peerStatusError, unexpectedMessage } from "../secure-channel-error.ts";
import { checkSessionId } from "../secure-session.ts";
import type { SessionParameters } from "../session-parameters.ts";
import {
  decodeStatusReport,
  isSecureChannelSuccess,
  SESSION_ESTABLISHMENT_SUCCESS,
  statusReportMessage,
} from "../status-report.ts";
import { SIGMA_RANDOM_BYTES, TBE_DATA2_NONCE, TBE_DATA3_NONCE } from "./case-constants.ts";
import type { CaseFabric } from "./case-fabric.ts";
import { caseSessionKeys, resumedSessionKeys, resumeMic, sigma2Key, sigma3Key, verifyResumeMic } from "./case-keys.ts";
import type { CaseMessage } from "./case-message-type.ts";
import { type CaseStep, caseSession } from "./case-step.ts";
import { destinationId } from "./destination-id.ts";
import { validatePeerCredentials } from "./peer-credentials.ts";
import { type ResumptionRecord, withResumptionId } from "./resumption-record.ts";
import { encodeSigma1 } from "./sigma1.ts";
import { decodeSigma2 } from "./sigma2.ts";
import { decodeSigma2Resume } from "./sigma2-resume.ts";
import { encodeSigma3 } from "./sigma3.ts";
import { decodeTbeData2, encodeTbeData3 } from "./tbe-data.ts";
import { encodeTbsData } from "./tbs-data.ts";

/** Configuration of one CASE attempt towards one peer node. */
export type CaseInitiatorOptions = {
  /** Our fabric (the peer must be on it). */
  readonly fabric: CaseFabric;
  readonly peerNodeId: bigint;
  /** Our session id for the new session (1..0xFFFF, unused). */
  readonly localSessionId: number;
  readonly sessionParameters?: SessionParameters;
  /** A stored record for this peer: Sigma1 then asks for resumption (the peer may still answer with a full Sigma2). */
  readonly resumption?: ResumptionRecord;
  /** Check certificate validity at this time (current or last-known-good time); unset ignores validity periods. */
  readonly validAt?: Date;
};

type State =
  | { readonly name: "initial" }
  | {
      readonly name: "awaiting-sigma2";
      readonly sigma1: Uint8Array;
      readonly random: Uint8Array;
      readonly ephemeral: P256PrivateKey;
    }
  | {
      readonly name: "awaiting-status";
      readonly sigma1: Uint8Array;
      readonly sigma2: Uint8Array;
      readonly sigma3: Uint8Array;
      readonly peerSessionId: number;
      readonly peerSessionParameters: SessionParameters | undefined;
      /** What the session will be resumed from: the shared secret, the responder's resumption id, the peer. */
      readonly resumption: ResumptionRecord;
    }
  | { readonly name: "done" };

/** Initiator-side CASE for one attempt. */
export class CaseInitiator {
  readonly #crypto: Crypto;
  readonly #o: CaseInitiatorOptions;
  #state: State = { name: "initial" };

  constructor(crypto: Crypto, options: CaseInitiatorOptions) {
    checkSessionId("localSessionId", options.localSessionId);
    const r = options.resumption;
    if (r !== undefined && (r.fabricIndex !== options.fabric.fabricIndex || r.peerNodeId !== options.peerNodeId)) {
      throw new TypeError("the resumption record is for another peer or fabric");
    }
    this.#crypto = crypto;
    this.#o = options;
  }

  /** Sigma1; callable once. */
  start(): CaseMessage {
    if (this.#state.name !== "initial") throw new TypeError("CaseInitiator.start() called twice");
    const { fabric, resumption } = this.#o;
    const random = this.#crypto.randomBytes(SIGMA_RANDOM_BYTES);
    const ephemeral = this.#crypto.generateKeyPair();
    const sigma1 = encodeSigma1({
      initiatorRandom: random,
      initiatorSessionId: this.#o.localSessionId,
      destinationId: destinationId(
        this.#crypto,
        fabric.ipk,
        random,
        fabric.rootPublicKey,
        fabric.fabricId,
        this.#o.peerNodeId,
      ),
      initiatorEphPubKey: ephemeral.publicKey.raw,
      initiatorSessionParams: this.#o.sessionParameters,
      resumptionId: resumption?.resumptionId,
      initiatorResumeMic:
        resumption === undefined
          ? undefined
          : resumeMic(this.#crypto, "sigma1", resumption.sharedSecret, random, resumption.resumptionId),
    });
    this.#state = { name: "awaiting-sigma2", sigma1, random, ephemeral };
    return { messageType: SecureChannelOpcode.CASE_SIGMA1, payload: sigma1 };
  }

  /** Processes one received message; never throws for bad input (failures come back as `failed` steps). */
  handle(messageType: number, payload: Uint8Array): CaseStep {
    try {
      const state = this.#state;
      if (messageType === SecureChannelOpcode.STATUS_REPORT) return this.#onStatusReport(payload);
      if (messageType === SecureChannelOpcode.CASE_SIGMA2 && state.name === "awaiting-sigma2")
        return this.#onSigma2(state, payload);
      if (messageType === SecureChannelOpcode.CASE_SIGMA2_RESUME && state.name === "awaiting-sigma2") {
        return this.#onSigma2Resume(state, payload);
      }
      throw unexpectedMessage("case.unexpected-message", messageType, state.name);
    } catch (e) {
      const failed = endingFailureStep(e, messageType, this.#state.name);
      this.#state = { name: "done" };
      return failed;
    }
  }

  #onSigma2(state: Extract<State, { name: "awaiting-sigma2" }>, payload: Uint8Array): CaseStep {
    const { fabric } = this.#o;
    const s2 = decodeSigma2(payload);
    // Session id 0 names the unsecured session.
    if (s2.responderSessionId === 0) throw invalidParameter("case.session-id", "responderSessionId 0");
    const peerEph = P256PublicKey.fromEphemeral(s2.responderEphPubKey);
    const sharedSecret = this.#crypto.ecdh(state.ephemeral, peerEph);
    const s2k = sigma2Key(
      this.#crypto,
      sharedSecret,
      fabric.ipk,
      s2.responderRandom,
      s2.responderEphPubKey,
      state.sigma1,
    );
    const tbe2 = decodeTbeData2(this.#crypto.aesCcmDecrypt(s2k, TBE_DATA2_NONCE, s2.encrypted2, new Uint8Array(0)));
    const tbs2 = encodeTbsData({
      signerNoc: tbe2.noc,
      signerIcac: tbe2.icac,
      signerEphPubKey: s2.responderEphPubKey,
      peerEphPubKey: state.ephemeral.publicKey.raw,
    });
    const peer = validatePeerCredentials(
      this.#crypto,
      fabric,
      tbe2.noc,
      tbe2.icac,
      tbs2,
      tbe2.signature,
      this.#o.validAt,
    );
    // The responder's NOC SHALL carry the node id the destination id named.
    if (peer.nodeId !== this.#o.peerNodeId) {
      throw invalidParameter(
        "case.peer-node-id",
        `responder is node 0x${peer.nodeId.toString(16)}, not the one addressed`,
      );
    }
    const tbs3 = encodeTbsData({
      signerNoc: fabric.noc,
      signerIcac: fabric.icac ?? undefined,
      signerEphPubKey: state.ephemeral.publicKey.raw,
      peerEphPubKey: s2.responderEphPubKey,
    });
    const tbe3 = encodeTbeData3({
      noc: fabric.noc,
      icac: fabric.icac ?? undefined,
      signature: this.#crypto.ecdsaSign(fabric.operationalKey, tbs3),
    });
    const s3k = sigma3Key(this.#crypto, sharedSecret, fabric.ipk, state.sigma1, payload);
    const sigma3 = encodeSigma3({
      encrypted3: this.#crypto.aesCcmEncrypt(s3k, TBE_DATA3_NONCE, tbe3, new Uint8Array(0)),
    });
    this.#state = {
      name: "awaiting-status",
      sigma1: state.sigma1,
      sigma2: payload,
      sigma3,
      peerSessionId: s2.responderSessionId,
      peerSessionParameters: s2.responderSessionParams,
      resumption: {
        resumptionId: tbe2.resumptionId,
        sharedSecret,
        peerNodeId: peer.nodeId,
        fabricIndex: fabric.fabricIndex,
        cats: peer.cats,
      },
    };
    return { status: "continue", send: { messageType: SecureChannelOpcode.CASE_SIGMA3, payload: sigma3 } };
  }

  #onSigma2Resume(state: Extract<State, { name: "awaiting-sigma2" }>, payload: Uint8Array): CaseStep {
    const record = this.#o.resumption;
    // A Sigma2Resume answers only a Sigma1 that asked for resumption.
    if (record === undefined)
      throw invalidParameter("case.unexpected-message", "Sigma2Resume without a resumption request");
    const m = decodeSigma2Resume(payload);
    if (m.responderSessionId === 0) throw invalidParameter("case.session-id", "responderSessionId 0");
    const ok = verifyResumeMic(
      this.#crypto,
      "sigma2",
      record.sharedSecret,
      state.random,
      m.resumptionId,
      m.sigma2ResumeMic,
    );
    if (!ok) throw invalidParameter("case.resume-mic", "sigma2ResumeMIC does not verify");
    this.#state = { name: "done" };
    const keys = resumedSessionKeys(this.#crypto, record.sharedSecret, state.random, record.resumptionId);
    return {
      status: "established",
      send: statusReportMessage(SESSION_ESTABLISHMENT_SUCCESS),
      session: caseSession(keys, {
        localSessionId: this.#o.localSessionId,
        peerSessionId: m.responderSessionId,
        localNodeId: this.#o.fabric.nodeId,
        resumed: true,
        resumption: withResumptionId(record, m.resumptionId),
        peerSessionParameters: m.responderSessionParams,
      }),
    };
  }

  #onStatusReport(payload: Uint8Array): CaseStep {
    const report = decodeStatusReport(payload);
    const state = this.#state;
    if (state.name === "awaiting-status" && isSecureChannelSuccess(report)) {
      this.#state = { name: "done" };
      const { fabric } = this.#o;
      const { resumption } = state;
      const keys = caseSessionKeys(
        this.#crypto,
        resumption.sharedSecret,
        fabric.ipk,
        state.sigma1,
        state.sigma2,
        state.sigma3,
      );
      return {
        status: "established",
        session: caseSession(keys, {
          localSessionId: this.#o.localSessionId,
          peerSessionId: state.peerSessionId,
          localNodeId: fabric.nodeId,
          resumed: false,
          resumption,
          peerSessionParameters: state.peerSessionParameters,
        }),
      };
    }
    throw peerStatusError("case.peer-status", "responder", state.name, report);
  }
}
