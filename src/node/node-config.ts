/**
 * Configuration of the commissionable device node: the onboarding values (Core spec 5.1: passcode, 12-bit
 * discriminator, VID/PID), where its state lives, the UDP port and the mDNS interfaces. Validated once here.
 */
import { isValidPasscode } from "../sc/pase/pase-verifier.ts";

/** Log levels the node prints at (each includes the ones before it). */
export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
/** One log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The node's logger: one line per call. */
export type NodeLogger = (level: LogLevel, message: string) => void;

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
export type ResolvedDeviceNodeConfig = Required<Omit<DeviceNodeConfig, "logger" | "mdns">> & {
  readonly mdns: false | { readonly interfaces?: readonly string[] };
  readonly logger: NodeLogger;
};

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
    logger: config.logger ?? (() => {}),
  };
  if (r.dataDir.length === 0) throw new RangeError("dataDir must not be empty");
  inRange("port", r.port, 0, 0xffff);
  // Core 5.1.7.1: passcodes 00000000, 11111111, ..., 12345678, 87654321 and values above 99999998 are invalid.
  if (!isValidPasscode(r.passcode)) throw new RangeError(`passcode ${r.passcode} is not a valid setup passcode`);
  inRange("discriminator", r.discriminator, 0, MAX_DISCRIMINATOR);
  inRange("vendorId", r.vendorId, 0, 0xfffe);
  inRange("productId", r.productId, 0, 0xffff);
  inRange("supportedFabrics", r.supportedFabrics, 5, 254);
  inRange("failSafeExpirySeconds", r.failSafeExpirySeconds, 1, 0xffff);
  return r;
}
