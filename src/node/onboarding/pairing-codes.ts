/**
 * The two onboarding codes of a node that is discovered on the IP network with the standard commissioning flow
 * (Core spec 5.1.3 QR code payload, 5.1.4 manual pairing code): what a device prints at start-up and what an
 * administrator hands out after it opened a commissioning window.
 */
import { encodeManualPairingCode } from "./manual-pairing-code.ts";
import { encodeQrCodePayload } from "./qr-code-payload.ts";
import { CommissioningFlow, DiscoveryCapability } from "./setup-payload.ts";

/** The manual pairing code and the QR code payload ("MT:...") of one passcode and discriminator. */
export function onNetworkPairingCodes(device: {
  readonly vendorId: number;
  readonly productId: number;
  readonly discriminator: number;
  readonly passcode: number;
}): { readonly manualPairingCode: string; readonly qrCode: string } {
  const { discriminator, passcode } = device;
  return {
    manualPairingCode: encodeManualPairingCode({ discriminator, passcode }),
    qrCode: encodeQrCodePayload({
      version: 0,
      vendorId: device.vendorId,
      productId: device.productId,
      commissioningFlow: CommissioningFlow.Standard,
      discoveryCapabilities: DiscoveryCapability.OnNetwork,
      discriminator,
      passcode,
    }),
  };
}
