/**
 * `opcreds cert resign-cert -c CERT -o OUT (-C CA -K KEY | -s -K KEY)`: re-signs an operational certificate with a
 * new CA (chip-cert Cmd_ResignCert.cpp): issuer DN and authority key id become the CA's, everything else is kept.
 * With -s the certificate becomes self-signed (issuer = subject, AKID = SKID). -F picks the output encoding
 * (default: the input's).
 */
import { type Command, Option } from "commander";
import { bytesEqual } from "../../bytes/bytes.ts";
import { MalformedError } from "../../bytes/errors.ts";
import type { Dn } from "../../cert/dn.ts";
import type { MatterCertFields } from "../../cert/matter-cert.ts";
import { decodeMatterCert } from "../../cert/matter-cert-decode.ts";
import { encodeMatterCert } from "../../cert/matter-cert-encode.ts";
import { matterCertToDer, tbsDer } from "../../cert/matter-cert-to-x509.ts";
import { type CliEnv, UsageError } from "../cli-env.ts";
import { readInput, writeOutput } from "../cli-io.ts";
import { CertFormat, encodeCert } from "./cert-format.ts";
import { loadCert } from "./cert-input.ts";
import { readKey } from "./key-format.ts";

/** Adds `resign-cert` to `cert`. */
export function addResignCert(cert: Command, env: CliEnv): void {
  cert
    .command("resign-cert")
    .description("re-sign an operational certificate with a new CA key (or self-sign it)")
    .requiredOption("-c, --cert <cert>", "certificate to re-sign")
    .requiredOption("-o, --out <file>", "output file, - for stdout")
    .option("-C, --ca-cert <cert>", "new issuing CA certificate")
    .requiredOption("-K, --ca-key <key>", "private key to sign with (the CA's, or the certificate's own with -s)")
    .option("-s, --self", "make the certificate self-signed")
    .addOption(
      new Option("-F, --out-format <format>", "output encoding (default: the input's)").choices(
        Object.values(CertFormat),
      ),
    )
    .action(
      (o: { cert: string; out: string; caCert?: string; caKey: string; self?: boolean; outFormat?: CertFormat }) => {
        if ((o.self === true) === (o.caCert !== undefined))
          throw new UsageError("give either the CA certificate (-C) or -s");
        const target = loadCert(env, o.cert, "certificate (-c)");
        const key = readKey(readInput(env, o.caKey, "signing key (-K)"));
        if (key.kind !== "private")
          throw new MalformedError("cli.key-format", "signing key (-K): a private key is needed");
        let issuer: Dn = target.cert.subject;
        let akid = target.cert.subjectKeyId;
        let signerPublic = target.cert.publicKey;
        if (o.caCert !== undefined) {
          const ca = loadCert(env, o.caCert, "CA certificate (-C)");
          issuer = ca.cert.subject;
          akid = ca.cert.subjectKeyId;
          signerPublic = ca.cert.publicKey;
        }
        if (!bytesEqual(key.key.publicKey.raw, signerPublic)) {
          throw new MalformedError(
            "cli.ca-key-mismatch",
            "signing key (-K) does not belong to the signing certificate",
          );
        }
        const extensions = target.cert.extensions.map((e) =>
          e.type === "authorityKeyId" && akid !== undefined ? { type: "authorityKeyId" as const, keyId: akid } : e,
        );
        const fields: MatterCertFields = { ...target.cert, issuer, extensions };
        const tlv = encodeMatterCert({ ...fields, signature: env.crypto.ecdsaSign(key.key, tbsDer(fields)) });
        const resigned = decodeMatterCert(tlv);
        writeOutput(
          env,
          o.out,
          encodeCert(
            o.outFormat ?? target.format,
            () => matterCertToDer(resigned),
            () => tlv,
          ),
        );
      },
    );
}
