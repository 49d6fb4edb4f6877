/**
 * `opcreds cert convert-key IN OUT`: converts a P-256 key between the formats of chip-cert convert-key
 * (Cmd_ConvertKey.cpp: -p -d -x -P -c -b -e -C -B -E; default chip-b64), plus long-only PKCS#8 outputs.
 */
import type { Command } from "commander";
import type { CliEnv } from "../cli-env.ts";
import { readInput, writeOutput } from "../cli-io.ts";
import { addFormatOptions, chosenFormat, type FormatFlag } from "./format-flags.ts";
import { encodeKey, isPublicKeyFormat, KeyFormat, readKey } from "./key-format.ts";

const FLAGS: readonly FormatFlag<KeyFormat>[] = [
  ["p", KeyFormat.x509Pem, "private key, SEC1/RFC 5915 PEM"],
  ["d", KeyFormat.x509Der, "private key, SEC1/RFC 5915 DER"],
  ["x", KeyFormat.x509Hex, "private key, SEC1/RFC 5915 DER hex"],
  ["P", KeyFormat.x509PubkeyPem, "public key, SubjectPublicKeyInfo PEM"],
  [undefined, KeyFormat.pkcs8Pem, "private key, PKCS#8 PEM"],
  [undefined, KeyFormat.pkcs8Der, "private key, PKCS#8 DER"],
  ["c", KeyFormat.chip, "serialized key pair (public || private), raw"],
  ["b", KeyFormat.chipB64, "serialized key pair, base64 (default)"],
  ["e", KeyFormat.chipHex, "serialized key pair, hex"],
  ["C", KeyFormat.chipPubkey, "public key, raw 65 bytes"],
  ["B", KeyFormat.chipPubkeyB64, "public key, base64"],
  ["E", KeyFormat.chipPubkeyHex, "public key, hex"],
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
  addFormatOptions(cmd, FLAGS);
  cmd.action((input: string, out: string, opts: Record<string, boolean | undefined>) => {
    const format = chosenFormat(opts, FLAGS, KeyFormat.chipB64);
    const key = readKey(readInput(env, input, "key"));
    const data = encodeKey(key, format);
    writeOutput(env, out, data, isPublicKeyFormat(format) ? 0o644 : 0o600);
  });
}
