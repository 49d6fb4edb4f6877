/**
 * The onboarding payload content (Core spec 5.1.1): what the QR code and the manual pairing code carry, with the
 * spec's validity rules for the passcode (5.1.1.6) and discriminator (5.1.1.5).
 */
/** Custom flow (5.1.1.4). */
export const CommissioningFlow = { Standard: 0, UserIntent: 1, Custom: 2 } as const;
/** One commissioning flow value. */
export type CommissioningFlow = (typeof CommissioningFlow)[keyof typeof CommissioningFlow];

/** Discovery capabilities bitmask (5.1.1.3): bit 0 SoftAP, bit 1 BLE, bit 2 on IP network, bit 3 Wi-Fi PAF. */
export const DiscoveryCapability = { SoftAP: 1 << 0, BLE: 1 << 1, OnNetwork: 1 << 2, WiFiPAF: 1 << 3 } as const;

/** Largest discriminator (12 bits). */
export const MAX_DISCRIMINATOR = 0xfff;
/** Largest passcode value (5.1.1.6: 0x0000001 to 0x5F5E0FE, i.e. 1..99999998). */
export const MAX_PASSCODE = 99_999_998;
/** Passcodes the spec forbids (5.1.1.6): trivially guessable values. */
export const INVALID_PASSCODES: readonly number[] = [
  0, 11111111, 22222222, 33333333, 44444444, 55555555, 66666666, 77777777, 88888888, 99999999, 12345678, 87654321,
];

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

/** True when `passcode` is allowed by Core 5.1.1.6. */
export function isValidPasscode(passcode: number): boolean {
  return (
    Number.isInteger(passcode) && passcode >= 1 && passcode <= MAX_PASSCODE && !INVALID_PASSCODES.includes(passcode)
  );
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
