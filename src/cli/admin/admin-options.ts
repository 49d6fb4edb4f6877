/**
 * What the administrator commands share: `--data DIR` (default ./.opcreds-admin), node and fabric ids typed as
 * decimal or 0x hex, the trust options of commissioning, and opening the Administrator for one command.
 */
import { resolve } from "node:path";
import { InvalidArgumentError } from "commander";
import {
  type AdminFabricOptions,
  Administrator,
  type Administrator as AdministratorType,
  type AttestationTrustStore,
  DEFAULT_ADMIN_DATA_DIR,
  developmentTrustStore,
  loadPaaTrustStore,
  loadRevocationSet,
  type RevocationSet,
} from "../../admin/administrator.ts";
import { DEVELOPMENT_STORE_NOTICE } from "../cert/verify-attestation.ts";
import { type CliEnv, UsageError } from "../cli-env.ts";

/** `--data`'s default as shown in help. */
export const DEFAULT_ADMIN_DATA = `./${DEFAULT_ADMIN_DATA_DIR}`;

/** Parses a 64-bit id given in decimal or with a 0x prefix in hex. */
export function parseId(text: string): bigint {
  const t = text.trim();
  if (!/^(0x[0-9a-f]{1,16}|[0-9]{1,20})$/i.test(t)) {
    throw new InvalidArgumentError(`expected a decimal or 0x-hex 64-bit id, got ${JSON.stringify(text)}`);
  }
  const v = BigInt(t);
  if (v > 0xffff_ffff_ffff_ffffn) throw new InvalidArgumentError(`${text} does not fit in 64 bits`);
  return v;
}

/** Parses a small unsigned integer given in decimal or 0x hex, at most `max`. */
export function parseSmall(max: number): (text: string) => number {
  return (text) => {
    const v = parseId(text);
    if (v > BigInt(max)) throw new InvalidArgumentError(`${text} is above ${max}`);
    return Number(v);
  };
}

/** Parses a UTF-8 label of at most 32 bytes (the fabric label limit, Core 11.18.4.5). */
export function parseLabel(text: string): string {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_LABEL_BYTES)
    throw new UsageError(`label is ${bytes} bytes of UTF-8, at most ${MAX_LABEL_BYTES} allowed`);
  return text;
}

/** A fabric label's limit in UTF-8 bytes. */
const MAX_LABEL_BYTES = 32;

/** Runs `fn` with the Administrator of `data` (created with `create` on first use), closing it afterwards. */
export async function withAdministrator<T>(
  env: CliEnv,
  data: string,
  fn: (admin: AdministratorType) => Promise<T>,
  create?: AdminFabricOptions,
): Promise<T> {
  const admin = await Administrator.open({
    dataDir: resolve(env.cwd, data),
    crypto: env.crypto,
    ...(create === undefined ? {} : { create }),
  }).catch((e: unknown) => {
    throw dataDirError(data, e);
  });
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

/** A file-system failure on the data directory as one line naming it (EEXIST: a file is in the way, EACCES, ...). */
export function dataDirError(data: string, e: unknown): unknown {
  const { code, syscall } = e as NodeJS.ErrnoException;
  // Only the operating system's errors (they carry the failed syscall); the project's own errors pass through.
  if (typeof code !== "string" || typeof syscall !== "string" || !(e instanceof Error)) return e;
  return new UsageError(`--data ${data}: ${code === "EEXIST" || code === "ENOTDIR" ? "not a directory" : e.message}`);
}

/** The trust store `--paa DIR...` names, or the development store (announced on stderr). */
export async function trustFrom(env: CliEnv, paa: readonly string[] | undefined): Promise<AttestationTrustStore> {
  if (paa === undefined || paa.length === 0) {
    env.stderr(`${DEVELOPMENT_STORE_NOTICE}\n`);
    return developmentTrustStore();
  }
  return loadPaaTrustStore(paa.map((d) => resolve(env.cwd, d)));
}

/** The revocation set `--revocation-set FILE` names, if any. */
export async function revocationFrom(env: CliEnv, file: string | undefined): Promise<RevocationSet | undefined> {
  return file === undefined ? undefined : loadRevocationSet(resolve(env.cwd, file));
}

/** `value` as JSON with 64-bit ids as decimal strings and bytes as hex. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v,
  );
}
