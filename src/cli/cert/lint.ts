/**
 * `opcreds cert lint CERT [-c ICAC] [-t RCAC] [--at TIME]`: lists every rule a certificate or chain breaks, one
 * `rule-id: message` line each (warnings marked), exit status 1 when any is an error. A root lints on its own;
 * other certificates need their root (-t).
 */
import type { Command } from "commander";
import { ValidationError } from "../../bytes/errors.ts";
import { loadCert } from "../cert-input.ts";
import { type CliEnv, UsageError } from "../cli-env.ts";
import { parseDateTime } from "../cli-options.ts";
import { formatFinding, lintTarget } from "../validate-target.ts";

/** Adds `lint` to `cert`. */
export function addLint(cert: Command, env: CliEnv): void {
  cert
    .command("lint")
    .description("list every validation rule a certificate or chain breaks")
    .argument("<cert>", "certificate to lint (file or string, any encoding)")
    .option("-c, --cert <icac>", "intermediate (ICAC) certificate")
    .option("-t, --trusted-cert <rcac>", "root (RCAC) certificate; required unless CERT is a root")
    .option("--at <time>", "also check validity at this time (ISO 8601 or YYYY-MM-DD [HH:MM:SS] UTC)", parseDateTime)
    .action((arg: string, opts: { cert?: string; trustedCert?: string; at?: Date }) => {
      const target = loadCert(env, arg, "certificate");
      const icac = opts.cert === undefined ? undefined : loadCert(env, opts.cert, "ICAC (-c)");
      let rcac = target;
      if (opts.trustedCert !== undefined) rcac = loadCert(env, opts.trustedCert, "RCAC (-t)");
      else if (target.cert.kind !== "rcac") {
        throw new UsageError(`a ${target.cert.kind} certificate is linted against its root: give -t RCAC`);
      }
      const findings = lintTarget(env.crypto, { target: target.cert, icac: icac?.cert, rcac: rcac.cert, at: opts.at });
      if (findings.length > 0) env.stdout(`${findings.map(formatFinding).join("\n")}\n`);
      const errors = findings.filter((f) => f.severity === "error").length;
      if (errors > 0) throw new ValidationError("lint", `${errors} rule(s) broken`);
    });
}
