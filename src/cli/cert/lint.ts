/**
 * `opcreds cert lint CERT [-c CERT]... [-t RCAC]... [--at TIME]`: lists every rule a certificate or chain breaks,
 * one `rule-id: message` line each (warnings marked), exit status 1 when any is an error. With -t the chain rules
 * are checked as validate-cert does (-c/-t repeatable); a root lints on its own; a NOC or ICAC without -t is
 * checked against every rule it can be checked alone, and the chain rules it skipped are listed with the reason.
 */
import type { Command } from "commander";
import { ValidationError } from "../../bytes/errors.ts";
import { lintAlone } from "../../cert/validate.ts";
import { VALIDATION_RULES } from "../../cert/validation-rules.ts";
import { type CliEnv, UsageError } from "../cli-env.ts";
import { collect, parseDateTime } from "../cli-options.ts";
import { loadCert } from "./cert-input.ts";
import { checkCount } from "./validate-cert.ts";
import { formatFinding, lintTarget, selectChain } from "./validate-target.ts";

/** Adds `lint` to `cert`. */
export function addLint(cert: Command, env: CliEnv): void {
  cert
    .command("lint")
    .description("list every validation rule a certificate or chain breaks")
    .argument("<cert>", "certificate to lint (file or string, any encoding)")
    .option("-c, --cert <cert>", "untrusted certificate, usually the ICAC (repeatable)", collect(String))
    .option(
      "-t, --trusted-cert <rcac>",
      "root certificate, RCAC (repeatable); without it a NOC or ICAC is linted alone",
      collect(String),
    )
    .option("--at <time>", "also check validity at this time (ISO 8601 or YYYY-MM-DD [HH:MM:SS] UTC)", parseDateTime)
    .action((arg: string, opts: { cert?: string[]; trustedCert?: string[]; at?: Date }) => {
      const untrustedArgs = opts.cert ?? [];
      const trustedArgs = opts.trustedCert ?? [];
      checkCount(untrustedArgs.length + trustedArgs.length);
      if (untrustedArgs.length > 0 && trustedArgs.length === 0) {
        throw new UsageError("-c adds the chain rules, which end at a root: give -t RCAC as well");
      }
      const target = loadCert(env, arg, "certificate");
      const untrusted = untrustedArgs.map((a, i) => loadCert(env, a, `certificate ${i + 1} (-c)`).cert);
      const trusted = trustedArgs.map((a, i) => loadCert(env, a, `trusted certificate ${i + 1} (-t)`).cert);
      const lines: string[] = [];
      let errors: number;
      if (trusted.length === 0 && target.cert.kind !== "rcac") {
        // Issue-free certificates still say what was (and was not) looked at: a silent exit 0 would overclaim.
        const alone = lintAlone(target.cert, opts.at);
        for (const f of alone.findings) lines.push(formatFinding(f));
        lines.push(`checked ${alone.checked.length} rules on the ${alone.role} alone:`);
        for (const r of alone.checked) {
          const worst =
            alone.findings.find((f) => f.rule === r && f.severity === "error") ??
            alone.findings.find((f) => f.rule === r);
          const mark = worst === undefined ? "ok" : worst.severity === "error" ? "BROKEN" : "warning";
          lines.push(`  ${mark.padEnd(7)} ${r}: ${VALIDATION_RULES[r]}`);
        }
        lines.push(`skipped ${alone.skipped.length} chain rules (give -c/-t for them):`);
        for (const s of alone.skipped) lines.push(`  ${s.rule}: ${s.reason}`);
        errors = alone.findings.filter((f) => f.severity === "error").length;
      } else {
        const { icac, rcac } =
          trusted.length === 0
            ? { icac: untrusted[0], rcac: target.cert }
            : selectChain(target.cert, untrusted, trusted);
        const findings = lintTarget(env.crypto, { target: target.cert, icac, rcac: rcac!, at: opts.at });
        for (const f of findings) lines.push(formatFinding(f));
        errors = findings.filter((f) => f.severity === "error").length;
      }
      if (lines.length > 0) env.stdout(`${lines.join("\n")}\n`);
      if (errors > 0) throw new ValidationError("lint", `${errors} rule(s) broken`);
    });
}
