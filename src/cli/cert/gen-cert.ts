/**
 * `opcreds cert gen-cert`: issues a Matter operational certificate (chip-cert Cmd_GenCert.cpp flags): -t r|c|n,
 * -i subject id, -f fabric id, -a CAT (repeatable, up to 3), -c common name, -p path length, -k subject key or
 * -O key output, -C/-K CA certificate and key, -o output, -F format, -V valid-from, -l lifetime in days.
 * chip-cert's firmware-signing type (-t f) and its test-only future extensions (-x, -2) are not offered.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { bytesEqual } from "../../bytes/bytes.ts";
import { MalformedError } from "../../bytes/errors.ts";
import { issueMatterCert } from "../../cert/certificate-authority.ts";
import type { Dn, DnAttribute } from "../../cert/dn.ts";
import { matterCertToDer } from "../../cert/matter-cert-to-x509.ts";
import { isOperationalNodeId, isValidCat, MAX_CATS_PER_NOC } from "../../cert/operational-ids.ts";
import { type CliEnv, UsageError } from "../cli-env.ts";
import { readInput, writeOutput } from "../cli-io.ts";
import { collect, parseDateTime, parseDecimal, parseHexBigint, parseHexNumber } from "../cli-options.ts";
import { CertFormat, encodeCert } from "./cert-format.ts";
import { loadCert } from "./cert-input.ts";
import { encodeKey, KeyFormat, readKey } from "./key-format.ts";
import { NO_EXPIRATION_LIFETIME_DAYS, validityPeriod } from "./validity.ts";

const CERT_TYPES = { r: "rcac", c: "icac", n: "noc" } as const;

/** The key format written with -O for each certificate format (chip-cert pairs them the same way). */
const KEY_FORMAT_FOR: Record<CertFormat, KeyFormat> = {
  "x509-pem": KeyFormat.x509Pem,
  "x509-der": KeyFormat.x509Der,
  "x509-hex": KeyFormat.x509Hex,
  chip: KeyFormat.chip,
  "chip-hex": KeyFormat.chipHex,
  "chip-b64": KeyFormat.chipB64,
};

type GenCertOptions = {
  type: keyof typeof CERT_TYPES;
  subjectChipId: bigint;
  subjectFabId?: bigint;
  subjectCat?: number[];
  subjectCnU?: string;
  pathLenConstraint?: number;
  key?: string;
  caCert?: string;
  caKey?: string;
  out: string;
  outKey?: string;
  outFormat: CertFormat;
  validFrom?: Date;
  lifetime: number;
};

/** Adds `gen-cert` to `cert`. */
export function addGenCert(cert: Command, env: CliEnv): void {
  cert
    .command("gen-cert")
    .description("generate a Matter operational certificate (root, intermediate CA or node)")
    .addOption(
      new Option("-t, --type <type>", "r root, c intermediate CA, n node")
        .choices(Object.keys(CERT_TYPES))
        .makeOptionMandatory(),
    )
    .requiredOption("-i, --subject-chip-id <hex>", "RCAC / ICAC / node id, up to 16 hex digits", (s) =>
      parseHexBigint(s, 64),
    )
    .option("-f, --subject-fab-id <hex>", "fabric id (not 0), up to 16 hex digits", (s) =>
      nonZero(parseHexBigint(s, 64)),
    )
    .option(
      "-a, --subject-cat <hex>",
      "CASE Authenticated Tag, 8 hex digits, version not 0 (repeatable)",
      collect(parseCat),
    )
    .option("-c, --subject-cn-u <string>", "subject common name (UTF8String)")
    .option("-p, --path-len-constraint <int>", "basic constraints path length (CA certificates)", (s) =>
      parseDecimal(s, 255),
    )
    .option("-k, --key <key>", "subject key (private or public; file or string); default: generate one")
    .option("-C, --ca-cert <cert>", "issuing CA certificate (not for -t r)")
    .option("-K, --ca-key <key>", "issuing CA private key")
    .requiredOption("-o, --out <file>", "certificate output file, - for stdout")
    .option("-O, --out-key <file>", "key output file (mode 0600), - for stdout; required without -k")
    .addOption(
      new Option("-F, --out-format <format>", "certificate and key output format")
        .choices(Object.values(CertFormat))
        .default(CertFormat.chipB64),
    )
    .option(
      "-V, --valid-from <date>",
      "start of validity, YYYY-MM-DD [HH:MM:SS] UTC (default: today 00:00:00)",
      parseDateTime,
    )
    .requiredOption("-l, --lifetime <days>", "lifetime in whole days; 4294967295 = no expiration", (s) =>
      parseDecimal(s, NO_EXPIRATION_LIFETIME_DAYS),
    )
    .action((opts: GenCertOptions) => genCert(env, opts));
}

function nonZero(v: bigint): bigint {
  if (v === 0n) throw new InvalidArgumentError("must not be 0");
  return v;
}

function parseCat(s: string): number {
  const cat = parseHexNumber(s, 32);
  if (!isValidCat(cat)) throw new InvalidArgumentError("CAT version (low 16 bits) must not be 0");
  return cat;
}

function genCert(env: CliEnv, o: GenCertOptions): void {
  const role = CERT_TYPES[o.type];
  if (o.key === undefined && o.outKey === undefined)
    throw new UsageError("give the subject key (-k) or a key output (-O)");
  if (role === "rcac" && (o.caCert !== undefined || o.caKey !== undefined)) {
    throw new UsageError("a root certificate is self-signed: do not give -C/-K");
  }
  if (role !== "rcac" && (o.caCert === undefined || o.caKey === undefined)) {
    throw new UsageError("give the CA certificate (-C) and its private key (-K)");
  }
  if (role === "noc") {
    if (!isOperationalNodeId(o.subjectChipId)) throw new UsageError("node id (-i) must be in 1..0xFFFFFFEFFFFFFFFF");
    if (o.subjectFabId === undefined) throw new UsageError("a node certificate needs a fabric id (-f)");
    if (o.pathLenConstraint !== undefined) throw new UsageError("a node certificate takes no path length (-p)");
  } else if (o.subjectCat !== undefined) {
    throw new UsageError("CASE Authenticated Tags (-a) go only into node certificates");
  }
  const cats = o.subjectCat ?? [];
  if (cats.length > MAX_CATS_PER_NOC) throw new UsageError(`at most ${MAX_CATS_PER_NOC} CATs (-a)`);

  const subject: DnAttribute[] = [];
  if (role === "rcac") subject.push({ type: "matterRcacId", value: o.subjectChipId });
  else if (role === "icac") subject.push({ type: "matterIcacId", value: o.subjectChipId });
  else subject.push({ type: "matterNodeId", value: o.subjectChipId });
  if (o.subjectFabId !== undefined) subject.push({ type: "matterFabricId", value: o.subjectFabId });
  if (o.subjectCnU !== undefined) subject.push({ type: "commonName", value: o.subjectCnU, printable: false });
  for (const cat of cats) subject.push({ type: "matterCaseAuthTag", value: cat });

  const subjectKey =
    o.key === undefined
      ? { kind: "private" as const, key: env.crypto.generateKeyPair(), format: KeyFormat.chipB64 }
      : readKey(readInput(env, o.key, "key (-k)"));
  const publicKey = subjectKey.kind === "private" ? subjectKey.key.publicKey : subjectKey.key;

  let issuer: Dn = subject;
  let signerKey = subjectKey.kind === "private" ? subjectKey.key : undefined;
  let authorityKeyId: Uint8Array | undefined;
  if (role !== "rcac") {
    const ca = loadCert(env, o.caCert!, "CA certificate (-C)");
    const caKey = readKey(readInput(env, o.caKey!, "CA key (-K)"));
    if (caKey.kind !== "private")
      throw new MalformedError("cli.key-format", "CA key (-K): a private key is needed to sign");
    if (!bytesEqual(caKey.key.publicKey.raw, ca.cert.publicKey)) {
      throw new MalformedError("cli.ca-key-mismatch", "CA key (-K) does not belong to the CA certificate (-C)");
    }
    if (ca.cert.kind !== "rcac" && ca.cert.kind !== "icac") {
      throw new MalformedError(
        "cli.ca-kind",
        `CA certificate (-C) is a ${ca.cert.kind} certificate, not an RCAC or ICAC`,
      );
    }
    issuer = ca.cert.subject;
    signerKey = caKey.key;
    authorityKeyId = ca.cert.subjectKeyId;
  }
  if (signerKey === undefined)
    throw new UsageError("a self-signed root needs its private key (-k private key, or no -k)");

  const serial = serialFrom(env.crypto.randomBytes(8));
  const issued = issueMatterCert(env.crypto, {
    serial,
    issuer,
    subject,
    validity: validityPeriod(env.now(), o.validFrom, o.lifetime),
    publicKey,
    signerKey,
    ...(authorityKeyId === undefined ? {} : { authorityKeyId }),
    role,
    ...(o.pathLenConstraint === undefined ? {} : { pathLenConstraint: o.pathLenConstraint }),
  });
  const data = encodeCert(
    o.outFormat,
    () => matterCertToDer(issued),
    () => issued.raw,
  );
  if (o.outKey !== undefined) writeOutput(env, o.outKey, encodeKey(subjectKey, KEY_FORMAT_FOR[o.outFormat]), 0o600);
  writeOutput(env, o.out, data);
}

/** A positive 64-bit serial number from 8 random bytes (top bit cleared, never 0). */
function serialFrom(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  v &= 0x7fff_ffff_ffff_ffffn;
  return v === 0n ? 1n : v;
}
