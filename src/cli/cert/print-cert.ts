/** `opcreds cert print-cert CERT`: prints every field of an operational certificate (chip-cert print-cert layout). */
import type { Command } from "commander";
import type { CliEnv } from "../cli-env.ts";
import { writeOutput } from "../cli-io.ts";
import { loadCert } from "./cert-input.ts";
import { formatMatterCert } from "./cert-text.ts";

/** Adds `print-cert` to `cert`. */
export function addPrintCert(cert: Command, env: CliEnv): void {
  cert
    .command("print-cert")
    .description("print an operational certificate in readable form")
    .argument("<cert>", "certificate file or string (X.509 PEM/DER/hex, Matter TLV raw/hex/base64)")
    .option("-o, --out <file>", "output file, - for stdout", "-")
    .action((arg: string, opts: { out: string }) => {
      const loaded = loadCert(env, arg, "certificate");
      writeOutput(env, opts.out, formatMatterCert(loaded.cert, { tlv: loaded.tlv.length, der: loaded.der.length }));
    });
}
