/**
 * The device's lifecycle as an operator follows it in the log: fabrics added, committed (commissioning complete),
 * updated, labelled, removed and reverted (from the fabric table's changes, Core 11.18.6), the fail-safe armed,
 * extended, expired and disarmed (Core 11.10.7.2), NOC and CSR errors with their status names (Core 11.18.4.2), and
 * PASE/CASE failures with the status decoded. Never logs a secret: no key, no IPK, no passcode.
 */
import type { OpcredsError } from "../bytes/errors.ts";
import {
  CommissioningError,
  GeneralCommissioningCluster,
} from "../clusters/general-commissioning/general-commissioning.ts";
import { nodeOperationalCertStatusName } from "../clusters/operational-credentials/node-operational-cert-status.ts";
import { OperationalCredentialsCluster } from "../clusters/operational-credentials/operational-credentials-options.ts";
import type { FabricRecord } from "../fabric/fabric-record.ts";
import type { FabricChange, FabricTable } from "../fabric/fabric-table.ts";
import type { Cluster, CommandDefinition, CommandResult, InvokeContext } from "../im/data-model.ts";
import { imStatusName } from "../im/status-code.ts";
import { describeHandshakeFailure } from "../sc/handshake-failure.ts";
import type { HandshakeProtocol } from "../sc/secure-channel-endpoint.ts";
import type { LogFields, LogModule, NodeLogger } from "./node-log.ts";

const hex64 = (v: bigint): string => `0x${v.toString(16).toUpperCase().padStart(16, "0")}`;
const hex16 = (v: number): string => `0x${v.toString(16).toUpperCase().padStart(4, "0")}`;

/** What a log line says about a fabric: index, fabric ID, node ID, vendor ID and label (nothing secret). */
function describeFabric(f: FabricRecord): { text: string; fields: LogFields } {
  return {
    text: `fabric ID ${hex64(f.fabricId)}, node ID ${hex64(f.nodeId)}, vendor ${hex16(f.vendorId)}, label ${JSON.stringify(f.label)}`,
    fields: {
      fabricIndex: f.fabricIndex,
      fabricId: hex64(f.fabricId),
      nodeId: hex64(f.nodeId),
      vendorId: hex16(f.vendorId),
      label: f.label,
    },
  };
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

const COMMISSIONING_ERROR_NAMES = new Map<number, string>(Object.entries(CommissioningError).map(([k, v]) => [v, k]));

/**
 * Follows a node's lifecycle into its log. `attach` subscribes to the fabric table at once; the node's drivers report
 * what no table shows (the fail-safe timer, handshake failures) and wrap their clusters with `observe`.
 */
export class LifecycleLog {
  readonly #fabrics: FabricTable;
  readonly #log: NodeLogger;
  /** Each fabric as last seen (reads show pending values), to say what an update changed and what a removal took. */
  readonly #seen = new Map<number, FabricRecord>();
  /** Fabric indices whose pending change is an AddNOC ("add") or an UpdateNOC ("update"), until committed or reverted. */
  readonly #pending = new Map<number, "add" | "update">();
  readonly #unsubscribe: () => void;
  #failSafeArmed = false;
  #failSafeExpiring = false;

  private constructor(fabrics: FabricTable, logger: NodeLogger) {
    this.#fabrics = fabrics;
    this.#log = logger;
    for (const f of fabrics.fabrics()) this.#seen.set(f.fabricIndex, f);
    this.#unsubscribe = fabrics.onChange((c) => this.#fabricChanged(c));
  }

  /** Starts following `fabrics`, logging to `logger`. */
  static attach(fabrics: FabricTable, logger: NodeLogger): LifecycleLog {
    return new LifecycleLog(fabrics, logger);
  }

  /** Stops following the fabric table. */
  detach(): void {
    this.#unsubscribe();
  }

  /**
   * The driver (re)armed the fail-safe timer for `at` (ms on the `now` clock), or disarmed it (`at` null): logs armed,
   * extended, or how it ended (`endedBy`, as the fail-safe context reports it).
   */
  failSafeTimer(at: number | null, now: number, endedBy?: "expiry" | "commissioning-complete"): void {
    if (at !== null) {
      const seconds = Math.max(0, Math.round((at - now) / 1000));
      if (this.#failSafeArmed) {
        this.#write("debug", "commissioning", `fail-safe extended: expires in ${seconds} s`, {
          event: "fail-safe-extended",
          seconds,
        });
      } else {
        this.#write("info", "commissioning", `fail-safe armed: expires in ${seconds} s`, {
          event: "fail-safe-armed",
          seconds,
        });
      }
      this.#failSafeArmed = true;
      // Re-armed: an expiry announced before (a timer that found the fail-safe mid-commit) did not happen.
      this.#failSafeExpiring = false;
      return;
    }
    if (!this.#failSafeArmed) return;
    this.#failSafeArmed = false;
    // The context's own account wins; without one, whether the timer announced an expiry.
    const expired = endedBy === undefined ? this.#failSafeExpiring : endedBy === "expiry";
    this.#failSafeExpiring = false;
    if (expired) {
      this.#write("info", "commissioning", "fail-safe disarmed after its expiry: pending changes reverted", {
        event: "fail-safe-reverted",
      });
    } else if (endedBy === "commissioning-complete") {
      this.#write("info", "commissioning", "fail-safe disarmed by CommissioningComplete", {
        event: "fail-safe-disarmed",
      });
    } else {
      this.#write("info", "commissioning", "fail-safe disarmed", { event: "fail-safe-disarmed" });
    }
  }

  /** The fail-safe's deadline passed (or the window forced its expiry): its cleanup is about to run. */
  failSafeExpired(reason = "its timer fired"): void {
    if (!this.#failSafeArmed || this.#failSafeExpiring) return;
    this.#failSafeExpiring = true;
    this.#write("warn", "commissioning", `fail-safe expired (${reason}): reverting what it guarded`, {
      event: "fail-safe-expired",
    });
  }

  /** A PASE or CASE handshake failed: its reason with the status decoded ("PASE failed: wrong passcode: ..."). */
  handshakeFailed(protocol: HandshakeProtocol, error: OpcredsError): void {
    this.#write("warn", "sc", describeHandshakeFailure(protocol, error), {
      event: "handshake-failed",
      protocol,
      code: error.code,
    });
  }

  /**
   * The same cluster with every command's outcome logged: an error answer at warn with its status name
   * ("AddNOC -> NOCResponse InvalidNOC: fabric.node-id"), a success at debug.
   */
  observe(cluster: Cluster): Cluster {
    return {
      ...cluster,
      commands: cluster.commands.map((def) => ({
        ...def,
        handler: async (request: unknown, ctx: InvokeContext) => {
          try {
            const result = await def.handler(request, ctx);
            this.#commandResult(cluster, def, result, ctx);
            return result;
          } catch (e) {
            const what =
              e instanceof Error ? `${(e as Partial<OpcredsError>).code ?? e.name}: ${e.message}` : String(e);
            const status = (e as { status?: unknown }).status;
            const name = typeof status === "number" ? imStatusName(status) : "FAILURE";
            this.#write("warn", this.#moduleOf(cluster), `${def.name} -> ${name}: ${what}`, {
              event: "command-failed",
              command: def.name,
              status: name,
            });
            throw e;
          }
        },
      })),
    };
  }

  #moduleOf(cluster: Cluster): LogModule {
    if (cluster.id === OperationalCredentialsCluster.id) return "fabric";
    if (cluster.id === GeneralCommissioningCluster.id) return "commissioning";
    return "im";
  }

  #commandResult(
    cluster: Cluster,
    def: Pick<CommandDefinition, "name" | "response">,
    result: CommandResult<unknown>,
    ctx: InvokeContext,
  ) {
    const over = `${ctx.session.kind.toUpperCase()} session ${ctx.session.id}`;
    const base = { command: def.name, session: ctx.session.id, fabricIndex: ctx.session.fabricIndex };
    if ("status" in result) {
      const name = imStatusName(result.status);
      const text = `${def.name} -> ${name}${result.clusterStatus === undefined ? "" : ` (cluster status ${result.clusterStatus})`}`;
      if (result.status === 0) this.#write("debug", "im", `${text} (${over})`, { ...base, status: name });
      else
        this.#write("warn", this.#moduleOf(cluster), `${text} (${over})`, {
          ...base,
          event: "command-failed",
          status: name,
        });
      return;
    }
    const response = result.response as { statusCode?: unknown; errorCode?: unknown; debugText?: unknown } | null;
    const responseName = def.response?.name ?? "response";
    let code: number | undefined;
    let name = "OK";
    if (typeof response?.statusCode === "number") {
      code = response.statusCode;
      name = nodeOperationalCertStatusName(code);
    } else if (typeof response?.errorCode === "number") {
      code = response.errorCode;
      name = COMMISSIONING_ERROR_NAMES.get(code) ?? `0x${code.toString(16)}`;
    }
    const debugText =
      typeof response?.debugText === "string" && response.debugText !== "" ? `: ${response.debugText}` : "";
    const text = `${def.name} -> ${responseName} ${name}${debugText} (${over})`;
    if (code === undefined || code === 0) this.#write("debug", "im", text, { ...base, status: name });
    else this.#write("warn", this.#moduleOf(cluster), text, { ...base, event: "command-failed", status: name });
  }

  #fabricChanged(c: FabricChange): void {
    const index = c.fabricIndex;
    const before = this.#seen.get(index);
    const now = this.#fabrics.fabric(index);
    if (now === undefined) this.#seen.delete(index);
    else this.#seen.set(index, now);
    switch (c.kind) {
      case "added": {
        if (now === undefined) return;
        this.#pending.set(index, "add");
        const d = describeFabric(now);
        this.#write("info", "fabric", `fabric ${index} added (pending until CommissioningComplete): ${d.text}`, {
          event: "fabric-added",
          pending: true,
          ...d.fields,
        });
        return;
      }
      case "committed": {
        const kind = this.#pending.get(index);
        this.#pending.delete(index);
        const f = now ?? before;
        const fields = f === undefined ? { fabricIndex: index } : describeFabric(f).fields;
        this.#write("info", "fabric", `fabric ${index} committed${kind === "update" ? " (its updated NOC)" : ""}`, {
          event: "fabric-committed",
          ...fields,
        });
        if (kind !== "update") {
          this.#write("info", "commissioning", `commissioning complete: fabric ${index}`, {
            event: "commissioning-complete",
            ...fields,
          });
        }
        return;
      }
      case "updated": {
        if (now === undefined) return;
        const d = describeFabric(now);
        if (before !== undefined && before.label !== now.label) {
          this.#write(
            "info",
            "fabric",
            `fabric ${index} labelled ${JSON.stringify(now.label)} (was ${JSON.stringify(before.label)})`,
            {
              event: "fabric-labelled",
              ...d.fields,
            },
          );
        }
        const nocChanged = before === undefined || !sameBytes(before.noc, now.noc);
        if (nocChanged && c.pending) {
          if (!this.#pending.has(index)) this.#pending.set(index, "update");
          this.#write(
            "info",
            "fabric",
            `fabric ${index} NOC updated (pending until CommissioningComplete): ${d.text}`,
            {
              event: "fabric-updated",
              pending: true,
              ...d.fields,
            },
          );
        } else if (nocChanged) {
          this.#pending.delete(index);
          this.#write("info", "fabric", `fabric ${index} NOC update reverted by the fail-safe: ${d.text}`, {
            event: "fabric-reverted",
            ...d.fields,
          });
        } else if (before !== undefined && before.label === now.label && before.vendorId !== now.vendorId) {
          this.#write("info", "fabric", `fabric ${index} vendor ID now ${hex16(now.vendorId)}`, {
            event: "fabric-updated",
            ...d.fields,
          });
        }
        return;
      }
      case "removed": {
        this.#pending.delete(index);
        const d = before === undefined ? { text: "", fields: { fabricIndex: index } } : describeFabric(before);
        if (c.pending) {
          this.#write(
            "info",
            "fabric",
            `fabric ${index} reverted: the fail-safe dropped it before CommissioningComplete${d.text === "" ? "" : ` (${d.text})`}`,
            {
              event: "fabric-reverted",
              ...d.fields,
            },
          );
        } else {
          this.#write("info", "fabric", `fabric ${index} removed${d.text === "" ? "" : `: ${d.text}`}`, {
            event: "fabric-removed",
            ...d.fields,
          });
        }
        return;
      }
      case "reverted":
        this.#write("info", "fabric", `pending trusted root for fabric index ${index} dropped by the fail-safe`, {
          event: "root-reverted",
          fabricIndex: index,
        });
        return;
    }
  }

  #write(level: Parameters<NodeLogger>[0], module: LogModule, message: string, fields: LogFields): void {
    this.#log(level, message, module, fields);
  }
}
