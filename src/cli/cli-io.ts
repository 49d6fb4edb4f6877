/**
 * File-or-inline inputs and file-or-stdout outputs of the `opcreds` commands (chip-cert convention: an argument
 * that names a readable file is read from it, otherwise the argument itself is the data; `-` is stdin / stdout).
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { MalformedError, OpcredsError } from "../bytes/errors.ts";
import type { CliEnv } from "./cli-env.ts";

/** Largest input file read (certificates, keys and CDs are a few hundred bytes; this only bounds memory). */
const MAX_INPUT_BYTES = 1 << 20;

/** An input argument resolved to bytes; `inline` is set when the argument itself was the data. */
export type CliInput = { readonly bytes: Uint8Array; readonly label: string; readonly inline: boolean };

/** A file could not be read or written (exit status 1). */
class CliIoError extends OpcredsError {
  constructor(message: string, options?: ErrorOptions) {
    super("cli.io", message, options);
  }
}

/** Resolves `arg` (a file name, `-` for stdin, or the data itself) to bytes; `what` names the input in errors. */
export function readInput(env: CliEnv, arg: string, what: string): CliInput {
  if (arg === "-") return { bytes: env.readStdin(), label: `${what} (stdin)`, inline: false };
  if (arg.length === 0) throw new MalformedError("cli.input", `${what}: empty argument`);
  const path = resolve(env.cwd, arg);
  let isFile = false;
  let isDir = false;
  try {
    const st = statSync(path);
    isFile = st.isFile();
    isDir = st.isDirectory();
  } catch {
    // Not a file: the argument is the data itself (chip-cert reads "file or string").
  }
  if (isDir) throw new CliIoError(`${what}: ${arg} is a directory`);
  if (!isFile) return { bytes: new TextEncoder().encode(arg), label: `${what} (inline argument)`, inline: true };
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new CliIoError(`${what}: cannot read ${arg}: ${(cause as NodeJS.ErrnoException).code ?? "error"}`, { cause });
  }
  if (bytes.length > MAX_INPUT_BYTES) throw new MalformedError("cli.input", `${what}: ${arg} is larger than 1 MiB`);
  return { bytes: new Uint8Array(bytes), label: `${what} (${arg})`, inline: false };
}

/** A short, printable excerpt of an inline argument for error messages. */
export function excerpt(input: CliInput): string {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(input.bytes.subarray(0, 40));
  const clean = text.replace(/[^\x20-\x7e]/g, "?");
  return input.bytes.length > 40 ? `${clean}...` : clean;
}

/** Writes `data` to the file `out` (mode `mode`, default 0644) or to stdout when `out` is `-`. */
export function writeOutput(env: CliEnv, out: string, data: string | Uint8Array, mode = 0o644): void {
  if (out === "-") {
    env.stdout(data);
    return;
  }
  try {
    writeFileSync(resolve(env.cwd, out), data, { mode });
  } catch (cause) {
    throw new CliIoError(`cannot write ${out}: ${(cause as NodeJS.ErrnoException).code ?? "error"}`, { cause });
  }
}
