/**
 * The secure session table (Core spec 4.13.2 and the SDK SecureSessionTable/SessionManager): allocation of local
 * session ids (random start, never 0, skipping ids in use), a capacity with fabric-fair eviction, CloseSession
 * (4.11.1.5, SUCCESS / CLOSE_SESSION), and the hooks the Operational Credentials cluster needs: end every session of a
 * fabric, end all but one, and bind a PASE session to the fabric AddNOC created. Synchronous; the driver sends the
 * returned messages and learns of ended sessions through `onSessionEnded`.
 */
import type { Crypto } from "../crypto/crypto.ts";
import type { FabricIndex } from "../fabric/fabric-index.ts";
import { MessageCounter } from "../message/message-counter.ts";
import type { CaseSession } from "./case/case-step.ts";
import type { PaseSession } from "./pase/pase-step.ts";
import { MAX_SESSION_ID, SecureSession, type SessionKeys, type SessionRole } from "./secure-session.ts";
import { CLOSE_SESSION, statusReportMessage } from "./status-report.ts";

/** Sessions kept at once when the owner does not size the table (see `secureSessionPoolSize` for a node's). */
const DEFAULT_MAX_SECURE_SESSIONS = 16;

/** CASE sessions each fabric is guaranteed (Core spec 4.13.2.8: at least 3 per fabric). */
export const MIN_CASE_SESSIONS_PER_FABRIC = 3;

/**
 * The session table size for a node supporting `supportedFabrics` fabrics: the per-fabric minimum for each, one slot
 * for a CASE responder and one for PASE (the SDK's CHIP_CONFIG_SECURE_SESSION_POOL_SIZE default, MAX_FABRICS * 3 + 2).
 */
export function secureSessionPoolSize(supportedFabrics: number): number {
  if (!Number.isInteger(supportedFabrics) || supportedFabrics < 1) {
    throw new RangeError(`supportedFabrics out of range: ${supportedFabrics}`);
  }
  return supportedFabrics * MIN_CASE_SESSIONS_PER_FABRIC + 2;
}
/** Why a session left the table. */
export type SessionEndReason = "closed" | "peer-closed" | "evicted" | "fabric" | "others-ended" | "pase-expired";

/** A Secure Channel message to send on a session before it goes (framing and encryption are the driver's). */
export type SessionMessage = { readonly messageType: number; readonly payload: Uint8Array };

/** Options of a SessionManager. */
export type SessionManagerOptions = {
  /** At most this many established sessions (default 16); adding one more evicts one (see `add`). */
  readonly maxSessions?: number;
};

/** The node's table of established PASE and CASE sessions. */
export class SessionManager {
  readonly maxSessions: number;
  readonly #crypto: Crypto;
  readonly #sessions = new Map<number, SecureSession>();
  /** Ids handed out for handshakes in progress, not yet sessions. */
  readonly #reserved = new Set<number>();
  readonly #listeners = new Set<(session: SecureSession, reason: SessionEndReason) => void>();
  #nextId: number;

  constructor(crypto: Crypto, options: SessionManagerOptions = {}) {
    const max = options.maxSessions ?? DEFAULT_MAX_SECURE_SESSIONS;
    if (!Number.isInteger(max) || max < 1 || max > MAX_SESSION_ID)
      throw new RangeError(`maxSessions out of range: ${max}`);
    this.maxSessions = max;
    this.#crypto = crypto;
    // A random starting point makes session ids hard to predict across restarts (SDK SecureSessionTable).
    const b = crypto.randomBytes(2);
    this.#nextId = (((b[0]! << 8) | b[1]!) % MAX_SESSION_ID) + 1;
  }

  /** Calls `listener` whenever a session leaves the table; returns the unsubscribe function. */
  onSessionEnded(listener: (session: SecureSession, reason: SessionEndReason) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Reserves a free local session id for a handshake: the next id after the previous allocation, wrapping
   * 0xFFFF -> 1, skipping ids of live sessions and of other reservations. RangeError when all 65535 are taken.
   */
  allocateSessionId(): number {
    let id = this.#nextId;
    for (let i = 0; i < MAX_SESSION_ID; i++) {
      if (!this.#sessions.has(id) && !this.#reserved.has(id)) {
        this.#reserved.add(id);
        this.#nextId = id === MAX_SESSION_ID ? 1 : id + 1;
        return id;
      }
      id = id === MAX_SESSION_ID ? 1 : id + 1;
    }
    throw new RangeError("no free secure session id");
  }

  /** Returns a reserved id whose handshake failed. */
  releaseSessionId(id: number): void {
    this.#reserved.delete(id);
  }

  /** The session with this local id, or undefined. */
  get(localSessionId: number): SecureSession | undefined {
    return this.#sessions.get(localSessionId);
  }

  /** Every session, in id order. */
  sessions(): SecureSession[] {
    return [...this.#sessions.values()].sort((a, b) => a.localSessionId - b.localSessionId);
  }

  /** Sessions whose accessing fabric is `fabricIndex`. */
  sessionsOfFabric(fabricIndex: FabricIndex): SecureSession[] {
    return this.sessions().filter((s) => s.fabricIndex === fabricIndex);
  }

  /** Number of sessions. */
  get size(): number {
    return this.#sessions.size;
  }

  /**
   * Adds an established session (its id reserved by `allocateSessionId` or free). At capacity one session is evicted
   * first, fairly (`evictionCandidate`); the evicted sessions are returned (and reported to listeners).
   */
  add(session: SecureSession): SecureSession[] {
    const id = session.localSessionId;
    if (this.#sessions.has(id)) throw new TypeError(`session id ${id} is already in use`);
    const evicted: SecureSession[] = [];
    while (this.#sessions.size >= this.maxSessions) {
      const victim = this.evictionCandidate(session.fabricIndex);
      if (victim === undefined) break;
      this.#remove(victim, "evicted");
      evicted.push(victim);
    }
    this.#reserved.delete(id);
    this.#sessions.set(id, session);
    return evicted;
  }

  /**
   * The session that goes when a session of `incomingFabric` (undefined: PASE, no fabric yet) needs a slot; the SDK's
   * SecureSessionTable.cpp DefaultEvictionPolicy made fabric-fair as its SessionEvictionPolicy notes describe. The
   * fabric holding the most sessions pays (so one fabric opening many sessions only evicts its own, and every other
   * fabric keeps its MIN_CASE_SESSIONS_PER_FABRIC); on a tie the incoming session's own fabric pays; within the
   * fabric the least recently active session goes. Sessions without a fabric (PASE) count as one group.
   */
  evictionCandidate(incomingFabric: FabricIndex | undefined): SecureSession | undefined {
    const groups = new Map<number, SecureSession[]>();
    for (const s of this.#sessions.values()) {
      const key = s.fabricIndex ?? 0;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [s]);
      else group.push(s);
    }
    const own = incomingFabric ?? 0;
    let chosen: SecureSession[] | undefined;
    let chosenKey = -1;
    for (const [key, group] of groups) {
      if (
        chosen === undefined ||
        group.length > chosen.length ||
        (group.length === chosen.length && key === own && chosenKey !== own)
      ) {
        chosen = group;
        chosenKey = key;
      }
    }
    let lru: SecureSession | undefined;
    for (const s of chosen ?? []) if (lru === undefined || s.lastActiveMs < lru.lastActiveMs) lru = s;
    return lru;
  }

  /** Builds and adds the session a CASE handshake established (a fresh random message counter). */
  addCaseSession(
    established: CaseSession,
    role: SessionRole,
    now: number,
  ): { session: SecureSession; evicted: SecureSession[] } {
    const session = new SecureSession({
      crypto: this.#crypto,
      type: "case",
      role,
      localSessionId: established.localSessionId,
      peerSessionId: established.peerSessionId,
      keys: keysOf(established),
      counter: MessageCounter.random("secure-session", this.#crypto),
      peerNodeId: established.peerNodeId,
      localNodeId: established.localNodeId,
      fabricIndex: established.fabricIndex,
      peerCats: established.peerCats,
      peerSessionParameters: established.peerSessionParameters,
      resumed: established.resumed,
      now,
    });
    return { session, evicted: this.add(session) };
  }

  /** Builds and adds the session a PASE handshake established (no fabric until AddNOC binds one). */
  addPaseSession(
    established: PaseSession,
    role: SessionRole,
    now: number,
  ): { session: SecureSession; evicted: SecureSession[] } {
    const session = new SecureSession({
      crypto: this.#crypto,
      type: "pase",
      role,
      localSessionId: established.localSessionId,
      peerSessionId: established.peerSessionId,
      keys: keysOf(established),
      counter: MessageCounter.random("secure-session", this.#crypto),
      peerSessionParameters: established.peerSessionParameters,
      now,
    });
    return { session, evicted: this.add(session) };
  }

  /**
   * CloseSession (4.11.1.5): removes the session and returns the SUCCESS / CLOSE_SESSION StatusReport the driver
   * SHALL send on it (sealed with its keys, which the returned session still holds). Undefined for an unknown id.
   */
  closeSession(localSessionId: number): { session: SecureSession; send: SessionMessage } | undefined {
    const session = this.#sessions.get(localSessionId);
    if (session === undefined) return undefined;
    this.#remove(session, "closed");
    return { session, send: statusReportMessage(CLOSE_SESSION) };
  }

  /** The peer sent CloseSession: the session goes without an answer. */
  peerClosedSession(localSessionId: number): SecureSession | undefined {
    const session = this.#sessions.get(localSessionId);
    if (session !== undefined) this.#remove(session, "peer-closed");
    return session;
  }

  /**
   * Ends every session of a fabric, except `keep` (RemoveFabric ends all, including the one it came over, after the
   * response; UpdateNOC keeps the invoking session). Returns the ended sessions.
   */
  endFabricSessions(fabricIndex: FabricIndex, keep?: number): SecureSession[] {
    const ended = this.sessionsOfFabric(fabricIndex).filter((s) => s.localSessionId !== keep);
    for (const s of ended) this.#remove(s, "fabric");
    return ended;
  }

  /**
   * Ends every PASE session (CommissioningComplete: the SDK's ExpireAllPASESessions once commissioning succeeded, so a
   * passcode-derived session does not outlive it). Returns the ended sessions.
   */
  endPaseSessions(): SecureSession[] {
    const ended = this.sessions().filter((s) => s.type === "pase");
    for (const s of ended) this.#remove(s, "pase-expired");
    return ended;
  }

  /** Ends every session but `keep` (e.g. a factory reset driven over one session). Returns the ended sessions. */
  endAllSessionsExcept(keep: number): SecureSession[] {
    const ended = this.sessions().filter((s) => s.localSessionId !== keep);
    for (const s of ended) this.#remove(s, "others-ended");
    return ended;
  }

  /**
   * AddNOC over PASE: binds the PASE session to the new fabric (Core spec 11.18.6.8). A non-PASE or unknown session
   * is a TypeError (the cluster checked this before).
   */
  bindPaseSessionToFabric(localSessionId: number, fabricIndex: FabricIndex): SecureSession {
    const session = this.#sessions.get(localSessionId);
    if (session === undefined) throw new TypeError(`no session ${localSessionId}`);
    session.bindToFabric(fabricIndex);
    return session;
  }

  /** Fail-safe expiry dropped a pending fabric: PASE sessions bound to it become unbound again. */
  unbindPaseSessions(fabricIndex: FabricIndex): void {
    for (const s of this.#sessions.values()) if (s.type === "pase" && s.fabricIndex === fabricIndex) s.unbindFabric();
  }

  #remove(session: SecureSession, reason: SessionEndReason): void {
    this.#sessions.delete(session.localSessionId);
    for (const l of [...this.#listeners]) l(session, reason);
  }
}

/** Only the three keys (the handshake result also carries the resumption secret, which a session must not hold). */
function keysOf(k: SessionKeys): SessionKeys {
  return { i2rKey: k.i2rKey, r2iKey: k.r2iKey, attestationChallenge: k.attestationChallenge };
}
