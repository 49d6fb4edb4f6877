/**
 * `opcreds cert print-tlv IN`: dumps any Matter TLV element (chip-cert Cmd_PrintTLV.cpp): IN is a file (raw TLV,
 * or hex / base64 text) or an inline hex or base64 string.
 */
import type { Command } from "commander";
import { fromBase64, fromHex } from "../../bytes/bytes.ts";
import { MalformedError } from "../../bytes/errors.ts";
import { decodeTlv } from "../../tlv/tlv-decoder.ts";
import type { CliEnv } from "../cli-env.ts";
import { excerpt, readInput, writeOutput } from "../cli-io.ts";
import { formatTlv } from "../tlv-text.ts";
import { asText, isBase64Text, isHexText } from "./text-input.ts";

/** Adds `print-tlv` to `cert`. */
export function addPrintTlv(cert: Command, env: CliEnv): void {
  cert
    .command("print-tlv")
    .description("print a Matter TLV element in readable form")
    .argument("<in>", "TLV file (raw, hex or base64) or an inline hex / base64 string")
    .option("-o, --out <file>", "output file, - for stdout", "-")
    .action((arg: string, opts: { out: string }) => {
      const input = readInput(env, arg, "TLV");
      const text = asText(input.bytes);
      let bytes = input.bytes;
      if (text !== undefined && text.trim().length > 0) {
        const t = text.trim();
        if (isHexText(t)) bytes = fromHex(t);
        else if (isBase64Text(t)) bytes = fromBase64(t);
        else if (input.inline) {
          throw new MalformedError(
            "cli.input",
            `${input.label}: "${excerpt(input)}" is neither a readable file nor hex or base64`,
          );
        }
      }
      writeOutput(env, opts.out, formatTlv(decodeTlv(bytes, { path: "tlv" })));
    });
}
