/**
 * Option-value parsers shared by the `opcreds cert` subcommands (chip-cert syntax: hex ids with or without `0x`,
 * `YYYY-MM-DD [HH:MM:SS]` dates in UTC). Each throws commander's InvalidArgumentError, reported as a usage error.
 */
import { InvalidArgumentError } from "commander";

/** Parses up to `bits/4` hex digits (optional `0x`) into a bigint. */
export function parseHexBigint(text: string, bits: number): bigint {
  const s = text.startsWith("0x") || text.startsWith("0X") ? text.slice(2) : text;
  if (!/^[0-9a-fA-F]+$/.test(s) || s.length > bits / 4) {
    throw new InvalidArgumentError(`expected up to ${bits / 4} hex digits`);
  }
  return BigInt(`0x${s}`);
}

/** Parses up to `bits/4` hex digits into a number (bits <= 32). */
export function parseHexNumber(text: string, bits: number): number {
  return Number(parseHexBigint(text, bits));
}

/** Parses a non-negative decimal integer no larger than `max`. */
export function parseDecimal(text: string, max: number): number {
  if (!/^[0-9]+$/.test(text)) throw new InvalidArgumentError("expected a non-negative decimal integer");
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n > max) throw new InvalidArgumentError(`must be at most ${max}`);
  return n;
}

/**
 * Parses `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` (chip-cert, UTC) or an ISO 8601 date-time with `Z` or an offset.
 */
export function parseDateTime(text: string): Date {
  const chip = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?$/.exec(text.trim());
  if (chip) {
    const [y, mo, d, h, mi, s] = chip.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as number[];
    const date = new Date(Date.UTC(y!, mo! - 1, d!, h, mi, s));
    if (
      date.getUTCFullYear() !== y ||
      date.getUTCMonth() !== mo! - 1 ||
      date.getUTCDate() !== d ||
      h! > 23 ||
      mi! > 59 ||
      s! > 59
    ) {
      throw new InvalidArgumentError("not a valid calendar date/time");
    }
    return date;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    const date = new Date(text);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new InvalidArgumentError(
    'expected "YYYY-MM-DD [HH:MM:SS]" (UTC) or an ISO 8601 time such as 2021-01-01T00:00:00Z',
  );
}

/** Appends `value` to the list `previous` (repeatable options). */
export function collect<T>(parse: (text: string) => T): (text: string, previous: T[] | undefined) => T[] {
  return (text, previous) => [...(previous ?? []), parse(text)];
}
