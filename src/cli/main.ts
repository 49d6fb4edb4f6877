/**
 * Entry point of the `opcreds` command: the only module that touches `process` (argv, stdin/stdout/stderr, exit
 * status). Everything else receives a CliEnv.
 */
import { existsSync, readFileSync, readSync } from "node:fs";
import { isatty } from "node:tty";
import { nodeCrypto } from "../crypto/node-crypto.ts";
import { runCli } from "./run-cli.ts";

/** The package's package.json: two levels up from src/cli/ and three from the compiled dist/src/cli/. */
function packageVersion(): string {
  for (const up of ["../../package.json", "../../../package.json"]) {
    const url = new URL(up, import.meta.url);
    if (existsSync(url)) return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
  }
  return "unknown";
}

/** Longest answer line read from the terminal, in bytes (a confirmation is a word). */
const MAX_ANSWER_BYTES = 1024;

/** One line typed at the terminal, or undefined when stdin is not one (or is closed before a newline). */
function readAnswer(prompt: string): string | undefined {
  // isatty, not process.stdin.isTTY: creating process.stdin would switch the descriptor to non-blocking mode.
  if (!isatty(0)) return undefined;
  process.stderr.write(prompt);
  const bytes: number[] = [];
  const one = Buffer.alloc(1);
  while (bytes.length < MAX_ANSWER_BYTES) {
    let n: number;
    try {
      n = readSync(0, one, 0, 1, null);
    } catch {
      return undefined;
    }
    if (n === 0) return undefined;
    if (one[0] === 0x0a) break;
    bytes.push(one[0]!);
  }
  return Buffer.from(bytes).toString("utf8").replace(/\r$/, "");
}

process.exitCode = await runCli(
  process.argv.slice(2),
  {
    stdout: (chunk) => process.stdout.write(chunk),
    stderr: (text) => process.stderr.write(text),
    readStdin: () => new Uint8Array(readFileSync(0)),
    readAnswer,
    now: () => new Date(),
    crypto: nodeCrypto,
    cwd: process.cwd(),
  },
  packageVersion(),
);
