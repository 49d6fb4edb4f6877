/**
 * `opcreds node ID ACTION [ARGS]`: administration of a commissioned node over CASE (resumed when a record exists):
 * fabrics, remove-fabric, decommission, label, rotate-noc, open-window, verify-vid, read, on/off/toggle.
 */
import { type Command, InvalidArgumentError } from "commander";
import { type Administrator, parseAttributePath, vendorText } from "../../admin/administrator.ts";
import { hex64 } from "../../fabric/operational-identity.ts";
import { formatManualPairingCode } from "../../node/onboarding/manual-pairing-code.ts";
import { encodeQrCode } from "../../node/onboarding/qr-code.ts";
import { renderQrForTerminal } from "../../node/onboarding/qr-terminal.ts";
import { decodeTlv } from "../../tlv/tlv-decoder.ts";
import { encodeTlv } from "../../tlv/tlv-encoder.ts";
import { ANONYMOUS } from "../../tlv/tlv-node.ts";
import { type CliEnv, UsageError } from "../cli-env.ts";
import { formatTlv } from "../tlv-text.ts";
import { DEFAULT_ADMIN_DATA, parseId, parseLabel, parseSmall, toJson, withAdministrator } from "./admin-options.ts";

/** The actions of `opcreds node ID` and how many arguments each takes. */
const ACTIONS = {
  fabrics: 0,
  "remove-fabric": 1,
  decommission: 0,
  label: 1,
  "rotate-noc": 0,
  "open-window": 0,
  "verify-vid": 0,
  read: 1,
  on: 0,
  off: 0,
  toggle: 0,
} as const;
type Action = keyof typeof ACTIONS;

type NodeOptions = {
  data: string;
  json?: boolean;
  yes?: boolean;
  forget?: boolean;
  newIcac?: boolean;
  timeout?: number;
  fabric?: number;
  endpoint?: number;
};

/** Adds `node` to the program. */
export function addNodeCommand(program: Command, env: CliEnv): void {
  program
    .command("node")
    .description(
      "administer a commissioned node: fabrics | remove-fabric INDEX | decommission | label TEXT | rotate-noc | open-window | verify-vid | read ENDPOINT/CLUSTER/ATTRIBUTE | on | off | toggle",
    )
    .argument("<id>", "node id (decimal or 0x hex)", parseId)
    .argument("<action>", `one of: ${Object.keys(ACTIONS).join(", ")}`)
    .argument("[args...]", "the action's argument")
    .option("--data <dir>", "administrator data directory", DEFAULT_ADMIN_DATA)
    .option("--json", "print the result as JSON on stdout")
    .option("--yes", "remove-fabric: confirm removing the device's last fabric")
    .option("--forget", "decommission: drop an unreachable node from the registry anyway")
    .option("--new-icac", "rotate-noc: issue the new NOC from a new ICAC")
    .option("--timeout <s>", "open-window: CommissioningTimeout in seconds (180..900, default 300)", parseWindowTimeout)
    .option("--fabric <index>", "verify-vid: the fabric to verify (default ours)", parseSmall(254))
    .option("--endpoint <n>", "on/off/toggle: the endpoint (default 1)", parseSmall(0xfffe))
    .action(async (id: bigint, action: string, args: string[], o: NodeOptions) => {
      if (!(action in ACTIONS)) {
        throw new UsageError(
          `unknown action ${JSON.stringify(action)}; choose one of: ${Object.keys(ACTIONS).join(", ")}`,
        );
      }
      const want = ACTIONS[action as Action];
      if (args.length !== want) {
        throw new UsageError(`${action} takes ${want === 0 ? "no argument" : "one argument"}, got ${args.length}`);
      }
      await withAdministrator(env, o.data, (admin) => run(env, admin, id, action as Action, args[0], o));
    });
}

/** OpenCommissioningWindow's CommissioningTimeout range (Core 11.19.8.1), as a usage error when outside. */
function parseWindowTimeout(text: string): number {
  const v = parseSmall(0xffff)(text);
  if (v < 180 || v > 900) throw new InvalidArgumentError("the commissioning timeout is 180..900 seconds");
  return v;
}

function parseFabricIndex(text: string): number {
  const v = parseSmall(254)(text);
  if (v < 1) throw new InvalidArgumentError("a fabric index is 1..254");
  return v;
}

/** `parse()` with its argument errors reported as usage errors (exit 2, one line). */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

async function run(
  env: CliEnv,
  admin: Administrator,
  id: bigint,
  action: Action,
  arg: string | undefined,
  o: NodeOptions,
): Promise<void> {
  const out = (text: string, json: unknown) => env.stdout(o.json ? `${toJson(json)}\n` : text);
  switch (action) {
    case "fabrics": {
      const f = await admin.fabrics(id);
      const rows = f.fabrics.map((d) => ({
        fabricIndex: d.fabricIndex,
        vendorId: d.vendorId,
        fabricId: d.fabricId,
        nodeId: d.nodeId,
        label: d.label,
        ours: d.ours,
        rootPublicKeyFingerprint: d.rootFingerprint,
      }));
      const text = [
        `${f.commissionedFabrics} of ${f.supportedFabrics} fabrics; our NOC expires ${f.nocNotAfter.toISOString()}`,
        ...f.fabrics.map(
          (d) =>
            `${d.ours ? "*" : " "} ${d.fabricIndex}\tvendor ${vendorText(d.vendorId)}\tfabric ${hex64(d.fabricId)}\tnode ${hex64(d.nodeId)}\troot ${d.rootFingerprint}\tlabel ${JSON.stringify(d.label)}${d.ours ? "\t(ours)" : ""}`,
        ),
      ].join("\n");
      out(`${text}\n`, {
        supportedFabrics: f.supportedFabrics,
        commissionedFabrics: f.commissionedFabrics,
        nocNotAfter: f.nocNotAfter.toISOString(),
        fabrics: rows,
      });
      return;
    }
    case "remove-fabric": {
      const index = usage(() => parseFabricIndex(arg!));
      await admin.removeFabric(id, index, { confirmLast: o.yes === true });
      out(`removed fabric ${index} from node ${id}\n`, { nodeId: id, removedFabricIndex: index });
      return;
    }
    case "decommission": {
      const r = await admin.decommission(id, { forget: o.forget === true });
      if (!r.removed) {
        env.stderr(
          `warning: node ${id} was not reached: it was dropped from the registry but still holds our fabric\n`,
        );
      }
      const text = r.alreadyRemoved
        ? `node ${id} no longer held our fabric (another administrator removed it); dropped from the registry\n`
        : r.removed
          ? `node ${id} left our fabric and the registry\n`
          : `node ${id} forgotten\n`;
      out(text, { nodeId: id, removed: r.removed, alreadyRemoved: r.alreadyRemoved, forgotten: true });
      return;
    }
    case "label": {
      await admin.label(id, parseLabel(arg!));
      out(`node ${id}: our fabric's label is ${JSON.stringify(arg)}\n`, { nodeId: id, label: arg });
      return;
    }
    case "rotate-noc": {
      const r = await admin.rotateNoc(id, {
        newIcac: o.newIcac === true,
        onStep: (s) => env.stderr(`${s.step.padEnd(26)} ${s.ms.toFixed(1).padStart(8)} ms\n`),
      });
      out(`node ${id} has a new NOC, valid until ${r.nocNotAfter.toISOString()}\n`, {
        nodeId: id,
        nocNotAfter: r.nocNotAfter.toISOString(),
        ms: Math.round(r.steps.reduce((a, s) => a + s.ms, 0)),
      });
      return;
    }
    case "open-window": {
      const w = await admin.openWindow(id, o.timeout === undefined ? {} : { timeoutSeconds: o.timeout });
      out(
        `commissioning window open for ${w.timeoutSeconds} s (discriminator ${w.discriminator})\nmanual pairing code: ${formatManualPairingCode(w.manualPairingCode)}\nQR code: ${w.qrPairingCode}\n${renderQrForTerminal(encodeQrCode(w.qrPairingCode))}\n`,
        {
          manualPairingCode: w.manualPairingCode,
          qrPairingCode: w.qrPairingCode,
          discriminator: w.discriminator,
          timeoutSeconds: w.timeoutSeconds,
        },
      );
      return;
    }
    case "verify-vid": {
      const v = await admin.verifyVid(id, o.fabric === undefined ? {} : { fabricIndex: o.fabric });
      out(
        `fabric ${v.fabricIndex} proves vendor ${vendorText(v.vendorId)} (fabric ${hex64(v.fabricId)})${v.vidVerificationStatement === undefined ? ", no VID Verification Statement" : `, VID Verification Statement ${Buffer.from(v.vidVerificationStatement).toString("hex")}`}\n`,
        {
          fabricIndex: v.fabricIndex,
          vendorId: v.vendorId,
          fabricId: v.fabricId,
          verified: true,
          vidVerificationStatement: v.vidVerificationStatement ?? null,
        },
      );
      return;
    }
    case "read": {
      const path = usage(() => parseAttributePath(arg!));
      const value = await admin.read(id, path);
      // The value as its own anonymous element (in the report it carries AttributeDataIB's Data tag).
      const tlv = encodeTlv({ ...value, tag: ANONYMOUS });
      out(formatTlv(decodeTlv(tlv)), { ...path, tlv: Buffer.from(tlv).toString("hex") });
      return;
    }
    case "on":
    case "off":
    case "toggle": {
      await admin.onOff(id, action, o.endpoint);
      out(`node ${id}: ${action}\n`, { nodeId: id, command: action });
      return;
    }
  }
}
