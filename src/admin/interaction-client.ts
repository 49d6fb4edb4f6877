/**
 * The client side of the Interaction Model over the project's own UDP transport: PASE as commissioner, CASE as
 * initiator (Core 4.13, 4.14), and Invoke (optionally timed, Core 8.7.2, 8.8) and Read (Core 8.4, chunked reports
 * acknowledged) on an established session. Every request is bounded by `waitMs` and rejects with an AdminError.
 */
import type { Crypto } from "../crypto/crypto.ts";
import type { AttributeReportIB } from "../im/messages/attribute-report-ib.ts";
import { ImMessageType } from "../im/messages/im-message-type.ts";
import { InvokeRequestMessage } from "../im/messages/invoke-request-message.ts";
import { InvokeResponseMessage } from "../im/messages/invoke-response-message.ts";
import { ReadRequestMessage } from "../im/messages/read-request-message.ts";
import { ReportDataMessage } from "../im/messages/report-data-message.ts";
import { StatusResponseMessage } from "../im/messages/status-response-message.ts";
import { TimedRequestMessage } from "../im/messages/timed-request-message.ts";
import { imStatusName } from "../im/status-code.ts";
import { ProtocolId } from "../message/protocol-ids.ts";
import { TransportDriver } from "../node/transport-driver.ts";
import type { UdpPeer } from "../node/udp-transport.ts";
import type { CaseFabric } from "../sc/case/case-fabric.ts";
import type { ResumptionStore } from "../sc/case/resumption-record.ts";
import type { ApplicationExchange } from "../sc/secure-channel-endpoint.ts";
import type { SecureSession } from "../sc/secure-session.ts";
import { SessionManager } from "../sc/session-manager.ts";
import { ctx, type TlvNode } from "../tlv/tlv-node.ts";
import { AdminError, type AdminErrorCode } from "./admin-error.ts";

/** How long one request or handshake may take before it rejects (default of `InteractionClient.open`). */
const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
/** The TimedRequest timeout sent before a timed invoke (Core 8.7.2). */
export const TIMED_REQUEST_TIMEOUT_MS = 5000;

/** The single InvokeResponseIB of an invoke: a command response or a status. */
export type InvokeResult =
  | { readonly kind: "response"; readonly commandId: number; readonly fields: TlvNode | undefined }
  | { readonly kind: "status"; readonly status: number; readonly clusterStatus: number | undefined };

/** Builds a command's CommandFields under the context tag it is given. */
export type Fields = (tag: ReturnType<typeof ctx>) => TlvNode;

/** Empty CommandFields (a command without arguments). */
export const emptyFields: Fields = (tag) => ({ tag, type: "struct", elements: [] });

/** An attribute path of a Read (concrete or wildcard). */
export type ReadPath = { readonly endpoint?: number; readonly cluster?: number; readonly attribute?: number };

/** Options of `InteractionClient.open`. */
export type InteractionClientOptions = {
  readonly crypto: Crypto;
  /** The initiator's CASE resumption records; new records are saved into it. */
  readonly resumption: ResumptionStore;
  /** Bound for each request and handshake (default DEFAULT_REQUEST_TIMEOUT_MS). */
  readonly waitMs?: number;
  /** UDP port to bind (default 0: ephemeral). */
  readonly port?: number;
  /** Errors that reach no caller (send failures, storage failures of resumption records). */
  readonly onError?: (error: unknown) => void;
};

/** One UDP socket, its sessions, and IM requests over them. */
export class InteractionClient {
  readonly crypto: Crypto;
  readonly driver: TransportDriver;
  readonly resumption: ResumptionStore;
  readonly waitMs: number;
  readonly #saved = new Set<Promise<void>>();

  protected constructor(crypto: Crypto, driver: TransportDriver, resumption: ResumptionStore, waitMs: number) {
    this.crypto = crypto;
    this.driver = driver;
    this.resumption = resumption;
    this.waitMs = waitMs;
  }

  /** Binds the socket (an ephemeral port unless `port` is given). */
  static async open(options: InteractionClientOptions): Promise<InteractionClient> {
    const { driver, track } = await InteractionClient.openDriver(options);
    const client = new InteractionClient(
      options.crypto,
      driver,
      options.resumption,
      options.waitMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    );
    track.client = client;
    return client;
  }

  /** The transport driver of a client (shared by subclasses' `open`); `track.client` must be set once built. */
  protected static async openDriver(
    options: InteractionClientOptions,
  ): Promise<{ driver: TransportDriver; track: { client?: InteractionClient } }> {
    const track: { client?: InteractionClient } = {};
    const driver = await TransportDriver.open({
      crypto: options.crypto,
      sessions: new SessionManager(options.crypto),
      resumption: options.resumption,
      port: options.port ?? 0,
      saveResumption: (record) => {
        const saved = options.resumption.save(record);
        if (track.client !== undefined) track.client.#track(saved);
        return saved;
      },
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    });
    return { driver, track };
  }

  /** PASE as commissioner with `passcode`. */
  pase(peer: UdpPeer, passcode: number): Promise<SecureSession> {
    return this.#bounded("PASE", this.driver.establishPase(peer, { passcode }));
  }

  /**
   * CASE to `peerNodeId` as the administrator of `fabric`; asks for resumption when a record for that peer is held
   * unless `resume` is false. Resolves once the session's resumption record (if any) is saved.
   */
  async case(
    peer: UdpPeer,
    fabric: CaseFabric,
    peerNodeId: bigint,
    options: { resume?: boolean } = {},
  ): Promise<SecureSession> {
    const session = await this.#bounded(
      "CASE",
      this.driver.establishCase(peer, {
        fabric,
        peerNodeId,
        ...(options.resume === undefined ? {} : { resume: options.resume }),
      }),
    );
    await Promise.all([...this.#saved]);
    return session;
  }

  /**
   * One InvokeRequest on a new exchange of `session` (endpoint 0 unless given); `timed` sends a TimedRequest first on
   * the same exchange and the InvokeRequest once its StatusResponse is SUCCESS. Resolves with the InvokeResponseIB.
   */
  invoke(
    session: SecureSession,
    cluster: number,
    command: number,
    fields: Fields = emptyFields,
    options: { timed?: boolean; endpoint?: number } = {},
  ): Promise<InvokeResult> {
    const timed = options.timed === true;
    const label = `invoke 0x${cluster.toString(16)}/0x${command.toString(16)}`;
    const request = InvokeRequestMessage.encode({
      suppressResponse: false,
      timedRequest: timed,
      invokeRequests: [{ path: { endpoint: options.endpoint ?? 0, cluster, command }, fields: fields(ctx(1)) }],
    });
    return this.#exchange<InvokeResult>(label, session, (ax, done, fail) => {
      ax.onMessage = (at, m) => {
        if (m.opcode === ImMessageType.StatusResponse && timed) {
          const { status } = StatusResponseMessage.decode(m.applicationPayload);
          if (status !== 0) {
            ax.close(at);
            done({ kind: "status", status, clusterStatus: undefined });
            return;
          }
          ax.send(at, ImMessageType.InvokeRequest, request, { expectResponseWithinMs: this.waitMs });
          return;
        }
        ax.close(at);
        if (m.opcode === ImMessageType.StatusResponse) {
          const { status } = StatusResponseMessage.decode(m.applicationPayload);
          done({ kind: "status", status, clusterStatus: undefined });
          return;
        }
        if (m.opcode !== ImMessageType.InvokeResponse) {
          fail(`unexpected opcode 0x${m.opcode.toString(16)}`);
          return;
        }
        const [r] = InvokeResponseMessage.decode(m.applicationPayload).invokeResponses;
        if (r?.command !== undefined) {
          done({ kind: "response", commandId: r.command.path.command, fields: r.command.fields });
        } else if (r?.status !== undefined) {
          const { status, clusterStatus } = r.status.status;
          done({ kind: "status", status, clusterStatus });
        } else {
          fail("empty InvokeResponse");
        }
      };
      return timed
        ? [ImMessageType.TimedRequest, TimedRequestMessage.encode({ timeout: TIMED_REQUEST_TIMEOUT_MS })]
        : [ImMessageType.InvokeRequest, request];
    });
  }

  /** A Read of `paths` on `session`; resolves with every AttributeReportIB (chunks acknowledged with SUCCESS). */
  read(session: SecureSession, paths: readonly ReadPath[], fabricFiltered = true): Promise<AttributeReportIB[]> {
    const reports: AttributeReportIB[] = [];
    const request = ReadRequestMessage.encode({
      attributeRequests: paths.map((p) => ({ ...p })),
      isFabricFiltered: fabricFiltered,
    });
    return this.#exchange<AttributeReportIB[]>("read", session, (ax, done, fail) => {
      ax.onMessage = (at, m) => {
        if (m.opcode === ImMessageType.StatusResponse) {
          ax.close(at);
          fail(`status ${StatusResponseMessage.decode(m.applicationPayload).status}`);
          return;
        }
        if (m.opcode !== ImMessageType.ReportData) {
          ax.close(at);
          fail(`unexpected opcode 0x${m.opcode.toString(16)}`);
          return;
        }
        const report = ReportDataMessage.decode(m.applicationPayload);
        reports.push(...(report.attributeReports ?? []));
        if (report.moreChunkedMessages === true) {
          // Core 8.4.5.1: each chunk but the last is acknowledged with a StatusResponse before the next is sent.
          ax.send(at, ImMessageType.StatusResponse, StatusResponseMessage.encode({ status: 0 }), {
            expectResponseWithinMs: this.waitMs,
          });
          return;
        }
        if (report.suppressResponse !== true)
          ax.send(at, ImMessageType.StatusResponse, StatusResponseMessage.encode({ status: 0 }));
        ax.close(at);
        done(reports);
      };
      return [ImMessageType.ReadRequest, request];
    });
  }

  /** The value of one concrete attribute; an AttributeStatus answer or a missing report is an AdminError. */
  async readAttribute(
    session: SecureSession,
    endpoint: number,
    cluster: number,
    attribute: number,
    fabricFiltered = true,
  ): Promise<TlvNode> {
    const reports = await this.read(session, [{ endpoint, cluster, attribute }], fabricFiltered);
    const data = reports.find((r) => r.attributeData?.path.attribute === attribute)?.attributeData;
    if (data !== undefined) return data.data;
    const status = reports.find((r) => r.attributeStatus !== undefined)?.attributeStatus?.status.status;
    throw new AdminError(
      "admin.read-failed",
      `read ${endpoint}/0x${cluster.toString(16)}/0x${attribute.toString(16)}: ${status === undefined ? "no report" : `${imStatusName(status)} (0x${status.toString(16)})`}`,
    );
  }

  /** CloseSession (Core 4.11.1.5) on `session`: the peer is told and the session is removed here. */
  closeSession(session: SecureSession): void {
    this.driver.act((now) => this.driver.endpoint.closeSession(now, session.localSessionId));
  }

  /** Closes the socket (sessions are dropped without CloseSession); waits for pending resumption records. */
  async close(): Promise<void> {
    await Promise.all([...this.#saved]);
    await this.driver.close();
  }

  #track(saved: Promise<void>): void {
    const settled = saved.catch(() => {});
    this.#saved.add(settled);
    void settled.then(() => this.#saved.delete(settled));
  }

  #bounded<T>(what: string, p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      // Unreferenced: a handshake left unanswered must not hold the process open.
      timer = setTimeout(
        () => reject(new AdminError("admin.timeout", `no answer in ${this.waitMs / 1000} s`, { step: what })),
        this.waitMs,
      ).unref();
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * Opens an IM exchange on `session`, lets `start` install its handler and name the first message, sends it, and
   * settles with what the handler reports (`fail` and an exchange that ends other than closed reject).
   */
  #exchange<T>(
    label: string,
    session: SecureSession,
    start: (ax: ApplicationExchange, done: (v: T) => void, fail: (why: string) => void) => [number, Uint8Array],
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => fail("timed out", "admin.timeout"), this.waitMs);
      const done = (v: T) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(v);
      };
      const fail = (why: string, code: AdminErrorCode = "admin.exchange-failed") => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new AdminError(code, `${label}: ${why}`));
      };
      this.driver.act((now) => {
        let ax: ApplicationExchange;
        try {
          ax = this.driver.endpoint.openExchange(session.localSessionId, ProtocolId.INTERACTION_MODEL);
        } catch (e) {
          fail(e instanceof Error ? e.message : String(e));
          return;
        }
        const [opcode, payload] = start(ax, done, (why) => fail(why));
        ax.onEnd = (outcome) => {
          if (outcome !== "closed")
            fail(`exchange ${outcome}`, outcome === "session-closed" ? "admin.session-closed" : undefined);
        };
        ax.send(now, opcode, payload, { expectResponseWithinMs: this.waitMs });
      });
    });
  }
}
