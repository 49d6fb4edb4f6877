/**
 * The package's `matter-opcreds/node` entry point: a Matter device built from a declaration (Core 9.2 node = root
 * endpoint 0, added here, + the declared application endpoints with their device types), its Basic Information
 * (Core 11.1), commissioning parameters (Core 5.1), storage directory and attestation credentials (Core 6.2), with typed
 * fabric / commissioning / attribute events and a setter for application state that subscribers see reported.
 */

import { fromBase64 } from "../bytes/bytes.ts";
import { MalformedError, OpcredsError } from "../bytes/errors.ts";
import { checkAttestationCertFormat } from "../cert/attestation-cert.ts";
import {
  type AttestationProvider,
  checkAttestationFit,
  StaticAttestationProvider,
} from "../cert/attestation-provider.ts";
import { nodeCrypto } from "../crypto/node-crypto.ts";
import { P256PrivateKey } from "../crypto/p256.ts";
import type { ApplicationAttributes } from "./application-endpoint.ts";
import { emitFabricEvents, type FabricEvent, type MatterDeviceEvents } from "./device-events.ts";
import type { DeviceTypeName } from "./device-library.ts";
import { DeviceNode, type Onboarding } from "./device-node.ts";
import {
  type BasicInformationConfig,
  type DeviceNodeConfig,
  type EndpointDeclaration,
  type NodeLogger,
  resolveDeviceNodeConfig,
} from "./node-config.ts";

export type { Cluster } from "../im/data-model.ts";
export type { ApplicationAttributeChange, ApplicationAttributes } from "./application-endpoint.ts";
export type { FabricEvent, MatterDeviceEventName, MatterDeviceEvents } from "./device-events.ts";
export { DEVICE_TYPES, type DeviceTypeName } from "./device-library.ts";
export type { Onboarding } from "./device-node.ts";
export type { BasicInformationConfig, EndpointDeclaration } from "./node-config.ts";
export {
  createNodeLogger,
  type LogFields,
  type LogFilter,
  type LogFormat,
  type LogLevel,
  type LogModule,
  type NodeLogger,
  type NodeLoggerOptions,
  parseLogLevelSpec,
} from "./node-log.ts";

/** The commissioning parameters (Core 5.1): what the pairing codes carry, and where the device listens. */
export interface CommissioningDeclaration {
  /** Setup passcode (default 20202021; Core 5.1.7.1 forbids 00000000, 11111111, ..., 12345678, 87654321). */
  readonly passcode?: number;
  /** 12-bit discriminator (default 3840). */
  readonly discriminator?: number;
  /** Vendor id, 1..0xFFFE (default 0xFFF1, a test vendor); also BasicInformation VendorID. */
  readonly vendorId?: number;
  /** Product id (default 0x8000); also BasicInformation ProductID. */
  readonly productId?: number;
  /** UDP port (default 5540; 0 = any free port, see `MatterDevice.port`). */
  readonly port?: number;
  /** Interfaces to advertise mDNS on (default: all); false: no mDNS advertising. */
  readonly mdnsInterfaces?: readonly string[] | false;
}

/**
 * A product's attestation credentials: a directory (dac.der, dac-key.pem or dac-key.der, pai.der, cd.der) or the
 * bytes (DAC and PAI in DER or PEM, the CMS-signed CD, the DAC key as PEM text or bytes, or DER: SEC1 or PKCS#8).
 * Checked at start: the key is the DAC's, the PAI issued the DAC, and the DAC and CD name the device's VID/PID.
 */
export type AttestationDeclaration =
  | { readonly directory: string }
  | {
      readonly dac: Uint8Array;
      readonly dacKey: Uint8Array | string;
      readonly pai: Uint8Array;
      readonly cd: Uint8Array;
    };

/** What a device is built from. */
export interface DeviceDeclaration {
  /** The storage directory: database, generated development credentials, lock file (created 0700). */
  readonly dataDir: string;
  /** The application endpoints (ids 1..65534) with their device types; the root endpoint 0 is added for you. */
  readonly endpoints: readonly EndpointDeclaration[];
  readonly basicInformation?: BasicInformationConfig;
  readonly commissioning?: CommissioningDeclaration;
  /** Absent: development credentials under the Matter Development PAA, generated in `dataDir` (never ship them). */
  readonly attestation?: AttestationDeclaration;
  /** Receives the node's log lines (default: none). */
  readonly logger?: NodeLogger;
}

const DECLARATION_KEYS = ["dataDir", "endpoints", "basicInformation", "commissioning", "attestation", "logger"];
const COMMISSIONING_KEYS = ["passcode", "discriminator", "vendorId", "productId", "port", "mdnsInterfaces"];
const BASIC_INFORMATION_KEYS = [
  "vendorName",
  "productName",
  "serialNumber",
  "hardwareVersion",
  "hardwareVersionString",
  "softwareVersion",
  "softwareVersionString",
];
const ENDPOINT_KEYS = ["id", "deviceType", "clusters"];

/** Refuses a non-object or a property the declaration does not know (a typo would otherwise be ignored). */
function checkKeys(what: string, value: unknown, known: readonly string[]): void {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new TypeError(`${what} must be an object`);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new TypeError(`${what}.${key}: unknown property (known: ${known.join(", ")})`);
  }
}

/** The node configuration a declaration stands for (the attestation is resolved separately). */
function nodeConfigOf(d: DeviceDeclaration, attestation?: AttestationProvider): DeviceNodeConfig {
  checkKeys("declaration", d, DECLARATION_KEYS);
  if (typeof d.dataDir !== "string") throw new TypeError("declaration.dataDir must be a string (a directory path)");
  if (!Array.isArray(d.endpoints as unknown)) {
    throw new TypeError("declaration.endpoints must be an array of { id, deviceType, clusters? }");
  }
  for (const [i, e] of d.endpoints.entries()) checkKeys(`endpoints[${i}]`, e, ENDPOINT_KEYS);
  const c = d.commissioning ?? {};
  checkKeys("commissioning", c, COMMISSIONING_KEYS);
  if (d.basicInformation !== undefined) checkKeys("basicInformation", d.basicInformation, BASIC_INFORMATION_KEYS);
  const a = d.attestation;
  if (a !== undefined) {
    checkKeys("attestation", a, "directory" in a ? ["directory"] : ["dac", "dacKey", "pai", "cd"]);
    if ("directory" in a) {
      if (typeof a.directory !== "string") throw new TypeError("attestation.directory must be a string");
    } else {
      for (const k of ["dac", "pai", "cd"] as const) {
        if (!(a[k] instanceof Uint8Array)) throw new TypeError(`attestation.${k} must be a Uint8Array (DER)`);
      }
      if (!(a.dacKey instanceof Uint8Array) && typeof a.dacKey !== "string") {
        throw new TypeError("attestation.dacKey must be PEM text or DER bytes");
      }
    }
  }
  if (c.mdnsInterfaces !== undefined && c.mdnsInterfaces !== false && !Array.isArray(c.mdnsInterfaces as unknown)) {
    throw new TypeError("commissioning.mdnsInterfaces must be an array of interface names or false");
  }
  return {
    dataDir: d.dataDir,
    endpoints: d.endpoints,
    ...(d.basicInformation === undefined ? {} : { basicInformation: d.basicInformation }),
    ...(c.passcode === undefined ? {} : { passcode: c.passcode }),
    ...(c.discriminator === undefined ? {} : { discriminator: c.discriminator }),
    ...(c.vendorId === undefined ? {} : { vendorId: c.vendorId }),
    ...(c.productId === undefined ? {} : { productId: c.productId }),
    ...(c.port === undefined ? {} : { port: c.port }),
    mdns: c.mdnsInterfaces === false ? false : c.mdnsInterfaces === undefined ? {} : { interfaces: c.mdnsInterfaces },
    ...(a !== undefined && "directory" in a ? { attestationDir: a.directory } : {}),
    ...(attestation === undefined ? {} : { attestation }),
    ...(d.logger === undefined ? {} : { logger: d.logger }),
  };
}

/**
 * Checks a declaration without starting anything: TypeError for what is not of the declaration's shape (an unknown
 * property, device type or cluster object), RangeError for a value out of its range (passcode, discriminator, a
 * duplicate endpoint id, a name too long), each naming the field.
 */
export function checkDeviceDeclaration(declaration: DeviceDeclaration): void {
  resolveDeviceNodeConfig(nodeConfigOf(declaration));
}

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("latin1");

/** Runs `f`; a typed error it throws is rethrown as a MalformedError of the same code naming `field`. */
function about<T>(field: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof OpcredsError && !e.message.startsWith(`${field}:`)) {
      throw new MalformedError(e.code, e.message, { path: field }, { cause: e });
    }
    throw e;
  }
}

/** A certificate given as DER bytes or as PEM (its first CERTIFICATE block). */
function certificateDer(bytes: Uint8Array, field: string): Uint8Array {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(latin1(bytes));
  return m === null ? bytes : about(field, () => fromBase64(m[1]!.replace(/\s+/g, "")));
}

/** The attestation credentials given as bytes, checked against each other and the device's VID/PID. */
function attestationFromBytes(
  a: Extract<AttestationDeclaration, { dac: Uint8Array }>,
  device: { vendorId: number; productId: number },
): AttestationProvider {
  const keyText = typeof a.dacKey === "string" ? a.dacKey : latin1(a.dacKey);
  const dacKey = about("attestation.dacKey", () =>
    keyText.includes("-----BEGIN") ? P256PrivateKey.fromPem(keyText) : P256PrivateKey.fromDer(a.dacKey as Uint8Array),
  );
  const dac = certificateDer(a.dac, "attestation.dac");
  const pai = certificateDer(a.pai, "attestation.pai");
  about("attestation.dac", () => checkAttestationCertFormat(dac, "dac"));
  about("attestation.pai", () => checkAttestationCertFormat(pai, "pai"));
  // The formats are checked: what the provider can still refuse is the key (not the DAC's).
  const provider = about(
    "attestation.dacKey",
    () => new StaticAttestationProvider(nodeCrypto, { dac, pai, cd: a.cd, dacKey }),
  );
  checkAttestationFit(nodeCrypto, provider, device, {
    dac: "attestation.dac",
    pai: "attestation.pai",
    cd: "attestation.cd",
  });
  return provider;
}

type Listener<E extends keyof MatterDeviceEvents> = (payload: MatterDeviceEvents[E]) => void;

/** A running Matter device. */
export class MatterDevice {
  readonly #node: DeviceNode;
  readonly #listeners = new Map<keyof MatterDeviceEvents, Set<(payload: never) => void>>();
  readonly #unsubscribe: (() => void)[] = [];

  /** Use `MatterDevice.start`. */
  constructor(node: DeviceNode) {
    this.#node = node;
    const log = node.config.logger;
    const emit = <E extends keyof MatterDeviceEvents>(event: E, payload: MatterDeviceEvents[E]): void => {
      for (const l of [...(this.#listeners.get(event) ?? [])]) {
        try {
          (l as Listener<E>)(payload);
        } catch (e) {
          log("error", `${event} listener: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        }
      }
    };
    this.#unsubscribe.push(emitFabricEvents(node.fabrics, emit));
    this.#unsubscribe.push(node.onCommissioningWindowOpened((kind) => emit("commissioningWindowOpened", { kind })));
    for (const ep of node.applicationEndpoints.values()) {
      this.#unsubscribe.push(ep.onAttributeChange((change) => emit("attributeChanged", change)));
    }
  }

  /**
   * Builds and starts the device: opens (and locks) the storage directory, loads or generates the attestation
   * credentials, binds UDP, advertises over mDNS and opens the commissioning window while it has no fabric.
   */
  static async start(declaration: DeviceDeclaration): Promise<MatterDevice> {
    const base = nodeConfigOf(declaration);
    const resolved = resolveDeviceNodeConfig(base);
    const a = declaration.attestation;
    const attestation =
      a !== undefined && !("directory" in a)
        ? attestationFromBytes(a, { vendorId: resolved.vendorId, productId: resolved.productId })
        : undefined;
    const node = await DeviceNode.start(nodeConfigOf(declaration, attestation));
    return new MatterDevice(node);
  }

  /** Calls `listener` on each `event`; returns the function that removes it. A throwing listener is logged. */
  on<E extends keyof MatterDeviceEvents>(event: E, listener: (payload: MatterDeviceEvents[E]) => void): () => void {
    if (!EVENT_NAMES.includes(event)) {
      throw new TypeError(`unknown device event ${String(event)} (known: ${EVENT_NAMES.join(", ")})`);
    }
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => void set.delete(listener as (payload: never) => void);
  }

  /**
   * Sets application state from the application (a button, a relay read back): the attribute changes as a local
   * control would change it (On/Off: the side effects of an On or Off command) and is reported to subscribers.
   */
  setAttribute<C extends keyof ApplicationAttributes, A extends keyof ApplicationAttributes[C]>(
    endpoint: number,
    cluster: C,
    attribute: A,
    value: ApplicationAttributes[C][A],
  ): void {
    this.#endpoint(endpoint).setAttribute(cluster, attribute, value);
  }

  /** The current value of an application attribute. */
  getAttribute<C extends keyof ApplicationAttributes, A extends keyof ApplicationAttributes[C]>(
    endpoint: number,
    cluster: C,
    attribute: A,
  ): ApplicationAttributes[C][A] {
    return this.#endpoint(endpoint).getAttribute(cluster, attribute);
  }

  /** The application endpoints: id and device type, in declaration order. */
  get endpoints(): readonly { readonly id: number; readonly deviceType: DeviceTypeName }[] {
    return [...this.#node.applicationEndpoints.values()].map((e) => ({ id: e.id, deviceType: e.deviceType }));
  }

  /** The pairing codes (manual pairing code and QR payload) of the device's own passcode. */
  get onboarding(): Onboarding {
    return this.#node.onboarding;
  }

  /** The bound UDP port. */
  get port(): number {
    return this.#node.port;
  }

  /** The kind of commissioning window open now, if any (the device opens a basic one while it has no fabric). */
  get commissioningWindow(): "basic" | "enhanced" | undefined {
    return this.#node.commissioningWindow;
  }

  /** The committed fabrics. */
  get fabrics(): readonly FabricEvent[] {
    return this.#node.fabrics.fabrics().map((f) => ({
      fabricIndex: f.fabricIndex,
      fabricId: f.fabricId,
      nodeId: f.nodeId,
      vendorId: f.vendorId,
      label: f.label,
    }));
  }

  /** The underlying node (sessions, storage, the IM server): for diagnostics and tests, not a stable API. */
  get node(): DeviceNode {
    return this.#node;
  }

  /** Stops the device (ShutDown event, sessions closed, mDNS goodbyes, storage closed); idempotent. */
  async stop(): Promise<void> {
    for (const u of this.#unsubscribe.splice(0)) u();
    await this.#node.stop();
  }

  #endpoint(id: number) {
    const ep = this.#node.applicationEndpoints.get(id);
    if (ep === undefined) {
      throw new RangeError(
        `endpoint ${id} is not an application endpoint of this device (it has: ${[...this.#node.applicationEndpoints.keys()].join(", ")})`,
      );
    }
    return ep;
  }
}

const EVENT_NAMES: readonly string[] = [
  "fabricAdded",
  "fabricUpdated",
  "fabricRemoved",
  "commissioningComplete",
  "commissioningWindowOpened",
  "attributeChanged",
] satisfies (keyof MatterDeviceEvents)[];
