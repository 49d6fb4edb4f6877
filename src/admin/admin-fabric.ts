/**
 * The administrator's own fabric (Core spec 6.5 operational certificates, 2.5.1 fabric, 4.17.2 IPK): a CA (root key,
 * RCAC, optional ICAC, serial counter), the fabric id, vendor id and label, the IPK epoch key, and the administrator's
 * own NOC as its CASE identity. Persisted under "admin/" keys; the serial counter is stored before every signature.
 */
import { bigintToBytes, bytesEqual, bytesToBigint, fromHex, toHex } from "../bytes/bytes.ts";
import { MalformedError } from "../bytes/errors.ts";
import { type CaState, CertificateAuthority } from "../cert/certificate-authority.ts";
import { compressedFabricId } from "../cert/compressed-fabric-id.ts";
import type { MatterCert } from "../cert/matter-cert.ts";
import { decodeMatterCert } from "../cert/matter-cert-decode.ts";
import { matterEpochToDate } from "../cert/matter-epoch.ts";
import { isOperationalNodeId } from "../cert/operational-ids.ts";
import { validateChain } from "../cert/validate.ts";
import type { Crypto } from "../crypto/crypto.ts";
import { P256PrivateKey } from "../crypto/p256.ts";
import { type FabricIndex, fabricIndex } from "../fabric/fabric-index.ts";
import { isOperationalVendorId, labelBytes, MAX_FABRIC_LABEL_BYTES } from "../fabric/fabric-record.ts";
import { EPOCH_KEY_BYTES, operationalGroupKey } from "../fabric/group-keys.ts";
import type { CaseFabric } from "../sc/case/case-fabric.ts";
import type { JsonValue, Storage, StorageValue } from "../storage/storage.ts";

/** Default data directory of the administrator, relative to the working directory. */
export const DEFAULT_ADMIN_DATA_DIR = ".opcreds-admin";
/** Default vendor id of the administrator (a test vendor id, Core spec 2.5.2), sent as AddNOC's AdminVendorId. */
export const DEFAULT_ADMIN_VENDOR_ID = 0xfff1;
/** Default fabric label; at most MAX_FABRIC_LABEL_BYTES (32) bytes of UTF-8. */
export const DEFAULT_ADMIN_LABEL = "opcreds";
/** Default node id of the administrator on its fabric (chip-tool's commissioner node id). */
export const DEFAULT_ADMIN_NODE_ID = 112233n;
/** The fabric index of the administrator's own fabric on its side (it holds exactly one fabric). */
export const ADMIN_FABRIC_INDEX: FabricIndex = fabricIndex(1);

/** Storage key of the fabric record (keys, certificates, ids). */
export const ADMIN_FABRIC_KEY = "admin/fabric";
/** Storage key of the CA's next serial number (decimal string), written before each certificate is signed. */
export const ADMIN_NEXT_SERIAL_KEY = "admin/ca/next-serial";

const LARGEST_FABRIC_ID = 0xffff_ffff_ffff_ffffn;
/** Attempts at drawing a random non-zero 64-bit id before giving up (a zero draw has probability 2^-64). */
const RANDOM_ID_ATTEMPTS = 8;

/** How a new administrator fabric is made; every member defaults (random fabric id, 0xFFF1, "opcreds", no ICAC). */
export type AdminFabricOptions = { fabricId?: bigint; vendorId?: number; label?: string; icac?: boolean };

/** A certificate chain issued for a node: Matter TLV certificates and the NOC's NotAfter. */
export type IssuedChain = { rcac: Uint8Array; icac: Uint8Array | null; noc: Uint8Array; nocNotAfter: Date };

/** The options after validation, with defaults applied (fabric id still undefined when it is to be random). */
type CheckedOptions = { fabricId: bigint | undefined; vendorId: number; label: string; icac: boolean };

/** Validates `options` (RangeError/TypeError naming the member) and applies the defaults. */
export function checkAdminFabricOptions(options: AdminFabricOptions = {}): CheckedOptions {
  const { fabricId, vendorId = DEFAULT_ADMIN_VENDOR_ID, label = DEFAULT_ADMIN_LABEL, icac = false } = options;
  if (fabricId !== undefined) {
    if (typeof fabricId !== "bigint") throw new TypeError("fabricId must be a bigint");
    // Core spec 2.5.1: fabric id 0 is reserved; the id is a 64-bit value.
    if (fabricId <= 0n || fabricId > LARGEST_FABRIC_ID) {
      throw new RangeError(`fabricId 0x${fabricId.toString(16)} is not a non-zero 64-bit fabric id`);
    }
  }
  if (!isOperationalVendorId(vendorId)) {
    throw new RangeError(`vendorId ${String(vendorId)} is not an operational vendor id (1..0xFFF4)`);
  }
  if (typeof label !== "string") throw new TypeError("label must be a string");
  if (new TextDecoder().decode(new TextEncoder().encode(label)) !== label) {
    throw new RangeError("label is not well-formed Unicode (a lone surrogate)");
  }
  if (labelBytes(label) > MAX_FABRIC_LABEL_BYTES) {
    throw new RangeError(`label is ${labelBytes(label)} bytes of UTF-8; at most ${MAX_FABRIC_LABEL_BYTES}`);
  }
  if (typeof icac !== "boolean") throw new TypeError("icac must be a boolean");
  return { fabricId, vendorId, label, icac };
}

function randomNonZeroId(crypto: Crypto): bigint {
  for (let i = 0; i < RANDOM_ID_ATTEMPTS; i++) {
    const id = bytesToBigint(crypto.randomBytes(8));
    if (id !== 0n) return id;
  }
  throw new RangeError("the random source returned only zeros");
}

/** A CA whose serial counter is persisted (to the latest in-memory value) before each certificate is signed. */
class PersistedSerialCa extends CertificateAuthority {
  readonly #persist: (nextSerial: bigint) => Promise<void>;

  constructor(crypto: Crypto, state: CaState, clock: () => Date, persist: (nextSerial: bigint) => Promise<void>) {
    super(crypto, state, clock);
    this.#persist = persist;
  }

  protected override async allocateSerial(): Promise<bigint> {
    const serial = await super.allocateSerial();
    // The latest counter, not serial + 1: concurrent issuances may have advanced it meanwhile.
    await this.#persist(this.nextSerial);
    return serial;
  }
}

/** An intermediate CA: its certificate and key. */
type Icac = { readonly cert: MatterCert; readonly key: P256PrivateKey };

/** Everything the fabric record holds. */
type FabricState = {
  readonly fabricId: bigint;
  readonly vendorId: number;
  readonly label: string;
  readonly adminNodeId: bigint;
  readonly ipkEpochKey: Uint8Array;
  readonly rootKey: P256PrivateKey;
  readonly rcac: MatterCert;
  readonly icac: Icac | null;
  readonly adminKey: P256PrivateKey;
  readonly adminNoc: MatterCert;
};

function hex64(v: bigint): string {
  return toHex(bigintToBytes(v, 8));
}

function encodeFabric(s: FabricState): JsonValue {
  return {
    v: 1,
    fabricId: hex64(s.fabricId),
    vendorId: s.vendorId,
    label: s.label,
    adminNodeId: hex64(s.adminNodeId),
    ipkEpochKey: toHex(s.ipkEpochKey),
    rootKey: toHex(s.rootKey.toScalar()),
    rcac: toHex(s.rcac.raw),
    icac: s.icac === null ? null : toHex(s.icac.cert.raw),
    icacKey: s.icac === null ? null : toHex(s.icac.key.toScalar()),
    adminKey: toHex(s.adminKey.toScalar()),
    adminNoc: toHex(s.adminNoc.raw),
  };
}

/** The members of a stored fabric record, sorted. */
const FABRIC_MEMBERS = "adminKey,adminNoc,adminNodeId,fabricId,icac,icacKey,ipkEpochKey,label,rcac,rootKey,v,vendorId";

function serialOf(cert: MatterCert): bigint {
  return bytesToBigint(cert.serialNumber);
}

/** Decodes and cross-checks the stored fabric record and serial; any inconsistency is MalformedError naming the key. */
function decodeFabric(
  value: StorageValue,
  serialValue: StorageValue | undefined,
): { state: FabricState; next: bigint } {
  const bad = (message: string, cause?: unknown): never => {
    throw new MalformedError(
      "admin.fabric-record",
      message,
      { path: ADMIN_FABRIC_KEY },
      cause === undefined ? undefined : { cause },
    );
  };
  if (value === null || typeof value !== "object" || value instanceof Uint8Array || Array.isArray(value)) {
    return bad("not an object");
  }
  const v = value as { readonly [k: string]: JsonValue };
  const names = Object.keys(v).sort().join(",");
  if (names !== FABRIC_MEMBERS) bad(`unexpected members ${names}`);
  if (v.v !== 1) bad(`unknown record version ${JSON.stringify(v.v)}`);
  const hex = (name: string, bytes?: number): Uint8Array => {
    const s = v[name];
    if (typeof s !== "string" || !/^(?:[0-9a-f]{2})+$/.test(s) || (bytes !== undefined && s.length !== bytes * 2)) {
      return bad(`${name} is not ${bytes === undefined ? "" : `${bytes} `}hex bytes`);
    }
    return fromHex(s);
  };
  const cert = (name: string): MatterCert => {
    try {
      return decodeMatterCert(hex(name));
    } catch (cause) {
      return bad(`${name} is not a Matter certificate`, cause);
    }
  };
  const key = (name: string): P256PrivateKey => {
    try {
      return P256PrivateKey.fromScalar(hex(name, 32));
    } catch (cause) {
      return bad(`${name} is not a P-256 private key`, cause);
    }
  };
  const fabricId = bytesToBigint(hex("fabricId", 8));
  if (fabricId === 0n) bad("fabricId is 0");
  const adminNodeId = bytesToBigint(hex("adminNodeId", 8));
  if (!isOperationalNodeId(adminNodeId)) bad("adminNodeId is not an operational node id");
  const vendorId = v.vendorId;
  if (typeof vendorId !== "number" || !isOperationalVendorId(vendorId)) bad("vendorId is not an operational vendor id");
  const label = v.label;
  if (typeof label !== "string" || labelBytes(label) > MAX_FABRIC_LABEL_BYTES) bad("label is not a fabric label");
  const ipkEpochKey = hex("ipkEpochKey", EPOCH_KEY_BYTES);
  const rootKey = key("rootKey");
  const rcac = cert("rcac");
  if (!bytesEqual(rcac.publicKey, rootKey.publicKey.raw)) bad("rootKey does not match the RCAC");
  if ((v.icac === null) !== (v.icacKey === null)) bad("icac and icacKey must both be present or both null");
  let icac: Icac | null = null;
  if (v.icac !== null) {
    icac = { cert: cert("icac"), key: key("icacKey") };
    if (!bytesEqual(icac.cert.publicKey, icac.key.publicKey.raw)) bad("icacKey does not match the ICAC");
  }
  const adminKey = key("adminKey");
  const adminNoc = cert("adminNoc");
  if (!bytesEqual(adminNoc.publicKey, adminKey.publicKey.raw)) bad("adminKey does not match the administrator's NOC");
  try {
    const chain = validateChain({ rcac, icac: icac?.cert, noc: adminNoc });
    if (chain.nodeId !== adminNodeId) bad("the administrator's NOC names another node id");
    if (chain.fabricId !== fabricId) bad("the administrator's NOC names another fabric id");
    if (icac !== null && chain.icacUnused) bad("the administrator's NOC is not signed by the ICAC");
  } catch (cause) {
    if (cause instanceof MalformedError) throw cause;
    bad("the administrator's chain does not validate", cause);
  }
  if (typeof serialValue !== "string" || !/^[1-9][0-9]{0,47}$/.test(serialValue)) {
    throw new MalformedError("admin.fabric-record", "missing or not a decimal serial number", {
      path: ADMIN_NEXT_SERIAL_KEY,
    });
  }
  const next = BigInt(serialValue);
  const issued = [rcac, adminNoc, ...(icac === null ? [] : [icac.cert])].map(serialOf);
  if (issued.some((s) => s >= next)) {
    throw new MalformedError("admin.fabric-record", "next serial is not above every serial already issued", {
      path: ADMIN_NEXT_SERIAL_KEY,
    });
  }
  return {
    state: {
      fabricId,
      vendorId: vendorId as number,
      label: label as string,
      adminNodeId,
      ipkEpochKey,
      rootKey,
      rcac,
      icac,
      adminKey,
      adminNoc,
    },
    next,
  };
}

/** Issues a new ICAC (fresh key, random ICAC id) and re-issues the administrator's NOC under it. */
async function issueIcacAndAdminNoc(
  crypto: Crypto,
  ca: CertificateAuthority,
  s: { fabricId: bigint; adminNodeId: bigint; adminKey: P256PrivateKey },
): Promise<{ icac: Icac; adminNoc: MatterCert }> {
  const key = crypto.generateKeyPair();
  const cert = await ca.issueIcac({ subjectKey: key.publicKey, icacId: randomNonZeroId(crypto), fabricId: s.fabricId });
  const icac = { cert, key };
  const adminNoc = await ca.issueNoc(
    { subjectKey: s.adminKey.publicKey, nodeId: s.adminNodeId, fabricId: s.fabricId },
    icac,
  );
  return { icac, adminNoc };
}

/** The persisted fabric of the administrator and its certificate authority. */
export class AdminFabric {
  readonly fabricId: bigint;
  readonly vendorId: number;
  readonly label: string;
  readonly adminNodeId: bigint;
  readonly rcac: MatterCert;
  /** The IPK epoch key (key set 0's EpochKey0, 16 bytes) sent to nodes in AddNOC's IPKValue. */
  readonly ipkEpochKey: Uint8Array;
  readonly compressedFabricId: bigint;
  /** The RCAC's public key, 65 bytes uncompressed. */
  readonly rootPublicKey: Uint8Array;
  readonly #crypto: Crypto;
  readonly #storage: Storage;
  readonly #ca: PersistedSerialCa;
  readonly #rootKey: P256PrivateKey;
  readonly #adminKey: P256PrivateKey;
  readonly #ipk: Uint8Array;
  /** The epoch key as stored (the public field is a copy a caller could overwrite). */
  readonly #ipkEpochKey: Uint8Array;
  #icac: Icac | null;
  #adminNoc: MatterCert;

  private constructor(crypto: Crypto, storage: Storage, state: FabricState, nextSerial: bigint, clock: () => Date) {
    this.#crypto = crypto;
    this.#storage = storage;
    this.fabricId = state.fabricId;
    this.vendorId = state.vendorId;
    this.label = state.label;
    this.adminNodeId = state.adminNodeId;
    this.rcac = state.rcac;
    this.#ipkEpochKey = state.ipkEpochKey.slice();
    this.ipkEpochKey = state.ipkEpochKey.slice();
    this.rootPublicKey = state.rcac.publicKey;
    this.compressedFabricId = compressedFabricId(crypto, this.rootPublicKey, this.fabricId);
    this.#ipk = operationalGroupKey(crypto, this.#ipkEpochKey, this.compressedFabricId);
    this.#rootKey = state.rootKey;
    this.#adminKey = state.adminKey;
    this.#icac = state.icac;
    this.#adminNoc = state.adminNoc;
    this.#ca = new PersistedSerialCa(crypto, { rootKey: state.rootKey, rcac: state.rcac, nextSerial }, clock, (next) =>
      storage.set(ADMIN_NEXT_SERIAL_KEY, next.toString()),
    );
  }

  /** True when `storage` holds a fabric record. */
  static async exists(storage: Storage): Promise<boolean> {
    return (await storage.get(ADMIN_FABRIC_KEY)) !== undefined;
  }

  /**
   * Creates a fabric (fresh root key, RCAC, ICAC unless `icac: false`, IPK epoch key, administrator NOC) and stores it
   * in one transaction; TypeError when `storage` already holds one (never overwritten).
   */
  static async create(
    storage: Storage,
    crypto: Crypto,
    options: AdminFabricOptions = {},
    clock: () => Date = () => new Date(),
  ): Promise<AdminFabric> {
    const o = checkAdminFabricOptions(options);
    const fabricId = o.fabricId ?? randomNonZeroId(crypto);
    const adminNodeId = DEFAULT_ADMIN_NODE_ID;
    // Nothing is stored until the record is complete, so these serials cannot have been used by any stored CA.
    const ca = new CertificateAuthority(
      crypto,
      CertificateAuthority.newState(crypto, { rcacId: randomNonZeroId(crypto), fabricId, clock }),
      clock,
    );
    const adminKey = crypto.generateKeyPair();
    let icac: Icac | null = null;
    let adminNoc: MatterCert;
    if (o.icac) {
      ({ icac, adminNoc } = await issueIcacAndAdminNoc(crypto, ca, { fabricId, adminNodeId, adminKey }));
    } else {
      adminNoc = await ca.issueNoc({ subjectKey: adminKey.publicKey, nodeId: adminNodeId, fabricId });
    }
    const state: FabricState = {
      fabricId,
      vendorId: o.vendorId,
      label: o.label,
      adminNodeId,
      ipkEpochKey: crypto.randomBytes(EPOCH_KEY_BYTES),
      rootKey: ca.rootKey,
      rcac: ca.rcac,
      icac,
      adminKey,
      adminNoc,
    };
    await storage.transaction(async (tx) => {
      // Overwriting a CA would orphan every node it certified; AdminStore.init reports this case with its own error.
      if ((await tx.get(ADMIN_FABRIC_KEY)) !== undefined) throw new TypeError("storage already holds an admin fabric");
      await tx.set(ADMIN_FABRIC_KEY, encodeFabric(state));
      await tx.set(ADMIN_NEXT_SERIAL_KEY, ca.nextSerial.toString());
    });
    return new AdminFabric(crypto, storage, state, ca.nextSerial, clock);
  }

  /** Loads the stored fabric, or undefined when there is none; a damaged record is MalformedError `admin.fabric-record`. */
  static async load(
    storage: Storage,
    crypto: Crypto,
    clock: () => Date = () => new Date(),
  ): Promise<AdminFabric | undefined> {
    const value = await storage.get(ADMIN_FABRIC_KEY);
    if (value === undefined) return undefined;
    const { state, next } = decodeFabric(value, await storage.get(ADMIN_NEXT_SERIAL_KEY));
    return new AdminFabric(crypto, storage, state, next, clock);
  }

  /** The ICAC that signs new NOCs, or null when NOCs are signed by the root. */
  get icac(): MatterCert | null {
    return this.#icac?.cert ?? null;
  }

  /** The serial number the next issued certificate gets (already persisted: never reused across a reopen). */
  get nextSerial(): bigint {
    return this.#ca.nextSerial;
  }

  /** The administrator's own CASE identity (its NOC under this CA, fabric index 1 on our side). */
  get caseFabric(): CaseFabric {
    return {
      fabricIndex: ADMIN_FABRIC_INDEX,
      fabricId: this.fabricId,
      nodeId: this.adminNodeId,
      rootPublicKey: this.rootPublicKey.slice(),
      rcac: this.rcac.raw.slice(),
      icac: this.#icac === null ? null : this.#icac.cert.raw.slice(),
      noc: this.#adminNoc.raw.slice(),
      operationalKey: this.#adminKey,
      ipk: this.#ipk.slice(),
    };
  }

  /**
   * Issues a NOC for `nodeId` on this fabric for the public key in `csr` (PKCS#10 DER, self-signature verified), signed
   * by the ICAC when the fabric has one. Persists the serial before signing.
   */
  async issueNoc(csr: Uint8Array, nodeId: bigint): Promise<IssuedChain> {
    if (!(csr instanceof Uint8Array)) throw new TypeError("csr must be DER bytes");
    if (typeof nodeId !== "bigint") throw new TypeError("nodeId must be a bigint");
    if (nodeId === this.adminNodeId) {
      throw new RangeError(`node id 0x${nodeId.toString(16)} is the administrator's own node id`);
    }
    // The signer is fixed before the first await, so a concurrent newIcac cannot split the returned chain.
    const signer = this.#icac;
    const noc = await this.#ca.issueNoc({ subjectKey: csr, nodeId, fabricId: this.fabricId }, signer ?? undefined);
    return {
      rcac: this.rcac.raw.slice(),
      icac: signer === null ? null : signer.cert.raw.slice(),
      noc: noc.raw.slice(),
      nocNotAfter: matterEpochToDate(noc.notAfter),
    };
  }

  /**
   * A new ICAC (new key, new serial) for subsequent NOCs; persisted. Creates the first ICAC on a fabric without one. The
   * administrator's NOC is re-issued under it (same operational key), so `caseFabric` always presents one chain.
   */
  async newIcac(): Promise<void> {
    const { icac, adminNoc } = await issueIcacAndAdminNoc(this.#crypto, this.#ca, {
      fabricId: this.fabricId,
      adminNodeId: this.adminNodeId,
      adminKey: this.#adminKey,
    });
    const state: FabricState = {
      fabricId: this.fabricId,
      vendorId: this.vendorId,
      label: this.label,
      adminNodeId: this.adminNodeId,
      ipkEpochKey: this.#ipkEpochKey,
      rootKey: this.#rootKey,
      rcac: this.rcac,
      icac,
      adminKey: this.#adminKey,
      adminNoc,
    };
    await this.#storage.set(ADMIN_FABRIC_KEY, encodeFabric(state));
    this.#icac = icac;
    this.#adminNoc = adminNoc;
  }
}
