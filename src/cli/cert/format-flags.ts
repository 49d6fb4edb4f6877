/**
 * The output-format flags of `convert-cert` and `convert-key`: one option per format, named as the format
 * (`--x509-pem`), with chip-cert's letter where it has one (`-p`), and at most one of them given at a time.
 */
import { type Command, Option } from "commander";

/** One format flag: chip-cert's short letter (undefined for our long-only flags), the format, the help text. */
export type FormatFlag<F extends string> = readonly [short: string | undefined, format: F, help: string];

/** Commander's attribute name of a long option (`x509-pubkey-pem` -> `x509PubkeyPem`). */
function attributeName(long: string): string {
  return long.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Adds `-s, --format` for each flag, each conflicting with all the others. */
export function addFormatOptions<F extends string>(cmd: Command, flags: readonly FormatFlag<F>[]): void {
  for (const [short, format, help] of flags) {
    const others = flags.filter(([, f]) => f !== format).map(([, f]) => attributeName(f));
    const names = short === undefined ? `--${format}` : `-${short}, --${format}`;
    cmd.addOption(new Option(names, help).conflicts(others));
  }
}

/** The format whose flag `opts` (commander's parsed options) holds, or `fallback` when none was given. */
export function chosenFormat<F extends string>(
  opts: Record<string, boolean | undefined>,
  flags: readonly FormatFlag<F>[],
  fallback: F,
): F {
  return flags.find(([, format]) => opts[attributeName(format)] === true)?.[1] ?? fallback;
}
