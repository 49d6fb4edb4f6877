/**
 * Configuration of the commissionable device node: the onboarding values (Core spec 5.1: passcode, 12-bit
 * discriminator, VID/PID), where its state lives, the UDP port and the mDNS interfaces. Validated once here.
 */
import { isValidPasscode } from "../sc/pase/pase-verifier.ts";
import type { NodeLogger } from "./node-log.ts";

// The logger's types live in node-log.ts; re-exported for the existing importers.
export { LOG_LEVELS, type LogLevel, type NodeLogger } from "./node-log.ts";

/**
 * What a device node is started with. There is no window duration: the node's basic commissioning window stays open
 * while it has no fabric (opened at boot and after the last fabric or a failed commissioning).
 */
export interface DeviceNodeConfig {
  /** Directory holding the database, the attestation credentials and the lock file (created 0700). */
  readonly dataDir: string;
  /** UDP port (default 5540; 0 = ephemeral). */
  readonly port?: number;
  /** Setup passcode (default 20202021). */
  readonly passcode?: number;
  /** 12-bit discriminator (default 3840). */
  readonly discriminator?: number;
  readonly vendorId?: number;
  readonly productId?: number;
  /** mDNS: false disables advertising; otherwise ciao on these interfaces (all when absent). */
  readonly mdns?: false | { readonly interfaces?: readonly string[] };
  /** SupportedFabrics (default 16). */
  readonly supportedFabrics?: number;
  readonly logger?: NodeLogger;
  /**
   * Seconds the fail-safe is armed for when a PASE session is established on the commissioning window (default 60,
   * the SDK's CHIP_DEVICE_CONFIG_FAILSAFE_EXPIRY_LENGTH_SEC); tests pass a shorter one.
   */
  readonly failSafeExpirySeconds?: number;
  /**
   * A product's attestation credentials directory (dac.der, dac-key.pem or dac-key.der, pai.der, cd.der), checked
   * at start against each other and VID/PID; absent: development credentials generated under `dataDir`.
   */
  readonly attestationDir?: string;
}

/** The defaults of `opcreds start`. */
export const DEVICE_DEFAULTS = {
  port: 5540,
  passcode: 20202021,
  discriminator: 3840,
  vendorId: 0xfff1,
  productId: 0x8000,
  supportedFabrics: 16,
  failSafeExpirySeconds: 60,
} as const;

/** MAX_DISCRIMINATOR: the discriminator is 12 bits (Core 5.1.1.5). */
export const MAX_DISCRIMINATOR = 0xfff;

/** Config with every default filled in. */
export type ResolvedDeviceNodeConfig = Required<Omit<DeviceNodeConfig, "logger" | "mdns" | "attestationDir">> & {
  readonly mdns: false | { readonly interfaces?: readonly string[] };
  readonly attestationDir: string | undefined;
  readonly logger: NodeLogger;
};

/** Largest setup passcode (Core spec 5.1.7.1: 27 bits, at most 99999998). */
export const MAX_PASSCODE = 99999998;

/**
 * Why `passcode` may not be used as a setup passcode (Core spec 5.1.7.1), or undefined when it may: out of
 * 1..99999998, all eight digits equal (00000000, 11111111, ...), or 12345678 / 87654321.
 */
export function passcodeProblem(passcode: number): string | undefined {
  if (!Number.isInteger(passcode) || passcode < 0 || passcode > 99999999) return `must be 8 digits, 1..${MAX_PASSCODE}`;
  const digits = passcode.toString().padStart(8, "0");
  if (/^(\d)\1{7}$/.test(digits)) return "all eight digits are the same, which the Matter spec forbids (Core 5.1.7.1)";
  if (digits === "12345678" || digits === "87654321") {
    return "an ascending or descending digit run, which the Matter spec forbids (Core 5.1.7.1)";
  }
  if (passcode > MAX_PASSCODE) return `above ${MAX_PASSCODE}`;
  return undefined;
}

const inRange = (name: string, v: number, min: number, max: number): void => {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be an integer ${min}..${max}`);
};

/** Fills defaults and checks ranges (RangeError naming the option). */
export function resolveDeviceNodeConfig(config: DeviceNodeConfig): ResolvedDeviceNodeConfig {
  const r: ResolvedDeviceNodeConfig = {
    dataDir: config.dataDir,
    port: config.port ?? DEVICE_DEFAULTS.port,
    passcode: config.passcode ?? DEVICE_DEFAULTS.passcode,
    discriminator: config.discriminator ?? DEVICE_DEFAULTS.discriminator,
    vendorId: config.vendorId ?? DEVICE_DEFAULTS.vendorId,
    productId: config.productId ?? DEVICE_DEFAULTS.productId,
    supportedFabrics: config.supportedFabrics ?? DEVICE_DEFAULTS.supportedFabrics,
    failSafeExpirySeconds: config.failSafeExpirySeconds ?? DEVICE_DEFAULTS.failSafeExpirySeconds,
    mdns: config.mdns ?? {},
    attestationDir: config.attestationDir,
    logger: config.logger ?? (() => {}),
  };
  if (r.dataDir.length === 0) throw new RangeError("dataDir must not be empty");
  if (r.attestationDir !== undefined && r.attestationDir.length === 0) {
    throw new RangeError("attestationDir must not be empty");
  }
  inRange("port", r.port, 0, 0xffff);
  // Core 5.1.7.1: passcodes 00000000, 11111111, ..., 12345678, 87654321 and values above 99999998 are invalid.
  if (!isValidPasscode(r.passcode)) {
    throw new RangeError(
      `passcode ${r.passcode} is not a valid setup passcode: ${passcodeProblem(r.passcode) ?? "forbidden"}`,
    );
  }
  inRange("discriminator", r.discriminator, 0, MAX_DISCRIMINATOR);
  // VID 0 is reserved for the Matter standard itself (Core 2.5.2): no product carries it.
  inRange("vendorId", r.vendorId, 1, 0xfffe);
  inRange("productId", r.productId, 0, 0xffff);
  inRange("supportedFabrics", r.supportedFabrics, 5, 254);
  inRange("failSafeExpirySeconds", r.failSafeExpirySeconds, 1, 0xffff);
  return r;
}
