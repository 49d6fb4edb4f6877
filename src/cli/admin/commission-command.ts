/**
 * `opcreds admin init`, `opcreds commission CODE` and `opcreds nodes`: the administrator's fabric, commissioning a
 * device onto it (one stderr line per step with its duration, a summary, `--json` on stdout) and the registry.
 */

import { resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { type AdminFabricOptions, Administrator, hex16, vendorText } from "../../admin/administrator.ts";
import { hex64 } from "../../fabric/operational-identity.ts";
import type { CliEnv } from "../cli-env.ts";
import { collect, parseHexBigint } from "../cli-options.ts";
import {
  DEFAULT_ADMIN_DATA,
  dataDirError,
  parseId,
  parseLabel,
  parseSmall,
  revocationFrom,
  toJson,
  trustFrom,
  withAdministrator,
} from "./admin-options.ts";

type InitOptions = { fabricId?: bigint; vendorId?: number; label?: string; icac?: boolean; data: string };
type CommissionOptions = {
  ip?: string;
  port?: number;
  nodeId?: bigint;
  paa?: string[];
  revocationSet?: string;
  data: string;
  json?: boolean;
};

/** A non-zero 64-bit fabric id in hex (Core 2.5.1: fabric id 0 is invalid). */
function parseFabricId(text: string): bigint {
  const v = parseHexBigint(text, 64);
  if (v === 0n) throw new InvalidArgumentError("fabric id 0 is invalid");
  return v;
}

/** A vendor id an administrator may use: 1..0xFFF4 (0 is unspecified, above 0xFFF4 reserved; Core 2.5.2). */
function parseVendorId(text: string): number {
  const v = parseSmall(0xffff)(text);
  if (v === 0 || v > 0xfff4)
    throw new InvalidArgumentError("a vendor id is 1..0xFFF4 (0 is unspecified, 0xFFF5.. reserved)");
  return v;
}

function fabricOptions(o: InitOptions): AdminFabricOptions {
  return {
    ...(o.fabricId === undefined ? {} : { fabricId: o.fabricId }),
    ...(o.vendorId === undefined ? {} : { vendorId: o.vendorId }),
    ...(o.label === undefined ? {} : { label: o.label }),
    ...(o.icac === undefined ? {} : { icac: o.icac }),
  };
}

/** Adds `admin init`, `commission` and `nodes` to the program. */
export function addCommissionCommands(program: Command, env: CliEnv): void {
  const admin = program.command("admin").description("the administrator's own fabric");
  admin
    .command("init")
    .description("create the administrator's fabric (root CA, optional ICAC, IPK, its own node id)")
    .option("--fabric-id <hex>", "fabric id (hex, default random)", parseFabricId)
    .option("--vendor-id <id>", "AdminVendorId written with AddNOC (1..0xFFF4, default 0xFFF1)", parseVendorId)
    .option("--label <text>", "fabric label written to every commissioned node (default opcreds)", parseLabel)
    .option("--icac", "issue NOCs from an intermediate CA (default: directly from the root)")
    .option("--data <dir>", "administrator data directory", DEFAULT_ADMIN_DATA)
    .action(async (o: InitOptions) => {
      const dir = resolve(env.cwd, o.data);
      const admin = await Administrator.init({ dataDir: dir, crypto: env.crypto, create: fabricOptions(o) }).catch(
        (e: unknown) => {
          throw dataDirError(o.data, e);
        },
      );
      try {
        const f = admin.fabric;
        env.stdout(
          `fabric ${hex64(f.fabricId)} vendor ${vendorText(f.vendorId)} label ${JSON.stringify(f.label)} administrator node ${f.adminNodeId}${f.icac === null ? "" : " (with ICAC)"} in ${dir}\n`,
        );
      } finally {
        await admin.close();
      }
    });

  program
    .command("commission")
    .description("commission a device onto the administrator's fabric (Core 5.5)")
    .argument("<code>", "11- or 21-digit manual pairing code, or an MT: QR payload")
    .option("--ip <host>", "the device's IP address (default: find it by DNS-SD)")
    .option("--port <n>", "the device's UDP port with --ip", parseSmall(0xffff), 5540)
    .option("--node-id <id>", "node id to give the device (default: the next free one)", parseId)
    .option(
      "--paa <dir>",
      "directory of trusted PAA certificates (repeatable; default: development store)",
      collect(String),
    )
    .option("--revocation-set <file>", "DAC revocation set (JSON) to refuse revoked DACs and PAIs")
    .option("--data <dir>", "administrator data directory", DEFAULT_ADMIN_DATA)
    .option("--json", "print the result as one JSON object on stdout")
    .action(async (code: string, o: CommissionOptions) => {
      const trust = await trustFrom(env, o.paa);
      const revocation = await revocationFrom(env, o.revocationSet);
      const result = await withAdministrator(env, o.data, (admin) =>
        admin.commission(code, {
          ...(o.ip === undefined ? {} : { ip: o.ip, ...(o.port === undefined ? {} : { port: o.port }) }),
          ...(o.nodeId === undefined ? {} : { nodeId: o.nodeId }),
          trust,
          ...(revocation === undefined ? {} : { revocation }),
          onStep: (s) =>
            env.stderr(`${s.step.padEnd(26)} ${s.ms.toFixed(1).padStart(8)} ms${s.detail ? `  ${s.detail}` : ""}\n`),
        }),
      );
      for (const w of [...result.attestation.warnings, ...result.warnings]) env.stderr(`warning: ${w}\n`);
      env.stderr(
        `commissioned node ${result.nodeId} (fabric index ${result.fabricIndex} on the device), vendor ${vendorText(result.vendorId)} product ${hex16(result.productId)}, at ${result.address.address} port ${result.address.port}, in ${Math.round(result.ms)} ms\n`,
      );
      if (o.json) {
        env.stdout(
          `${toJson({
            nodeId: result.nodeId,
            fabricIndex: result.fabricIndex,
            vendorId: result.vendorId,
            productId: result.productId,
            address: result.address.address,
            port: result.address.port,
            ms: Math.round(result.ms),
            steps: result.steps.map((s) => ({ step: s.step, ms: Math.round(s.ms * 10) / 10 })),
          })}\n`,
        );
      }
    });

  program
    .command("nodes")
    .description("the administrator's registry of commissioned nodes")
    .option("--data <dir>", "administrator data directory", DEFAULT_ADMIN_DATA)
    .option("--json", "one JSON array on stdout")
    .action(async (o: { data: string; json?: boolean }) => {
      const nodes = await withAdministrator(env, o.data, (admin) => admin.nodes());
      if (o.json) {
        env.stdout(
          `${toJson(
            nodes.map((n) => ({
              nodeId: n.nodeId,
              fabricIndex: n.fabricIndex,
              vendorId: n.vendorId,
              productId: n.productId,
              label: n.label,
              address: n.address,
              nocNotAfter: n.nocNotAfter.toISOString(),
              commissionedAt: n.commissionedAt.toISOString(),
            })),
          )}\n`,
        );
        return;
      }
      if (nodes.length === 0) env.stdout("no nodes\n");
      for (const n of nodes) {
        env.stdout(
          `node ${n.nodeId}\tfabric index ${n.fabricIndex}\tvendor ${vendorText(n.vendorId)}\tproduct ${hex16(n.productId)}\t${n.address === null ? "no address" : `${n.address.ip} port ${n.address.port}`}\tNOC expires ${n.nocNotAfter.toISOString()}${n.label === "" ? "" : `\tlabel ${JSON.stringify(n.label)}`}\n`,
        );
      }
    });
}
