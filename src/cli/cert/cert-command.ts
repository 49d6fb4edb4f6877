/**
 * `opcreds cert`: the chip-cert tool's subcommands (connectedhomeip src/tools/chip-cert), same names and short flags,
 * plus `lint`.
 */
import type { Command } from "commander";
import type { CliEnv } from "../cli-env.ts";
import { addConvertCert } from "./convert-cert.ts";
import { addConvertKey } from "./convert-key.ts";
import { addGenAttCert } from "./gen-att-cert.ts";
import { addGenCd } from "./gen-cd.ts";
import { addGenCert } from "./gen-cert.ts";
import { addLint } from "./lint.ts";
import { addPrintCd } from "./print-cd.ts";
import { addPrintCert } from "./print-cert.ts";
import { addPrintTlv } from "./print-tlv.ts";
import { addResignCert } from "./resign-cert.ts";
import { addValidateAttCert } from "./validate-att-cert.ts";
import { addValidateCert } from "./validate-cert.ts";
import { addVerifyAttestation } from "./verify-attestation.ts";

/** Adds `cert` and its subcommands to `program`. */
export function addCertCommand(program: Command, env: CliEnv): void {
  const cert = program
    .command("cert")
    .description("generate, convert, validate and print Matter certificates and keys");
  addGenCert(cert, env);
  addConvertCert(cert, env);
  addConvertKey(cert, env);
  addResignCert(cert, env);
  addPrintCert(cert, env);
  addPrintTlv(cert, env);
  addValidateCert(cert, env);
  addLint(cert, env);
  addGenAttCert(cert, env);
  addValidateAttCert(cert, env);
  addGenCd(cert, env);
  addPrintCd(cert, env);
  addVerifyAttestation(cert, env);
}
