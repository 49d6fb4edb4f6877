/**
 * `opcreds cert gen-cd`: builds and signs a Certification Declaration into its CMS envelope (chip-cert Cmd_GenCD.cpp
 * flags: -K key, -C signer cert, -O out, -f format version, -V vendor id, -p product id (repeatable), -d device type,
 * -c certificate id, -l security level, -i security info, -n version number, -t certification type, -o/-r DAC origin
 * VID/PID, -a authorized PAA certificate (repeatable)). Output is the raw DER CMS message.
 */
import type { Command } from "commander";
import { bytesEqual } from "../../bytes/bytes.ts";
import { MalformedError } from "../../bytes/errors.ts";
import {
  CD_FORMAT_VERSION,
  type CertificationDeclaration,
  signCertificationDeclaration,
} from "../../cert/certification-declaration.ts";
import { type CliEnv, UsageError } from "../cli-env.ts";
import { readInput, writeOutput } from "../cli-io.ts";
import { collect, parseDecimal, parseHexNumber } from "../cli-options.ts";
import { readKey } from "./key-format.ts";
import { loadX509, subjectKeyIdOf } from "./x509-input.ts";

type GenCdOptions = {
  key: string;
  cert: string;
  out: string;
  formatVersion: number;
  vendorId: number;
  productId: number[];
  deviceTypeId: number;
  certificateId: string;
  securityLevel: number;
  securityInfo: number;
  versionNumber: number;
  certificationType: number;
  dacOriginVendorId?: number;
  dacOriginProductId?: number;
  authorizedPaaCert?: string[];
};

const hex16 = (s: string) => parseHexNumber(s, 16);
const hex32 = (s: string) => parseHexNumber(s, 32);
const hex8 = (s: string) => parseHexNumber(s, 8);

/** Adds `gen-cd` to `cert`. */
export function addGenCd(cert: Command, env: CliEnv): void {
  cert
    .command("gen-cd")
    .description("generate a CMS-signed Certification Declaration")
    .requiredOption("-K, --key <key>", "CD signing private key")
    .requiredOption("-C, --cert <cert>", "CD signing certificate (its SKID names the signer)")
    .requiredOption("-O, --out <file>", "output file (DER CMS), - for stdout")
    .option("-f, --format-version <int>", "format version", (s) => parseDecimal(s, 255), CD_FORMAT_VERSION)
    .requiredOption("-V, --vendor-id <hex>", "vendor id", hex16)
    .requiredOption("-p, --product-id <hex>", "product id (repeatable, up to 100)", collect(hex16))
    .requiredOption("-d, --device-type-id <hex>", "device type id", hex32)
    .requiredOption("-c, --certificate-id <string>", "certificate id (19 characters)")
    .option("-l, --security-level <hex>", "security level", hex8, 0)
    .option("-i, --security-info <hex>", "security information", hex16, 0)
    .option("-n, --version-number <hex>", "version number", hex16, 0)
    .option(
      "-t, --certification-type <int>",
      "0 development and test, 1 provisional, 2 official",
      (s) => parseDecimal(s, 2),
      0,
    )
    .option("-o, --dac-origin-vendor-id <hex>", "DAC origin vendor id", hex16)
    .option("-r, --dac-origin-product-id <hex>", "DAC origin product id", hex16)
    .option(
      "-a, --authorized-paa-cert <cert>",
      "authorized PAA certificate (repeatable, up to 10)",
      collect((s) => s),
    )
    .action((o: GenCdOptions) => {
      if ((o.dacOriginVendorId === undefined) !== (o.dacOriginProductId === undefined)) {
        throw new UsageError("give both DAC origin ids (-o and -r) or neither");
      }
      const signer = loadX509(env, o.cert, "CD signing certificate (-C)");
      const key = readKey(readInput(env, o.key, "CD signing key (-K)"));
      if (key.kind !== "private")
        throw new MalformedError("cli.key-format", "CD signing key (-K): a private key is needed");
      if (!bytesEqual(key.key.publicKey.raw, signer.x509.publicKey)) {
        throw new MalformedError("cli.ca-key-mismatch", "CD signing key (-K) does not belong to the certificate (-C)");
      }
      const paas = (o.authorizedPaaCert ?? []).map((a, i) =>
        subjectKeyIdOf(loadX509(env, a, `PAA (-a #${i + 1})`).x509, "PAA"),
      );
      const cd: CertificationDeclaration = {
        formatVersion: o.formatVersion,
        vendorId: o.vendorId,
        productIds: o.productId,
        deviceTypeId: o.deviceTypeId,
        certificateId: o.certificateId,
        securityLevel: o.securityLevel,
        securityInformation: o.securityInfo,
        versionNumber: o.versionNumber,
        certificationType: o.certificationType,
        ...(o.dacOriginVendorId === undefined
          ? {}
          : { dacOriginVendorId: o.dacOriginVendorId, dacOriginProductId: o.dacOriginProductId! }),
        ...(paas.length === 0 ? {} : { authorizedPaaList: paas }),
      };
      let cms: Uint8Array;
      try {
        cms = signCertificationDeclaration(
          env.crypto,
          cd,
          subjectKeyIdOf(signer.x509, "CD signing certificate (-C)"),
          key.key,
        );
      } catch (e) {
        if (e instanceof RangeError) throw new UsageError(e.message);
        throw e;
      }
      writeOutput(env, o.out, cms);
    });
}
