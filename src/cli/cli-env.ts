/**
 * What a CLI command may touch, passed in by main.ts (the only module that sees `process`): output sinks, the clock
 * and the crypto provider. Commands read and write named files themselves through cli-io.ts.
 */
import { OpcredsError } from "../bytes/errors.ts";
import type { Crypto } from "../crypto/crypto.ts";

/** The environment of one CLI run. */
export type CliEnv = {
  /** Writes to standard output (text or raw bytes, unchanged). */
  readonly stdout: (chunk: string | Uint8Array) => void;
  /** Reads all of standard input (inputs given as `-`). */
  readonly readStdin: () => Uint8Array;
  /**
   * Writes `prompt` to standard error and returns the line then typed at the terminal (without its newline); undefined
   * when standard input is not a terminal (a non-interactive run) or when absent.
   */
  readonly readAnswer?: (prompt: string) => string | undefined;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /** The current time (validation default, gen-cert default start). */
  readonly now: () => Date;
  /** Crypto provider used for key generation and signing. */
  readonly crypto: Crypto;
  /** Directory relative file names resolve against. */
  readonly cwd: string;
};

/** Exit statuses of the `opcreds` command. */
export const ExitStatus = {
  ok: 0,
  /** Malformed input or failed validation. */
  invalid: 1,
  /** Bad command line. */
  usage: 2,
} as const;
/** A value of ExitStatus. */
export type ExitStatus = (typeof ExitStatus)[keyof typeof ExitStatus];

/** A bad command line (missing or contradictory options): exit status 2. */
export class UsageError extends OpcredsError {
  constructor(message: string) {
    super("cli.usage", message);
  }
}
