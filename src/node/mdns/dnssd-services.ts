/**
 * The Matter DNS-SD service model, sans-IO (Core spec 4.3.1 commissionable node discovery, 4.3.2 operational
 * discovery, 4.3.4 common TXT keys): instance names, TXT key/value pairs and subtypes of `_matterc._udp` and
 * `_matter._tcp`, the set of services a node advertises, and the diff between two such sets.
 */
import { MAX_DISCRIMINATOR } from "../../clusters/administrator-commissioning/administrator-commissioning.ts";
import { hex64, operationalInstanceName } from "../../fabric/operational-identity.ts";
import {
  type MrpSessionParameters,
  SESSION_ACTIVE_INTERVAL_DEFAULT_MS,
  SESSION_ACTIVE_THRESHOLD_DEFAULT_MS,
  SESSION_IDLE_INTERVAL_DEFAULT_MS,
} from "../../mrp/mrp-parameters.ts";
import { MATTER_UDP_PORT } from "../udp-transport.ts";

/** Service type of a commissionable node (4.3.1). */
export const COMMISSIONABLE_SERVICE_TYPE = "_matterc._udp";
/** Service type of an operational node (4.3.2); `_tcp` by DNS-SD convention even though Matter runs over UDP. */
export const OPERATIONAL_SERVICE_TYPE = "_matter._tcp";

/** Bytes of randomness in a commissionable instance name (a 64-bit value, 16 uppercase hex digits). */
const COMMISSIONABLE_INSTANCE_NAME_BYTES = 8;
/** Largest DN value in bytes of UTF-8. */
const MAX_DEVICE_NAME_BYTES = 32;
/** Largest PI value in bytes of UTF-8. */
const MAX_PAIRING_INSTRUCTION_BYTES = 128;
/** Largest SII and SAI values (ms): one hour. */
const MAX_SESSION_INTERVAL_MS = 3_600_000;
/** Largest SAT value (ms): a 16-bit number. */
const MAX_SESSION_ACTIVE_THRESHOLD_MS = 0xffff;

/** CM values while a commissioning window is open (4.3.1: 1 = basic, 2 = enhanced commissioning method). */
export const CommissioningMode = { Basic: 1, Enhanced: 2 } as const;
/** An open window's commissioning mode. */
export type CommissioningMode = (typeof CommissioningMode)[keyof typeof CommissioningMode];

/** What a commissionable advertisement says about the node and its open window. */
export interface CommissionableParameters {
  /** 12-bit discriminator (D, `_L`, and its high 4 bits `_S`). */
  readonly discriminator: number;
  /** CM: 1 for a basic window, 2 for an enhanced one. */
  readonly commissioningMode: CommissioningMode;
  readonly vendorId?: number | undefined;
  /** Only with `vendorId` (VP is "VID+PID" or "VID"). */
  readonly productId?: number | undefined;
  /** Primary device type id (DT, `_T`). */
  readonly deviceType?: number | undefined;
  /** DN, at most 32 bytes of UTF-8. */
  readonly deviceName?: string | undefined;
  /** PH bitmap (pairing hint). */
  readonly pairingHint?: number | undefined;
  /** PI, at most 128 bytes of UTF-8. */
  readonly pairingInstruction?: string | undefined;
}

/** The identity an operational advertisement names: matches `OperationalIdentity` of src/fabric. */
export interface AdvertisedOperationalIdentity {
  readonly compressedFabricId: bigint;
  readonly nodeId: bigint;
}

/** One DNS-SD service instance to advertise: what the ciao adapter turns into PTR/SRV/TXT records. */
export interface DnssdService {
  /** `<instanceName>.<serviceType>`: identifies the service across updates. */
  readonly key: string;
  readonly instanceName: string;
  readonly serviceType: typeof COMMISSIONABLE_SERVICE_TYPE | typeof OPERATIONAL_SERVICE_TYPE;
  /** Subtype labels including the leading underscore, e.g. `_L3840`. */
  readonly subtypes: readonly string[];
  /** TXT key/value pairs in the order they are published. */
  readonly txt: readonly (readonly [key: string, value: string])[];
  readonly port: number;
}

/** The changes that turn one set of advertised services into another. */
export interface DnssdServiceDiff {
  /** Services to withdraw (goodbye): gone, or changed in something other than TXT. */
  readonly remove: readonly DnssdService[];
  /** Services to announce: new, or replacing a removed one with the same key. */
  readonly add: readonly DnssdService[];
  /** Services whose TXT alone changed: re-announce the TXT record. */
  readonly updateTxt: readonly DnssdService[];
}

const utf8 = new TextEncoder();

function checkUint(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer in 0..${max}, got ${value}`);
  }
}

function checkUint64(name: string, value: bigint): void {
  if (value < 0n || value > 0xffff_ffff_ffff_ffffn) throw new RangeError(`${name} must be a 64-bit unsigned value`);
}

function checkUtf8(name: string, value: string, maxBytes: number): void {
  const bytes = utf8.encode(value);
  // A lone surrogate would be replaced by U+FFFD on the wire: refuse it rather than publish something else.
  if (new TextDecoder().decode(bytes) !== value) throw new RangeError(`${name} is not well-formed Unicode`);
  const n = bytes.length;
  if (n > maxBytes) throw new RangeError(`${name} is ${n} bytes of UTF-8, at most ${maxBytes} allowed`);
}

/** A fresh commissionable instance name: 64 random bits as 16 uppercase hex digits (new for every window). */
export function commissionableInstanceName(randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(COMMISSIONABLE_INSTANCE_NAME_BYTES);
  if (bytes.length !== COMMISSIONABLE_INSTANCE_NAME_BYTES) {
    throw new RangeError(`randomBytes returned ${bytes.length} bytes, wanted ${COMMISSIONABLE_INSTANCE_NAME_BYTES}`);
  }
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, "0")).join("");
}

/** SII, SAI, SAT and T (4.3.4): the session parameters this node announces, defaults filled in. */
export function commonTxt(session: MrpSessionParameters = {}): [string, string][] {
  const sii = session.sessionIdleInterval ?? SESSION_IDLE_INTERVAL_DEFAULT_MS;
  const sai = session.sessionActiveInterval ?? SESSION_ACTIVE_INTERVAL_DEFAULT_MS;
  const sat = session.sessionActiveThreshold ?? SESSION_ACTIVE_THRESHOLD_DEFAULT_MS;
  // SII and SAI SHALL NOT exceed one hour; SAT is a 16-bit value.
  checkUint("SII", sii, MAX_SESSION_INTERVAL_MS);
  checkUint("SAI", sai, MAX_SESSION_INTERVAL_MS);
  checkUint("SAT", sat, MAX_SESSION_ACTIVE_THRESHOLD_MS);
  // T is a bitmap of TCP roles; this node speaks UDP only, so 0.
  return [
    ["SII", String(sii)],
    ["SAI", String(sai)],
    ["SAT", String(sat)],
    ["T", "0"],
  ];
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 0xffff) throw new RangeError(`port must be 1..65535, got ${port}`);
}

/** The `_matterc._udp` service of an open commissioning window (4.3.1): TXT D, VP, CM, DT, DN, PH, PI + common keys. */
export function commissionableService(
  instanceName: string,
  port: number,
  params: CommissionableParameters,
  session?: MrpSessionParameters,
): DnssdService {
  if (!/^[0-9A-F]{16}$/.test(instanceName))
    throw new RangeError("commissionable instance name must be 16 uppercase hex");
  checkPort(port);
  checkUint("discriminator", params.discriminator, MAX_DISCRIMINATOR);
  if (params.commissioningMode !== CommissioningMode.Basic && params.commissioningMode !== CommissioningMode.Enhanced) {
    throw new RangeError(`commissioningMode must be 1 (basic) or 2 (enhanced), got ${params.commissioningMode}`);
  }
  const txt: [string, string][] = [["D", String(params.discriminator)]];
  const subtypes = [`_L${params.discriminator}`, `_S${params.discriminator >> 8}`];
  if (params.vendorId !== undefined) {
    checkUint("vendorId", params.vendorId, 0xffff);
    if (params.productId !== undefined) checkUint("productId", params.productId, 0xffff);
    txt.push(["VP", params.productId === undefined ? `${params.vendorId}` : `${params.vendorId}+${params.productId}`]);
    subtypes.push(`_V${params.vendorId}`);
  } else if (params.productId !== undefined) {
    // VP carries a product id only after a vendor id.
    throw new TypeError("productId needs vendorId");
  }
  txt.push(["CM", String(params.commissioningMode)]);
  if (params.deviceType !== undefined) {
    checkUint("deviceType", params.deviceType, 0xffff_ffff);
    txt.push(["DT", String(params.deviceType)]);
    subtypes.push(`_T${params.deviceType}`);
  }
  if (params.deviceName !== undefined) {
    checkUtf8("deviceName", params.deviceName, MAX_DEVICE_NAME_BYTES);
    txt.push(["DN", params.deviceName]);
  }
  if (params.pairingHint !== undefined) {
    checkUint("pairingHint", params.pairingHint, 0xffff_ffff);
    txt.push(["PH", String(params.pairingHint)]);
  }
  if (params.pairingInstruction !== undefined) {
    checkUtf8("pairingInstruction", params.pairingInstruction, MAX_PAIRING_INSTRUCTION_BYTES);
    txt.push(["PI", params.pairingInstruction]);
  }
  // The _CM subtype marks a node in commissioning mode; this service exists only while a window is open.
  subtypes.push("_CM");
  txt.push(...commonTxt(session));
  return {
    key: `${instanceName}.${COMMISSIONABLE_SERVICE_TYPE}`,
    instanceName,
    serviceType: COMMISSIONABLE_SERVICE_TYPE,
    subtypes,
    txt,
    port,
  };
}

/** The `_matter._tcp` service of one operational identity (4.3.2): subtype `_I<CFID>`, common TXT keys. */
export function operationalService(
  identity: AdvertisedOperationalIdentity,
  port: number,
  session?: MrpSessionParameters,
): DnssdService {
  checkPort(port);
  checkUint64("compressedFabricId", identity.compressedFabricId);
  checkUint64("nodeId", identity.nodeId);
  // Instance name `<CompressedFabricID>-<NodeID>`, 16 uppercase hex digits each.
  const instanceName = operationalInstanceName(identity.compressedFabricId, identity.nodeId);
  return {
    key: `${instanceName}.${OPERATIONAL_SERVICE_TYPE}`,
    instanceName,
    serviceType: OPERATIONAL_SERVICE_TYPE,
    subtypes: [`_I${hex64(identity.compressedFabricId)}`],
    txt: commonTxt(session),
    port,
  };
}

const sameList = <T>(a: readonly T[], b: readonly T[], eq: (x: T, y: T) => boolean): boolean =>
  a.length === b.length && a.every((x, i) => eq(x, b[i] as T));
const sameTxt = (a: DnssdService, b: DnssdService): boolean =>
  sameList(a.txt, b.txt, (x, y) => x[0] === y[0] && x[1] === y[1]);

/** The changes from `current` to `next`; services are matched by `key`, and neither list may repeat a key. */
export function diffServices(current: readonly DnssdService[], next: readonly DnssdService[]): DnssdServiceDiff {
  const byKey = (list: readonly DnssdService[]): Map<string, DnssdService> => {
    const m = new Map(list.map((s) => [s.key, s]));
    if (m.size !== list.length) throw new RangeError("a service key appears twice");
    return m;
  };
  const cur = byKey(current);
  const nxt = byKey(next);
  const remove: DnssdService[] = [];
  const add: DnssdService[] = [];
  const updateTxt: DnssdService[] = [];
  for (const [key, s] of cur) {
    const n = nxt.get(key);
    if (n === undefined) remove.push(s);
    else if (n.port !== s.port || !sameList(n.subtypes, s.subtypes, (x, y) => x === y)) {
      remove.push(s);
      add.push(n);
    } else if (!sameTxt(s, n)) updateTxt.push(n);
  }
  for (const [key, n] of nxt) if (!cur.has(key)) add.push(n);
  return { remove, add, updateTxt };
}

/** What a node advertises: at most one commissioning window and one operational service per identity. */
export class DnssdAdvertisement {
  readonly port: number;
  readonly session: MrpSessionParameters;
  #window: DnssdService | undefined;
  #operational: DnssdService[] = [];

  constructor(options: { port?: number; session?: MrpSessionParameters } = {}) {
    this.port = options.port ?? MATTER_UDP_PORT;
    checkPort(this.port);
    this.session = options.session ?? {};
    commonTxt(this.session);
  }

  /** Opens (or reopens) a commissioning window under a new random instance name; returns that name. */
  openCommissioningWindow(params: CommissionableParameters, randomBytes: (n: number) => Uint8Array): string {
    const service = commissionableService(commissionableInstanceName(randomBytes), this.port, params, this.session);
    this.#window = service;
    return service.instanceName;
  }

  /** Withdraws the commissionable service. */
  closeCommissioningWindow(): void {
    this.#window = undefined;
  }

  /** The open window's instance name, if any. */
  get commissionableInstanceName(): string | undefined {
    return this.#window?.instanceName;
  }

  /** Replaces the operational identities; the same identity listed twice is advertised once. */
  setOperationalIdentities(identities: readonly AdvertisedOperationalIdentity[]): void {
    const services = new Map<string, DnssdService>();
    for (const id of identities) {
      const s = operationalService(id, this.port, this.session);
      if (!services.has(s.key)) services.set(s.key, s);
    }
    this.#operational = [...services.values()];
  }

  /** Every service to advertise now: the commissionable one first, then the operational ones in input order. */
  services(): DnssdService[] {
    return this.#window === undefined ? [...this.#operational] : [this.#window, ...this.#operational];
  }
}
