/**
 * The QR code payload (Core spec 5.1.3): "MT:" + base-38 of the 88-bit packed payload, fields packed least
 * significant bit first: version 3, VendorID 16, ProductID 16, custom flow 2, discovery capabilities 8,
 * discriminator 12, passcode 27, padding 4 (zero). Optional TLV data after the 11 bytes is not produced, and is
 * rejected on decode (not supported here).
 */
import { MalformedError } from "../../bytes/errors.ts";
import { isValidPasscode } from "../../sc/pase/pase-verifier.ts";
import { base38Decode, base38Encode } from "./base38.ts";
import { type CommissioningFlow, checkSetupPayload, type SetupPayload } from "./setup-payload.ts";

/** The QR code text prefix (5.1.3). */
export const QR_CODE_PREFIX = "MT:";
/** Bytes of the packed payload without optional TLV data. */
const QR_PAYLOAD_BYTES = 11;

const FIELDS = [
  ["version", 3],
  ["vendorId", 16],
  ["productId", 16],
  ["commissioningFlow", 2],
  ["discoveryCapabilities", 8],
  ["discriminator", 12],
  ["passcode", 27],
] as const;
const PADDING_BITS = 4;

/** Encodes the QR code text ("MT:..."). */
export function encodeQrCodePayload(payload: SetupPayload): string {
  checkSetupPayload(payload);
  const bytes = new Uint8Array(QR_PAYLOAD_BYTES);
  let bit = 0;
  for (const [name, width] of FIELDS) {
    const value = payload[name];
    for (let i = 0; i < width; i++, bit++) if (Math.floor(value / 2 ** i) % 2 === 1) bytes[bit >> 3]! |= 1 << (bit & 7);
  }
  return QR_CODE_PREFIX + base38Encode(bytes);
}

/** Decodes QR code text; a missing prefix, bad base-38, wrong length, nonzero padding or bad value is a MalformedError. */
export function decodeQrCodePayload(text: string): SetupPayload {
  const fail = (message: string) => new MalformedError("onboarding.qr-code", message, { path: "qr-code" });
  if (!text.startsWith(QR_CODE_PREFIX)) throw fail(`missing ${QR_CODE_PREFIX} prefix`);
  const body = text.slice(QR_CODE_PREFIX.length);
  // Core 5.1.3: several payloads may be concatenated with '*'; one device = one payload here.
  if (body.includes("*")) throw fail("concatenated payloads are not supported");
  const bytes = base38Decode(body);
  if (bytes.length !== QR_PAYLOAD_BYTES)
    throw fail(`expected ${QR_PAYLOAD_BYTES} bytes, got ${bytes.length} (optional TLV data is not supported)`);
  let bit = 0;
  const read = (width: number): number => {
    let v = 0;
    for (let i = 0; i < width; i++, bit++) if ((bytes[bit >> 3]! >> (bit & 7)) & 1) v += 2 ** i;
    return v;
  };
  const out: Record<string, number> = {};
  for (const [name, width] of FIELDS) out[name] = read(width);
  if (read(PADDING_BITS) !== 0) throw fail("padding bits are not zero");
  const p = out as unknown as SetupPayload;
  if (p.version !== 0) throw fail(`unsupported version ${p.version}`);
  if (p.commissioningFlow > 2) throw fail(`reserved commissioning flow ${p.commissioningFlow}`);
  if (!isValidPasscode(p.passcode)) throw fail(`invalid passcode ${p.passcode}`);
  return { ...p, commissioningFlow: p.commissioningFlow as CommissioningFlow };
}
