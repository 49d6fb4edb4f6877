/**
 * Message Reliability Protocol parameters (Core spec 4.12.8, Table "MRP parameters") and the peer's session
 * intervals (4.12.8 / session-parameter-struct), with the backoff formula of 4.12.2.1.
 */

/** MRP_MAX_TRANSMISSIONS: transmissions of one reliable message (the first plus retransmissions) before failing. */
export const MRP_MAX_TRANSMISSIONS = 5;
/** MRP_BACKOFF_BASE: exponential backoff base. */
export const MRP_BACKOFF_BASE = 1.6;
/** MRP_BACKOFF_JITTER: random jitter fraction added to every timeout. */
const MRP_BACKOFF_JITTER = 0.25;
/** MRP_BACKOFF_MARGIN: margin over the peer's interval. */
export const MRP_BACKOFF_MARGIN = 1.1;
/** MRP_BACKOFF_THRESHOLD: transmissions before the backoff starts growing. */
const MRP_BACKOFF_THRESHOLD = 1;
/** MRP_STANDALONE_ACK_TIMEOUT: how long an ack may wait for a piggyback before a standalone ack is sent (ms). */
export const MRP_STANDALONE_ACK_TIMEOUT_MS = 200;

/** SESSION_IDLE_INTERVAL default (ms) when the peer did not announce one. */
export const SESSION_IDLE_INTERVAL_DEFAULT_MS = 500;
/** SESSION_ACTIVE_INTERVAL default (ms). */
export const SESSION_ACTIVE_INTERVAL_DEFAULT_MS = 300;
/** SESSION_ACTIVE_THRESHOLD default (ms): the peer counts as active this long after its last message. */
export const SESSION_ACTIVE_THRESHOLD_DEFAULT_MS = 4000;

/** The MRP members of a peer's session-parameter-struct (ms); absent members take the defaults above. */
export interface MrpSessionParameters {
  readonly sessionIdleInterval?: number | undefined;
  readonly sessionActiveInterval?: number | undefined;
  readonly sessionActiveThreshold?: number | undefined;
}

/**
 * The base interval i of the backoff formula: the peer's active interval while it counts as active (a message from it
 * arrived less than its active threshold ago), its idle interval otherwise (4.12.2.1).
 */
export function peerBaseInterval(
  peer: MrpSessionParameters,
  lastPeerActivity: number | undefined,
  now: number,
): number {
  const threshold = peer.sessionActiveThreshold ?? SESSION_ACTIVE_THRESHOLD_DEFAULT_MS;
  const active = lastPeerActivity !== undefined && now - lastPeerActivity < threshold;
  return active
    ? (peer.sessionActiveInterval ?? SESSION_ACTIVE_INTERVAL_DEFAULT_MS)
    : (peer.sessionIdleInterval ?? SESSION_IDLE_INTERVAL_DEFAULT_MS);
}

/**
 * 4.12.2.1: t = i * MRP_BACKOFF_MARGIN * MRP_BACKOFF_BASE^max(0, n - MRP_BACKOFF_THRESHOLD) * (1 + random * JITTER),
 * where n is the number of transmissions before the current one (0 for the first) and random is in [0, 1).
 */
export function mrpBackoffTime(baseIntervalMs: number, n: number, random: number): number {
  if (!(random >= 0 && random < 1)) throw new RangeError(`random must be in [0, 1): ${random}`);
  return (
    baseIntervalMs *
    MRP_BACKOFF_MARGIN *
    MRP_BACKOFF_BASE ** Math.max(0, n - MRP_BACKOFF_THRESHOLD) *
    (1 + random * MRP_BACKOFF_JITTER)
  );
}
