/**
 * Configuration of the commissionable device node: the onboarding values (Core spec 5.1: passcode, 12-bit
 * discriminator, VID/PID), where its state lives, the UDP port, the mDNS interfaces, the application endpoints
 * (Core 9.2) and the Basic Information values (Core 11.1). Validated once here.
 */
import type { AttestationProvider } from "../cert/attestation-provider.ts";
import { MAX_DISCRIMINATOR } from "../clusters/administrator-commissioning/administrator-commissioning.ts";
import { DescriptorCluster } from "../clusters/descriptor/descriptor.ts";
import type { Cluster } from "../im/data-model.ts";
import { isValidPasscode, MAX_PASSCODE } from "../sc/pase/pase-verifier.ts";
import { APPLICATION_CLUSTER_IDS, DEVICE_TYPES, type DeviceTypeName, isDeviceTypeName } from "./device-library.ts";
import type { NodeLogger } from "./node-log.ts";

// The logger's types live in node-log.ts; re-exported for the existing importers.
export type { NodeLogger } from "./node-log.ts";

/** An application endpoint as the node is started with it. */
export interface EndpointDeclaration {
  /** Endpoint id, 1..0xFFFE (0 is the root node, which the node adds itself). */
  readonly id: number;
  /** Its device type; the node builds the server clusters the type requires. */
  readonly deviceType: DeviceTypeName;
  /**
   * The application's own server clusters on this endpoint, beside those of the device type (one object per
   * endpoint: a cluster object carries its attribute-change emitter).
   */
  readonly clusters?: readonly Cluster[];
}

/** Basic Information values a product sets (Core 11.1.5); the rest (VID, PID, UniqueID, ...) the node fills in. */
export interface BasicInformationConfig {
  /** VendorName, at most 32 characters (default "matter-opcreds"). */
  readonly vendorName?: string;
  /** ProductName, at most 32 characters (default "opcreds light"); also the DNS-SD DN key. */
  readonly productName?: string;
  /** SerialNumber, at most 32 characters (absent: the attribute is not served). */
  readonly serialNumber?: string;
  /** HardwareVersion, uint16 (default 1). */
  readonly hardwareVersion?: number;
  /** HardwareVersionString, 1..64 characters (default "1"). */
  readonly hardwareVersionString?: string;
  /** SoftwareVersion, uint32 (default 1). */
  readonly softwareVersion?: number;
  /** SoftwareVersionString, 1..64 characters (default "0.1.0"). */
  readonly softwareVersionString?: string;
}

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
  /** A product's attestation credentials already loaded and checked (see `loadProductAttestation`); wins over the dir. */
  readonly attestation?: AttestationProvider;
  /** The application endpoints (default: an On/Off Light on endpoint 1). */
  readonly endpoints?: readonly EndpointDeclaration[];
  readonly basicInformation?: BasicInformationConfig;
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

/** The application endpoints of `opcreds start`: the bundled On/Off Light. */
export const DEFAULT_ENDPOINTS: readonly EndpointDeclaration[] = [{ id: 1, deviceType: "OnOffLight" }];

/** The Basic Information values of `opcreds start`. */
export const DEFAULT_BASIC_INFORMATION = {
  vendorName: "matter-opcreds",
  productName: "opcreds light",
  hardwareVersion: 1,
  hardwareVersionString: "1",
  softwareVersion: 1,
  softwareVersionString: "0.1.0",
} as const satisfies BasicInformationConfig;

/** Config with every default filled in. */
export type ResolvedDeviceNodeConfig = Required<
  Omit<DeviceNodeConfig, "logger" | "mdns" | "attestationDir" | "attestation" | "basicInformation">
> & {
  readonly mdns: false | { readonly interfaces?: readonly string[] };
  readonly attestationDir: string | undefined;
  readonly attestation: AttestationProvider | undefined;
  readonly basicInformation: Required<Omit<BasicInformationConfig, "serialNumber">> & {
    readonly serialNumber?: string;
  };
  readonly logger: NodeLogger;
};

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
    attestation: config.attestation,
    endpoints: config.endpoints ?? DEFAULT_ENDPOINTS,
    basicInformation: { ...DEFAULT_BASIC_INFORMATION, ...definedOnly(config.basicInformation ?? {}) },
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
  checkEndpoints(r.endpoints);
  checkBasicInformation(r.basicInformation);
  return r;
}

/** `o` without its undefined properties (so that an explicit undefined keeps the default). */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Refuses a malformed endpoint list: TypeError for what is not a declaration, RangeError for a bad value. */
function checkEndpoints(endpoints: readonly EndpointDeclaration[]): void {
  // (not narrowed by Array.isArray, which would turn a readonly array into any[])
  if (!Array.isArray(endpoints as unknown)) throw new TypeError("endpoints must be an array of endpoint declarations");
  if (endpoints.length === 0) throw new RangeError("endpoints must declare at least one application endpoint");
  const seen = new Set<number>();
  for (const [i, e] of endpoints.entries()) {
    if (typeof e !== "object" || e === null) throw new TypeError(`endpoints[${i}] must be an object`);
    if (!Number.isInteger(e.id) || e.id < 1 || e.id > 0xfffe) {
      throw new RangeError(`endpoints[${i}].id must be an integer 1..65534 (0 is the root node), got ${String(e.id)}`);
    }
    if (seen.has(e.id)) throw new RangeError(`endpoints[${i}].id: duplicate endpoint id ${e.id}`);
    seen.add(e.id);
    if (!isDeviceTypeName(e.deviceType)) {
      throw new TypeError(
        `endpoints[${i}].deviceType: unknown device type ${JSON.stringify(e.deviceType)} (known: ${Object.keys(DEVICE_TYPES).join(", ")})`,
      );
    }
    const ids = new Set<number>([DescriptorCluster.id]);
    for (const name of DEVICE_TYPES[e.deviceType].serverClusters) ids.add(APPLICATION_CLUSTER_IDS[name]);
    for (const [j, c] of (e.clusters ?? []).entries()) {
      if (typeof c !== "object" || c === null || typeof c.id !== "number" || !Array.isArray(c.attributes)) {
        throw new TypeError(`endpoints[${i}].clusters[${j}] must be a Cluster (id, attributes, commands, events)`);
      }
      if (ids.has(c.id)) {
        throw new RangeError(
          `endpoints[${i}].clusters[${j}]: cluster 0x${c.id.toString(16).padStart(4, "0")} is already on endpoint ${e.id}`,
        );
      }
      ids.add(c.id);
    }
  }
}

const checkText = (name: string, v: unknown, min: number, max: number): void => {
  if (typeof v !== "string") throw new TypeError(`basicInformation.${name} must be a string`);
  if (v.length < min || v.length > max) {
    throw new RangeError(`basicInformation.${name} must be ${min}..${max} characters, got ${v.length}`);
  }
};

/** Refuses Basic Information values outside their Core 11.1.5 constraints. */
function checkBasicInformation(b: ResolvedDeviceNodeConfig["basicInformation"]): void {
  checkText("vendorName", b.vendorName, 0, 32);
  checkText("productName", b.productName, 0, 32);
  if (b.serialNumber !== undefined) checkText("serialNumber", b.serialNumber, 0, 32);
  checkText("hardwareVersionString", b.hardwareVersionString, 1, 64);
  checkText("softwareVersionString", b.softwareVersionString, 1, 64);
  inRange("basicInformation.hardwareVersion", b.hardwareVersion, 0, 0xffff);
  inRange("basicInformation.softwareVersion", b.softwareVersion, 0, 0xffffffff);
}
