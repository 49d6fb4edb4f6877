/**
 * `opcreds cert validate-att-cert -d DAC -i PAI -a PAA [--at TIME]`: validates a device attestation chain
 * (chip-cert Cmd_ValidateAttCert.cpp); the time defaults to the DAC's NotBefore, as the SDK does.
 */
import type { Command } from "commander";
import { validateAttestationChain } from "../../cert/attestation-cert.ts";
import type { CliEnv } from "../cli-env.ts";
import { parseDateTime } from "../cli-options.ts";
import { loadX509 } from "./x509-input.ts";

const hex4 = (v: number) => `0x${v.toString(16).toUpperCase().padStart(4, "0")}`;

/** Adds `validate-att-cert` to `cert`. */
export function addValidateAttCert(cert: Command, env: CliEnv): void {
  cert
    .command("validate-att-cert")
    .description("validate a DAC -> PAI -> PAA attestation chain")
    .requiredOption("-d, --dac <cert>", "device attestation certificate (X.509 PEM, DER or hex)")
    .requiredOption("-i, --pai <cert>", "product attestation intermediate certificate")
    .requiredOption("-a, --paa <cert>", "trusted product attestation authority certificate")
    .option("--at <time>", "validation time (default: the DAC's NotBefore)", parseDateTime)
    .action((o: { dac: string; pai: string; paa: string; at?: Date }) => {
      const chain = validateAttestationChain(env.crypto, {
        dac: loadX509(env, o.dac, "DAC (-d)").der,
        pai: loadX509(env, o.pai, "PAI (-i)").der,
        paa: loadX509(env, o.paa, "PAA (-a)").der,
        ...(o.at === undefined ? {} : { at: o.at }),
      });
      env.stdout(`valid attestation chain: vendor id ${hex4(chain.vendorId)}, product id ${hex4(chain.productId)}\n`);
    });
}
