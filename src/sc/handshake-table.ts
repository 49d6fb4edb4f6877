/**
 * The handshake table of the secure channel (Core spec 4.14.1 PASE, 4.14.2 CASE): the PASE/CASE handshakes in
 * progress, in their four roles, by the exchange that carries each, and the ids our own handshakes are reported with.
 */
import type { Crypto } from "../crypto/crypto.ts";
import type { FabricIndex } from "../fabric/fabric-index.ts";
import type { Exchange } from "../mrp/exchange-manager.ts";
import type { CaseFabric, CaseFabricView } from "./case/case-fabric.ts";
import { CaseInitiator } from "./case/case-initiator.ts";
import { CaseResponder } from "./case/case-responder.ts";
import type { ResumptionRecord } from "./case/resumption-record.ts";
import { PaseInitiator } from "./pase/pase-initiator.ts";
import type { PbkdfParameters } from "./pase/pase-verifier.ts";
import type { HandshakeProtocol } from "./secure-channel-effect.ts";
import type { SessionManager } from "./session-manager.ts";
import type { SessionParameters } from "./session-parameters.ts";
import type { PeerAddress } from "./session-router.ts";

/**
 * How long a handshake step waits for the peer's next message (ms). The SDK allows 30 s of processing per PASE/CASE
 * step (kExpectedHighProcessingTime) on top of MRP; a step that takes longer fails the attempt.
 */
export const HANDSHAKE_RESPONSE_TIMEOUT_MS = 30_000;

/** A stored resumption record lookup (ResumptionStore fits). */
export interface ResumptionLookup {
  findById(resumptionId: Uint8Array): ResumptionRecord | undefined;
  findByPeer(fabricIndex: FabricIndex, peerNodeId: bigint): ResumptionRecord | undefined;
}

/** One handshake in progress. The PASE responder's state is the commissioning window's (one handshake at a time). */
export type Handshake =
  | { readonly kind: "pase-responder"; readonly peer: PeerAddress }
  | { readonly kind: "case-responder"; readonly responder: CaseResponder; readonly peer: PeerAddress }
  | {
      readonly kind: "pase-initiator";
      readonly id: number;
      readonly initiator: PaseInitiator;
      readonly localSessionId: number;
      readonly peer: PeerAddress;
    }
  | {
      readonly kind: "case-initiator";
      readonly id: number;
      readonly initiator: CaseInitiator;
      readonly localSessionId: number;
      readonly peer: PeerAddress;
    };

/** What the handshake roles are built from (the endpoint's options fit). */
export type HandshakeSettings = {
  readonly crypto: Crypto;
  readonly sessions: SessionManager;
  /** Our session parameters, sent in PBKDFParamRequest/Response and Sigma1/Sigma2. */
  readonly sessionParameters?: SessionParameters | undefined;
  readonly resumption?: ResumptionLookup | undefined;
  readonly validAt?: (() => Date | undefined) | undefined;
};

const ours = (s: HandshakeSettings) =>
  s.sessionParameters === undefined ? {} : { sessionParameters: s.sessionParameters };

/** A PASE initiator with our session id `localSessionId` (the commissioner's role). */
export function newPaseInitiator(
  s: HandshakeSettings,
  localSessionId: number,
  options: { passcode: number; pbkdfParameters?: PbkdfParameters },
): PaseInitiator {
  return new PaseInitiator(s.crypto, {
    passcode: options.passcode,
    localSessionId,
    ...ours(s),
    ...(options.pbkdfParameters === undefined ? {} : { pbkdfParameters: options.pbkdfParameters }),
  });
}

/** A CASE initiator towards `peerNodeId` on `fabric`, resuming when a record is stored and `resume` is not false. */
export function newCaseInitiator(
  s: HandshakeSettings,
  localSessionId: number,
  options: { fabric: CaseFabric; peerNodeId: bigint; resume?: boolean },
): CaseInitiator {
  const record =
    options.resume === false ? undefined : s.resumption?.findByPeer(options.fabric.fabricIndex, options.peerNodeId);
  const validAt = s.validAt?.();
  return new CaseInitiator(s.crypto, {
    fabric: options.fabric,
    peerNodeId: options.peerNodeId,
    localSessionId,
    ...ours(s),
    ...(record === undefined ? {} : { resumption: record }),
    ...(validAt === undefined ? {} : { validAt }),
  });
}

/** A CASE responder speaking for `fabrics` (it allocates its session id when Sigma1 is served). */
export function newCaseResponder(s: HandshakeSettings, fabrics: CaseFabricView): CaseResponder {
  const validAt = s.validAt?.();
  const resumption = s.resumption;
  return new CaseResponder(s.crypto, {
    fabrics,
    allocateSessionId: () => s.sessions.allocateSessionId(),
    ...ours(s),
    ...(resumption === undefined ? {} : { findResumption: (id: Uint8Array) => resumption.findById(id) }),
    ...(validAt === undefined ? {} : { validAt }),
  });
}

/** PASE or CASE. */
export function handshakeProtocol(h: Handshake): HandshakeProtocol {
  return h.kind === "pase-responder" || h.kind === "pase-initiator" ? "pase" : "case";
}

/** The id `startPase`/`startCase` returned for a handshake we started; undefined for one a peer started. */
export function handshakeId(h: Handshake): number | undefined {
  return h.kind === "pase-initiator" || h.kind === "case-initiator" ? h.id : undefined;
}

/** The handshakes in progress, by exchange. */
export class HandshakeTable {
  readonly #byExchange = new Map<Exchange, Handshake>();
  #nextId = 1;

  /** A new id for a handshake we start. */
  nextId(): number {
    return this.#nextId++;
  }

  /** The handshake carried by `exchange`. */
  get(exchange: Exchange): Handshake | undefined {
    return this.#byExchange.get(exchange);
  }

  /** Records the handshake `exchange` carries. */
  set(exchange: Exchange, handshake: Handshake): void {
    this.#byExchange.set(exchange, handshake);
  }

  /** Forgets the handshake of `exchange` (it ended). */
  delete(exchange: Exchange): void {
    this.#byExchange.delete(exchange);
  }
}
