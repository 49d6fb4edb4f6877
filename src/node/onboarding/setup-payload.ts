/**
 * The onboarding payload content (Core spec 5.1.1): what the QR code and the manual pairing code carry, with the
 * spec's validity rules for the passcode (5.1.1.6) and discriminator (5.1.1.5).
 */
import { MAX_DISCRIMINATOR } from "../../clusters/administrator-commissioning/administrator-commissioning.ts";
import { isValidPasscode } from "../../sc/pase/pase-verifier.ts";

/** Custom flow (5.1.1.4). */
export const CommissioningFlow = { Standard: 0, UserIntent: 1, Custom: 2 } as const;
/** One commissioning flow value. */
export type CommissioningFlow = (typeof CommissioningFlow)[keyof typeof CommissioningFlow];

/** Discovery capabilities bitmask (5.1.1.3): bit 0 SoftAP, bit 1 BLE, bit 2 on IP network, bit 3 Wi-Fi PAF. */
export const DiscoveryCapability = { SoftAP: 1 << 0, BLE: 1 << 1, OnNetwork: 1 << 2, WiFiPAF: 1 << 3 } as const;

/** What a setup payload holds. */
export interface SetupPayload {
  /** 3-bit version; 0 is the only one defined. */
  readonly version: number;
  readonly vendorId: number;
  readonly productId: number;
  readonly commissioningFlow: CommissioningFlow;
  readonly discoveryCapabilities: number;
  /** 12-bit discriminator. */
  readonly discriminator: number;
  /** 27-bit setup passcode. */
  readonly passcode: number;
}

/** Throws a RangeError when the payload's fields are out of their ranges or the passcode is forbidden. */
export function checkSetupPayload(p: SetupPayload): void {
  const inRange = (name: string, v: number, max: number) => {
    if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${name} out of range: ${v}`);
  };
  inRange("version", p.version, 7);
  inRange("vendorId", p.vendorId, 0xffff);
  inRange("productId", p.productId, 0xffff);
  inRange("commissioningFlow", p.commissioningFlow, 2);
  inRange("discoveryCapabilities", p.discoveryCapabilities, 0xff);
  inRange("discriminator", p.discriminator, MAX_DISCRIMINATOR);
  if (!isValidPasscode(p.passcode)) throw new RangeError(`invalid passcode: ${p.passcode}`);
}
