/**
 * `opcreds cert gen-att-cert`: generates a PAA, PAI or DAC (chip-cert Cmd_GenAttCert.cpp flags: -t a|i|d, -c CN,
 * -V VID, -P PID, -a VID/PID as CN, -C/-K CA certificate and key, -k key, -o out, -O out-key, -f valid-from,
 * -l lifetime). Certificates and keys are written as X.509 PEM and SEC1 PEM.
 */
import { type Command, Option } from "commander";
import { bytesEqual } from "../../bytes/bytes.ts";
import { MalformedError } from "../../bytes/errors.ts";
import { generateDac, generatePaa, generatePai } from "../../cert/attestation-cert.ts";
import { type CliEnv, UsageError } from "../cli-env.ts";
import { readInput, writeOutput } from "../cli-io.ts";
import { parseDateTime, parseDecimal, parseHexNumber } from "../cli-options.ts";
import { encodeKey, KeyFormat, readKey } from "./key-format.ts";
import { toPem } from "./text-input.ts";
import { NO_EXPIRATION_LIFETIME_DAYS, validityPeriod } from "./validity.ts";
import { loadX509 } from "./x509-input.ts";

/** X.509 "no well-defined expiration" (RFC 5280 4.1.2.5), used for lifetime 4294967295. */
const NO_EXPIRATION = new Date(Date.UTC(9999, 11, 31, 23, 59, 59));

type GenAttCertOptions = {
  type: "a" | "i" | "d";
  subjectCn: string;
  subjectVid?: number;
  subjectPid?: number;
  vidPidAsCn?: boolean;
  caCert?: string;
  caKey?: string;
  key?: string;
  out: string;
  outKey?: string;
  validFrom?: Date;
  lifetime: number;
};

/** Adds `gen-att-cert` to `cert`. */
export function addGenAttCert(cert: Command, env: CliEnv): void {
  cert
    .command("gen-att-cert")
    .description("generate a device attestation certificate (PAA, PAI or DAC)")
    .addOption(new Option("-t, --type <type>", "a PAA, i PAI, d DAC").choices(["a", "i", "d"]).makeOptionMandatory())
    .requiredOption("-c, --subject-cn <string>", "subject common name")
    .option("-V, --subject-vid <hex>", "vendor id", (s) => parseHexNumber(s, 16))
    .option("-P, --subject-pid <hex>", "product id", (s) => parseHexNumber(s, 16))
    .option(
      "-a, --vid-pid-as-cn",
      "encode VID/PID in the common name (Mvid:FFF1 Mpid:8000) instead of Matter attributes",
    )
    .option("-C, --ca-cert <cert>", "issuing certificate (PAA for a PAI, PAI for a DAC)")
    .option("-K, --ca-key <key>", "issuing private key")
    .option("-k, --key <key>", "subject key; default: generate one")
    .requiredOption("-o, --out <file>", "certificate output (X.509 PEM), - for stdout")
    .option("-O, --out-key <file>", "key output (SEC1 PEM, mode 0600), - for stdout; required without -k")
    .option(
      "-f, --valid-from <date>",
      "start of validity, YYYY-MM-DD [HH:MM:SS] UTC (default: today 00:00:00)",
      parseDateTime,
    )
    .requiredOption("-l, --lifetime <days>", "lifetime in whole days; 4294967295 = no expiration", (s) =>
      parseDecimal(s, NO_EXPIRATION_LIFETIME_DAYS),
    )
    .action((o: GenAttCertOptions) => {
      if (o.key === undefined && o.outKey === undefined)
        throw new UsageError("give the subject key (-k) or a key output (-O)");
      if (o.type === "a" && (o.caCert !== undefined || o.caKey !== undefined))
        throw new UsageError("a PAA is self-signed: do not give -C/-K");
      if (o.type !== "a" && (o.caCert === undefined || o.caKey === undefined))
        throw new UsageError("give the issuing certificate (-C) and key (-K)");
      if (o.type !== "a" && o.subjectVid === undefined) throw new UsageError("a PAI or DAC needs a vendor id (-V)");
      if (o.type === "d" && o.subjectPid === undefined) throw new UsageError("a DAC needs a product id (-P)");
      if (o.type === "a" && o.subjectPid !== undefined) throw new UsageError("a PAA carries no product id (-P)");
      const subjectKey =
        o.key === undefined
          ? { kind: "private" as const, key: env.crypto.generateKeyPair(), format: KeyFormat.x509Pem }
          : readKey(readInput(env, o.key, "key (-k)"));
      const publicKey = subjectKey.kind === "private" ? subjectKey.key.publicKey : subjectKey.key;
      const period = validityPeriod(env.now(), o.validFrom, o.lifetime);
      const spec = {
        commonName: o.subjectCn,
        vidPidEncoding: o.vidPidAsCn === true ? ("common-name" as const) : ("attributes" as const),
        notBefore: period.notBefore,
        notAfter: period.notAfter ?? NO_EXPIRATION,
        serial: serialFrom(env.crypto.randomBytes(8)),
        ...(o.subjectVid === undefined ? {} : { vendorId: o.subjectVid }),
        ...(o.subjectPid === undefined ? {} : { productId: o.subjectPid }),
      };
      let der: Uint8Array;
      if (o.type === "a") {
        if (subjectKey.kind !== "private") throw new UsageError("a self-signed PAA needs its private key (-k)");
        der = generatePaa(env.crypto, subjectKey.key, spec);
      } else {
        const ca = loadX509(env, o.caCert!, "issuing certificate (-C)");
        const caKey = readKey(readInput(env, o.caKey!, "issuing key (-K)"));
        if (caKey.kind !== "private")
          throw new MalformedError("cli.key-format", "issuing key (-K): a private key is needed");
        if (!bytesEqual(caKey.key.publicKey.raw, ca.x509.publicKey)) {
          throw new MalformedError("cli.ca-key-mismatch", "issuing key (-K) does not belong to the certificate (-C)");
        }
        const issuer = { cert: ca.der, key: caKey.key };
        der =
          o.type === "i"
            ? generatePai(env.crypto, publicKey, issuer, { ...spec, vendorId: o.subjectVid! })
            : generateDac(env.crypto, publicKey, issuer, {
                ...spec,
                vendorId: o.subjectVid!,
                productId: o.subjectPid!,
              });
      }
      if (o.outKey !== undefined) writeOutput(env, o.outKey, encodeKey(subjectKey, KeyFormat.x509Pem), 0o600);
      writeOutput(env, o.out, toPem("CERTIFICATE", der));
    });
}

/** A positive 64-bit serial number from 8 random bytes. */
function serialFrom(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  v &= 0x7fff_ffff_ffff_ffffn;
  return v === 0n ? 1n : v;
}
