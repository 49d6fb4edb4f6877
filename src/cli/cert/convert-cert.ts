/**
 * `opcreds cert convert-cert IN OUT`: converts an operational certificate between X.509 (PEM, DER, DER hex) and
 * Matter TLV (raw, hex, base64), chip-cert flags -p -d -X -c -x -b (default -b). The form given is kept byte-exact.
 */
import type { Command } from "commander";
import type { CliEnv } from "../cli-env.ts";
import { writeOutput } from "../cli-io.ts";
import { CertFormat, encodeCert } from "./cert-format.ts";
import { loadCert } from "./cert-input.ts";
import { addFormatOptions, chosenFormat, type FormatFlag } from "./format-flags.ts";

const FLAGS: readonly FormatFlag<CertFormat>[] = [
  ["p", CertFormat.x509Pem, "output X.509 PEM"],
  ["d", CertFormat.x509Der, "output X.509 DER"],
  ["X", CertFormat.x509Hex, "output X.509 DER, hex"],
  ["c", CertFormat.chip, "output Matter TLV, raw"],
  ["x", CertFormat.chipHex, "output Matter TLV, hex"],
  ["b", CertFormat.chipB64, "output Matter TLV, base64 (default)"],
];

/** Adds `convert-cert` to `cert`. */
export function addConvertCert(cert: Command, env: CliEnv): void {
  const cmd = cert
    .command("convert-cert")
    .description("convert an operational certificate between X.509 and Matter TLV encodings")
    .argument("<in>", "certificate file or string (X.509 PEM/DER/hex, Matter TLV raw/hex/base64), - for stdin")
    .argument("<out>", "output file, - for stdout");
  addFormatOptions(cmd, FLAGS);
  cmd.action((input: string, out: string, opts: Record<string, boolean | undefined>) => {
    const format = chosenFormat(opts, FLAGS, CertFormat.chipB64);
    const loaded = loadCert(env, input, "certificate");
    writeOutput(
      env,
      out,
      encodeCert(
        format,
        () => loaded.der,
        () => loaded.tlv,
      ),
    );
  });
}
