/**
 * `opcreds cert print-cd CD`: prints a CMS-signed Certification Declaration (chip-cert Cmd_PrintCD.cpp): the signer
 * key id, every CD field by name, and the content's TLV dump. With -C the signature is verified first.
 */
import type { Command } from "commander";
import { toHex } from "../../bytes/bytes.ts";
import {
  decodeCertificationDeclaration,
  verifyCertificationDeclaration,
} from "../../cert/certification-declaration.ts";
import { parseCmsSignedData } from "../../cert/cms.ts";
import { P256PublicKey } from "../../crypto/p256.ts";
import { decodeTlv } from "../../tlv/tlv-decoder.ts";
import type { CliEnv } from "../cli-env.ts";
import { writeOutput } from "../cli-io.ts";
import { formatTlv } from "../tlv-text.ts";
import { loadDerBlob, loadX509, subjectKeyIdOf } from "./x509-input.ts";

const hex = (v: number, digits: number) => `0x${v.toString(16).toUpperCase().padStart(digits, "0")}`;

/** Adds `print-cd` to `cert`. */
export function addPrintCd(cert: Command, env: CliEnv): void {
  cert
    .command("print-cd")
    .description("print a CMS-signed Certification Declaration")
    .argument("<cd>", "CD file or string (DER, hex or base64)")
    .option("-C, --cert <cert>", "verify the signature with this CD signing certificate")
    .option("-o, --out <file>", "output file, - for stdout", "-")
    .action((arg: string, opts: { cert?: string; out: string }) => {
      const cms = loadDerBlob(env, arg, "certification declaration");
      const signed = parseCmsSignedData(cms);
      const lines = [`SignerKeyId value: hex:${toHex(signed.signerKeyId).toUpperCase()}`];
      let cd = decodeCertificationDeclaration(signed.eContent);
      if (opts.cert !== undefined) {
        const signer = loadX509(env, opts.cert, "CD signing certificate (-C)");
        cd = verifyCertificationDeclaration(
          env.crypto,
          cms,
          P256PublicKey.fromRaw(signer.x509.publicKey),
          subjectKeyIdOf(signer.x509, "CD signer"),
        );
        lines.push("Signature: verified");
      }
      lines.push(
        `Format Version       : ${cd.formatVersion}`,
        `Vendor Id            : ${hex(cd.vendorId, 4)}`,
        `Product Ids          : ${cd.productIds.map((p) => hex(p, 4)).join(" ")}`,
        `Device Type Id       : ${hex(cd.deviceTypeId, 8)}`,
        `Certificate Id       : ${cd.certificateId}`,
        `Security Level       : ${cd.securityLevel}`,
        `Security Information : ${cd.securityInformation}`,
        `Version Number       : ${cd.versionNumber}`,
        `Certification Type   : ${cd.certificationType}`,
      );
      if (cd.dacOriginVendorId !== undefined) lines.push(`DAC Origin Vendor Id : ${hex(cd.dacOriginVendorId, 4)}`);
      if (cd.dacOriginProductId !== undefined) lines.push(`DAC Origin Product Id: ${hex(cd.dacOriginProductId, 4)}`);
      for (const paa of cd.authorizedPaaList ?? []) lines.push(`Authorized PAA SKID  : ${toHex(paa).toUpperCase()}`);
      lines.push("Content TLV:");
      writeOutput(env, opts.out, `${lines.join("\n")}\n${formatTlv(decodeTlv(signed.eContent, { path: "cd" }))}`);
    });
}
