/**
 * The `opcreds` command tree (commander 14) and its error policy: exit 0 on success, 1 with one stderr line for
 * malformed input or failed validation, 2 for usage errors; never a stack trace. main.ts supplies argv and the env.
 */
import { Command, CommanderError } from "commander";
import { AdminError } from "../admin/admin-error.ts";
import { MalformedError, OpcredsError, ValidationError } from "../bytes/errors.ts";
import { type CliEnv, ExitStatus, UsageError } from "./cli-env.ts";

type AddCommands = (program: Command, env: CliEnv) => void;

/**
 * The top-level commands in help order, each with the module that defines it. A command line that names one loads
 * only that module: `opcreds cert ...` does not load the device node or the administrator (about 0.45 s of CPU per
 * process); the help and an unknown command load them all.
 */
const COMMANDS: readonly { readonly names: readonly string[]; readonly load: () => Promise<AddCommands> }[] = [
  { names: ["cert"], load: async () => (await import("./cert/cert-command.ts")).addCertCommand },
  { names: ["start"], load: async () => (await import("./start.ts")).addStartCommand },
  { names: ["fabrics"], load: async () => (await import("./fabrics.ts")).addFabricsCommand },
  {
    names: ["admin", "commission", "nodes"],
    load: async () => (await import("./admin/commission-command.ts")).addCommissionCommands,
  },
  { names: ["node"], load: async () => (await import("./admin/node-command.ts")).addNodeCommand },
];

/** Runs the command line `argv` (without node and script) and returns the exit status. */
export async function runCli(argv: readonly string[], env: CliEnv, version: string): Promise<ExitStatus> {
  const program = new Command("opcreds")
    .description(
      "Matter Node Operational Credentials toolkit: certificates (chip-cert compatible), a device node and an administrator",
    )
    .version(version, "-v, --version", "print the version and exit")
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => env.stdout(s),
      writeErr: (s) => env.stderr(s),
      outputError: (s, write) => write(oneLine(s)),
    });
  const named = COMMANDS.filter((c) => c.names.includes(argv[0] ?? ""));
  try {
    // Inside the error policy: a command module that fails to load is one stderr line, not an unhandled rejection.
    for (const c of named.length > 0 ? named : COMMANDS) (await c.load())(program, env);
    await program.parseAsync([...argv], { from: "user" });
    return ExitStatus.ok;
  } catch (err) {
    return report(err, env);
  }
}

function report(err: unknown, env: CliEnv): ExitStatus {
  if (err instanceof CommanderError) {
    // Commander has already printed its message (or the help / version text).
    return err.exitCode === 0 ? ExitStatus.ok : ExitStatus.usage;
  }
  if (err instanceof AdminError) {
    // Already "step: reason" (e.g. "AddNOC: NOCResponse TableFull ...").
    env.stderr(oneLine(`error: ${err.message}`));
    return ExitStatus.invalid;
  }
  if (err instanceof UsageError) {
    env.stderr(oneLine(`error: ${err.message}`));
    return ExitStatus.usage;
  }
  if (err instanceof ValidationError) {
    env.stderr(oneLine(`invalid: ${err.message}`));
    return ExitStatus.invalid;
  }
  if (err instanceof MalformedError) {
    env.stderr(oneLine(`malformed: ${err.message} [${err.code}]`));
    return ExitStatus.invalid;
  }
  if (err instanceof OpcredsError) {
    env.stderr(oneLine(`error: ${err.message} [${err.code}]`));
    return ExitStatus.invalid;
  }
  const message = err instanceof Error ? describeError(err) : String(err);
  env.stderr(oneLine(`error: ${message}`));
  return ExitStatus.invalid;
}

/** An unexpected error's class and message, never "Error: Error: ..." (a bare Error or a message that names it). */
function describeError(err: Error): string {
  const message = err.message.replace(/^(?:[A-Za-z]*Error: )+/, "");
  return err.name === "Error" || err.name.length === 0 ? message : `${err.name}: ${message}`;
}

/** `text` on one line (inner newlines folded), ending in a newline. */
function oneLine(text: string): string {
  return `${text.trim().replace(/\s*\n\s*/g, " ")}\n`;
}
