/**
 * `opcreds cert convert-cert IN OUT`: converts an operational certificate between X.509 (PEM, DER, DER hex) and
 * Matter TLV (raw, hex, base64), chip-cert flags -p -d -X -c -x -b (default -b). The form given is kept byte-exact.
 */
import { type Command, Option } from "commander";
import type { CliEnv } from "../cli-env.ts";
import { writeOutput } from "../cli-io.ts";
import { CertFormat, encodeCert } from "./cert-format.ts";
import { loadCert } from "./cert-input.ts";

const FLAGS: readonly [string, string, CertFormat, string][] = [
  ["-p, --x509-pem", "x509Pem", CertFormat.x509Pem, "X.509 PEM"],
  ["-d, --x509-der", "x509Der", CertFormat.x509Der, "X.509 DER"],
  ["-X, --x509-hex", "x509Hex", CertFormat.x509Hex, "X.509 DER, hex"],
  ["-c, --chip", "chip", CertFormat.chip, "Matter TLV, raw"],
  ["-x, --chip-hex", "chipHex", CertFormat.chipHex, "Matter TLV, hex"],
  ["-b, --chip-b64", "chipB64", CertFormat.chipB64, "Matter TLV, base64 (default)"],
];

/** Adds `convert-cert` to `cert`. */
export function addConvertCert(cert: Command, env: CliEnv): void {
  const cmd = cert
    .command("convert-cert")
    .description("convert an operational certificate between X.509 and Matter TLV encodings")
    .argument("<in>", "certificate file or string (X.509 PEM/DER/hex, Matter TLV raw/hex/base64), - for stdin")
    .argument("<out>", "output file, - for stdout");
  for (const [flags, attr, , help] of FLAGS) {
    cmd.addOption(new Option(flags, `output ${help}`).conflicts(FLAGS.filter(([, a]) => a !== attr).map(([, a]) => a)));
  }
  cmd.action((input: string, out: string, opts: Record<string, boolean | undefined>) => {
    const format = FLAGS.find(([, attr]) => opts[attr] === true)?.[2] ?? CertFormat.chipB64;
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
