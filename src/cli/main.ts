/**
 * Entry point of the `opcreds` command: the only module that touches `process` (argv, stdin/stdout/stderr, exit
 * status). Everything else receives a CliEnv.
 */
import { existsSync, readFileSync } from "node:fs";
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

process.exitCode = await runCli(
  process.argv.slice(2),
  {
    stdout: (chunk) => process.stdout.write(chunk),
    stderr: (text) => process.stderr.write(text),
    readStdin: () => new Uint8Array(readFileSync(0)),
    now: () => new Date(),
    crypto: nodeCrypto,
    cwd: process.cwd(),
  },
  packageVersion(),
);
