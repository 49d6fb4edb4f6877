/**
 * `opcreds cert convert-key IN OUT`: converts a P-256 key between the formats of chip-cert convert-key
 * (Cmd_ConvertKey.cpp: -p -d -x -P -c -b -e -C -B -E; default chip-b64), plus long-only PKCS#8 outputs.
 */
import { type Command, Option } from "commander";
import type { CliEnv } from "../cli-env.ts";
import { readInput, writeOutput } from "../cli-io.ts";
import { encodeKey, isPublicKeyFormat, KeyFormat, readKey } from "./key-format.ts";

const FLAGS: readonly [string, KeyFormat, string][] = [
  ["-p, --x509-pem", KeyFormat.x509Pem, "private key, SEC1/RFC 5915 PEM"],
  ["-d, --x509-der", KeyFormat.x509Der, "private key, SEC1/RFC 5915 DER"],
  ["-x, --x509-hex", KeyFormat.x509Hex, "private key, SEC1/RFC 5915 DER hex"],
  ["-P, --x509-pubkey-pem", KeyFormat.x509PubkeyPem, "public key, SubjectPublicKeyInfo PEM"],
  ["--pkcs8-pem", KeyFormat.pkcs8Pem, "private key, PKCS#8 PEM"],
  ["--pkcs8-der", KeyFormat.pkcs8Der, "private key, PKCS#8 DER"],
  ["-c, --chip", KeyFormat.chip, "serialized key pair (public || private), raw"],
  ["-b, --chip-b64", KeyFormat.chipB64, "serialized key pair, base64 (default)"],
  ["-e, --chip-hex", KeyFormat.chipHex, "serialized key pair, hex"],
  ["-C, --chip-pubkey", KeyFormat.chipPubkey, "public key, raw 65 bytes"],
  ["-B, --chip-pubkey-b64", KeyFormat.chipPubkeyB64, "public key, base64"],
  ["-E, --chip-pubkey-hex", KeyFormat.chipPubkeyHex, "public key, hex"],
];

/** Adds `convert-key` to `cert`. */
export function addConvertKey(cert: Command, env: CliEnv): void {
  const cmd = cert
    .command("convert-key")
    .description("convert a P-256 private/public key between chip-cert formats")
    .argument(
      "<in>",
      "key file, or the key itself (PEM, DER, hex, base64, serialized key pair, public key), - for stdin",
    )
    .argument("<out>", "output file, - for stdout");
  for (const [flags, format, help] of FLAGS) {
    const others = FLAGS.filter(([, f]) => f !== format).map(([, f]) => camel(f));
    cmd.addOption(new Option(flags, help).conflicts(others));
  }
  cmd.action((input: string, out: string, opts: Record<string, boolean | undefined>) => {
    const format = FLAGS.map(([, f]) => f).find((f) => opts[camel(f)] === true) ?? KeyFormat.chipB64;
    const key = readKey(readInput(env, input, "key"));
    const data = encodeKey(key, format);
    writeOutput(env, out, data, isPublicKeyFormat(format) ? 0o644 : 0o600);
  });
}

/** Commander's attribute name of a long option (`x509-pubkey-pem` -> `x509PubkeyPem`). */
function camel(long: string): string {
  return long.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
