/**
 * The session router of the secure channel (Core spec 4.13.2.1, 4.6.2): matches a received message to its session,
 * the unsecured session of a peer's handshake by its ephemeral node id or a PASE/CASE session by our session id, and
 * keeps the address book (where each session's peer was last heard from).
 */
import type { Crypto } from "../crypto/crypto.ts";
import { MessageCounter } from "../message/message-counter.ts";
import { type DecodedMessageHeader, isUnsecured, SessionType } from "../message/message-header.ts";
import type { SessionContext } from "../mrp/session-context.ts";
import { UnsecuredSession } from "../mrp/unsecured-session.ts";
import type { SecureSession } from "./secure-session.ts";

/** Where a message came from or goes to; the transport's address, opaque here (UdpPeer has this shape). */
export type PeerAddress = { readonly address: string; readonly port: number };

/** Unsecured sessions kept for peers' handshakes at once; the oldest goes when another peer starts one. */
const MAX_UNSECURED_SESSIONS = 16;

/** Counters of what the router dropped. */
export interface SessionRouterStats {
  /** Messages for a session id we do not have (unknown, closed) or of a session type we do not serve (groups). */
  unknownSession: number;
  /** Unsecured messages without the ephemeral node id that names their session. */
  unroutable: number;
}

/** The sessions of one node, by what received messages name them with, and their peers' addresses. */
export class SessionRouter {
  readonly #crypto: Crypto;
  readonly #stats: SessionRouterStats;
  readonly #unencryptedCounter: MessageCounter;
  readonly #secure = new Map<number, SecureSession>();
  /** Unsecured sessions a peer opened, by its ephemeral node id, oldest first. */
  readonly #unsecuredByPeer = new Map<bigint, UnsecuredSession>();
  /** Unsecured sessions we opened, by our ephemeral node id. */
  readonly #unsecuredByLocal = new Map<bigint, UnsecuredSession>();
  /** Where to send, by session key (the address the peer's last authenticated message came from). */
  readonly #addresses = new Map<string, PeerAddress>();

  constructor(crypto: Crypto, stats: SessionRouterStats) {
    this.#crypto = crypto;
    this.#stats = stats;
    this.#unencryptedCounter = MessageCounter.random("unencrypted", crypto);
  }

  /** The live secure session with this local session id. */
  secure(localSessionId: number): SecureSession | undefined {
    return this.#secure.get(localSessionId);
  }

  /** Adds an established session, reached at `peer`. */
  addSecure(session: SecureSession, peer: PeerAddress): void {
    this.#secure.set(session.localSessionId, session);
    this.#addresses.set(session.key, peer);
  }

  /** Forgets an ended session and its address; false if `session` is not the live one with its id. */
  removeSecure(session: SecureSession): boolean {
    if (this.#secure.get(session.localSessionId) !== session) return false;
    this.#secure.delete(session.localSessionId);
    this.#addresses.delete(session.key);
    return true;
  }

  /** Where messages of the session with this key go. */
  address(sessionKey: string): PeerAddress | undefined {
    return this.#addresses.get(sessionKey);
  }

  /** An authenticated message came from `peer`: the session's peer is now reachable there. */
  heardFrom(sessionKey: string, peer: PeerAddress): void {
    this.#addresses.set(sessionKey, peer);
  }

  /**
   * The session a received message belongs to; a peer's first handshake message opens an unsecured session, and
   * beyond MAX_UNSECURED_SESSIONS the oldest other than `keep` goes through `evict`. Unroutable messages are counted.
   */
  route(
    h: DecodedMessageHeader["header"],
    from: PeerAddress,
    keep: SessionContext | undefined,
    evict: (session: UnsecuredSession) => void,
  ): SessionContext | undefined {
    if (isUnsecured(h)) {
      if (h.destinationNodeId !== undefined) {
        // A responder answers our ephemeral node id (4.13.2.1).
        const s = this.#unsecuredByLocal.get(h.destinationNodeId);
        if (s === undefined) this.#stats.unknownSession++;
        return s;
      }
      if (h.sourceNodeId === undefined || h.destinationGroupId !== undefined) {
        this.#stats.unroutable++;
        return undefined;
      }
      let s = this.#unsecuredByPeer.get(h.sourceNodeId);
      if (s === undefined) {
        s = new UnsecuredSession({ counter: this.#unencryptedCounter, peerEphemeralNodeId: h.sourceNodeId });
        this.#unsecuredByPeer.set(h.sourceNodeId, s);
        this.#addresses.set(s.key, from);
        while (this.#unsecuredByPeer.size > MAX_UNSECURED_SESSIONS) {
          let victim: UnsecuredSession | undefined;
          for (const candidate of this.#unsecuredByPeer.values()) {
            if (candidate !== keep) {
              victim = candidate;
              break;
            }
          }
          if (victim === undefined) break;
          this.removeUnsecured(victim);
          evict(victim);
        }
      }
      return s;
    }
    if (h.sessionType !== SessionType.unicast) {
      this.#stats.unknownSession++;
      return undefined;
    }
    const s = this.#secure.get(h.sessionId);
    if (s === undefined) this.#stats.unknownSession++;
    return s;
  }

  /** Opens an unsecured session of ours towards `peer` for a handshake we start, with a fresh ephemeral node id. */
  openUnsecured(peer: PeerAddress): UnsecuredSession {
    let nodeId: bigint;
    do {
      const b = this.#crypto.randomBytes(8);
      nodeId = 0n;
      for (let i = 7; i >= 0; i--) nodeId = (nodeId << 8n) | BigInt(b[i]!);
    } while (nodeId === 0n || this.#unsecuredByLocal.has(nodeId));
    const s = new UnsecuredSession({ counter: this.#unencryptedCounter, localEphemeralNodeId: nodeId });
    this.#unsecuredByLocal.set(nodeId, s);
    this.#addresses.set(s.key, peer);
    return s;
  }

  /** Forgets an unsecured session (its handshakes ended) and its address. */
  removeUnsecured(s: UnsecuredSession): void {
    if (s.localEphemeralNodeId !== undefined) this.#unsecuredByLocal.delete(s.localEphemeralNodeId);
    else if (s.peerNodeId !== undefined) this.#unsecuredByPeer.delete(s.peerNodeId);
    this.#addresses.delete(s.key);
  }
}
