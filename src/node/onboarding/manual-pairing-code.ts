/**
 * The Manual Pairing Code (Core spec 5.1.4.1): 11 digits (or 21 with VID and PID, when the custom flow is not
 * Standard). Digit 1 = VID_PID_present << 2 | short discriminator >> 2; digits 2-6 = (short discriminator & 3) << 14 |
 * passcode bits 0-13; digits 7-10 = passcode bits 14-26; [5 digits VID, 5 digits PID]; then a Verhoeff check digit.
 * The short discriminator is the top 4 bits of the 12-bit discriminator. The version (bit 3 of digit 1) is 0.
 */
import { MalformedError } from "../../bytes/errors.ts";
import { isValidPasscode } from "../../sc/pase/pase-verifier.ts";
import { CommissioningFlow } from "./setup-payload.ts";
import { verhoeffCheckDigit, verhoeffValid } from "./verhoeff.ts";

/** What a manual pairing code carries. */
export interface ManualPairingCodeData {
  /** The 4-bit short discriminator (the top 4 bits of the 12-bit discriminator). */
  readonly shortDiscriminator: number;
  readonly passcode: number;
  /** Present in the 21-digit form only. */
  readonly vendorId?: number;
  readonly productId?: number;
}

/** The short discriminator of a 12-bit discriminator (Core 5.1.1.5: its 4 most significant bits). */
export function shortDiscriminator(discriminator: number): number {
  if (!Number.isInteger(discriminator) || discriminator < 0 || discriminator > 0xfff)
    throw new RangeError(`discriminator out of range: ${discriminator}`);
  return discriminator >> 8;
}

/**
 * Encodes the manual pairing code (digits only, no dashes). `vendorId`/`productId` make the 21-digit form, which the
 * spec requires when the commissioning flow is not Standard.
 */
export function encodeManualPairingCode(data: {
  discriminator: number;
  passcode: number;
  commissioningFlow?: CommissioningFlow;
  vendorId?: number;
  productId?: number;
}): string {
  if (!isValidPasscode(data.passcode)) throw new RangeError(`invalid passcode: ${data.passcode}`);
  const short = shortDiscriminator(data.discriminator);
  const long = (data.commissioningFlow ?? CommissioningFlow.Standard) !== CommissioningFlow.Standard;
  if (long && (data.vendorId === undefined || data.productId === undefined))
    throw new TypeError("a non-standard commissioning flow needs vendorId and productId in the manual code");
  let code =
    String((long ? 1 << 2 : 0) | (short >> 2)) +
    String(((short & 0x3) << 14) | (data.passcode & 0x3fff)).padStart(5, "0") +
    String(data.passcode >> 14).padStart(4, "0");
  if (long) {
    for (const [name, v] of [
      ["vendorId", data.vendorId],
      ["productId", data.productId],
    ] as const) {
      if (v === undefined || !Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${name}: ${v}`);
      code += String(v).padStart(5, "0");
    }
  }
  return code + String(verhoeffCheckDigit(code));
}

/** Formats an 11-digit code as the spec's readable groups 4-3-4 ("3497-011-2332"); 21 digits as 4-3-4-5-5. */
export function formatManualPairingCode(code: string): string {
  const groups = code.length === 21 ? [4, 3, 4, 5, 5] : [4, 3, 4];
  const out: string[] = [];
  let i = 0;
  for (const g of groups) {
    out.push(code.slice(i, i + g));
    i += g;
  }
  return out.join("-");
}

/** Decodes a manual pairing code (dashes and spaces allowed); a wrong length, check digit or value is a MalformedError. */
export function decodeManualPairingCode(text: string): ManualPairingCodeData {
  const code = text.replace(/[-\s]/g, "");
  const fail = (message: string) => new MalformedError("onboarding.manual-code", message, { path: "manual-code" });
  if (!/^[0-9]+$/.test(code) || (code.length !== 11 && code.length !== 21))
    throw fail(`expected 11 or 21 digits, got ${JSON.stringify(text)}`);
  if (!verhoeffValid(code)) throw fail("check digit mismatch");
  const first = Number(code[0]);
  // Core 5.1.4.1: digit 1 values 8 and 9 (version bit set) are reserved.
  if (first > 7) throw fail(`unsupported version digit ${first}`);
  const long = (first & 0x4) !== 0;
  if (long !== (code.length === 21)) throw fail("VID_PID_present does not match the code length");
  const chunk2 = Number(code.slice(1, 6));
  const chunk3 = Number(code.slice(6, 10));
  if (chunk2 > 0xffff || chunk3 > 0x1fff) throw fail("passcode chunk out of range");
  const short = ((first & 0x3) << 2) | (chunk2 >> 14);
  const passcode = (chunk3 << 14) | (chunk2 & 0x3fff);
  if (!isValidPasscode(passcode)) throw fail(`invalid passcode ${passcode}`);
  if (!long) return { shortDiscriminator: short, passcode };
  const vendorId = Number(code.slice(10, 15));
  const productId = Number(code.slice(15, 20));
  if (vendorId > 0xffff || productId > 0xffff) throw fail("vendor or product id out of range");
  return { shortDiscriminator: short, passcode, vendorId, productId };
}
