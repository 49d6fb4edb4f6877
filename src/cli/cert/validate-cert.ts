/**
 * `opcreds cert validate-cert TARGET [-c ICAC] -t RCAC [--at TIME]`: validates a chain (chip-cert validate-cert;
 * -c untrusted ICAC, -t trusted root). Time defaults to now; bounds are inclusive. The first failing rule is the
 * one stderr line and exit status 1.
 */
import type { Command } from "commander";
import { ValidationError } from "../../bytes/errors.ts";
import { loadCert } from "../cert-input.ts";
import type { CliEnv } from "../cli-env.ts";
import { parseDateTime } from "../cli-options.ts";
import { formatFinding, lintTarget } from "../validate-target.ts";

/** Adds `validate-cert` to `cert`. */
export function addValidateCert(cert: Command, env: CliEnv): void {
  cert
    .command("validate-cert")
    .description("validate an operational certificate chain (NOC, ICAC or RCAC target)")
    .argument("<target>", "certificate to validate (file or string, any encoding)")
    .option("-c, --cert <icac>", "untrusted intermediate (ICAC) certificate")
    .requiredOption("-t, --trusted-cert <rcac>", "trusted root (RCAC) certificate")
    .option("--at <time>", "validation time, ISO 8601 or YYYY-MM-DD [HH:MM:SS] UTC (default: now)", parseDateTime)
    .action((arg: string, opts: { cert?: string; trustedCert: string; at?: Date }) => {
      const target = loadCert(env, arg, "target certificate");
      const icac = opts.cert === undefined ? undefined : loadCert(env, opts.cert, "ICAC (-c)");
      const rcac = loadCert(env, opts.trustedCert, "trusted RCAC (-t)");
      const at = opts.at ?? env.now();
      const findings = lintTarget(env.crypto, { target: target.cert, icac: icac?.cert, rcac: rcac.cert, at });
      const firstError = findings.find((f) => f.severity === "error");
      if (firstError !== undefined) {
        throw new ValidationError(
          firstError.rule,
          `${firstError.cert !== undefined ? `${firstError.cert}: ` : ""}${firstError.message}`,
        );
      }
      const lines = [`valid at ${at.toISOString()}: ${target.cert.kind} ${describe(target.cert)}`];
      for (const f of findings) lines.push(formatFinding(f));
      env.stdout(`${lines.join("\n")}\n`);
    });
}

function describe(c: { nodeId?: bigint; fabricId?: bigint; cats: readonly number[] }): string {
  const parts: string[] = [];
  if (c.nodeId !== undefined) parts.push(`node 0x${c.nodeId.toString(16).toUpperCase().padStart(16, "0")}`);
  if (c.fabricId !== undefined) parts.push(`fabric 0x${c.fabricId.toString(16).toUpperCase().padStart(16, "0")}`);
  if (c.cats.length > 0)
    parts.push(`CATs ${c.cats.map((x) => `0x${x.toString(16).toUpperCase().padStart(8, "0")}`).join(",")}`);
  return parts.join(", ");
}
