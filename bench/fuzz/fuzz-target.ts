/**
 * What a fuzz target is (a name, a strict decoder and its seeds) and what counts as a failure of one input: an error
 * other than the refusals of src/bytes/errors.ts (MalformedError, ProtocolError, ValidationError and their
 * subclasses). InternalError counts as a failure too: it means a broken invariant, which input must never reach.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { InternalError, OpcredsError } from "../../src/bytes/errors.ts";

/** One decoder under fuzz: `decode` takes untrusted bytes and either returns or throws a refusal. */
export type FuzzTarget = {
  /** Stable name (used by --target and in reproducer file names), e.g. `cert/matter-cert`. */
  readonly name: string;
  readonly decode: (bytes: Uint8Array) => unknown;
  /** Valid (or nearly valid) encodings the mutator starts from; never empty. */
  readonly seeds: readonly Uint8Array[];
};

/** The repository root. */
export const REPO = resolve(import.meta.dirname, "..", "..");

/** True for the errors a decoder may throw on bad input (the project's refusal classes, not InternalError). */
export function isRefusal(error: unknown): boolean {
  return error instanceof OpcredsError && !(error instanceof InternalError);
}

/** Bytes of a hex string (whitespace ignored); RangeError on an odd length or a non-hex digit. */
export function hexBytes(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new RangeError("not a hex string");
  return Uint8Array.from(Buffer.from(clean, "hex"));
}

/** The DER bodies of every PEM block in `text` of the given label (e.g. CERTIFICATE). */
export function pemBodies(text: string, label: string): Uint8Array[] {
  const re = new RegExp(`-----BEGIN ${label}-----([^-]+)-----END ${label}-----`, "g");
  return [...text.matchAll(re)].map((m) => Uint8Array.from(Buffer.from(m[1] ?? "", "base64")));
}

/** Files of test/vectors/<folder> whose names end with `suffix`, read as text. */
export function vectorTexts(folder: string, suffix: string): string[] {
  const dir = join(REPO, "test", "vectors", folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => readFileSync(join(dir, f), "utf8"));
}

/** Every string in a JSON value that is a hex encoding of at least `minBytes` bytes, as bytes. */
export function hexStringsIn(value: unknown, minBytes = 8): Uint8Array[] {
  const out: Uint8Array[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      if (v.length >= minBytes * 2 && v.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(v)) out.push(hexBytes(v));
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "object" && v !== null) Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}
