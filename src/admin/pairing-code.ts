/**
 * What a commissioner learns from an onboarding code (Core 5.1): the passcode and the long (QR) or short (manual
 * code) discriminator, plus VID/PID when the code carries them. Accepts an 11- or 21-digit manual pairing code
 * (dashes and spaces allowed) or an `MT:` QR payload.
 */
import { MalformedError } from "../bytes/errors.ts";
import { decodeManualPairingCode } from "../node/onboarding/manual-pairing-code.ts";
import { decodeQrCodePayload, QR_CODE_PREFIX } from "../node/onboarding/qr-code-payload.ts";

/** A decoded onboarding code. */
export type PairingCode = {
  readonly passcode: number;
  /** The discriminator the commissioner can look for: 12 bits from a QR payload, 4 bits from a manual code. */
  readonly discriminator: { readonly long: number } | { readonly short: number };
  readonly vendorId?: number;
  readonly productId?: number;
};

/** Decodes `text` as a QR payload (`MT:...`) or a manual pairing code; anything else is a MalformedError. */
export function parsePairingCode(text: string): PairingCode {
  const trimmed = text.trim();
  if (trimmed.toUpperCase().startsWith(QR_CODE_PREFIX)) {
    const p = decodeQrCodePayload(trimmed);
    return {
      passcode: p.passcode,
      discriminator: { long: p.discriminator },
      ...(p.vendorId === 0 ? {} : { vendorId: p.vendorId }),
      ...(p.productId === 0 ? {} : { productId: p.productId }),
    };
  }
  if (!/^[0-9][0-9\s-]*$/.test(trimmed)) {
    throw new MalformedError(
      "onboarding.code",
      `not a pairing code: expected 11 or 21 digits or an MT: QR payload, got ${JSON.stringify(text)}`,
    );
  }
  const m = decodeManualPairingCode(trimmed);
  return {
    passcode: m.passcode,
    discriminator: { short: m.shortDiscriminator },
    ...(m.vendorId === undefined ? {} : { vendorId: m.vendorId }),
    ...(m.productId === undefined ? {} : { productId: m.productId }),
  };
}
