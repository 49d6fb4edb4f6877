/**
 * `opcreds cert validate-cert TARGET [-c CERT]... -t RCAC [-t RCAC]... [--at TIME]`: validates a chain (chip-cert
 * validate-cert: -c untrusted certificates, usually the ICAC, -t trusted roots, both repeatable up to chip-cert's
 * limit; the path is found by issuer DN and key id). Time defaults to now; bounds are inclusive. The first failing
 * rule is the one stderr line and exit status 1.
 */
import type { Command } from "commander";
import { ValidationError } from "../../bytes/errors.ts";
import { type CliEnv, UsageError } from "../cli-env.ts";
import { collect, parseDateTime } from "../cli-options.ts";
import { loadCert } from "./cert-input.ts";
import { formatFinding, lintTarget, MAX_CHAIN_CERTS, selectChain } from "./validate-target.ts";

/** Adds `validate-cert` to `cert`. */
export function addValidateCert(cert: Command, env: CliEnv): void {
  cert
    .command("validate-cert")
    .description("validate an operational certificate chain (NOC, ICAC or RCAC target)")
    .argument("<target>", "certificate to validate (file or string, any encoding)")
    .option("-c, --cert <cert>", "untrusted certificate, usually the ICAC (repeatable)", collect(String))
    .option("-t, --trusted-cert <rcac>", "trusted root certificate, RCAC (repeatable; at least one)", collect(String))
    .option("--at <time>", "validation time, ISO 8601 or YYYY-MM-DD [HH:MM:SS] UTC (default: now)", parseDateTime)
    .action((arg: string, opts: { cert?: string[]; trustedCert?: string[]; at?: Date }) => {
      const untrustedArgs = opts.cert ?? [];
      const trustedArgs = opts.trustedCert ?? [];
      if (trustedArgs.length === 0) throw new UsageError("give the trusted root certificate (-t RCAC)");
      checkCount(untrustedArgs.length + trustedArgs.length);
      const target = loadCert(env, arg, "target certificate");
      const untrusted = untrustedArgs.map((a, i) => loadCert(env, a, `certificate ${i + 1} (-c)`).cert);
      const trusted = trustedArgs.map((a, i) => loadCert(env, a, `trusted certificate ${i + 1} (-t)`).cert);
      const { icac, rcac } = selectChain(target.cert, untrusted, trusted);
      const at = opts.at ?? env.now();
      const findings = lintTarget(env.crypto, { target: target.cert, icac, rcac: rcac!, at });
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

/** Refuses more -c/-t certificates than chip-cert's certificate set holds. */
export function checkCount(n: number): void {
  if (n > MAX_CHAIN_CERTS) {
    throw new UsageError(`too many certificate files: ${n} -c/-t given, at most ${MAX_CHAIN_CERTS} (as chip-cert)`);
  }
}

function describe(c: { nodeId?: bigint; fabricId?: bigint; cats: readonly number[] }): string {
  const parts: string[] = [];
  if (c.nodeId !== undefined) parts.push(`node 0x${c.nodeId.toString(16).toUpperCase().padStart(16, "0")}`);
  if (c.fabricId !== undefined) parts.push(`fabric 0x${c.fabricId.toString(16).toUpperCase().padStart(16, "0")}`);
  if (c.cats.length > 0)
    parts.push(`CATs ${c.cats.map((x) => `0x${x.toString(16).toUpperCase().padStart(8, "0")}`).join(",")}`);
  return parts.join(", ");
}
