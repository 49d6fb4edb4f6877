/**
 * `opcreds cert verify-attestation --dac F --pai F --cd F [--vid V --pid P] [--paa DIR]... [--revocation-set FILE]`:
 * the commissioner's device attestation checks (cert/device-attestation-verifier.ts, as the SDK's DefaultDACVerifier)
 * offline, on a DAC, PAI and CD taken from a device. Without --paa the development trust store is used.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { toHex } from "../../bytes/bytes.ts";
import {
  type AttestationTrustStore,
  developmentTrustStore,
  loadPaaTrustStore,
} from "../../cert/attestation-trust-store.ts";
import { verifyDeviceAttestation } from "../../cert/device-attestation-verifier.ts";
import { loadRevocationSet } from "../../cert/revocation-set.ts";
import { OID } from "../../der/oids.ts";
import { type CliEnv, UsageError } from "../cli-env.ts";
import { collect, parseHexNumber } from "../cli-options.ts";
import { loadDerBlob, loadX509 } from "./x509-input.ts";

/** The one stderr line printed when no --paa is given. */
export const DEVELOPMENT_STORE_NOTICE =
  "using the development attestation trust store (connectedhomeip test PAAs and CD signer); never for production";

const hex4 = (v: number) => `0x${v.toString(16).toUpperCase().padStart(4, "0")}`;
const CERTIFICATION_TYPES = ["development and test", "provisional", "official"];

type Options = {
  dac: string;
  pai: string;
  cd: string;
  vid?: number;
  pid?: number;
  paa?: string[];
  revocationSet?: string;
};

/** Adds `verify-attestation` to `cert`. */
export function addVerifyAttestation(cert: Command, env: CliEnv): void {
  cert
    .command("verify-attestation")
    .description("verify a device's DAC, PAI and Certification Declaration as a commissioner does")
    .requiredOption("--dac <cert>", "device attestation certificate (X.509 PEM, DER or hex)")
    .requiredOption("--pai <cert>", "product attestation intermediate certificate")
    .requiredOption("--cd <cd>", "CMS-signed Certification Declaration (DER, hex or base64)")
    .option("--vid <hex>", "BasicInformation VendorID (default: the DAC's)", (s) => parseHexNumber(s, 16))
    .option("--pid <hex>", "BasicInformation ProductID (default: the DAC's)", (s) => parseHexNumber(s, 16))
    .option(
      "--paa <dir>",
      "directory of trusted PAA certificates, PEM or DER (repeatable; default: the development store)",
      collect((s: string) => s),
    )
    .option("--revocation-set <file>", "DAC revocation set JSON (connectedhomeip revocation_set format)")
    .action(async (o: Options) => {
      if ((o.vid === undefined) !== (o.pid === undefined)) throw new UsageError("--vid and --pid go together");
      const dac = loadX509(env, o.dac, "DAC (--dac)").der;
      const pai = loadX509(env, o.pai, "PAI (--pai)").der;
      const cd = loadDerBlob(env, o.cd, "certification declaration (--cd)");
      let trust: AttestationTrustStore;
      if (o.paa === undefined) {
        env.stderr(`${DEVELOPMENT_STORE_NOTICE}\n`);
        trust = developmentTrustStore();
      } else {
        trust = await loadPaaTrustStore(o.paa.map((d) => resolve(env.cwd, d)));
      }
      const revocation =
        o.revocationSet === undefined ? undefined : await loadRevocationSet(resolve(env.cwd, o.revocationSet));
      const verified = verifyDeviceAttestation(
        env.crypto,
        { dac, pai, cd, ...(o.vid !== undefined && o.pid !== undefined ? { vendorId: o.vid, productId: o.pid } : {}) },
        { trust, now: env.now(), ...(revocation !== undefined ? { revocation } : {}) },
      );
      const paa = trust.findPaa(verified.paaSubjectKeyId);
      const paaName = paa?.cert.x509.subject.find((r) => r.oid === OID.commonName)?.value ?? paa?.source ?? "?";
      const type = verified.certificationType;
      const lines = [
        `device attestation verified: vendor id ${hex4(verified.vendorId)}, product id ${hex4(verified.productId)}`,
        `PAA: ${paaName} (SKID ${toHex(verified.paaSubjectKeyId).toUpperCase()})${verified.testPaa ? " [public test PAA]" : ""}`,
        `certification type: ${type} (${CERTIFICATION_TYPES[type] ?? "reserved"})`,
        ...verified.warnings.map((w) => `warning: ${w}`),
      ];
      env.stdout(`${lines.join("\n")}\n`);
    });
}
