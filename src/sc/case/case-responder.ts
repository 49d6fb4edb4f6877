/**
 * The CASE responder (Core spec 4.14.2), sans-IO, one instance per handshake: Sigma1 in -> Sigma2 (full) or
 * Sigma2Resume (resumption); Sigma3 or the initiator's success StatusReport in -> the established session. A
 * resumption that cannot be honoured (unknown id, fabric gone, bad MIC) falls back to a full Sigma2, as the SDK does.
 */
import type { Crypto } from "../../crypto/crypto.ts";
import { P256PublicKey } from "../../crypto/p256.ts";
import { constantTimeEqual } from "../../crypto/spake2p.ts";
import { SecureChannelOpcode } from "../../message/protocol-ids.ts";
import {
  endingFailureStep,
  invalidParameter,
  peerStatusError,
  SecureChannelError,
  unexpectedMessage,
} from "../secure-channel-error.ts";
import { checkSessionId } from "../secure-session.ts";
import type { SessionParameters } from "../session-parameters.ts";
import {
  decodeStatusReport,
  isSecureChannelSuccess,
  NO_SHARED_TRUST_ROOTS,
  SESSION_ESTABLISHMENT_SUCCESS,
  statusReportMessage,
} from "../status-report.ts";
import { RESUMPTION_ID_BYTES, SIGMA_RANDOM_BYTES, TBE_DATA2_NONCE, TBE_DATA3_NONCE } from "./case-constants.ts";
import type { CaseFabric, CaseFabricView } from "./case-fabric.ts";
import { caseSessionKeys, resumedSessionKeys, resumeMic, sigma2Key, sigma3Key, verifyResumeMic } from "./case-keys.ts";
import { type CaseSession, type CaseStep, caseSession } from "./case-step.ts";
import { destinationId } from "./destination-id.ts";
import { validatePeerCredentials } from "./peer-credentials.ts";
import { type ResumptionRecord, withResumptionId } from "./resumption-record.ts";
import { decodeSigma1, type Sigma1 } from "./sigma1.ts";
import { encodeSigma2 } from "./sigma2.ts";
import { encodeSigma2Resume } from "./sigma2-resume.ts";
import { decodeSigma3 } from "./sigma3.ts";
import { decodeTbeData3, encodeTbeData2 } from "./tbe-data.ts";
import { encodeTbsData } from "./tbs-data.ts";

/** Configuration of a responder. */
export type CaseResponderOptions = {
  readonly fabrics: CaseFabricView;
  /** Allocates our session id for the new session (1..0xFFFF, unused); see `localSessionId` to release it on failure. */
  readonly allocateSessionId: () => number;
  readonly sessionParameters?: SessionParameters;
  /** Looks up a stored resumption record by id; absent disables resumption. */
  readonly findResumption?: (resumptionId: Uint8Array) => ResumptionRecord | undefined;
  /** Check certificate validity at this time (current or last-known-good time); unset ignores validity periods. */
  readonly validAt?: Date;
};

type State =
  | { readonly name: "initial" }
  | {
      readonly name: "awaiting-sigma3";
      readonly fabric: CaseFabric;
      readonly sigma1: Uint8Array;
      readonly sigma2: Uint8Array;
      readonly sharedSecret: Uint8Array;
      readonly initiatorEphPubKey: Uint8Array;
      readonly responderEphPubKey: Uint8Array;
      readonly peerSessionId: number;
      readonly peerSessionParameters: SessionParameters | undefined;
      readonly resumptionId: Uint8Array;
    }
  | { readonly name: "awaiting-resume-status"; readonly session: CaseSession }
  | { readonly name: "done" };

const EMPTY = new Uint8Array(0);

/** Responder-side CASE for one handshake: feed every message of the exchange to `handle`. */
export class CaseResponder {
  readonly #crypto: Crypto;
  readonly #o: CaseResponderOptions;
  #state: State = { name: "initial" };
  #localSessionId: number | undefined;

  constructor(crypto: Crypto, options: CaseResponderOptions) {
    this.#crypto = crypto;
    this.#o = options;
  }

  /** The session id allocated for this handshake, once Sigma2/Sigma2Resume was built; release it if the handshake fails. */
  get localSessionId(): number | undefined {
    return this.#localSessionId;
  }

  /** Processes one received message; never throws for bad input (failures come back as `failed` steps). */
  handle(messageType: number, payload: Uint8Array): CaseStep {
    try {
      const state = this.#state;
      if (messageType === SecureChannelOpcode.STATUS_REPORT) return this.#onStatusReport(payload);
      if (messageType === SecureChannelOpcode.CASE_SIGMA1 && state.name === "initial") return this.#onSigma1(payload);
      if (messageType === SecureChannelOpcode.CASE_SIGMA3 && state.name === "awaiting-sigma3")
        return this.#onSigma3(state, payload);
      throw unexpectedMessage("case.unexpected-message", messageType, state.name);
    } catch (e) {
      const failed = endingFailureStep(e, messageType, this.#state.name);
      this.#state = { name: "done" };
      return failed;
    }
  }

  #onSigma1(payload: Uint8Array): CaseStep {
    const s1 = decodeSigma1(payload);
    if (s1.initiatorSessionId === 0) throw invalidParameter("case.session-id", "initiatorSessionId 0");
    // resumptionID and initiatorResumeMIC SHALL be present together or not at all.
    if ((s1.resumptionId === undefined) !== (s1.initiatorResumeMic === undefined)) {
      throw invalidParameter("case.resumption-fields", "resumptionID and initiatorResumeMIC must come together");
    }
    const resumed = this.#tryResume(s1);
    if (resumed !== undefined) return resumed;
    return this.#sigma2(s1, payload);
  }

  /** Sigma2Resume when the record exists, its fabric is still there and the MIC verifies; otherwise undefined. */
  #tryResume(s1: Sigma1): CaseStep | undefined {
    if (s1.resumptionId === undefined || s1.initiatorResumeMic === undefined) return undefined;
    const record = this.#o.findResumption?.(s1.resumptionId);
    if (record === undefined) return undefined;
    const fabric = this.#o.fabrics.fabrics().find((f) => f.fabricIndex === record.fabricIndex);
    if (fabric === undefined) return undefined;
    const ok = verifyResumeMic(
      this.#crypto,
      "sigma1",
      record.sharedSecret,
      s1.initiatorRandom,
      s1.resumptionId,
      s1.initiatorResumeMic,
    );
    if (!ok) return undefined;
    const newResumptionId = this.#crypto.randomBytes(RESUMPTION_ID_BYTES);
    const localSessionId = this.#allocate();
    const keys = resumedSessionKeys(this.#crypto, record.sharedSecret, s1.initiatorRandom, s1.resumptionId);
    const session = caseSession(keys, {
      localSessionId,
      peerSessionId: s1.initiatorSessionId,
      localNodeId: fabric.nodeId,
      resumed: true,
      resumption: withResumptionId(record, newResumptionId),
      peerSessionParameters: s1.initiatorSessionParams,
    });
    const payload = encodeSigma2Resume({
      resumptionId: newResumptionId,
      sigma2ResumeMic: resumeMic(this.#crypto, "sigma2", record.sharedSecret, s1.initiatorRandom, newResumptionId),
      responderSessionId: localSessionId,
      responderSessionParams: this.#o.sessionParameters,
    });
    this.#state = { name: "awaiting-resume-status", session };
    return { status: "continue", send: { messageType: SecureChannelOpcode.CASE_SIGMA2_RESUME, payload } };
  }

  #findFabric(s1: Sigma1): CaseFabric {
    for (const f of this.#o.fabrics.fabrics()) {
      const candidate = destinationId(this.#crypto, f.ipk, s1.initiatorRandom, f.rootPublicKey, f.fabricId, f.nodeId);
      if (constantTimeEqual(candidate, s1.destinationId)) return f;
    }
    // No fabric's IPK, root, fabric id and node id give this destinationId: FAILURE / NO_SHARED_TRUST_ROOTS.
    throw new SecureChannelError(
      "case.no-shared-trust-roots",
      "destinationId matches no fabric",
      NO_SHARED_TRUST_ROOTS,
    );
  }

  #sigma2(s1: Sigma1, sigma1: Uint8Array): CaseStep {
    const fabric = this.#findFabric(s1);
    const peerEph = P256PublicKey.fromEphemeral(s1.initiatorEphPubKey);
    const random = this.#crypto.randomBytes(SIGMA_RANDOM_BYTES);
    const ephemeral = this.#crypto.generateKeyPair();
    const sharedSecret = this.#crypto.ecdh(ephemeral, peerEph);
    const resumptionId = this.#crypto.randomBytes(RESUMPTION_ID_BYTES);
    const tbs2 = encodeTbsData({
      signerNoc: fabric.noc,
      signerIcac: fabric.icac ?? undefined,
      signerEphPubKey: ephemeral.publicKey.raw,
      peerEphPubKey: s1.initiatorEphPubKey,
    });
    const tbe2 = encodeTbeData2({
      noc: fabric.noc,
      icac: fabric.icac ?? undefined,
      signature: this.#crypto.ecdsaSign(fabric.operationalKey, tbs2),
      resumptionId,
    });
    const s2k = sigma2Key(this.#crypto, sharedSecret, fabric.ipk, random, ephemeral.publicKey.raw, sigma1);
    const localSessionId = this.#allocate();
    const sigma2 = encodeSigma2({
      responderRandom: random,
      responderSessionId: localSessionId,
      responderEphPubKey: ephemeral.publicKey.raw,
      encrypted2: this.#crypto.aesCcmEncrypt(s2k, TBE_DATA2_NONCE, tbe2, EMPTY),
      responderSessionParams: this.#o.sessionParameters,
    });
    this.#state = {
      name: "awaiting-sigma3",
      fabric,
      sigma1,
      sigma2,
      sharedSecret,
      initiatorEphPubKey: s1.initiatorEphPubKey,
      responderEphPubKey: ephemeral.publicKey.raw,
      peerSessionId: s1.initiatorSessionId,
      peerSessionParameters: s1.initiatorSessionParams,
      resumptionId,
    };
    return { status: "continue", send: { messageType: SecureChannelOpcode.CASE_SIGMA2, payload: sigma2 } };
  }

  #onSigma3(state: Extract<State, { name: "awaiting-sigma3" }>, payload: Uint8Array): CaseStep {
    const { fabric } = state;
    const s3 = decodeSigma3(payload);
    const s3k = sigma3Key(this.#crypto, state.sharedSecret, fabric.ipk, state.sigma1, state.sigma2);
    const tbe3 = decodeTbeData3(this.#crypto.aesCcmDecrypt(s3k, TBE_DATA3_NONCE, s3.encrypted3, EMPTY));
    const tbs3 = encodeTbsData({
      signerNoc: tbe3.noc,
      signerIcac: tbe3.icac,
      signerEphPubKey: state.initiatorEphPubKey,
      peerEphPubKey: state.responderEphPubKey,
    });
    const peer = validatePeerCredentials(
      this.#crypto,
      fabric,
      tbe3.noc,
      tbe3.icac,
      tbs3,
      tbe3.signature,
      this.#o.validAt,
    );
    this.#state = { name: "done" };
    const keys = caseSessionKeys(this.#crypto, state.sharedSecret, fabric.ipk, state.sigma1, state.sigma2, payload);
    return {
      status: "established",
      send: statusReportMessage(SESSION_ESTABLISHMENT_SUCCESS),
      session: caseSession(keys, {
        localSessionId: this.#localSessionId!,
        peerSessionId: state.peerSessionId,
        localNodeId: fabric.nodeId,
        resumed: false,
        resumption: {
          resumptionId: state.resumptionId,
          sharedSecret: state.sharedSecret,
          peerNodeId: peer.nodeId,
          fabricIndex: fabric.fabricIndex,
          cats: peer.cats,
        },
        peerSessionParameters: state.peerSessionParameters,
      }),
    };
  }

  #onStatusReport(payload: Uint8Array): CaseStep {
    const report = decodeStatusReport(payload);
    const state = this.#state;
    // After Sigma2Resume the initiator confirms with SUCCESS / SESSION_ESTABLISHMENT_SUCCESS.
    if (state.name === "awaiting-resume-status" && isSecureChannelSuccess(report)) {
      this.#state = { name: "done" };
      return { status: "established", session: state.session };
    }
    throw peerStatusError("case.peer-status", "initiator", state.name, report);
  }

  #allocate(): number {
    const id = this.#o.allocateSessionId();
    checkSessionId("allocated session id", id);
    this.#localSessionId = id;
    return id;
  }
}
