/**
 * Entry point of the `opcreds` command: the only module that touches `process` (argv, stdin/stdout/stderr, exit
 * status). Everything else receives a CliEnv.
 */
import { readFileSync } from "node:fs";
import { nodeCrypto } from "../crypto/node-crypto.ts";
import { runCli } from "./run-cli.ts";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

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
  pkg.version,
);
