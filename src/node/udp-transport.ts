/**
 * The UDP adapter of the node (Core spec 4.3.1: Matter over IPv6/UDP, port 5540): one dual-stack socket. Every datagram
 * is checked to start with a well-formed message header (4.4.1) before it is handed on; a bad datagram is counted and
 * dropped, never thrown (STYLE.md rule 13).
 */
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { isIPv4 } from "node:net";
import { MalformedError } from "../bytes/errors.ts";
import { type DecodedMessageHeader, decodeMessageHeader } from "../message/message-header.ts";

/** The Matter operational/commissioning UDP port. */
export const MATTER_UDP_PORT = 5540;

/** Where a datagram came from or goes to; IPv4 peers are shown as dotted quads (not v4-mapped). */
export interface UdpPeer {
  readonly address: string;
  readonly port: number;
}

/** A received datagram whose message header parsed. */
export interface ReceivedDatagram {
  readonly bytes: Uint8Array;
  readonly message: DecodedMessageHeader;
  readonly peer: UdpPeer;
}

/** Counters of the transport. */
export interface UdpTransportStats {
  received: number;
  /** Datagrams dropped because their bytes were malformed (here, or in the handler). */
  malformed: number;
  /** Datagrams whose handler threw something other than MalformedError (dropped; reported to `onError`). */
  handlerErrors: number;
  sent: number;
}

/** Options of `UdpTransport.open`. */
export interface UdpTransportOptions {
  /** Port to bind; default 5540, 0 for an ephemeral port. */
  readonly port?: number;
  /** Address to bind; default "::" (all addresses, IPv6 and IPv4). An IPv4 address is bound as its v4-mapped form. */
  readonly address?: string;
  /** Called for every datagram with a well-formed message header. */
  readonly onDatagram: (datagram: ReceivedDatagram) => void;
  /** Called with a handler error that was not a MalformedError (the datagram is dropped either way). */
  readonly onError?: (error: unknown) => void;
}

/**
 * The socket's address "resolver": every address it is given is already a literal (a peer's source address, a v4-mapped
 * IPv4 address, an mDNS answer), so it is handed on as it is. Node's default, dns.lookup, tests each one against its
 * IPv4 and IPv6 regular expressions on every send; a non-literal now fails in the send itself (EINVAL), never a DNS query.
 */
const literalAddress = (
  address: string,
  _family: unknown,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void => callback(null, address, 6);

const toSocketAddress = (address: string): string => (isIPv4(address) ? `::ffff:${address}` : address);
const fromSocketAddress = (address: string): string =>
  address.startsWith("::ffff:") && isIPv4(address.slice(7)) ? address.slice(7) : address;

/** One bound dual-stack UDP socket. */
export class UdpTransport {
  readonly stats: UdpTransportStats = { received: 0, malformed: 0, handlerErrors: 0, sent: 0 };
  readonly #socket: Socket;
  readonly #options: UdpTransportOptions;
  #closed = false;

  private constructor(socket: Socket, options: UdpTransportOptions) {
    this.#socket = socket;
    this.#options = options;
    socket.on("message", (msg, rinfo) => this.#onMessage(msg, rinfo));
  }

  /** Binds the socket; resolves once it is listening, rejects with the bind error (e.g. EADDRINUSE). */
  static async open(options: UdpTransportOptions): Promise<UdpTransport> {
    const socket = createSocket({ type: "udp6", ipv6Only: false, lookup: literalAddress });
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void => {
        socket.close();
        reject(e);
      };
      socket.once("error", onError);
      socket.bind({ port: options.port ?? MATTER_UDP_PORT, address: toSocketAddress(options.address ?? "::") }, () => {
        socket.off("error", onError);
        resolve();
      });
    });
    // After bind, socket errors (e.g. ICMP-induced) must not crash the process: they are reported, not thrown.
    socket.on("error", (e) => options.onError?.(e));
    return new UdpTransport(socket, options);
  }

  /** The bound port. */
  get port(): number {
    return this.#socket.address().port;
  }

  /** Sends one datagram; rejects on a socket error (e.g. unreachable address). */
  async send(bytes: Uint8Array, peer: UdpPeer): Promise<void> {
    if (this.#closed) throw new TypeError("UDP transport is closed");
    await new Promise<void>((resolve, reject) => {
      this.#socket.send(bytes, peer.port, toSocketAddress(peer.address), (e) => (e ? reject(e) : resolve()));
    });
    this.stats.sent++;
  }

  /** Closes the socket; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }

  #onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    this.stats.received++;
    const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
    try {
      const message = decodeMessageHeader(bytes);
      this.#options.onDatagram({
        bytes,
        message,
        peer: { address: fromSocketAddress(rinfo.address), port: rinfo.port },
      });
    } catch (e) {
      if (e instanceof MalformedError) {
        this.stats.malformed++;
      } else {
        this.stats.handlerErrors++;
        this.#options.onError?.(e);
      }
    }
  }
}
