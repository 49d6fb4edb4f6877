/**
 * Per-exchange MRP state (Core spec 4.12): at most one reliable message awaiting its ack (the retransmission table
 * entry, 4.12.5.1) and at most one ack owed to the peer (the acknowledgement table entry, 4.12.5.2).
 */
import { MRP_MAX_TRANSMISSIONS, MRP_STANDALONE_ACK_TIMEOUT_MS, mrpBackoffTime } from "./mrp-parameters.ts";

/** A reliable message sent and not yet acknowledged. */
export interface RetransmissionEntry {
  readonly messageCounter: number;
  /** The full message bytes: retransmissions are byte-identical. */
  readonly bytes: Uint8Array;
  /** Transmissions so far (1 after the first send). */
  transmissions: number;
  /** When the next retransmission (or the failure, after the last one) is due. */
  nextAt: number;
}

/** An ack owed to the peer for a received reliable message. */
export interface PendingAck {
  readonly messageCounter: number;
  /** When a standalone ack must be sent if no message piggybacked it (MRP_STANDALONE_ACK_TIMEOUT). */
  readonly deadline: number;
}

/** What the retransmission timer asks the caller to do. */
export type RetransmissionAction =
  | { readonly kind: "none" }
  | { readonly kind: "resend"; readonly bytes: Uint8Array }
  | { readonly kind: "give-up"; readonly messageCounter: number };

/** The MRP bookkeeping of one exchange; time and randomness are inputs. */
export class ReliableMessaging {
  retransmission: RetransmissionEntry | undefined;
  pendingAck: PendingAck | undefined;

  /** Records the first transmission of a reliable message; `baseInterval` is the peer's current interval (ms). */
  sent(now: number, messageCounter: number, bytes: Uint8Array, baseInterval: number, random: number): void {
    this.retransmission = {
      messageCounter,
      bytes,
      transmissions: 1,
      nextAt: now + mrpBackoffTime(baseInterval, 0, random),
    };
  }

  /** Handles an ack for `messageCounter`; true when it acknowledged the outstanding message. */
  acknowledged(messageCounter: number): boolean {
    if (this.retransmission?.messageCounter !== messageCounter) return false;
    this.retransmission = undefined;
    return true;
  }

  /**
   * Records an ack owed for `messageCounter`. A still-pending ack for another message is returned so the caller sends
   * it as a standalone ack now (only the latest ack can be piggybacked).
   */
  owe(now: number, messageCounter: number): PendingAck | undefined {
    const previous = this.pendingAck;
    this.pendingAck = { messageCounter, deadline: now + MRP_STANDALONE_ACK_TIMEOUT_MS };
    return previous !== undefined && previous.messageCounter !== messageCounter ? previous : undefined;
  }

  /** Takes the owed ack for piggybacking or a standalone ack. */
  takeAck(): number | undefined {
    const a = this.pendingAck?.messageCounter;
    this.pendingAck = undefined;
    return a;
  }

  /** The retransmission step due at `now`, advancing the entry's transmission count and deadline. */
  retransmissionDue(now: number, baseInterval: number, random: number): RetransmissionAction {
    const r = this.retransmission;
    if (r === undefined || r.nextAt > now) return { kind: "none" };
    if (r.transmissions >= MRP_MAX_TRANSMISSIONS) {
      this.retransmission = undefined;
      return { kind: "give-up", messageCounter: r.messageCounter };
    }
    r.nextAt = now + mrpBackoffTime(baseInterval, r.transmissions, random);
    r.transmissions += 1;
    return { kind: "resend", bytes: r.bytes };
  }

  /** The earliest deadline of this exchange's MRP state, if any. */
  nextDeadline(): number | undefined {
    const a = this.retransmission?.nextAt;
    const b = this.pendingAck?.deadline;
    if (a === undefined) return b;
    if (b === undefined) return a;
    return Math.min(a, b);
  }
}
